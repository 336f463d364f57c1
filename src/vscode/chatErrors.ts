// Turns a failed Kiro answer into what the Chat view / vscode.lm caller sees: the cause, the way out, and a LanguageModelError code.
import type { AssistantMessage } from "../kiro/types";
import { KiroError, type KiroErrorKind } from "../kiro/errors";

/** `vscode.LanguageModelError` factory names; undefined means a plain Error (code "Unknown" to callers). */
export type ChatErrorCode = "NoPermissions" | "Blocked" | "NotFound";

export interface ChatFailure {
  kind: KiroErrorKind;
  /** The text the user reads: what went wrong and what to do. Never contains a token. */
  message: string;
  code?: ChatErrorCode;
  /** The model list may be stale (the service refused the model): reload it. */
  refreshModels: boolean;
  /** Signing in (again) is the way out. */
  signInNeeded: boolean;
}

export interface ChatFailureContext {
  /** The model the user picked, by its display name. */
  modelName: string;
}

/** The kind the core put on the failed message (`message.kiro.error.kind`); an aborted answer without one is "aborted". */
export function kiroErrorKindOf(message: Pick<AssistantMessage, "stopReason" | "kiro">): KiroErrorKind {
  const kind = message.kiro?.error?.kind;
  if (kind) return kind;
  return message.stopReason === "aborted" ? "aborted" : "stream";
}

const MANAGE = 'run "Kiro: Manage Models and Sign-in" (or "Kiro: Sign In")';

function fallbackText(kind: KiroErrorKind, ctx: ChatFailureContext): string {
  switch (kind) {
    case "no-token":
      return "Not signed in to Kiro.";
    case "auth":
      return "Kiro did not accept your sign-in.";
    case "suspended":
      return "Your Kiro account is temporarily suspended, so Kiro refuses all requests. Contact AWS/Kiro support; retrying will not help.";
    case "quota":
      return "Kiro quota exhausted: your usage limit is used up. Wait for it to reset or upgrade your Kiro plan.";
    case "throttled":
      return "Kiro is throttling requests. Wait a moment and try again.";
    case "capacity":
      return `Kiro has no capacity for ${ctx.modelName} right now. Try again in a minute or pick another model.`;
    case "invalid-model":
      return `Kiro does not offer ${ctx.modelName} to this account in this region. Pick another model.`;
    case "too-long":
      return "Kiro rejected the request: input is too long for the model's context window.";
    case "message-too-large":
      return `This message is too large for ${ctx.modelName}'s context window, so it was not sent.`;
    case "profile":
      return "Kiro did not accept the account's profile.";
    case "timeout":
      return "Kiro did not answer in time. Send the message again.";
    case "network":
      return "Could not reach Kiro. Check the network connection, proxy, and the kiro.region / kiro.endpoint settings.";
    case "server":
      return "Kiro had a temporary problem. Send the message again.";
    case "aborted":
      return "The request was cancelled.";
    case "refused":
      return "Kiro's content filter stopped the answer. Rephrase the request, or pick another model.";
    default:
      return "Kiro stopped the answer with an error.";
  }
}

/** What to do about it, in VS Code terms; the core's message says what happened in words that fit any host. */
function vscodeWayOut(kind: KiroErrorKind, ctx: ChatFailureContext): string | undefined {
  switch (kind) {
    case "no-token":
    case "auth":
      return `To sign in, ${MANAGE}.`;
    case "too-long":
      return `Start a new chat, remove attached files or context, or pick a model with a larger context window than ${ctx.modelName}.`;
    case "profile":
      return 'Pick another profile with "Kiro: Manage Models and Sign-in" → Change profile, or set kiro.profileArn in your user settings.';
    case "invalid-model":
      return "The Kiro model list is being reloaded; pick another model in the model picker.";
    case "capacity":
    case "throttled":
      return "Another Kiro model in the model picker may answer now.";
    default:
      return undefined;
  }
}

function codeFor(kind: KiroErrorKind): ChatErrorCode | undefined {
  switch (kind) {
    case "no-token":
    case "auth":
      return "NoPermissions";
    case "suspended":
    case "quota":
      return "Blocked";
    case "invalid-model":
      return "NotFound";
    default:
      return undefined;
  }
}

/** Builds the user-facing failure for a failed stream (its final message) or anything thrown on the way. */
export function describeKiroFailure(failure: AssistantMessage | KiroError | unknown, ctx: ChatFailureContext): ChatFailure {
  let kind: KiroErrorKind;
  let core: string;
  if (failure instanceof KiroError) {
    kind = failure.kind;
    core = failure.userMessage;
  } else if (typeof failure === "object" && failure !== null && (failure as AssistantMessage).role === "assistant") {
    const message = failure as AssistantMessage;
    kind = kiroErrorKindOf(message);
    core = message.errorMessage ?? "";
  } else {
    kind = "stream";
    core = failure instanceof Error ? `Kiro request failed: ${failure.message}` : "";
  }
  if (core.trim().length === 0) core = fallbackText(kind, ctx);
  core = core.trim();
  const wayOut = vscodeWayOut(kind, ctx);
  const message = wayOut && !core.includes(wayOut) ? `${core} ${wayOut}` : core;
  return {
    kind,
    message,
    code: codeFor(kind),
    refreshModels: kind === "invalid-model",
    signInNeeded: kind === "auth" || kind === "no-token",
  };
}

/** The failure when toolMode Required was asked for and the model still answered with text only. */
export function missingRequiredToolCall(ctx: ChatFailureContext, toolNames: readonly string[]): ChatFailure {
  const tools = toolNames.length === 1 ? `the tool "${toolNames[0]}"` : `one of the tools ${toolNames.map((n) => `"${n}"`).join(", ")}`;
  return {
    kind: "stream",
    message: `${ctx.modelName} answered without calling ${tools}, although this request requires a tool call (tool mode "Required"), even after being asked again. Try again, or pick another Kiro model.`,
    refreshModels: false,
    signInNeeded: false,
  };
}
