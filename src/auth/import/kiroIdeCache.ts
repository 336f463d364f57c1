// Reads the sign-in the Kiro IDE keeps in ~/.aws/sso/cache (kiro-auth-token.json and, for IdC, the client registration beside it), read-only.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION, defaultAccountLabel, KIRO_SCOPES, type AuthMethod, type KiroSession } from "../session";
import type { ImportedSession } from "./kiroCliDatabase";
import { importError, kiroIdeCacheDir, kiroIdeTokenPath, parseTimestamp, readFailure, type ImportLocation } from "./importSources";

const TOOL = "the Kiro IDE";
const LOGIN = "the Kiro IDE";

export interface KiroIdeReadOptions {
  /** A token file to read instead of `~/.aws/sso/cache/kiro-auth-token.json`. */
  path?: string;
  location?: ImportLocation;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    throw readFailure(error, path, TOOL, LOGIN);
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw importError("import-corrupt", `${path} (${what}) is not valid JSON; it may be damaged. Sign in again in ${LOGIN}.`);
}

function methodFor(authMethod: string | undefined, provider: string | undefined): AuthMethod {
  if (authMethod?.toLowerCase() === "social") return "social";
  return provider?.toLowerCase() === "builderid" ? "builder-id" : "identity-center";
}

/**
 * The Kiro IDE's current sign-in as a session (not yet stored, not refreshed). Rejects with
 * AuthError `import-missing`, `import-unreadable`, `import-corrupt` or `import-no-credentials`.
 */
export async function readKiroIdeSession(options: KiroIdeReadOptions = {}): Promise<ImportedSession> {
  const path = options.path ?? kiroIdeTokenPath(options.location);
  const token = await readJson(path, "Kiro IDE sign-in");
  const accessToken = str(token.accessToken);
  if (!accessToken) {
    throw importError("import-no-credentials", `${path} holds no access token. Sign in again in ${LOGIN}, then import.`);
  }
  const provider = str(token.provider);
  const method = methodFor(str(token.authMethod), provider);
  const region = str(token.region) ?? DEFAULT_OIDC_REGION;
  const startUrl = method === "builder-id" ? BUILDER_ID_START_URL : method === "identity-center" ? str(token.startUrl) : undefined;
  const session: KiroSession = {
    id: randomUUID(),
    method,
    source: "kiro-ide",
    accessToken,
    expiresAt: parseTimestamp(token.expiresAt) ?? 0,
    region,
    account: defaultAccountLabel(method, startUrl, provider),
    scopes: method === "social" ? [] : [...KIRO_SCOPES],
    createdAt: Date.now(),
  };
  const refreshToken = str(token.refreshToken);
  if (refreshToken) session.refreshToken = refreshToken;
  if (startUrl) session.startUrl = startUrl;
  if (provider) session.provider = provider;
  const profileArn = str(token.profileArn);
  if (profileArn) session.profileArn = profileArn;

  const clientIdHash = str(token.clientIdHash);
  // The hash names a file; anything that could climb out of the cache folder is not one the IDE wrote.
  if (method !== "social" && clientIdHash && /^[A-Za-z0-9_-]+$/.test(clientIdHash)) {
    const registrationPath = join(options.path ? join(path, "..") : kiroIdeCacheDir(options.location), `${clientIdHash}.json`);
    try {
      const registration = await readJson(registrationPath, "Kiro IDE client registration");
      const clientId = str(registration.clientId);
      const clientSecret = str(registration.clientSecret);
      if (clientId && clientSecret) {
        session.registration = {
          clientId,
          clientSecret,
          expiresAt: parseTimestamp(registration.expiresAt) ?? Date.now() + 90 * 24 * 3600 * 1000,
          region,
          scopes: [...KIRO_SCOPES],
        };
      }
    } catch {
      // Without the registration the token still works until it expires; the import decides whether that is enough.
    }
  }
  return { session, sourcePath: path };
}
