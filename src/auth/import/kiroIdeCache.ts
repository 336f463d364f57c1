// Reads the sign-in the Kiro IDE keeps in ~/.aws/sso/cache (kiro-auth-token.json and, for IdC, the client registration beside it), read-only.
import { join } from "node:path";
import { nonEmptyString } from "../../util/json";
import { AuthError } from "../errors";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION, KIRO_SCOPES, type AuthMethod } from "../session";
import { readJsonObjectFile } from "./boundedRead";
import { externalIdpFrom, firstText, foundSession, parseTimestamp, profileArnRegion, registrationFrom } from "./fieldParsing";
import { noSignIn } from "./importErrors";
import { defineSignInSource } from "./sourceDefinition";
import { homeOf } from "./sourcePaths";
import type { FoundSession, ImportLocation, SignInReadOptions, SourceWording } from "./sourceShape";

const ABOUT = { label: "Kiro IDE", loginHint: "sign in to Kiro in the Kiro IDE", renewHint: "open the Kiro IDE once" } as const satisfies SourceWording;

type Session = FoundSession["session"];

export function kiroIdeCacheDir(location: ImportLocation = {}): string {
  return join(homeOf(location), ".aws", "sso", "cache");
}

export function kiroIdeTokenPath(location: ImportLocation = {}): string {
  return join(kiroIdeCacheDir(location), "kiro-auth-token.json");
}

/** `authMethod` is `social`, `IdC` or `external_idp` (with `provider` `Google`, `Github`, `BuilderId`, `Enterprise`, `ExternalIdp`). */
function methodFor(authMethod: string | undefined, provider: string | undefined): AuthMethod {
  const how = authMethod?.toLowerCase().replace(/[-_]/g, "");
  if (how === "social") return "social";
  if (how === "externalidp" || provider?.toLowerCase() === "externalidp") return "external-idp";
  return provider?.toLowerCase() === "builderid" ? "builder-id" : "identity-center";
}

async function attachRegistration(session: Session, token: Record<string, unknown>, path: string, options: SignInReadOptions): Promise<void> {
  const clientIdHash = nonEmptyString(token.clientIdHash);
  // The hash names a file; anything that could climb out of the cache folder is not one the IDE wrote.
  if (!clientIdHash || !/^[A-Za-z0-9_-]+$/.test(clientIdHash)) return;
  const registrationPath = join(options.path ? join(path, "..") : kiroIdeCacheDir(options.location), `${clientIdHash}.json`);
  try {
    const found = registrationFrom(await readJsonObjectFile(registrationPath, "Kiro IDE client registration", ABOUT), session.region);
    if (found) session.registration = found;
  } catch (error) {
    // Without the registration the token still works until it expires; the import decides whether that is enough.
    if (!(error instanceof AuthError)) throw error;
  }
}

/** The Kiro IDE's current sign-in. */
async function readKiroIdeSession(options: SignInReadOptions): Promise<FoundSession> {
  const path = options.path ?? kiroIdeTokenPath(options.location);
  const token = await readJsonObjectFile(path, "Kiro IDE sign-in", ABOUT);
  const accessToken = nonEmptyString(token.accessToken);
  if (!accessToken) throw noSignIn(path, "no access token", ABOUT);
  const provider = nonEmptyString(token.provider);
  const method = methodFor(nonEmptyString(token.authMethod), provider);
  const profileArn = firstText(token, "profileArn", "profile_arn");
  const region = nonEmptyString(token.region) ?? (method === "external-idp" ? profileArnRegion(profileArn) : undefined) ?? DEFAULT_OIDC_REGION;
  const startUrl = method === "builder-id" ? BUILDER_ID_START_URL : method === "identity-center" ? nonEmptyString(token.startUrl) : undefined;
  const session = foundSession({
    method,
    accessToken,
    expiresAt: parseTimestamp(token.expiresAt) ?? 0,
    region,
    scopes: method === "social" || method === "external-idp" ? [] : [...KIRO_SCOPES],
    refreshToken: nonEmptyString(token.refreshToken),
    startUrl,
    provider,
    profileArn,
    externalIdp: method === "external-idp" ? externalIdpFrom(token) : undefined,
  });
  if (method !== "external-idp" && method !== "social") await attachRegistration(session, token, path, options);
  return { session, sourcePath: path };
}

/** The Kiro IDE: its token file in ~/.aws/sso/cache, and the client registration its `clientIdHash` names beside it. */
export const kiroIdeSource = defineSignInSource({ id: "kiro-ide", ...ABOUT, paths: (location) => [kiroIdeTokenPath(location)], read: readKiroIdeSession });
