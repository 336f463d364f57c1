// Retry timing for transient Kiro failures: jittered exponential back-off, `Retry-After`, and an abortable sleep.
import { sleep as sleepOrAbort } from "../../util/abort";
import { abortedError, KiroError } from "../errors";

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

/** `Retry-After` as milliseconds from `now`: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface RetryTiming {
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

/**
 * How long to wait before retry number `retry` (0-based). The service's `Retry-After` wins when given;
 * otherwise base × 2^retry with "equal jitter" (half fixed, half random), never above `maxDelayMs`.
 */
export function retryDelayMs(retry: number, timing: RetryTiming, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const random = timing.random ?? Math.random;
  const ceiling = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The error to report when the service wants a longer wait than we are willing to sleep. */
export function retryTooLateError(error: KiroError, waitMs: number, maxDelayMs: number): KiroError {
  return new KiroError(
    error.kind,
    `${error.userMessage} Kiro asked to wait ${Math.ceil(waitMs / 1000)} s before retrying, longer than the ${Math.round(maxDelayMs / 1000)} s allowed; try again later or pick another model.`,
    { status: error.status, reason: error.reason, retryable: false, retryAfterMs: error.retryAfterMs },
  );
}

/** Resolves after `ms`, or rejects with an `aborted` KiroError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepOrAbort(ms, signal, abortedError);
}
