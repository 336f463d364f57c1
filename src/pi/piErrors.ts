// The way out of a failed Kiro answer in pi's words: the core says what happened (message.kiro.error carries the kind), pi adds what to type or set.
import { SIGN_IN_SOURCES } from "../auth/import/signInSources";
import type { KiroErrorKind } from "../kiro/errors";
import type { AssistantMessage } from "../kiro/types";

/** How this pi reaches Kiro: through a VS Code window's bridge, or directly with its own token. */
export type PiKiroMode = "bridge" | "direct";

const VSCODE_SIGN_IN = 'In VS Code, run "Kiro: Sign In"; pi in this terminal picks the sign-in up without restarting.';

function directSignIn(loginAvailable: boolean): string {
  // pi's direct mode also borrows the sign-in any sign-in source holds (storedSignIn.ts).
  const ways = [loginAvailable ? "run /login kiro" : undefined, "set KIRO_ACCESS_TOKEN", ...SIGN_IN_SOURCES.map((source) => `or ${source.loginHint}`)].filter(Boolean);
  return `To sign in again: ${ways.join(", ")}.`;
}

/** The credential of a direct-mode request when it is an API key: the variable it came from. */
export interface PiApiKeyCredential {
  apiKeyFrom: string;
}

/** What pi adds for a failure of `kind`; undefined when the core's message already says all there is to do. */
export function piWayOut(kind: KiroErrorKind, mode: PiKiroMode, loginAvailable: boolean, credential?: PiApiKeyCredential): string | undefined {
  if (credential && mode === "direct") {
    // An API key is never refreshed and has no profile list: the way out is the key or the profile named by hand.
    if (kind === "auth") return `pi reads the key from ${credential.apiKeyFrom}; set it to a key Kiro accepts.`;
    if (kind === "profile") return "Set KIRO_PROFILE_ARN to the profile ARN of the API key's Kiro account.";
  }
  switch (kind) {
    case "auth":
      return mode === "bridge" ? VSCODE_SIGN_IN : directSignIn(loginAvailable);
    case "profile":
      return mode === "bridge"
        ? 'In VS Code, "Kiro: Manage Models and Sign-in" → Change profile picks another one.'
        : "Set KIRO_PROFILE_ARN to one of your account's profiles to choose it (pi --verbose lists them).";
    case "too-long":
      return "In pi: /compact, or /new for a fresh session.";
    case "invalid-model":
      return "Pick another Kiro model with /model.";
    default:
      return undefined;
  }
}

/** Adds pi's way out to a failed answer's message, in place (once). */
export function addPiWayOut(message: AssistantMessage, mode: PiKiroMode, loginAvailable: boolean, credential?: PiApiKeyCredential): void {
  const kind = message.kiro?.error?.kind;
  if (!kind || !message.errorMessage) return;
  const wayOut = piWayOut(kind, mode, loginAvailable, credential);
  if (wayOut && !message.errorMessage.includes(wayOut)) message.errorMessage = `${message.errorMessage} ${wayOut}`;
}
