// Reading the fields tools write in their sign-in files: timestamps in either form, a field under either spelling, scopes as a list or a string, an external identity provider's refresh details.
import { randomUUID } from "node:crypto";
import { nonEmptyString } from "../../util/json";
import { defaultAccountLabel, KIRO_SCOPES, type AuthMethod, type ClientRegistration, type ExternalIdentityProvider } from "../session";
import type { FoundSession } from "./sourceShape";

export { profileArnRegion } from "../../util/arn";

/** RFC 3339 text (kiro-cli, Kiro IDE) or epoch seconds/milliseconds → epoch ms. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "string" && value) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  return undefined;
}

/** The first of `keys` that holds a non-empty string (tools spell the same field `profile_arn` and `profileArn`). */
export function firstText(record: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = nonEmptyString(record[key]);
    if (value) return value;
  }
  return undefined;
}

/** A list of strings, or undefined for anything else. */
export function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? [...(value as string[])] : undefined;
}

/** Scopes as a list (`["a","b"]`) or an OAuth string (`"a b"`) → one space-separated string. */
export function scopeText(value: unknown): string | undefined {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean).join(" ") || undefined;
  return stringList(value)?.map((s) => s.trim()).filter(Boolean).join(" ") || undefined;
}

/** A client registration from either tool's spelling; a missing expiry is taken as the usual 90 days from now (the service has the last word). */
export function registrationFrom(value: Record<string, unknown>, region: string, scopes: readonly string[] = KIRO_SCOPES): ClientRegistration | undefined {
  const clientId = firstText(value, "client_id", "clientId");
  const clientSecret = firstText(value, "client_secret", "clientSecret");
  if (!clientId || !clientSecret) return undefined;
  return {
    clientId,
    clientSecret,
    expiresAt: parseTimestamp(value.client_secret_expires_at ?? value.expiresAt) ?? Date.now() + 90 * 24 * 3600 * 1000,
    region: nonEmptyString(value.region) ?? region,
    scopes: stringList(value.scopes) ?? [...scopes],
  };
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

/** What a reader found, field by field; the optional ones are left out when empty. */
export interface FoundFields {
  method: AuthMethod;
  accessToken: string;
  expiresAt: number;
  region: string;
  scopes: string[];
  refreshToken?: string | undefined;
  startUrl?: string | undefined;
  provider?: string | undefined;
  profileArn?: string | undefined;
  externalIdp?: ExternalIdentityProvider | undefined;
}

/** A found session with a fresh id, the account's default label and only the optional fields that hold something. */
export function foundSession(fields: FoundFields): FoundSession["session"] {
  const { refreshToken, startUrl, provider, profileArn, externalIdp, ...required } = fields;
  const session: FoundSession["session"] = { id: randomUUID(), ...required, account: defaultAccountLabel(fields.method, startUrl, provider), createdAt: Date.now() };
  if (refreshToken) session.refreshToken = refreshToken;
  if (startUrl) session.startUrl = startUrl;
  if (provider) session.provider = provider;
  if (profileArn) session.profileArn = profileArn;
  if (externalIdp) session.externalIdp = externalIdp;
  return session;
}
