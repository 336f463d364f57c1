// Kiro failures by name (KIRO_PROTOCOL.md §6): what went wrong, whether a retry can help, and a message telling the user what to do.
import { scrubSecrets, shortenText } from "../util/secrets";

export { scrubSecrets } from "../util/secrets";

export type KiroErrorKind =
  | "auth"
  | "suspended"
  | "quota"
  | "throttled"
  | "capacity"
  | "invalid-model"
  | "too-long"
  | "bad-request"
  | "server"
  | "network"
  | "timeout"
  | "aborted"
  | "stream"
  | "no-token";

export interface KiroErrorDetails {
  status?: number;
  reason?: string;
  retryable?: boolean;
  resetDate?: string;
  /** Milliseconds the service asked us to wait (`Retry-After`), when it said so. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Every failure `streamKiro` reports; `message` equals `userMessage` and is what the user sees. */
export class KiroError extends Error {
  readonly kind: KiroErrorKind;
  readonly status?: number;
  readonly reason?: string;
  readonly retryable: boolean;
  readonly userMessage: string;
  resetDate?: string;
  readonly retryAfterMs?: number;

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
  }
}

export const SIGN_IN_HINT = 'sign in from VS Code with "Kiro: Sign In", or set KIRO_ACCESS_TOKEN';

const QUOTA_REASONS: Record<string, string> = {
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
}

/** Reads `{"message","reason","__type"}` (either case of `message`) from an error body; tolerates non-JSON bodies. */
export function parseServiceErrorBody(bodyText: string, errorTypeHeader?: string | null): ServiceErrorBody {
  const parsed: ServiceErrorBody = {};
  const trimmed = bodyText.trim();
  if (trimmed.startsWith("{")) {
    try {
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      const message = json.message ?? json.Message ?? json.errorMessage;
      if (typeof message === "string") parsed.message = message;
      if (typeof json.reason === "string") parsed.reason = json.reason;
      const type = json.__type ?? json.code;
      if (typeof type === "string") parsed.type = type.slice(type.lastIndexOf("#") + 1);
    } catch {
      parsed.message = trimmed;
    }
  } else if (trimmed.length > 0) {
    parsed.message = trimmed;
  }
  if (!parsed.type && errorTypeHeader) parsed.type = errorTypeHeader.split(":")[0];
  if (parsed.message !== undefined) parsed.message = shortenText(parsed.message, 300);
  return parsed;
}


export interface ErrorContext {
  /** The model id the user picked (named in invalid-model messages). */
  modelId: string;
  region?: string;
  /** Another model to suggest when this one is unavailable. */
  alternativeModelId?: string;
  /** Secrets to keep out of messages. */
  secrets?: readonly (string | undefined)[];
}

function quotaError(reason: string, status: number | undefined, ctx: ErrorContext, serverMessage?: string): KiroError {
  const what = QUOTA_REASONS[reason] ?? "usage limit";
  const detail = serverMessage ? ` (${scrubSecrets(serverMessage, ctx.secrets)})` : "";
  return new KiroError(
    "quota",
    `Kiro quota exhausted: your ${what} is used up${detail}. Wait for it to reset or upgrade your Kiro plan; retrying now will not help.`,
    { status, reason, retryable: false },
  );
}

/** Adds the reset date to a quota error's message once it is known (from getUsageLimits). */
export function withResetDate(error: KiroError, resetDate: string): KiroError {
  const withDate = new KiroError(
    error.kind,
    error.userMessage.replace("Wait for it to reset", `It resets on ${resetDate}; wait for that`),
    { status: error.status, reason: error.reason, retryable: error.retryable, resetDate },
  );
  return withDate;
}

function invalidModelError(ctx: ErrorContext, status: number | undefined, reason: string | undefined): KiroError {
  const region = ctx.region ? ` in ${ctx.region}` : "";
  const suggestion = ctx.alternativeModelId ? ` such as "${ctx.alternativeModelId}"` : "";
  return new KiroError(
    "invalid-model",
    `Kiro does not offer the model "${ctx.modelId}" to this account${region}. Pick another model${suggestion} (the model list shows what your plan includes).`,
    { status, reason, retryable: false },
  );
}

/** Worded so pi's context-overflow check ("exceeds the context window") recognises it and compacts the conversation by itself. */
function tooLongError(status: number | undefined, reason: string | undefined): KiroError {
  return new KiroError(
    "too-long",
    "Kiro rejected the request: the input is too long, it exceeds the context window of the model. Shorten the conversation: compact it (pi: /compact), start a new one, or send fewer or smaller files.",
    { status, reason, retryable: false },
  );
}

/**
 * The current message by itself (with the system prompt and tool definitions) is larger than the
 * model's context window, so nothing was sent. Worded so pi's context-overflow check does not match:
 * compacting the history cannot help here.
 */
export function messageTooLongError(estimatedTokens: number, contextWindow: number, modelName: string): KiroError {
  const n = (value: number): string => value.toLocaleString("en-US");
  return new KiroError(
    "too-long",
    `This message is too large for ${modelName}: about ${n(estimatedTokens)} tokens with the system prompt and tool definitions, more than its ${n(contextWindow)}-token context window holds, so it was not sent. Shorten the message (or the tool output or files it carries), or start a new conversation.`,
    { retryable: false },
  );
}

function malformedError(status: number | undefined, reason: string | undefined): KiroError {
  return new KiroError(
    "bad-request",
    'Kiro rejected the request as "Improperly formed request." This is a bug in kiro-pi\'s request building; please report it with the model name and what the conversation contained (tools, images, length). Starting a new conversation usually works around it.',
    { status, reason, retryable: false },
  );
}

/** Classifies a non-2xx answer to generateAssistantResponse. */
export function classifyHttpError(
  status: number,
  body: ServiceErrorBody,
  ctx: ErrorContext,
  retryAfterMs?: number,
): KiroError {
  const message = body.message ? scrubSecrets(body.message, ctx.secrets) : undefined;
  const reason = body.reason;
  const lower = (message ?? "").toLowerCase();
  const said = message ? `: ${message}` : "";

  if (status === 403) {
    if (reason === "TEMPORARILY_SUSPENDED" || lower.includes("suspended")) {
      return new KiroError(
        "suspended",
        "Your Kiro account is temporarily suspended, so Kiro refuses all requests. Contact AWS/Kiro support; retrying will not help.",
        { status, reason: reason ?? "TEMPORARILY_SUSPENDED", retryable: false },
      );
    }
    return new KiroError("auth", `Kiro did not accept your sign-in (403${said}). Sign in again: ${SIGN_IN_HINT}.`, {
      status,
      reason,
      retryable: false,
    });
  }
  if (status === 401) {
    return new KiroError("auth", `Kiro did not accept your sign-in (401${said}). Sign in again: ${SIGN_IN_HINT}.`, {
      status,
      reason,
      retryable: false,
    });
  }
  if ((status === 402 || status === 429) && reason && reason in QUOTA_REASONS) return quotaError(reason, status, ctx, message);
  if (status === 402) return quotaError(reason ?? "UNKNOWN", status, ctx, message);
  if (status === 429) {
    if (reason === "INSUFFICIENT_MODEL_CAPACITY") {
      return new KiroError(
        "capacity",
        `Kiro has no capacity for "${ctx.modelId}" right now${said}. Try again in a minute or pick another model.`,
        { status, reason, retryable: true, retryAfterMs },
      );
    }
    return new KiroError("throttled", `Kiro is throttling requests (429${said}). Wait a moment and try again.`, {
      status,
      reason,
      retryable: true,
      retryAfterMs,
    });
  }
  if (status === 400 || status === 413 || status === 422) {
    if (reason === "INVALID_MODEL_ID" || /invalid model|model id/i.test(lower)) return invalidModelError(ctx, status, reason);
    if (reason === "CONTENT_LENGTH_EXCEEDS_THRESHOLD" || lower.includes("input is too long") || status === 413) {
      return tooLongError(status, reason);
    }
    if (lower.includes("improperly formed request")) return malformedError(status, reason);
    return new KiroError("bad-request", `Kiro rejected the request (${status}${said}).`, { status, reason, retryable: false });
  }
  if (status === 408 || status >= 500) {
    return new KiroError("server", `Kiro had a temporary problem (${status}${said}).`, {
      status,
      reason,
      retryable: true,
      retryAfterMs,
    });
  }
  return new KiroError("bad-request", `Kiro answered ${status}${said}.`, { status, reason, retryable: false });
}

/** Classifies an exception frame (`:message-type` exception/error) that arrived inside the answer; never retryable. */
export function classifyStreamException(exceptionType: string, body: ServiceErrorBody, ctx: ErrorContext): KiroError {
  const message = body.message ? scrubSecrets(body.message, ctx.secrets) : undefined;
  const reason = body.reason;
  const said = message ? `: ${message}` : "";
  const lower = (message ?? "").toLowerCase();
  if (reason && reason in QUOTA_REASONS) return quotaError(reason, undefined, ctx, message);
  switch (exceptionType) {
    case "ThrottlingException":
      return new KiroError("throttled", `Kiro throttled the answer midway (${exceptionType}${said}). Wait a moment and send again.`, { reason });
    case "ServiceQuotaExceededException":
      return quotaError(reason ?? "UNKNOWN", undefined, ctx, message);
    case "AccessDeniedException":
      return new KiroError("auth", `Kiro refused access midway (${exceptionType}${said}). Sign in again: ${SIGN_IN_HINT}.`, { reason });
    case "ValidationException":
      if (reason === "CONTENT_LENGTH_EXCEEDS_THRESHOLD" || lower.includes("input is too long")) return tooLongError(undefined, reason);
      if (reason === "INVALID_MODEL_ID") return invalidModelError(ctx, undefined, reason);
      if (lower.includes("improperly formed request")) return malformedError(undefined, reason);
      return new KiroError("bad-request", `Kiro rejected the request midway (${exceptionType}${said}).`, { reason });
    case "InternalServerException":
    case "ServiceUnavailableException":
      return new KiroError("server", `Kiro failed while answering (${exceptionType}${said}). Send the message again.`, { reason });
    default:
      return new KiroError("stream", `Kiro stopped the answer with ${exceptionType || "an error"}${said}.`, { reason });
  }
}

/** The error for "no access token anywhere". */
export function noTokenError(): KiroError {
  return new KiroError("no-token", `Not signed in to Kiro: ${SIGN_IN_HINT} (a Kiro access token).`);
}

/** The error after a refreshed token was refused as well, or when no refresh is possible. */
export function signInAgainError(status: number): KiroError {
  return new KiroError(
    "auth",
    `Your Kiro sign-in has expired or was revoked (${status}). Sign in again: ${SIGN_IN_HINT}.`,
    { status, retryable: false },
  );
}

export function abortedError(): KiroError {
  return new KiroError("aborted", "Request was aborted");
}

export function timeoutError(phase: "first-token" | "idle", ms: number, modelId: string): KiroError {
  const seconds = ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
  const text =
    phase === "first-token"
      ? `Kiro did not start answering within ${seconds} (model "${modelId}"). Very large conversations take longer; compact the conversation or raise the first-token timeout.`
      : `Kiro stopped sending for ${seconds} in the middle of the answer (model "${modelId}"). Send the message again.`;
  return new KiroError("timeout", text, { retryable: false });
}

/** A connection failure before any answer byte; retryable. */
export function networkError(cause: unknown, secrets: readonly (string | undefined)[] = []): KiroError {
  const detail = describeCause(cause);
  return new KiroError(
    "network",
    `Could not reach Kiro${detail ? ` (${scrubSecrets(detail, secrets)})` : ""}. Check the network connection, proxy, and region/endpoint settings.`,
    { retryable: true, cause },
  );
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return typeof cause === "string" ? cause : "";
  const inner = (cause as Error & { cause?: unknown }).cause;
  const code = inner && typeof inner === "object" && "code" in inner ? String((inner as { code: unknown }).code) : "";
  const innerMessage = inner instanceof Error ? inner.message : "";
  return [cause.message, code || innerMessage].filter(Boolean).join(": ");
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
