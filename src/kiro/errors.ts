// Kiro failures by name (docs/kiro-protocol.md#errors): a kind and the facts (status, reason, reset date, model, profile), with a host-neutral message; each host adds its own way out.
// Over 300 lines because it is the one table of Kiro's failures: each kind's classifier and message sit together, so one read shows everything a user can be told.
import { isRecord } from "../util/json";
import { scrubSecrets, shortenText } from "../util/secrets";
import type { KiroErrorFacts, KiroErrorKind } from "./types";

export { scrubSecrets } from "../util/secrets";

export type { KiroErrorKind } from "./types";

export interface KiroErrorDetails extends KiroErrorFacts {
  retryable?: boolean;
  /** The network failure's code (ENOTFOUND, ECONNREFUSED, …), when there was one. */
  code?: string;
  /** What the service itself said (scrubbed, one line), for callers that act on its words. */
  serviceMessage?: string;
  cause?: unknown;
}

/** Every failure `streamKiro` reports; `message` equals `userMessage`: what happened, in words that fit any host. */
export class KiroError extends Error {
  readonly kind: KiroErrorKind;
  readonly status?: number;
  readonly reason?: string;
  readonly retryable: boolean;
  readonly userMessage: string;
  readonly resetDate?: string;
  readonly retryAfterMs?: number;
  readonly modelId?: string;
  readonly alternativeModelId?: string;
  readonly region?: string;
  readonly profileArn?: string;
  readonly code?: string;
  readonly serviceMessage?: string;

  constructor(kind: KiroErrorKind, userMessage: string, details: KiroErrorDetails = {}) {
    super(userMessage, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "KiroError";
    this.kind = kind;
    this.userMessage = userMessage;
    this.status = details.status;
    this.reason = details.reason;
    this.retryable = details.retryable ?? false;
    this.resetDate = details.resetDate;
    this.retryAfterMs = details.retryAfterMs;
    this.modelId = details.modelId;
    this.alternativeModelId = details.alternativeModelId;
    this.region = details.region;
    this.profileArn = details.profileArn;
    this.code = details.code;
    this.serviceMessage = details.serviceMessage;
  }

  /** The facts without the message, for copies that reword it. */
  get details(): KiroErrorDetails {
    return {
      status: this.status,
      reason: this.reason,
      retryable: this.retryable,
      resetDate: this.resetDate,
      retryAfterMs: this.retryAfterMs,
      modelId: this.modelId,
      alternativeModelId: this.alternativeModelId,
      region: this.region,
      profileArn: this.profileArn,
      code: this.code,
      serviceMessage: this.serviceMessage,
    };
  }
}

/** Reasons that mean a quota is used up, wherever they appear in an answer and whatever its status (docs/kiro-protocol.md#errors). */
export const QUOTA_REASONS: Readonly<Record<string, string>> = {
  MONTHLY_REQUEST_COUNT: "monthly request limit",
  DAILY_REQUEST_COUNT: "daily request limit",
  OVERAGE_REQUEST_LIMIT_EXCEEDED: "overage limit",
  CONVERSATION_LIMIT_EXCEEDED: "conversation limit",
};

/** The parts of an error answer the service is known to send, from its JSON body and `x-amzn-errortype` header. */
export interface ServiceErrorBody {
  message?: string;
  reason?: string;
  /** Exception name such as `ThrottlingException`. */
  type?: string;
  /** A quota reason found anywhere in the body (some answers carry it only inside the message text). */
  quotaReason?: string;
  /** `retryAfterMilliseconds` of a KRS exception body (docs/kiro-protocol.md#krs-exceptions). */
  retryAfterMs?: number;
}

function stringField(record: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value.trim()) return value;
  }
  return undefined;
}


/** The exception name without its Smithy namespace (`com.amazon…#ThrottlingException`) or its `:http…` suffix. */
function exceptionName(type: string): string {
  return type.slice(type.lastIndexOf("#") + 1).split(":")[0]!.trim();
}

/**
 * Reads an error body: `{"message"|"Message"|"errorMessage","reason","__type"|"code"}`, the nested
 * `{"error":{"message",…}}` form, or plain text. The `x-amzn-errortype` header wins over the body's `__type`
 * (the Smithy rule). A quota reason is looked for in the whole body text, since the official CLI matches it there.
 */
export function parseServiceErrorBody(bodyText: string, errorTypeHeader?: string | null): ServiceErrorBody {
  const parsed: ServiceErrorBody = {};
  const trimmed = bodyText.trim();
  let json: unknown;
  if (trimmed.startsWith("{")) {
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = undefined;
    }
  }
  if (isRecord(json)) {
    const nested = isRecord(json.error) ? json.error : undefined;
    const message = stringField(json, "message", "Message", "errorMessage") ?? (nested && stringField(nested, "message", "Message")) ?? (typeof json.error === "string" ? json.error : undefined);
    if (message) parsed.message = message;
    const reason = stringField(json, "reason") ?? (nested && stringField(nested, "reason"));
    if (reason) parsed.reason = reason;
    const type = stringField(json, "__type", "code") ?? (nested && stringField(nested, "__type", "code", "type"));
    if (type) parsed.type = exceptionName(type);
    const retryAfter = json.retryAfterMilliseconds ?? nested?.retryAfterMilliseconds;
    if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0) parsed.retryAfterMs = Math.round(retryAfter);
  } else if (trimmed.length > 0) {
    parsed.message = trimmed;
  }
  if (errorTypeHeader && errorTypeHeader.trim()) parsed.type = exceptionName(errorTypeHeader);
  const quota = Object.keys(QUOTA_REASONS).find((name) => trimmed.includes(name));
  if (quota) parsed.quotaReason = quota;
  if (parsed.message !== undefined) parsed.message = shortenText(parsed.message, 300);
  return parsed;
}

export interface ErrorContext {
  /** The model id the user picked (named in invalid-model messages). */
  modelId: string;
  region?: string;
  /** Another model to suggest when this one is unavailable. */
  alternativeModelId?: string;
  profileArn?: string;
  /** What the service said, scrubbed (filled by classifyHttpError). */
  serviceMessage?: string;
  /** Secrets to keep out of messages. */
  secrets?: readonly (string | undefined)[];
  /** The request's estimated input tokens and the model's window: "not valid JSON" means "too long" only near the window. */
  estimatedInputTokens?: number;
  contextWindow?: number;
  /** History entries the request carried; 0 means there is nothing earlier that compacting could shorten. */
  historyEntries?: number;
}

function facts(ctx: ErrorContext, extra: KiroErrorDetails): KiroErrorDetails {
  return { modelId: ctx.modelId || undefined, region: ctx.region, alternativeModelId: ctx.alternativeModelId, profileArn: ctx.profileArn, serviceMessage: ctx.serviceMessage, ...extra };
}

function quotaError(reason: string, status: number | undefined, ctx: ErrorContext, serverMessage?: string): KiroError {
  const what = QUOTA_REASONS[reason] ?? "usage limit";
  const detail = serverMessage ? ` (${scrubSecrets(serverMessage, ctx.secrets)})` : "";
  return new KiroError(
    "quota",
    `Kiro quota exhausted: your ${what} is used up${detail}. Wait for it to reset or upgrade your Kiro plan; retrying now will not help.`,
    facts(ctx, { status, reason, retryable: false }),
  );
}

/** Adds the reset date to a quota error once it is known (from getUsageLimits). */
export function withResetDate(error: KiroError, resetDate: string): KiroError {
  return new KiroError(error.kind, error.userMessage.replace("Wait for it to reset", `It resets on ${resetDate}; wait for that`), { ...error.details, resetDate });
}

function invalidModelError(ctx: ErrorContext, status: number | undefined, reason: string | undefined): KiroError {
  const region = ctx.region ? ` in ${ctx.region}` : "";
  const suggestion = ctx.alternativeModelId ? ` such as "${ctx.alternativeModelId}"` : "";
  return new KiroError(
    "invalid-model",
    `Kiro does not offer the model "${ctx.modelId}" to this account${region}. Pick another model${suggestion} (the model list shows what your plan includes).`,
    facts(ctx, { status, reason, retryable: false }),
  );
}

/**
 * Says "exceeds the context window", the words pi's overflow check recognises, so pi compacts the conversation by
 * itself; that is also plainly what happened. A request without history has nothing to compact: pi would drop the
 * failed answer, find nothing to compact and, in `pi -p`, end in silence with exit code 0. That one is worded as the
 * message being too large, in words pi's overflow check does not match.
 */
function tooLongError(ctx: ErrorContext, status: number | undefined, reason: string | undefined): KiroError {
  if (ctx.historyEntries === 0) {
    // Not the reason code: pi's overflow check matches "MODEL_CONTEXT_WINDOW_EXCEEDED" itself.
    const said = ctx.serviceMessage ? ` ("${ctx.serviceMessage}")` : "";
    return new KiroError(
      "message-too-large",
      `Kiro refused this message as too large for "${ctx.modelId}"${said}, and there is no earlier conversation to shorten. Shorten the message (or the tool output or files it carries), or pick a model with a larger window.`,
      facts(ctx, { status, reason, retryable: false }),
    );
  }
  return new KiroError(
    "too-long",
    "Kiro rejected the request: the input is too long, it exceeds the context window of the model.",
    facts(ctx, { status, reason, retryable: false }),
  );
}

/**
 * The current message by itself (with the system prompt and tool definitions) is larger than the model's context window,
 * so nothing was sent. Worded so pi's overflow check does not match: compacting the history cannot help here.
 */
export function messageTooLongError(estimatedTokens: number, contextWindow: number, modelName: string): KiroError {
  const n = (value: number): string => value.toLocaleString("en-US");
  return new KiroError(
    "message-too-large",
    `This message is too large for ${modelName}: about ${n(estimatedTokens)} tokens with the system prompt and tool definitions, more than its ${n(contextWindow)}-token context window holds, so it was not sent. Shorten the message (or the tool output or files it carries), or start a new conversation.`,
    { retryable: false },
  );
}

/** `metadataEvent.stopReason` MODEL_CONTEXT_WINDOW_EXCEEDED: the answer ran out of context window (docs/kiro-protocol.md#stop-reasons). */
export function contextWindowExceededError(ctx: ErrorContext): KiroError {
  const reason = "MODEL_CONTEXT_WINDOW_EXCEEDED";
  if (ctx.historyEntries === 0) {
    return new KiroError(
      "message-too-large",
      `Kiro stopped the answer: this message and its answer do not fit in the context window of "${ctx.modelId}", and there is no earlier conversation to shorten. Shorten the message (or the tool output or files it carries), or pick a model with a larger window.`,
      facts(ctx, { reason, retryable: false }),
    );
  }
  return tooLongError(ctx, undefined, reason);
}

/** What `stopDetails.refusal` says about a refused or filtered answer. */
export interface RefusalDetails {
  category?: string;
  explanation?: string;
  recommendedModel?: string;
}

/** `CONTENT_FILTERED`, or a refusal Kiro explained: the user is told why, and which model Kiro recommends when it names one. */
export function refusalError(ctx: ErrorContext, stopReason: string, refusal: RefusalDetails | undefined): KiroError {
  const why = [refusal?.category, refusal?.explanation ? scrubSecrets(refusal.explanation, ctx.secrets) : undefined].filter(Boolean).join(": ");
  const what = stopReason === "CONTENT_FILTERED" ? "Kiro's content filter stopped the answer" : `Kiro refused to answer (${stopReason})`;
  const model = refusal?.recommendedModel;
  const wayOut = model ? ` Kiro recommends the model "${model}" for this request; pick it, or rephrase.` : " Rephrase the request, or pick another model.";
  return new KiroError("refused", `${what}${why ? ` (${why})` : ""}, so the answer is incomplete.${wayOut}`, facts(ctx, { reason: stopReason, retryable: false, alternativeModelId: model ?? ctx.alternativeModelId }));
}

/**
 * The answer stream ended without any of Kiro's closing events (metadata, context usage, metering), so it was cut
 * (docs/kiro-protocol.md#closing-events). Worded with "ended without", which pi's own retry recognises; retryable by
 * streamKiro only while nothing of the answer arrived.
 */
export function cutAnswerError(ctx: ErrorContext, outputChars: number, openToolCall: string | undefined): KiroError {
  const where = openToolCall ? `in the middle of the tool call "${openToolCall}"` : outputChars > 0 ? `after ${outputChars} characters` : "before any answer";
  return new KiroError(
    "stream",
    `Kiro's answer was cut off: the stream ended without Kiro's closing events ${where}, so the answer is incomplete${outputChars > 0 ? " (the text so far is kept)" : ""}. Send the message again.`,
    facts(ctx, { retryable: outputChars === 0 && !openToolCall }),
  );
}

function malformedError(ctx: ErrorContext, status: number | undefined, reason: string | undefined): KiroError {
  return new KiroError(
    "bad-request",
    'Kiro rejected the request as "Improperly formed request." without saying which part it refused. Starting a new conversation usually works; if it keeps happening, report it with the model name and what the conversation contained (tools, images, length).',
    facts(ctx, { status, reason, retryable: false }),
  );
}

/**
 * `profileArn is required for this request.`, or an answer that refuses the profile sent: Identity Center accounts were
 * seen answered 403 "User is not authorized to make this call." for a missing or foreign profile, which is not an
 * expired token (docs/kiro-protocol.md#profile-arn).
 */
export function isProfileRefusal(status: number, body: ServiceErrorBody): boolean {
  if (status !== 400 && status !== 403) return false;
  const message = body.message ?? "";
  return /profile ?arn|\bprofile\b/i.test(message) || /profile/i.test(body.reason ?? "") || (status === 403 && /not authorized to make this call/i.test(message));
}

/** The profile could not be used even after looking it up again. */
export function profileError(ctx: ErrorContext, status: number | undefined, serverMessage: string | undefined): KiroError {
  const said = serverMessage ? ` (${status ?? ""}${status ? ": " : ""}${scrubSecrets(serverMessage, ctx.secrets)})` : "";
  const what = ctx.profileArn
    ? `Kiro did not accept the profile ${ctx.profileArn}${said}, also after looking the account's profiles up again.`
    : `Kiro needs a profile for this account, but none was found${said}: the account lists no Kiro profile in ${ctx.region ?? "its region"}.`;
  return new KiroError("profile", `${what} Choose another profile, or set up Kiro for this account once in the Kiro IDE or kiro-cli.`, facts(ctx, { status, retryable: false }));
}

/** Reasons for throttling (docs/kiro-protocol.md#krs-reasons); the older INSUFFICIENT_MODEL_CAPACITY and the unavailable model are "capacity". */
const THROTTLING_REASONS = new Set(["CREDIT_CONSUMPTION_RATE_EXCEEDED", "USER_REQUEST_RATE_EXCEEDED", "SERVICE_REQUEST_RATE_EXCEEDED"]);
const CAPACITY_REASONS = new Set(["INSUFFICIENT_MODEL_CAPACITY", "MODEL_TEMPORARILY_UNAVAILABLE"]);
const TOO_LONG_REASONS = new Set(["CONTENT_LENGTH_EXCEEDS_THRESHOLD", "PROMPT_TOO_LONG"]);
export const INVALID_JSON_REASON = "REQUEST_BODY_INVALID_JSON";
/** The replayed reasoning's signature was refused: the request is sent once more without any reasoning (docs/kiro-protocol.md#reasoning-replay). */
export const THINKING_SIGNATURE_INVALID = "THINKING_SIGNATURE_INVALID";
/** Share of the model's window from which "not valid JSON" is taken to mean an oversized conversation (Kiro #9658). */
const INVALID_JSON_TOO_LONG_SHARE = 0.8;

/** What an exception name (KRS `throttlingError`…, the older `ThrottlingException`…) means, whatever its case and namespace. */
type ExceptionGroup = "throttling" | "unavailable" | "validation" | "access" | "quota" | "internal";
const EXCEPTION_GROUPS: Readonly<Record<string, ExceptionGroup>> = {
  throttlingerror: "throttling",
  throttlingexception: "throttling",
  serviceunavailableerror: "unavailable",
  serviceunavailableexception: "unavailable",
  validationerror: "validation",
  validationexception: "validation",
  accessdeniederror: "access",
  accessdeniedexception: "access",
  servicequotaexceedederror: "quota",
  servicequotaexceededexception: "quota",
  error: "internal",
  internalservererror: "internal",
  internalserverexception: "internal",
};

function exceptionGroup(type: string | undefined): ExceptionGroup | undefined {
  return type ? EXCEPTION_GROUPS[exceptionName(type).toLowerCase()] : undefined;
}

/** "The request body is not valid JSON": an oversized conversation only when the request is near the model's window; otherwise its own failure. */
function invalidJsonError(ctx: ErrorContext, status: number | undefined, reason: string | undefined): KiroError {
  const { estimatedInputTokens: tokens, contextWindow: window } = ctx;
  if (tokens !== undefined && window !== undefined && window > 0 && tokens >= window * INVALID_JSON_TOO_LONG_SHARE) return tooLongError(ctx, status, reason);
  // In thousands: pi 1.3's retry check reads any "500", "502", … in the text as an HTTP status, even inside "1,502".
  const k = (value: number): string => (value < 1000 ? "under 1K" : `about ${Math.round(value / 1000)}K`);
  const size = tokens !== undefined && window ? ` The conversation is ${k(tokens)} tokens, far below the model's ${Math.round(window / 1000)}K-token window, so this is not a length problem.` : "";
  return new KiroError(
    "bad-request",
    `Kiro could not read the request ("${ctx.serviceMessage ?? "The request body is not valid JSON."}").${size} Send the message again; if it keeps happening, start a new conversation and report it with the model name.`,
    facts(ctx, { status, reason: reason ?? INVALID_JSON_REASON, retryable: false }),
  );
}

/**
 * The failures a reason code or exception name decides alone, for HTTP answers and exception frames alike
 * (docs/kiro-protocol.md#krs-reasons); undefined leaves it to the status.
 */
function classifyByReason(group: ExceptionGroup | undefined, body: ServiceErrorBody, status: number | undefined, ctx: ErrorContext, retryAfterMs: number | undefined, where: string): KiroError | undefined {
  const message = ctx.serviceMessage;
  const reason = body.reason;
  const lower = (message ?? "").toLowerCase();
  const said = `${where}${reason ? `, ${reason}` : ""}${message ? `: ${message}` : ""}`;
  const quotaReason = reason && reason in QUOTA_REASONS ? reason : body.quotaReason;
  if (quotaReason) return quotaError(quotaReason, status, ctx, message);
  if (group === "quota") return quotaError(reason ?? "UNKNOWN", status, ctx, message);
  if (reason && CAPACITY_REASONS.has(reason)) {
    return new KiroError("capacity", `Kiro has no capacity for "${ctx.modelId}" right now (${said}). Try again in a minute or pick another model.`, facts(ctx, { status, reason, retryable: true, retryAfterMs }));
  }
  // "rate limit" is also the words pi's own retry looks for.
  if ((reason && THROTTLING_REASONS.has(reason)) || group === "throttling") {
    return new KiroError("throttled", `Kiro is throttling requests, a rate limit (${said}). Wait a moment and try again.`, facts(ctx, { status, reason, retryable: true, retryAfterMs }));
  }
  if (group === "unavailable") {
    return new KiroError("server", `Kiro's service is unavailable right now (${said}). Send the message again in a moment.`, facts(ctx, { status, reason, retryable: true, retryAfterMs }));
  }
  if (reason === "INVALID_MODEL_ID") return invalidModelError(ctx, status, reason);
  if ((reason && TOO_LONG_REASONS.has(reason)) || lower.includes("input is too long")) return tooLongError(ctx, status, reason);
  if (reason === INVALID_JSON_REASON || lower.includes("request body is not valid json")) return invalidJsonError(ctx, status, reason);
  if (reason === THINKING_SIGNATURE_INVALID) {
    return new KiroError("bad-request", `Kiro refused the reasoning replayed from earlier turns (${said}).`, facts(ctx, { status, reason, retryable: false }));
  }
  return undefined;
}

/** Classifies a non-2xx answer of any Kiro operation. */
export function classifyHttpError(status: number, body: ServiceErrorBody, context: ErrorContext, retryAfterMs?: number): KiroError {
  const message = body.message ? scrubSecrets(body.message, context.secrets) : undefined;
  const ctx: ErrorContext = { ...context, serviceMessage: message };
  const reason = body.reason;
  const lower = (message ?? "").toLowerCase();
  const said = message ? `: ${message}` : "";
  const waitMs = retryAfterMs ?? body.retryAfterMs;

  if (status === 403 || status === 401) {
    if (body.quotaReason || (reason && reason in QUOTA_REASONS)) return quotaError((reason && reason in QUOTA_REASONS ? reason : body.quotaReason)!, status, ctx, message);
    if (reason === "TEMPORARILY_SUSPENDED" || lower.includes("suspended")) {
      return new KiroError(
        "suspended",
        "Your Kiro account is temporarily suspended, so Kiro refuses all requests. Contact AWS/Kiro support; retrying will not help.",
        facts(ctx, { status, reason: reason ?? "TEMPORARILY_SUSPENDED", retryable: false }),
      );
    }
    if (isProfileRefusal(status, body)) return profileError(ctx, status, message);
    return new KiroError("auth", `Kiro did not accept your sign-in (${status}${said}). Sign in again.`, facts(ctx, { status, reason, retryable: false }));
  }
  if (status === 402) return quotaError(reason && reason in QUOTA_REASONS ? reason : (body.quotaReason ?? reason ?? "UNKNOWN"), status, ctx, message);
  // The exception name only decides where the status does not: a 400 named ThrottlingException with a quota reason is a quota (official CLI's test).
  const group = exceptionGroup(body.type);
  const byStatus: ExceptionGroup | undefined = status === 429 ? "throttling" : status === 503 ? "unavailable" : status === 400 || status === 413 || status === 422 ? "validation" : undefined;
  const byReason = classifyByReason(byStatus ?? (group === "validation" ? undefined : group), body, status, ctx, waitMs, String(status));
  if (byReason) return byReason;
  if (status === 400 || status === 413 || status === 422) {
    if (/invalid model|model id/i.test(lower)) return invalidModelError(ctx, status, reason);
    if (status === 413) return tooLongError(ctx, status, reason);
    if (isProfileRefusal(status, body)) return profileError(ctx, status, message);
    if (lower.includes("improperly formed request")) return malformedError(ctx, status, reason);
    return new KiroError("bad-request", `Kiro rejected the request (${status}${reason ? `, ${reason}` : ""}${said}).`, facts(ctx, { status, reason, retryable: false }));
  }
  if (status === 408 || status >= 500) {
    return new KiroError("server", `Kiro had a temporary problem (${status}${said}).`, facts(ctx, { status, reason, retryable: true, retryAfterMs: waitMs }));
  }
  return new KiroError("bad-request", `Kiro answered ${status}${said}.`, facts(ctx, { status, reason, retryable: false }));
}

/** The exception frame that means the answer reached its output token limit: an ordinary end, not a failure (docs/kiro-protocol.md#output-cap). */
export const OUTPUT_CAP_EXCEPTION = "ContentLengthExceededException";

/**
 * Classifies an exception frame (`:message-type` exception/error) that arrived inside the answer. Throttling and an
 * unavailable service are retryable: streamKiro retries them while nothing of the answer has arrived yet.
 */
export function classifyStreamException(exceptionType: string, body: ServiceErrorBody, context: ErrorContext): KiroError {
  const message = body.message ? scrubSecrets(body.message, context.secrets) : undefined;
  const ctx: ErrorContext = { ...context, serviceMessage: message };
  const reason = body.reason;
  const name = exceptionType || body.type || "";
  const said = `${name || "an error"}${reason ? `, ${reason}` : ""}${message ? `: ${message}` : ""}`;
  const lower = (message ?? "").toLowerCase();
  const group = exceptionGroup(name);
  const byReason = classifyByReason(group, body, undefined, ctx, body.retryAfterMs, name || "midway");
  if (byReason) return byReason;
  switch (group) {
    case "access":
      return new KiroError("auth", `Kiro refused access midway (${said}). Sign in again.`, facts(ctx, { reason }));
    case "validation":
      if (lower.includes("improperly formed request")) return malformedError(ctx, undefined, reason);
      return new KiroError("bad-request", `Kiro rejected the request midway (${said}).`, facts(ctx, { reason }));
    case "internal":
      return new KiroError("server", `Kiro failed while answering (${said}). Send the message again.`, facts(ctx, { reason, retryable: true }));
    default:
      return new KiroError("stream", `Kiro stopped the answer with ${said}.`, facts(ctx, { reason }));
  }
}

/** The error for "no access token anywhere"; each host says how to sign in. */
export function noTokenError(): KiroError {
  return new KiroError("no-token", "Not signed in to Kiro.");
}

/** The error after a refreshed token was refused as well, or when no refresh is possible. */
export function signInAgainError(status: number | undefined, detail?: string): KiroError {
  const why = detail ? `could not be refreshed (${detail})` : `has expired or was revoked${status ? ` (${status})` : ""}`;
  return new KiroError("auth", `Your Kiro sign-in ${why}. Sign in again.`, { status, retryable: false });
}

/** Kiro refused an API key (docs/kiro-protocol.md#api-keys): a key is never refreshed, so the way out is the key itself. */
export function apiKeyRefusedError(refusal: KiroError): KiroError {
  const said = refusal.serviceMessage ? `: ${refusal.serviceMessage}` : "";
  return new KiroError(
    "auth",
    `Kiro refused the API key (${refusal.status ?? 403}${said}). Check that the whole key was copied and that it still exists, or make a new one in Kiro; an API key is never refreshed.`,
    { ...refusal.details, retryable: false },
  );
}

/** An API key whose profile could not be found: ListAvailableProfiles does not take keys, and GetProfile gave none (docs/kiro-protocol.md#api-keys). */
export function apiKeyProfileError(ctx: ErrorContext, detail: string): KiroError {
  return new KiroError(
    "profile",
    `Kiro needs the profile this API key belongs to, and it could not be looked up (${detail}). Name its profile ARN (arn:aws:codewhisperer:<region>:<account>:profile/<id>).`,
    facts(ctx, { retryable: false }),
  );
}

export function abortedError(): KiroError {
  return new KiroError("aborted", "Request was aborted");
}

export function timeoutError(phase: "first-token" | "idle", ms: number, modelId: string): KiroError {
  const seconds = ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
  const text =
    phase === "first-token"
      ? `Kiro did not start answering within ${seconds} (model "${modelId}"). Very large conversations take longer; shorten the conversation or raise the first-token timeout (setting kiro.firstTokenTimeoutSeconds; KIRO_FIRST_TOKEN_TIMEOUT_SECONDS for pi).`
      : `Kiro stopped sending for ${seconds} in the middle of the answer (model "${modelId}"). Send the message again.`;
  return new KiroError("timeout", text, { retryable: false, modelId });
}

/** Node's fetch hides the reason in `cause.code` (ECONNREFUSED, ENOTFOUND, UND_ERR_…); that code is what helps a user. */
export function networkCauseCode(cause: unknown): string | undefined {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (/^E[A-Z_]+$/.test(code) || code.startsWith("UND_ERR"))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return typeof cause === "string" ? cause : "";
  const inner = (cause as Error & { cause?: unknown }).cause;
  const code = networkCauseCode(cause) ?? "";
  const innerMessage = inner instanceof Error ? inner.message : "";
  return [cause.message, code || innerMessage].filter(Boolean).join(": ");
}

/** A connection failure before any answer byte; retryable. */
export function networkError(cause: unknown, secrets: readonly (string | undefined)[] = []): KiroError {
  const detail = describeCause(cause);
  return new KiroError(
    "network",
    `Could not reach Kiro${detail ? ` (${scrubSecrets(detail, secrets)})` : ""}. Check the network connection, proxy, and region/endpoint settings.`,
    { retryable: true, cause, code: networkCauseCode(cause) },
  );
}

/** The host does not exist or does not serve this operation: the other host generation may (src/kiro/route.ts). */
export function isMissingHost(error: unknown): boolean {
  if (!(error instanceof KiroError)) return false;
  if (error.status === 404 || error.status === 410) return true;
  return error.kind === "network" && (error.code === "ENOTFOUND" || error.code === "EAI_AGAIN");
}

/** A broken or unreadable event stream (CRC mismatch, truncation, bad payload, connection lost midway). */
export function streamError(detail: string, cause?: unknown): KiroError {
  return new KiroError("stream", `Kiro's answer stream broke: ${detail}`, { cause });
}

/** Converts anything thrown into a KiroError without leaking secrets. */
export function toKiroError(error: unknown, secrets: readonly (string | undefined)[] = []): KiroError {
  if (error instanceof KiroError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new KiroError("stream", scrubSecrets(`Kiro request failed: ${text}`, secrets), { cause: error });
}
