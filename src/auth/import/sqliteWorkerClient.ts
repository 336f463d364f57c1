// Runs a SQLite lookup (sqliteLookup.ts) in a worker thread that is terminated when the import's time limit passes, so no database, however crafted, holds the extension host or pi.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { SqliteLookupError, type SqliteFailureKind, type SqliteLookupAnswer, type SqliteLookupRequest } from "./sqliteLookup";

export const SQLITE_WORKER_FILE = "sqliteWorker.js";

/**
 * The worker's script sits next to the bundle that runs this (dist/ for the extension and the pi extension, both
 * built by esbuild.mjs; out/test/unit for the unit tests, built by scripts/build-tests.mjs).
 */
function workerScript(): string {
  const path = join(__dirname, SQLITE_WORKER_FILE);
  if (!existsSync(path)) throw new SqliteLookupError("unavailable", `kiro-pi cannot read SQLite databases: ${path} is missing. Reinstall the extension.`);
  return path;
}

type WorkerReply = { answer: SqliteLookupAnswer } | { failure: { kind: SqliteFailureKind; message: string } };

/**
 * The lookup's answer. Rejects with SqliteLookupError, or with `stopped()` once `signal` aborts: the worker is
 * terminated then, whatever it is doing.
 */
export function lookUpKeysInWorker(request: SqliteLookupRequest, signal: AbortSignal | undefined, stopped: () => Error): Promise<SqliteLookupAnswer> {
  if (signal?.aborted) return Promise.reject(stopped());
  return new Promise<SqliteLookupAnswer>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(workerScript());
    } catch (error) {
      reject(error instanceof SqliteLookupError ? error : new SqliteLookupError("unavailable", error instanceof Error ? error.message : String(error)));
      return;
    }
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = () => finish(() => reject(stopped()));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (reply: WorkerReply) =>
      finish(() => ("answer" in reply ? resolve(reply.answer) : reject(new SqliteLookupError(reply.failure.kind, reply.failure.message)))),
    );
    worker.once("error", (error) => finish(() => reject(new SqliteLookupError("unavailable", error.message))));
    worker.once("exit", (code) => finish(() => reject(new SqliteLookupError("unavailable", `the SQLite reader stopped (exit code ${code}) before answering`))));
    worker.postMessage(request);
  });
}
