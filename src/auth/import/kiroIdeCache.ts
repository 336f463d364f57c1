// Reads the sign-in the Kiro IDE keeps in ~/.aws/sso/cache (kiro-auth-token.json and, for IdC, the client registration beside it), read-only.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { AuthError } from "../errors";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION, defaultAccountLabel, KIRO_SCOPES, type AuthMethod, type KiroSession } from "../session";
import {
  externalIdpFrom,
  firstText,
  IMPORT_LIMITS,
  importError,
  kiroIdeCacheDir,
  kiroIdeTokenPath,
  parseTimestamp,
  profileArnRegion,
  readLimitedFile,
  textField,
  type ImportedSession,
  type SignInReadOptions,
  type SignInReader,
} from "./importSources";

const ABOUT = { label: "Kiro IDE", loginHint: "sign in to Kiro in the Kiro IDE", renewHint: "open the Kiro IDE once" } as const;

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  const raw = (await readLimitedFile(path, IMPORT_LIMITS.jsonBytes, ABOUT)).toString("utf8");
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw importError("import-corrupt", `${path} (${what}) is not valid JSON; it may be damaged. Sign in again in the Kiro IDE.`);
}

/** `authMethod` is `social`, `IdC` or `external_idp` (with `provider` `Google`, `Github`, `BuilderId`, `Enterprise`, `ExternalIdp`). */
function methodFor(authMethod: string | undefined, provider: string | undefined): AuthMethod {
  const how = authMethod?.toLowerCase().replace(/[-_]/g, "");
  if (how === "social") return "social";
  if (how === "externalidp" || provider?.toLowerCase() === "externalidp") return "external-idp";
  return provider?.toLowerCase() === "builderid" ? "builder-id" : "identity-center";
}

async function attachRegistration(session: KiroSession, token: Record<string, unknown>, path: string, options: SignInReadOptions): Promise<void> {
  const clientIdHash = textField(token.clientIdHash);
  // The hash names a file; anything that could climb out of the cache folder is not one the IDE wrote.
  if (!clientIdHash || !/^[A-Za-z0-9_-]+$/.test(clientIdHash)) return;
  const registrationPath = join(options.path ? join(path, "..") : kiroIdeCacheDir(options.location), `${clientIdHash}.json`);
  try {
    const registration = await readJson(registrationPath, "Kiro IDE client registration");
    const clientId = textField(registration.clientId);
    const clientSecret = textField(registration.clientSecret);
    if (clientId && clientSecret) {
      session.registration = {
        clientId,
        clientSecret,
        expiresAt: parseTimestamp(registration.expiresAt) ?? Date.now() + 90 * 24 * 3600 * 1000,
        region: session.region,
        scopes: [...KIRO_SCOPES],
      };
    }
  } catch (error) {
    // Without the registration the token still works until it expires; the import decides whether that is enough.
    if (!(error instanceof AuthError)) throw error;
  }
}

/**
 * The Kiro IDE's current sign-in as a session (not yet stored, not refreshed). Rejects with
 * AuthError `import-missing`, `import-unreadable`, `import-corrupt` or `import-no-credentials`.
 */
export async function readKiroIdeSession(options: SignInReadOptions = {}): Promise<ImportedSession> {
  const path = options.path ?? kiroIdeTokenPath(options.location);
  const token = await readJson(path, "Kiro IDE sign-in");
  const accessToken = textField(token.accessToken);
  if (!accessToken) {
    throw importError("import-no-credentials", `${path} holds no access token. Sign in again in the Kiro IDE, then import.`);
  }
  const provider = textField(token.provider);
  const method = methodFor(textField(token.authMethod), provider);
  const profileArn = firstText(token, "profileArn", "profile_arn");
  const region = textField(token.region) ?? (method === "external-idp" ? profileArnRegion(profileArn) : undefined) ?? DEFAULT_OIDC_REGION;
  const startUrl = method === "builder-id" ? BUILDER_ID_START_URL : method === "identity-center" ? textField(token.startUrl) : undefined;
  const session: KiroSession = {
    id: randomUUID(),
    method,
    source: "kiro-ide",
    accessToken,
    expiresAt: parseTimestamp(token.expiresAt) ?? 0,
    region,
    account: defaultAccountLabel(method, startUrl, provider),
    scopes: method === "social" || method === "external-idp" ? [] : [...KIRO_SCOPES],
    createdAt: Date.now(),
  };
  const refreshToken = textField(token.refreshToken);
  if (refreshToken) session.refreshToken = refreshToken;
  if (startUrl) session.startUrl = startUrl;
  if (provider) session.provider = provider;
  if (profileArn) session.profileArn = profileArn;
  if (method === "external-idp") {
    const externalIdp = externalIdpFrom(token);
    if (externalIdp) session.externalIdp = externalIdp;
  } else if (method !== "social") {
    await attachRegistration(session, token, path, options);
  }
  return { session, sourcePath: path };
}

export const kiroIdeReader = { id: "kiro-ide", ...ABOUT, read: readKiroIdeSession } as const satisfies SignInReader;
