// The worker thread's entry point (bundled to dist/sqliteWorker.js by esbuild.mjs): answers one SQLite lookup and exits, so the import can terminate it at its time limit.
import { parentPort } from "node:worker_threads";
import { lookUpKeys, SqliteLookupError, type SqliteLookupRequest } from "./sqliteLookup";

parentPort?.once("message", (request: SqliteLookupRequest) => {
  lookUpKeys(request).then(
    (answer) => parentPort?.postMessage({ answer }),
    (error: unknown) =>
      parentPort?.postMessage({
        failure: {
          kind: error instanceof SqliteLookupError ? error.kind : "unavailable",
          message: error instanceof Error ? error.message : String(error),
        },
      }),
  );
});
