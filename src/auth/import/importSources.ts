// What every sign-in source shares: where kiro-cli, the older Amazon Q CLI and the Kiro IDE keep their files, the reader shape, bounded file reads and the import errors.
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AuthError, type AuthErrorCode } from "../errors";
import type { ExternalIdentityProvider, KiroSession } from "../session";
import { nonEmptyString } from "../../util/json";

/** Everything that decides where files are; injectable so tests point at a temporary home. */
export interface ImportLocation {
  home?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

export interface SignInReadOptions {
  /** A file to read instead of the source's default places. */
  path?: string;
  location?: ImportLocation;
  /** Aborted when the read's time limit passes; a reader doing work that could run long stops it then. */
  signal?: AbortSignal;
}

export interface ImportedSession {
  /** Not yet stored, not refreshed. */
  session: KiroSession;
  /** The file it came from. */
  sourcePath: string;
}

/** One place another tool keeps a Kiro sign-in, as its reader describes it; signInSources.ts lists them all. */
export interface SignInReader {
  /** Also the `source` of the sessions it gives. */
  readonly id: string;
  /** The tool's name as people say it: "kiro-cli", "Kiro IDE". */
  readonly label: string;
  /** What a person does to get a sign-in there, as a phrase after "or" / capitalised as a sentence: "run `kiro-cli login`". */
  readonly loginHint: string;
  /** What makes the tool renew its own sign-in, as a phrase: "start kiro-cli once (for example `kiro-cli chat`)". */
  readonly renewHint: string;
  /**
   * The sign-in the tool holds now, read-only. Rejects with AuthError `import-missing`, `import-unreadable`,
   * `import-corrupt` or `import-no-credentials`.
   */
  read(options?: SignInReadOptions): Promise<ImportedSession>;
}

/** Largest file each reader accepts: kiro-cli's database with its log is a few hundred KB, a token file under 10 KB. */
export const IMPORT_LIMITS = {
  sqliteBytes: 64 * 1024 * 1024,
  walBytes: 64 * 1024 * 1024,
  jsonBytes: 1024 * 1024,
} as const;

/** `%LOCALAPPDATA%` is where the CLI's data directory lives on Windows (`dirs::data_local_dir()`, docs/kiro-protocol.md#kiro-cli-files). */
function dataDirs(location: ImportLocation): string[] {
  const env = location.env ?? process.env;
  const home = location.home ?? homedir();
  switch (location.platform ?? process.platform) {
    case "darwin":
      return [join(home, "Library", "Application Support")];
    case "win32":
      // Older notes name %APPDATA%; it is kept second so a database found only there still imports.
      return [env.LOCALAPPDATA || join(home, "AppData", "Local"), env.APPDATA || join(home, "AppData", "Roaming")];
    default:
      return [env.XDG_DATA_HOME || join(home, ".local", "share")];
  }
}

/** kiro-cli's database first, then the Amazon Q CLI's, in each data directory; `$KIROCLI_DB_PATH` replaces them all. */
export function kiroCliDatabasePaths(location: ImportLocation = {}): string[] {
  const env = location.env ?? process.env;
  if (env.KIROCLI_DB_PATH) return [env.KIROCLI_DB_PATH];
  return dataDirs(location).flatMap((base) => [join(base, "kiro-cli", "data.sqlite3"), join(base, "amazon-q", "data.sqlite3")]);
}

export function kiroIdeCacheDir(location: ImportLocation = {}): string {
  return join(location.home ?? homedir(), ".aws", "sso", "cache");
}

export function kiroIdeTokenPath(location: ImportLocation = {}): string {
  return join(kiroIdeCacheDir(location), "kiro-auth-token.json");
}

export function importError(code: AuthErrorCode, message: string, cause?: unknown): AuthError {
  return new AuthError(code, message, cause === undefined ? {} : { cause });
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

function sentence(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/** Turns a failed read of `path` into import-missing or import-unreadable. */
export function readFailure(error: unknown, path: string, reader: Pick<SignInReader, "label" | "loginHint">): AuthError {
  const code = errorCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") {
    return importError("import-missing", `No ${reader.label} sign-in found: ${path} does not exist. ${sentence(reader.loginHint)} first, or use "Kiro: Sign In".`, error);
  }
  return importError(
    "import-unreadable",
    `Could not read ${path} (${code ?? "read failed"}). If ${reader.label} is busy with it, close ${reader.label} and try again; otherwise check the file's permissions.`,
    error,
  );
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a named pipe";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isSocket()) return "a socket";
  return "not a plain file";
}

function megabytes(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))} MB`;
}

function notRegular(path: string, info: Stats): AuthError {
  return importError("import-unreadable", `${path} is ${kindOf(info)}, not a regular file; kiro-pi only reads regular files. Point the import at the real file.`);
}

function tooLarge(path: string, size: number, maxBytes: number, reader: Pick<SignInReader, "label">): AuthError {
  return importError("import-unreadable", `${path} is ${megabytes(size)}, more than the ${megabytes(maxBytes)} a ${reader.label} sign-in file can be; kiro-pi did not read it. Check that the path points at ${reader.label}'s file.`);
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * The whole file, read only when it is a regular file of at most `maxBytes` (a path pointing at /dev/zero or a FIFO
 * would otherwise grow without end or block forever). Checked again on the opened handle, so a file swapped for a
 * pipe in between is caught too; O_NONBLOCK keeps even that open from waiting for a writer.
 */
export async function readLimitedFile(path: string, maxBytes: number, reader: Pick<SignInReader, "label" | "loginHint">): Promise<Buffer> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw readFailure(error, path, reader);
  }
  if (!info.isFile()) throw notRegular(path, info);
  if (info.size > maxBytes) throw tooLarge(path, info.size, maxBytes, reader);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw readFailure(error, path, reader);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw notRegular(path, opened);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // At most one byte past the cap, which is enough to know the file grew beyond it.
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(path, total, maxBytes, reader);
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw readFailure(error, path, reader);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** RFC 3339 text (kiro-cli, Kiro IDE) or epoch seconds/milliseconds → epoch ms. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "string" && value) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  return undefined;
}

/** A non-empty string field, or undefined (src/util/json.ts). */
export const textField = nonEmptyString;

/** The first of `keys` that holds a non-empty string (tools spell the same field `profile_arn` and `profileArn`). */
export function firstText(record: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = textField(record[key]);
    if (value) return value;
  }
  return undefined;
}

/** Scopes as a list (`["a","b"]`) or an OAuth string (`"a b"`) → one space-separated string. */
export function scopeText(value: unknown): string | undefined {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean).join(" ") || undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return (value as string[]).map((s) => s.trim()).filter(Boolean).join(" ") || undefined;
  return undefined;
}

/** `arn:aws:codewhisperer:eu-central-1:…` → `eu-central-1` (the API region of the profile). */
export function profileArnRegion(arn: string | undefined): string | undefined {
  const region = arn?.split(":")[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

/**
 * What an external identity provider sign-in's refresh needs, from either tool's spelling (kiro-cli `token_endpoint`,
 * `client_id`, `issuer_url`; the Kiro IDE `tokenEndpoint`, `clientId`, `issuerUrl`); undefined when either is missing.
 */
export function externalIdpFrom(token: Record<string, unknown>): ExternalIdentityProvider | undefined {
  const tokenEndpoint = firstText(token, "token_endpoint", "tokenEndpoint");
  const clientId = firstText(token, "client_id", "clientId");
  if (!tokenEndpoint || !clientId) return undefined;
  const provider: ExternalIdentityProvider = { tokenEndpoint, clientId };
  const issuerUrl = firstText(token, "issuer_url", "issuerUrl");
  if (issuerUrl) provider.issuerUrl = issuerUrl;
  const scope = scopeText(token.scopes ?? token.scope);
  if (scope) provider.scope = scope;
  return provider;
}
