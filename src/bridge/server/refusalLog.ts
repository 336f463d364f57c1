// Warnings for refused requests, at most one line per kind per interval with a count of the ones held back, so a flood of refusals (a scanner, a stuck client) cannot flood the log or the disk.
import type { BridgeLogger } from "./types";

/** Long enough that a flood costs a handful of lines a minute, short enough that a real problem shows up at once. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;

export type RefusalLog = (kind: string, message: string) => void;

/**
 * The first refusal of a kind is logged at once; the next ones within the interval are counted, and the first one after
 * it is logged with how many were held back. A count left at the end of a flood appears with the next refusal of its kind.
 */
export function createRefusalLog(logger: BridgeLogger, intervalMs: number = REFUSAL_LOG_INTERVAL_MS, now: () => number = Date.now): RefusalLog {
  const kinds = new Map<string, { loggedAt: number; suppressed: number }>();
  return (kind, message) => {
    const time = now();
    const state = kinds.get(kind);
    if (state && time - state.loggedAt < intervalMs) {
      state.suppressed += 1;
      return;
    }
    const held = state?.suppressed ?? 0;
    kinds.set(kind, { loggedAt: time, suppressed: 0 });
    logger.warn(held > 0 ? `${message} (and ${held} more like it since the last such line, not logged)` : message);
  };
}
