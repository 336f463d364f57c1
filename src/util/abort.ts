// Cancellation helpers every layer shares: give up waiting the moment a signal aborts, and an abortable sleep. Each layer passes its own "aborted" error.

/** Makes the error a layer reports for a cancelled wait (KiroError "aborted", AuthError "cancelled", …). */
export type AbortedErrorFactory = () => Error;

/**
 * Resolves or rejects like `work`, but rejects with `aborted()` as soon as `signal` aborts, so work that ignores
 * cancellation (a token getter, a shared refresh, a body read) cannot delay an abort. `work` itself keeps running
 * for whoever else awaits it. The listener is removed when either side settles, so nothing stays attached to a
 * long-lived signal.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, aborted: AbortedErrorFactory): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with `aborted()` as soon as `signal` aborts (at once when it already has). */
export function sleep(ms: number, signal: AbortSignal | undefined, aborted: AbortedErrorFactory): Promise<void> {
  if (signal?.aborted) return Promise.reject(aborted());
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
