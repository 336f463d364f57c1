// Reading another tool's files within limits, for every source: a regular file under a size cap, a JSON object, or a few keys of a SQLite database (with its write-ahead log, in a worker the time limit stops). Messages name the source being read.
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { isRecord } from "../../util/json";
import { AuthError } from "../errors";
import { damaged, describeError, importError, notRegularFile, readFailure, tooLarge } from "./importErrors";
import type { SourceWording } from "./sourceShape";
import { SqliteLookupError, type SqliteLookupAnswer, type SqliteLookupRequest } from "./sqliteLookup";
import { lookUpKeysInWorker } from "./sqliteWorkerClient";

type About = Pick<SourceWording, "label" | "loginHint">;

/** Largest file each kind of read accepts: kiro-cli's database with its log is a few hundred KB, a token file under 10 KB. */
export const IMPORT_LIMITS = {
  sqliteBytes: 64 * 1024 * 1024,
  walBytes: 64 * 1024 * 1024,
  jsonBytes: 1024 * 1024,
} as const;

const CHUNK_BYTES = 1024 * 1024;

/**
 * The whole file, read only when it is a regular file of at most `maxBytes` (a path pointing at /dev/zero or a FIFO
 * would otherwise grow without end or block forever). Checked again on the opened handle, so a file swapped for a
 * pipe in between is caught too; O_NONBLOCK keeps even that open from waiting for a writer.
 */
export async function readLimitedFile(path: string, maxBytes: number, about: About): Promise<Buffer> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw readFailure(error, path, about);
  }
  if (!info.isFile()) throw notRegularFile(path, info);
  if (info.size > maxBytes) throw tooLarge(path, info.size, maxBytes, about);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw readFailure(error, path, about);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw notRegularFile(path, opened);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // At most one byte past the cap, which is enough to know the file grew beyond it.
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(path, total, maxBytes, about);
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw readFailure(error, path, about);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The first of `paths` that exists, read within `maxBytes`; import-missing naming the first path when none does. */
export async function readFirstExisting(paths: readonly string[], maxBytes: number, about: About): Promise<{ path: string; bytes: Buffer }> {
  let firstMissing: AuthError | undefined;
  for (const path of paths) {
    try {
      return { path, bytes: await readLimitedFile(path, maxBytes, about) };
    } catch (error) {
      if (!(error instanceof AuthError) || error.code !== "import-missing") throw error;
      firstMissing ??= error;
    }
  }
  throw firstMissing ?? readFailure(undefined, paths[0] ?? "(no path)", about);
}

/** The JSON object `text` holds, or undefined when it is not JSON or not an object. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON file holding one object (`what` names it in the message: "Kiro IDE client registration"). */
export async function readJsonObjectFile(path: string, what: string, about: About): Promise<Record<string, unknown>> {
  const value = jsonObject((await readLimitedFile(path, IMPORT_LIMITS.jsonBytes, about)).toString("utf8"));
  if (!value) throw damaged(path, `the ${what} is not valid JSON`, about);
  return value;
}

/** The write-ahead log beside a database: absent is normal (the tool is not running); anything odd about it fails the read. */
async function readWal(path: string, about: About): Promise<Uint8Array | undefined> {
  try {
    return await readLimitedFile(`${path}-wal`, IMPORT_LIMITS.walBytes, about);
  } catch (error) {
    if (error instanceof AuthError && error.code === "import-missing") return undefined;
    throw error;
  }
}

/**
 * Looks `tables`' keys up in the first database of `paths` that exists (with its write-ahead log, if the tool is
 * running), entirely in memory, in a worker that `signal` terminates. Rejects only with AuthError.
 */
export async function readSqliteKeys(
  paths: readonly string[],
  tables: SqliteLookupRequest["tables"],
  about: About,
  signal?: AbortSignal,
): Promise<{ path: string; answer: SqliteLookupAnswer }> {
  const { path, bytes } = await readFirstExisting(paths, IMPORT_LIMITS.sqliteBytes, about);
  const wal = await readWal(path, about);
  const request: SqliteLookupRequest = { database: bytes, maxBytes: IMPORT_LIMITS.sqliteBytes, tables, ...(wal ? { wal } : {}) };
  try {
    return { path, answer: await lookUpKeysInWorker(request, signal, () => signal?.reason ?? new Error("stopped")) };
  } catch (error) {
    if (!(error instanceof SqliteLookupError)) throw error;
    switch (error.kind) {
      case "unavailable":
        throw importError("import-unreadable", error.message, error);
      case "refused":
        throw importError("import-corrupt", `kiro-pi did not read ${path}: ${error.message}, which ${about.label}'s database never has (reading it could run for a very long time). If this is ${about.label}'s file, sign in again (${about.loginHint}); otherwise point the import at ${about.label}'s own database.`, error);
      case "shape":
        throw notShaped(path, error, about);
      default:
        throw importError("import-corrupt", `${path} is not a readable SQLite database (${describeError(error)}). Sign in again: ${about.loginHint}.`, error);
    }
  }
}

/** A database (or file) whose layout is not the tool's: damaged, or a format kiro-pi does not know yet. */
export function notShaped(path: string, error: unknown, about: About): AuthError {
  return importError("import-corrupt", `${path} does not have the shape of a ${about.label} database (${describeError(error)}). Sign in again (${about.loginHint}), or update kiro-pi if ${about.label} changed its format.`, error);
}
