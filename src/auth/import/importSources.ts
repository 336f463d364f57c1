// Where kiro-cli, the older Amazon Q CLI and the Kiro IDE keep their sign-ins, and the errors every import shares.
import { homedir } from "node:os";
import { join } from "node:path";
import { AuthError, type AuthErrorCode } from "../errors";

/** Everything that decides where files are; injectable so tests point at a temporary home. */
export interface ImportLocation {
  home?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

function dataDir(location: ImportLocation): string {
  const env = location.env ?? process.env;
  const home = location.home ?? homedir();
  switch (location.platform ?? process.platform) {
    case "darwin":
      return join(home, "Library", "Application Support");
    case "win32":
      return env.APPDATA || join(home, "AppData", "Roaming");
    default:
      return env.XDG_DATA_HOME || join(home, ".local", "share");
  }
}

/** kiro-cli's database first, then the Amazon Q CLI's; `$KIROCLI_DB_PATH` replaces both. */
export function kiroCliDatabasePaths(location: ImportLocation = {}): string[] {
  const env = location.env ?? process.env;
  if (env.KIROCLI_DB_PATH) return [env.KIROCLI_DB_PATH];
  const base = dataDir(location);
  return [join(base, "kiro-cli", "data.sqlite3"), join(base, "amazon-q", "data.sqlite3")];
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

/** Turns a failed read of `path` into import-missing or import-unreadable. */
export function readFailure(error: unknown, path: string, tool: string, login: string): AuthError {
  const code = errorCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") {
    return importError("import-missing", `No ${tool} sign-in found: ${path} does not exist. Sign in with ${login} first, or use "Kiro: Sign In".`, error);
  }
  return importError(
    "import-unreadable",
    `Could not read ${path} (${code ?? "read failed"}). If ${tool} is busy with it, close ${tool} and try again; otherwise check the file's permissions.`,
    error,
  );
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
