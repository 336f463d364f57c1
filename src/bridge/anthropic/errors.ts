// Kiro failures in Anthropic's error envelope, with the statuses Claude Code acts on: an overflow is the "prompt is too long" 400 its compaction looks for, an exhausted quota a 429 it does not retry.
import type { AssistantMessage } from "../../kiro/types";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

/** An answer that failed, as an Anthropic client reads it. */
export interface AnthropicFailure {
  status: number;
  body: AnthropicErrorBody;
  headers: Record<string, string>;
}

export function anthropicErrorBody(type: AnthropicErrorType, message: string): AnthropicErrorBody {
  return { type: "error", error: { type, message } };
}

/** The error type Anthropic's API gives each status (docs.anthropic.com errors page); the bridge's own refusals use it. */
export function errorTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
    case 405:
    case 415:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
  }
}

/**
 * The words Claude Code's compaction recognises (it runs /compact on exactly this 400 and nothing else), with the
 * request's estimated size and the model's window; the estimate is raised above the window when Kiro refused a
 * request the estimate thought would fit.
 */
export function promptTooLongMessage(estimatedTokens: number, contextWindow: number): string {
  return `prompt is too long: ${Math.max(estimatedTokens, contextWindow + 1)} tokens > ${contextWindow} maximum`;
}

/** Longer than the 60 s Claude Code waits out on a 429 before it stops retrying. */
const NO_RETRY_SECONDS = 3600;

/** Seconds until a quota resets (its reset date at 00:00 UTC), at least an hour. */
function secondsUntil(resetDate: string | undefined, nowMs: number): number {
  const reset = resetDate ? Date.parse(`${resetDate}T00:00:00Z`) : NaN;
  return Number.isFinite(reset) ? Math.max(NO_RETRY_SECONDS, Math.ceil((reset - nowMs) / 1000)) : NO_RETRY_SECONDS;
}

/** How a failed answer (the stream's final `error` message) is told to an Anthropic client. */
export function anthropicFailure(failed: AssistantMessage, facts: { estimatedTokens: number; contextWindow: number; nowMs?: number }): AnthropicFailure {
  const info = failed.kiro?.error;
  const message = failed.errorMessage ?? "The Kiro answer failed.";
  const fail = (status: number, type: AnthropicErrorType, text = message, headers: Record<string, string> = {}): AnthropicFailure => ({
    status,
    body: anthropicErrorBody(type, text),
    headers,
  });
  switch (info?.kind) {
    case "too-long":
    case "message-too-large":
      return fail(400, "invalid_request_error", `${promptTooLongMessage(facts.estimatedTokens, facts.contextWindow)}. ${message}`);
    case "quota": {
      const seconds = secondsUntil(info.resetDate, facts.nowMs ?? Date.now());
      return fail(429, "rate_limit_error", message, { "retry-after": String(seconds), "x-should-retry": "false" });
    }
    case "throttled":
      return fail(429, "rate_limit_error", message, info.retryAfterMs !== undefined ? { "retry-after": String(Math.max(1, Math.ceil(info.retryAfterMs / 1000))) } : {});
    case "capacity":
      return fail(529, "overloaded_error");
    case "auth":
    case "no-token":
    case "suspended":
    case "profile":
      // Not 401: the agent's token (the bridge's) is fine, and a 401 makes Claude Code ask for its own login.
      return fail(403, "permission_error");
    case "invalid-model":
      return fail(404, "not_found_error");
    case "bad-request":
    case "refused":
      return fail(400, "invalid_request_error");
    case "timeout":
      return fail(504, "api_error");
    default:
      return fail(500, "api_error");
  }
}
