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

/**
 * Recognises the kind from the messages `src/kiro/errors.ts` writes, for streams whose final message carries no structured kind.
 * Order matters: more specific phrasings first.
 */
const KIND_PATTERNS: readonly [KiroErrorKind, RegExp][] = [
  ["aborted", /^request was aborted/i],
  ["no-token", /not signed in to kiro/i],
  ["suspended", /temporarily suspended|TEMPORARILY_SUSPENDED/],
  ["quota", /quota exhausted|MONTHLY_REQUEST_COUNT|DAILY_REQUEST_COUNT|OVERAGE_REQUEST_LIMIT|CONVERSATION_LIMIT_EXCEEDED|usage limit/i],
  ["capacity", /no capacity|INSUFFICIENT_MODEL_CAPACITY/i],
  ["throttled", /throttl/i],
  ["invalid-model", /does not offer the model|INVALID_MODEL_ID|invalid model/i],
  ["too-long", /input is too long|CONTENT_LENGTH_EXCEEDS_THRESHOLD|context window/i],
  ["auth", /sign[- ]?in (again|has expired)|did not accept your sign-in|refused access|bearer token|\b40[13]\b/i],
  ["timeout", /did not start answering within|stopped sending for/i],
  ["network", /could not reach kiro|ECONNREFUSED|ENOTFOUND|ECONNRESET|fetch failed/i],
  ["bad-request", /improperly formed request|rejected the request/i],
  ["server", /temporary problem|failed while answering|\b5\d\d\b/i],
];

/** The structured kind when the stream put one on the message (`message.kiro.error.kind`), else the kind read from its text. */
export function kiroErrorKindOf(message: Pick<AssistantMessage, "errorMessage" | "stopReason"> & { kiro?: unknown }): KiroErrorKind {
  const extras = message.kiro as { error?: { kind?: unknown } } | undefined;
  if (typeof extras?.error?.kind === "string") return extras.error.kind as KiroErrorKind;
  if (message.stopReason === "aborted") return "aborted";
  const text = message.errorMessage ?? "";
  for (const [kind, pattern] of KIND_PATTERNS) if (pattern.test(text)) return kind;
  return "stream";
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
    case "timeout":
      return "Kiro did not answer in time. Send the message again.";
    case "network":
      return "Could not reach Kiro. Check the network connection, proxy, and the kiro.region / kiro.endpoint settings.";
    case "server":
      return "Kiro had a temporary problem. Send the message again.";
    case "aborted":
      return "The request was cancelled.";
    default:
      return "Kiro stopped the answer with an error.";
  }
}

/** What to do about it, in VS Code terms; added only where the core's message speaks of pi or says nothing about it. */
function vscodeWayOut(kind: KiroErrorKind, ctx: ChatFailureContext): string | undefined {
  switch (kind) {
    case "no-token":
    case "auth":
      return `To sign in, ${MANAGE}.`;
    case "too-long":
      return `Start a new chat, remove attached files or context, or pick a model with a larger context window than ${ctx.modelName}.`;
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

/** The first sentence of a message: where the core's advice is written for pi (e.g. its /compact command), VS Code's replaces it. */
function firstSentence(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
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
  if (kind === "too-long") core = firstSentence(core);
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
