// For extension-host suites that sign in for real against the OIDC simulator: a person who picks AWS Builder ID in "Kiro: Sign In" and approves the code shown, and the window's settings pointed at the simulators and back.
import * as vscode from "vscode";
import type { SignInInteraction } from "../../../src/vscode/auth/signInFlow";
import { BUILDER_ID_START_URL } from "../../../src/auth/session";
import type { KiroSimulator } from "../../sim/kiroSimulator";
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

/** The window's user settings name the simulators (it reads them per request), so it signs in and asks Kiro there. */
export async function pointWindowAtSimulators(oidc: OidcSimulator, kiro: KiroSimulator): Promise<void> {
  const config = vscode.workspace.getConfiguration("kiro");
  await config.update("oidcEndpoint", oidc.url, vscode.ConfigurationTarget.Global);
  await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);
}

/** Undoes pointWindowAtSimulators, puts back the KIRO_ACCESS_TOKEN the suite removed, and stops the simulators. */
export async function releaseSimulators(oidc: OidcSimulator | undefined, kiro: KiroSimulator | undefined, savedToken: string | undefined): Promise<void> {
  const config = vscode.workspace.getConfiguration("kiro");
  await config.update("oidcEndpoint", undefined, vscode.ConfigurationTarget.Global);
  await config.update("endpoint", undefined, vscode.ConfigurationTarget.Global);
  if (savedToken !== undefined) process.env.KIRO_ACCESS_TOKEN = savedToken;
  await oidc?.close();
  await kiro?.close();
}
