// For extension-host suites that sign in for real against the OIDC simulator: a person who picks AWS Builder ID in "Kiro: Sign In" and approves the code shown.
import type { SignInInteraction } from "../../../src/vscode/auth/signInFlow";
import { BUILDER_ID_START_URL } from "../../../src/auth/session";
import type { OidcSimulator } from "../../sim/oidcSimulator";

/** Picks AWS Builder ID and approves the one-time code at `oidc` (as the person would on the sign-in page). */
export function approvingBuilderIdPerson(oidc: OidcSimulator): SignInInteraction {
  return {
    chooseSignIn: async () => ({ method: "builder-id", startUrl: BUILDER_ID_START_URL, region: "us-east-1" }),
    presentUserCode: async (code) => {
      oidc.approve(code.userCode);
      return true;
    },
    waitForApproval: () => undefined,
  };
}
