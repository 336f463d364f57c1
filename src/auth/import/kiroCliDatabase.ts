// Reads the sign-in kiro-cli (or the older Amazon Q CLI) keeps in its SQLite database, read-only: the file's bytes are copied into memory and opened there, in a worker thread the time limit can stop.
import { join } from "node:path";
import { nonEmptyString } from "../../util/json";
import { AuthError } from "../errors";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION, KIRO_SCOPES, type AuthMethod } from "../session";
import { jsonObject, notShaped, readSqliteKeys } from "./boundedRead";
import { externalIdpFrom, firstText, foundSession, parseTimestamp, profileArnRegion, registrationFrom, stringList } from "./fieldParsing";
import { damaged, noSignIn } from "./importErrors";
import { defineSignInSource } from "./sourceDefinition";
import { platformDataDirs } from "./sourcePaths";
import type { FoundSession, ImportLocation, SignInReadOptions, SourceWording } from "./sourceShape";
import type { SqliteLookupAnswer } from "./sqliteLookup";

const ABOUT = {
  label: "kiro-cli",
  loginHint: "run `kiro-cli login`",
  renewHint: "start kiro-cli once (for example `kiro-cli chat`)",
} as const satisfies SourceWording;

/** kiro-cli's database first, then the Amazon Q CLI's, in each data directory; `$KIROCLI_DB_PATH` replaces them all. */
export function kiroCliDatabasePaths(location: ImportLocation = {}): string[] {
  const env = location.env ?? process.env;
  if (env.KIROCLI_DB_PATH) return [env.KIROCLI_DB_PATH];
  return platformDataDirs(location).flatMap((base) => [join(base, "kiro-cli", "data.sqlite3"), join(base, "amazon-q", "data.sqlite3")]);
}

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

const LOOKUP_TABLES = [
  { name: "auth_kv", keys: TOKEN_KEYS.flatMap((entry) => (entry.registrationKey ? [entry.key, entry.registrationKey] : [entry.key])) },
  { name: "state", keys: [PROFILE_KEY] },
];

type Session = FoundSession["session"];

function jsonValue(raw: string, key: string, path: string): Record<string, unknown> {
  const value = jsonObject(raw);
  if (!value) throw damaged(path, `${key} is not valid JSON`, ABOUT);
  return value;
}

/** kiro-cli's chosen profile (`state` table, `{"arn": …}`); a damaged entry only loses the profile. */
function storedProfileArn(db: Lookup): string | undefined {
  const raw = db.state?.[PROFILE_KEY];
  return raw === undefined ? undefined : nonEmptyString(jsonObject(raw)?.arn);
}

function sessionFrom(db: Lookup, entry: (typeof TOKEN_KEYS)[number], token: Record<string, unknown>, path: string, stateProfileArn: string | undefined): Session {
  const accessToken = nonEmptyString(token.access_token);
  if (!accessToken) throw damaged(path, `${entry.key} has no access_token`, ABOUT);
  const startUrl = nonEmptyString(token.start_url);
  const profileArn = firstText(token, "profile_arn", "profileArn") ?? stateProfileArn;
  const region = nonEmptyString(token.region) ?? (entry.kind === "external-idp" ? profileArnRegion(profileArn) : undefined) ?? DEFAULT_OIDC_REGION;
  const scopes = stringList(token.scopes) ?? [...KIRO_SCOPES];
  const method: AuthMethod =
    entry.kind === "social" ? "social" : entry.kind === "external-idp" ? "external-idp" : !startUrl || startUrl.replace(/\/+$/, "") === BUILDER_ID_START_URL ? "builder-id" : "identity-center";
  const session = foundSession({
    method,
    accessToken,
    expiresAt: parseTimestamp(token.expires_at) ?? 0,
    region,
    scopes,
    refreshToken: nonEmptyString(token.refresh_token),
    startUrl: method === "builder-id" || method === "identity-center" ? (startUrl ?? BUILDER_ID_START_URL) : undefined,
    provider: nonEmptyString(token.provider),
    profileArn,
    externalIdp: entry.kind === "external-idp" ? externalIdpFrom(token) : undefined,
  });
  if (entry.registrationKey) {
    const rawRegistration = db.auth_kv?.[entry.registrationKey];
    const registration = rawRegistration === undefined ? undefined : registrationFrom(jsonValue(rawRegistration, entry.registrationKey, path), region, scopes);
    if (registration) session.registration = registration;
  }
  return session;
}

function newestSession(db: Lookup, path: string): Session {
  if (!db.auth_kv) throw noSignIn(path, "no auth_kv table", ABOUT);
  const stateProfileArn = storedProfileArn(db);
  let best: Session | undefined;
  for (const entry of TOKEN_KEYS) {
    const raw = db.auth_kv[entry.key];
    if (raw === undefined) continue;
    const session = sessionFrom(db, entry, jsonValue(raw, entry.key, path), path, stateProfileArn);
    if (!best || session.expiresAt > best.expiresAt) best = session;
  }
  if (!best) throw noSignIn(path, `none of ${TOKEN_KEYS.map((k) => k.key).join(", ")}`, ABOUT);
  return best;
}

/**
 * The newest sign-in kiro-cli holds, read from its database's bytes in memory (never its file), in a worker the time
 * limit stops. A database of an unexpected shape (no `value` column, say) is `import-corrupt`.
 */
async function readKiroCliSession(options: SignInReadOptions): Promise<FoundSession> {
  const { path, answer } = await readSqliteKeys(options.path ? [options.path] : kiroCliDatabasePaths(options.location), LOOKUP_TABLES, ABOUT, options.signal);
  try {
    return { session: newestSession(answer, path), sourcePath: path };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw notShaped(path, error, ABOUT);
  }
}

/** kiro-cli (and the older Amazon Q CLI): its SQLite database `data.sqlite3`, with the write-ahead log a running kiro-cli keeps. */
export const kiroCliSource = defineSignInSource({ id: "kiro-cli", ...ABOUT, paths: kiroCliDatabasePaths, read: readKiroCliSession });
