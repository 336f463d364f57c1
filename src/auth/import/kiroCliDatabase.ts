// Reads the sign-in kiro-cli (or the older Amazon Q CLI) keeps in its SQLite database, read-only: the file's bytes are copied into memory and opened there, in a worker thread the time limit can stop.
import { randomUUID } from "node:crypto";
import { shortenText } from "../../util/secrets";
import { AuthError } from "../errors";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION, defaultAccountLabel, KIRO_SCOPES, type AuthMethod, type ClientRegistration, type KiroSession } from "../session";
import {
  externalIdpFrom,
  firstText,
  IMPORT_LIMITS,
  importError,
  kiroCliDatabasePaths,
  parseTimestamp,
  profileArnRegion,
  readFailure,
  readLimitedFile,
  textField,
  type ImportedSession,
  type SignInReadOptions,
  type SignInReader,
} from "./importSources";
import { SqliteLookupError, type SqliteLookupAnswer } from "./sqliteLookup";
import { lookUpKeysInWorker } from "./sqliteWorkerClient";

const ABOUT = { label: "kiro-cli", loginHint: "run `kiro-cli login`", renewHint: "start kiro-cli once (for example `kiro-cli chat`)" } as const;
const LOGIN = "`kiro-cli login`";

/** Token keys, newest tool first; each with its registration key and what kind of sign-in it is (docs/kiro-protocol.md#kiro-cli-files). */
const TOKEN_KEYS: readonly { key: string; kind: "odic" | "social" | "external-idp"; registrationKey?: string }[] = [
  { key: "kirocli:odic:token", kind: "odic", registrationKey: "kirocli:odic:device-registration" },
  { key: "kirocli:social:token", kind: "social" },
  { key: "kirocli:external-idp:token", kind: "external-idp" },
  { key: "codewhisperer:odic:token", kind: "odic", registrationKey: "codewhisperer:odic:device-registration" },
];
const PROFILE_KEY = "api.codewhisperer.profile";

/** The values the import reads: auth_kv's token and registration keys, state's profile (null: no such table). */
type Lookup = SqliteLookupAnswer;

function lookupRequestTables() {
  return [
    { name: "auth_kv", keys: TOKEN_KEYS.flatMap((entry) => (entry.registrationKey ? [entry.key, entry.registrationKey] : [entry.key])) },
    { name: "state", keys: [PROFILE_KEY] },
  ];
}

function parseJsonValue(raw: string, key: string, path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw importError("import-corrupt", `The kiro-cli sign-in in ${path} is damaged (${key} is not valid JSON). Sign in again with ${LOGIN}.`);
}

function registrationFrom(value: Record<string, unknown>, fallbackRegion: string, scopes: string[]): ClientRegistration | undefined {
  const clientId = textField(value.client_id);
  const clientSecret = textField(value.client_secret);
  if (!clientId || !clientSecret) return undefined;
  return {
    clientId,
    clientSecret,
    // A registration without an expiry is assumed to last the usual 90 days from now; the service has the last word.
    expiresAt: parseTimestamp(value.client_secret_expires_at) ?? Date.now() + 90 * 24 * 3600 * 1000,
    region: textField(value.region) ?? fallbackRegion,
    scopes: Array.isArray(value.scopes) && value.scopes.every((s) => typeof s === "string") ? (value.scopes as string[]) : scopes,
  };
}

/**
 * Looks the keys up in `bytes` (plus its write-ahead log, if kiro-cli is running), entirely in memory, in a worker that
 * the time limit terminates.
 */
async function lookUp(bytes: Uint8Array, wal: Uint8Array | undefined, path: string, options: SignInReadOptions): Promise<Lookup> {
  const request = { database: bytes, maxBytes: IMPORT_LIMITS.sqliteBytes, tables: lookupRequestTables(), ...(wal ? { wal } : {}) };
  try {
    return await lookUpKeysInWorker(request, options.signal, () => options.signal?.reason ?? new Error("stopped"));
  } catch (error) {
    if (!(error instanceof SqliteLookupError)) throw error;
    switch (error.kind) {
      case "unavailable":
        throw importError("import-unreadable", error.message, error);
      case "refused":
        throw importError("import-corrupt", `kiro-pi did not read ${path}: ${error.message}, which kiro-cli's database never has (reading it could run for a very long time). If this is kiro-cli's file, sign in again with ${LOGIN}; otherwise point the import at kiro-cli's own database.`, error);
      case "shape":
        throw importError("import-corrupt", `${path} does not have the shape of a kiro-cli database (${describe(error)}). Sign in again with ${LOGIN}, or update kiro-pi if kiro-cli changed its format.`, error);
      default:
        throw importError("import-corrupt", `${path} is not a readable SQLite database (${describe(error)}). Sign in again with ${LOGIN}.`, error);
    }
  }
}

function describe(error: unknown): string {
  return shortenText(error instanceof Error ? error.message : String(error), 160) || "unknown error";
}

/** The write-ahead log beside the database: absent is normal (kiro-cli not running); anything odd about it fails the import. */
async function readWal(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readLimitedFile(`${path}-wal`, IMPORT_LIMITS.walBytes, ABOUT);
  } catch (error) {
    if (error instanceof AuthError && error.code === "import-missing") return undefined;
    throw error;
  }
}

/** Finds the first database that exists among `paths`; reports the first path when none does. */
async function readFirstExisting(paths: string[]): Promise<{ path: string; bytes: Uint8Array }> {
  let firstMissing: AuthError | undefined;
  for (const path of paths) {
    try {
      return { path, bytes: await readLimitedFile(path, IMPORT_LIMITS.sqliteBytes, ABOUT) };
    } catch (error) {
      if (!(error instanceof AuthError) || error.code !== "import-missing") throw error;
      firstMissing ??= error;
    }
  }
  throw firstMissing ?? readFailure(undefined, paths[0]!, ABOUT);
}

/** kiro-cli's chosen profile (`state` table, `{"arn": …}`); a damaged entry only loses the profile. */
function storedProfileArn(db: Lookup): string | undefined {
  try {
    const raw = db.state?.[PROFILE_KEY];
    if (raw === undefined) return undefined;
    const profile: unknown = JSON.parse(raw);
    return typeof profile === "object" && profile !== null ? textField((profile as { arn?: unknown }).arn) : undefined;
  } catch {
    return undefined;
  }
}

function sessionFrom(db: Lookup, entry: (typeof TOKEN_KEYS)[number], token: Record<string, unknown>, path: string, stateProfileArn: string | undefined): KiroSession {
  const accessToken = textField(token.access_token);
  if (!accessToken) throw importError("import-corrupt", `The kiro-cli sign-in in ${path} is damaged (${entry.key} has no access_token). Sign in again with ${LOGIN}.`);
  const startUrl = textField(token.start_url);
  const profileArn = firstText(token, "profile_arn", "profileArn") ?? stateProfileArn;
  const region = textField(token.region) ?? (entry.kind === "external-idp" ? profileArnRegion(profileArn) : undefined) ?? DEFAULT_OIDC_REGION;
  const scopes = Array.isArray(token.scopes) && token.scopes.every((s) => typeof s === "string") ? (token.scopes as string[]) : [...KIRO_SCOPES];
  const method: AuthMethod =
    entry.kind === "social" ? "social" : entry.kind === "external-idp" ? "external-idp" : !startUrl || startUrl.replace(/\/+$/, "") === BUILDER_ID_START_URL ? "builder-id" : "identity-center";
  const provider = textField(token.provider);
  const session: KiroSession = {
    id: randomUUID(),
    method,
    source: "kiro-cli",
    accessToken,
    expiresAt: parseTimestamp(token.expires_at) ?? 0,
    region,
    account: defaultAccountLabel(method, startUrl, provider),
    scopes,
    createdAt: Date.now(),
  };
  const refreshToken = textField(token.refresh_token);
  if (refreshToken) session.refreshToken = refreshToken;
  if (method === "builder-id" || method === "identity-center") session.startUrl = startUrl ?? BUILDER_ID_START_URL;
  if (provider) session.provider = provider;
  if (profileArn) session.profileArn = profileArn;
  if (entry.kind === "external-idp") {
    const externalIdp = externalIdpFrom(token);
    if (externalIdp) session.externalIdp = externalIdp;
  }
  if (entry.registrationKey) {
    const rawRegistration = db.auth_kv?.[entry.registrationKey];
    const registration = rawRegistration === undefined ? undefined : registrationFrom(parseJsonValue(rawRegistration, entry.registrationKey, path), region, scopes);
    if (registration) session.registration = registration;
  }
  return session;
}

function newestSession(db: Lookup, path: string): KiroSession {
  if (!db.auth_kv) {
    throw importError("import-no-credentials", `${path} holds no kiro-cli sign-in (no auth_kv table). Sign in with ${LOGIN} first.`);
  }
  const stateProfileArn = storedProfileArn(db);
  let best: KiroSession | undefined;
  for (const entry of TOKEN_KEYS) {
    const raw = db.auth_kv[entry.key];
    if (raw === undefined) continue;
    const session = sessionFrom(db, entry, parseJsonValue(raw, entry.key, path), path, stateProfileArn);
    if (!best || session.expiresAt > best.expiresAt) best = session;
  }
  if (!best) {
    throw importError("import-no-credentials", `${path} holds no kiro-cli sign-in (none of ${TOKEN_KEYS.map((k) => k.key).join(", ")}). Sign in with ${LOGIN} first.`);
  }
  return best;
}

/**
 * The newest sign-in kiro-cli holds, as a session (not yet stored, not refreshed). Rejects with
 * AuthError `import-missing`, `import-unreadable`, `import-corrupt` or `import-no-credentials`, never with
 * anything else: a database of an unexpected shape (no `value` column, say) is `import-corrupt`.
 */
export async function readKiroCliSession(options: SignInReadOptions = {}): Promise<ImportedSession> {
  const { path, bytes } = await readFirstExisting(options.path ? [options.path] : kiroCliDatabasePaths(options.location));
  const db = await lookUp(bytes, await readWal(path), path, options);
  try {
    return { session: newestSession(db, path), sourcePath: path };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw importError("import-corrupt", `${path} does not have the shape of a kiro-cli database (${describe(error)}). Sign in again with ${LOGIN}, or update kiro-pi if kiro-cli changed its format.`, error);
  }
}

export const kiroCliReader = { id: "kiro-cli", ...ABOUT, read: readKiroCliSession } as const satisfies SignInReader;
