// Reads the sign-in kiro-cli (or the older Amazon Q CLI) keeps in its SQLite database, read-only: the file's bytes are copied into memory and opened there.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Database, SqlValue } from "sql.js";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION, defaultAccountLabel, KIRO_SCOPES, type AuthMethod, type ClientRegistration, type KiroSession } from "../session";
import { importError, kiroCliDatabasePaths, parseTimestamp, readFailure, type ImportLocation } from "./importSources";
import { loadSqlJs } from "./sqlJsLoader";
import { applyWriteAheadLog } from "./writeAheadLog";

const TOOL = "kiro-cli";
const LOGIN = "`kiro-cli login`";

/** Token keys, newest tool first; each with its registration key and what kind of sign-in it is. */
const TOKEN_KEYS: readonly { key: string; kind: "odic" | "social" | "external-idp"; registrationKey?: string }[] = [
  { key: "kirocli:odic:token", kind: "odic", registrationKey: "kirocli:odic:device-registration" },
  { key: "kirocli:social:token", kind: "social" },
  { key: "kirocli:external-idp:token", kind: "external-idp" },
  { key: "codewhisperer:odic:token", kind: "odic", registrationKey: "codewhisperer:odic:device-registration" },
];
const PROFILE_KEY = "api.codewhisperer.profile";

export interface KiroCliReadOptions {
  /** A database file to read instead of the default places. */
  path?: string;
  location?: ImportLocation;
}

export interface ImportedSession {
  session: KiroSession;
  /** The file it came from. */
  sourcePath: string;
}

function text(value: SqlValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

function queryValue(db: Database, table: string, key: string): string | undefined {
  const statement = db.prepare(`SELECT value FROM ${table} WHERE key = ?`);
  try {
    statement.bind([key]);
    return statement.step() ? text(statement.get()[0]) : undefined;
  } finally {
    statement.free();
  }
}

function tableExists(db: Database, table: string): boolean {
  const statement = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  try {
    statement.bind([table]);
    return statement.step();
  } finally {
    statement.free();
  }
}

function parseJsonValue(raw: string, key: string, path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw importError("import-corrupt", `The ${TOOL} sign-in in ${path} is damaged (${key} is not valid JSON). Sign in again with ${LOGIN}.`);
}

function registrationFrom(value: Record<string, unknown>, fallbackRegion: string, scopes: string[]): ClientRegistration | undefined {
  const clientId = str(value.client_id);
  const clientSecret = str(value.client_secret);
  if (!clientId || !clientSecret) return undefined;
  return {
    clientId,
    clientSecret,
    // A registration without an expiry is assumed to last the usual 90 days from now; the service has the last word.
    expiresAt: parseTimestamp(value.client_secret_expires_at) ?? Date.now() + 90 * 24 * 3600 * 1000,
    region: str(value.region) ?? fallbackRegion,
    scopes: Array.isArray(value.scopes) && value.scopes.every((s) => typeof s === "string") ? (value.scopes as string[]) : scopes,
  };
}

/** Opens `bytes` (plus its write-ahead log, if kiro-cli is running) entirely in memory. */
async function openDatabase(bytes: Uint8Array, wal: Uint8Array | undefined, path: string): Promise<Database> {
  const SQL = await loadSqlJs().catch((error: unknown) => {
    throw importError("import-unreadable", error instanceof Error ? error.message : String(error), error);
  });
  const image = wal && wal.length > 0 ? applyWriteAheadLog(bytes, wal) : bytes;
  try {
    const db = new SQL.Database(image);
    // sql.js opens lazily; the first query is what finds out whether this is a database at all.
    db.exec("SELECT count(*) FROM sqlite_master");
    return db;
  } catch (error) {
    throw importError("import-corrupt", `${path} is not a readable SQLite database (${error instanceof Error ? error.message : "unknown error"}). Sign in again with ${LOGIN}.`, error);
  }
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Finds the first database that exists among `paths`; reports the first path when none does. */
async function readFirstExisting(paths: string[]): Promise<{ path: string; bytes: Uint8Array }> {
  let firstFailure: unknown;
  for (const path of paths) {
    try {
      return { path, bytes: await readFile(path) };
    } catch (error) {
      const failure = readFailure(error, path, TOOL, LOGIN);
      if (failure.code !== "import-missing") throw failure;
      firstFailure ??= error;
    }
  }
  throw readFailure(firstFailure, paths[0]!, TOOL, LOGIN);
}

/**
 * The newest sign-in kiro-cli holds, as a session (not yet stored, not refreshed). Rejects with
 * AuthError `import-missing`, `import-unreadable`, `import-corrupt` or `import-no-credentials`.
 */
export async function readKiroCliSession(options: KiroCliReadOptions = {}): Promise<ImportedSession> {
  const { path, bytes } = await readFirstExisting(options.path ? [options.path] : kiroCliDatabasePaths(options.location));
  const db = await openDatabase(bytes, await readOptional(`${path}-wal`), path);
  try {
    if (!tableExists(db, "auth_kv")) {
      throw importError("import-no-credentials", `${path} holds no ${TOOL} sign-in (no auth_kv table). Sign in with ${LOGIN} first.`);
    }
    let best: { session: KiroSession } | undefined;
    for (const entry of TOKEN_KEYS) {
      const raw = queryValue(db, "auth_kv", entry.key);
      if (raw === undefined) continue;
      const token = parseJsonValue(raw, entry.key, path);
      const accessToken = str(token.access_token);
      if (!accessToken) throw importError("import-corrupt", `The ${TOOL} sign-in in ${path} is damaged (${entry.key} has no access_token). Sign in again with ${LOGIN}.`);
      const expiresAt = parseTimestamp(token.expires_at) ?? 0;
      const region = str(token.region) ?? DEFAULT_OIDC_REGION;
      const startUrl = str(token.start_url);
      const scopes = Array.isArray(token.scopes) && token.scopes.every((s) => typeof s === "string") ? (token.scopes as string[]) : [...KIRO_SCOPES];
      const method: AuthMethod =
        entry.kind === "social" ? "social" : entry.kind === "external-idp" ? "external-idp" : !startUrl || startUrl.replace(/\/+$/, "") === BUILDER_ID_START_URL ? "builder-id" : "identity-center";
      const provider = str(token.provider);
      const session: KiroSession = {
        id: randomUUID(),
        method,
        source: "kiro-cli",
        accessToken,
        expiresAt,
        region,
        account: defaultAccountLabel(method, startUrl, provider),
        scopes,
        createdAt: Date.now(),
      };
      const refreshToken = str(token.refresh_token);
      if (refreshToken) session.refreshToken = refreshToken;
      if (method === "builder-id" || method === "identity-center") session.startUrl = startUrl ?? BUILDER_ID_START_URL;
      if (provider) session.provider = provider;
      const profileArn = str(token.profile_arn);
      if (profileArn) session.profileArn = profileArn;
      if (entry.registrationKey) {
        const rawRegistration = queryValue(db, "auth_kv", entry.registrationKey);
        const registration = rawRegistration === undefined ? undefined : registrationFrom(parseJsonValue(rawRegistration, entry.registrationKey, path), region, scopes);
        if (registration) session.registration = registration;
      }
      if (!best || session.expiresAt > best.session.expiresAt) best = { session };
    }
    if (!best) {
      throw importError(
        "import-no-credentials",
        `${path} holds no ${TOOL} sign-in (none of ${TOKEN_KEYS.map((k) => k.key).join(", ")}). Sign in with ${LOGIN} first.`,
      );
    }
    if (!best.session.profileArn && tableExists(db, "state")) {
      const rawProfile = queryValue(db, "state", PROFILE_KEY);
      if (rawProfile !== undefined) {
        try {
          const profile: unknown = JSON.parse(rawProfile);
          const arn = typeof profile === "object" && profile !== null ? str((profile as { arn?: unknown }).arn) : undefined;
          if (arn) best.session.profileArn = arn;
        } catch {
          // A damaged profile entry only loses the profile; the sign-in itself is fine.
        }
      }
    }
    return { session: best.session, sourcePath: path };
  } finally {
    db.close();
  }
}
