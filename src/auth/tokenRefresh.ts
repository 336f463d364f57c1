// Exchanges a refresh token for a new access token: at AWS SSO-OIDC for Builder ID / Identity Center, at the Kiro auth service for social sign-ins, at the organisation's identity provider for external IdP sign-ins.
import { apiKeyNotRefreshable } from "./apiKey";
import { AuthError, cancelledError, invalidGrantError, networkError, redact } from "./errors";
import { sentence } from "./import/importErrors";
import { sourceLabels, sourceOf } from "./import/signInSources";
import { createToken, OidcServiceError } from "./oidcClient";
import type { ClientRegistration, ExternalIdentityProvider, KiroSession } from "./session";

export interface RefreshOptions {
  /** Replaces `https://oidc.{region}.amazonaws.com` (setting `kiro.oidcEndpoint`, simulators). */
  oidcEndpoint?: string;
  /** Replaces `https://prod.{region}.auth.desktop.kiro.dev` (simulators). */
  socialAuthEndpoint?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  now?: () => number;
}

export interface RefreshedTokens {
  accessToken: string;
  /** Present when the service rotated the refresh token; otherwise keep the old one. */
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  profileArn?: string;
}

/** True when the only way forward is a new sign-in (as opposed to retrying later). */
export function needsNewSignIn(error: unknown): boolean {
  return error instanceof AuthError && (error.code === "invalid-grant" || error.code === "invalid-client" || error.code === "not-signed-in");
}

export function socialAuthBaseUrl(region: string | undefined, override?: string): string {
  const trimmed = override?.trim();
  if (trimmed) return trimmed.replace(/\/+$/, "");
  return `https://prod.${region?.trim() || "us-east-1"}.auth.desktop.kiro.dev`;
}

export async function refreshOidcTokens(
  registration: Pick<ClientRegistration, "clientId" | "clientSecret">,
  refreshToken: string,
  region: string,
  options: RefreshOptions = {},
): Promise<RefreshedTokens> {
  const now = options.now ?? Date.now;
  try {
    const token = await createToken(registration, { grantType: "refresh_token", refreshToken }, { ...options, region });
    const result: RefreshedTokens = { accessToken: token.accessToken, expiresAt: now() + token.expiresIn * 1000 };
    if (token.refreshToken) result.refreshToken = token.refreshToken;
    return result;
  } catch (error) {
    if (!(error instanceof OidcServiceError)) throw error;
    if (error.oauthError === "invalid_grant" || error.oauthError === "expired_token") throw invalidGrantError(undefined, error.status);
    if (error.oauthError === "invalid_client" || error.oauthError === "unauthorized_client") {
      throw new AuthError("invalid-client", "kiro-pi's registration with the sign-in service has expired. Sign in to Kiro again.", {
        status: error.status,
        oauthError: error.oauthError,
      });
    }
    const detail = error.description ? ` (${error.description})` : "";
    throw new AuthError("service", `Could not refresh the Kiro sign-in: ${error.oauthError}${detail}. Try again in a few minutes.`, {
      status: error.status,
      oauthError: error.oauthError,
    });
  }
}

/**
 * The OAuth error codes that mean the refresh token (or the client) is no good any more: only these sign the user out.
 * Anything else a refresh meets (a proxy's HTML 403, a bare 400, `temporarily_unavailable`, `interaction_required`,
 * a 5xx) keeps the session and says to try again.
 */
const SIGN_IN_AGAIN_CODES = new Set(["invalid_grant", "invalid_client", "InvalidGrantException", "InvalidClientException", "ExpiredTokenException"]);

/** The error code a JSON refusal names (`error`, `code` or AWS's `__type`), if any. */
function refusalCode(body: Record<string, unknown>): string | undefined {
  for (const key of ["error", "code", "__type"]) {
    const value = body[key];
    if (typeof value === "string" && value) return value.includes("#") ? value.slice(value.lastIndexOf("#") + 1) : value;
  }
  return undefined;
}

/** One refresh POST: the status and the answer's JSON object (empty when it is not one); network failures become AuthErrors. */
async function postRefresh(url: string, contentType: string, body: string, options: RefreshOptions): Promise<{ status: number; ok: boolean; body: Record<string, unknown> }> {
  if (options.signal?.aborted) throw cancelledError();
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": contentType, accept: "application/json" },
      body,
      signal: options.signal,
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw networkError(url, error);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return { status: response.status, ok: response.ok, body: parsed as Record<string, unknown> };
  } catch {
    // the caller decides by status / missing fields
  }
  return { status: response.status, ok: response.ok, body: {} };
}

/** `POST {base}/refreshToken {"refreshToken"}` → `{accessToken, refreshToken?, expiresIn, profileArn?}`. */
export async function refreshSocialTokens(refreshToken: string, region: string, options: RefreshOptions = {}): Promise<RefreshedTokens> {
  const now = options.now ?? Date.now;
  const url = `${socialAuthBaseUrl(region, options.socialAuthEndpoint)}/refreshToken`;
  const { body, ...response } = await postRefresh(url, "application/json", JSON.stringify({ refreshToken }), options);
  // The Kiro auth service refuses a spent or revoked refresh token with a JSON 401 (docs/kiro-protocol.md#refresh);
  // an OAuth-style invalid_grant / invalid_client on a 400 or 403 means the same. Anything else keeps the session.
  const code = refusalCode(body);
  const json = Object.keys(body).length > 0;
  if ((response.status === 401 && json) || ((response.status === 400 || response.status === 403) && code !== undefined && SIGN_IN_AGAIN_CODES.has(code))) {
    throw invalidGrantError("Your Kiro sign-in (Google/GitHub) has expired or was revoked", response.status);
  }
  if (!response.ok) {
    const message = typeof body.message === "string" ? ` (${redact(body.message, [refreshToken])})` : "";
    throw new AuthError("service", `The Kiro sign-in service answered ${response.status}${message} while refreshing. Try again in a few minutes.`, {
      status: response.status,
    });
  }
  if (typeof body.accessToken !== "string" || !body.accessToken) {
    throw new AuthError("service", "The Kiro sign-in service's refresh answer has no access token. Try again later.", { status: response.status });
  }
  const expiresIn = typeof body.expiresIn === "number" && Number.isFinite(body.expiresIn) ? body.expiresIn : 3600;
  const result: RefreshedTokens = { accessToken: body.accessToken, expiresAt: now() + expiresIn * 1000 };
  if (typeof body.refreshToken === "string" && body.refreshToken) result.refreshToken = body.refreshToken;
  if (typeof body.profileArn === "string" && body.profileArn) result.profileArn = body.profileArn;
  return result;
}

/** kiro-pi cannot start an external identity provider sign-in itself: the way back is through the tool that made it. */
function externalSignInAgain(reason: string, status?: number): AuthError {
  return new AuthError("invalid-grant", `${reason} Sign in again with ${sourceLabels("or")}, then import the sign-in again.`, {
    oauthError: "invalid_grant",
    ...(status !== undefined ? { status } : {}),
  });
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The token endpoint comes from another tool's file, and the refresh token goes there: only https (plain http on
 * loopback, for local providers and tests), no credentials in the URL, and on the issuer's host when the issuer is known.
 */
function checkedTokenEndpoint(provider: ExternalIdentityProvider): URL {
  let url: URL | undefined;
  try {
    url = new URL(provider.tokenEndpoint);
  } catch {
    url = undefined;
  }
  let issuerHost: string | undefined;
  try {
    issuerHost = provider.issuerUrl ? new URL(provider.issuerUrl).hostname.toLowerCase() : undefined;
  } catch {
    issuerHost = "";
  }
  const safe =
    url !== undefined &&
    !url.username &&
    !url.password &&
    (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) &&
    (issuerHost === undefined || issuerHost === url.hostname.toLowerCase());
  if (!url || !safe) {
    throw externalSignInAgain(`This Kiro sign-in's identity provider token endpoint (${url?.host ?? "not a URL"}) is not an https address on the provider's own host, so kiro-pi will not send the refresh token there.`);
  }
  return url;
}

function expiresInSeconds(value: unknown): number {
  const seconds = typeof value === "string" ? Number(value) : value;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds : 3600;
}

/**
 * OAuth refresh grant at an external identity provider (RFC 6749 §6, public client): form-encoded
 * `grant_type=refresh_token&refresh_token=…&client_id=…[&scope=…]` → `{access_token, refresh_token?, expires_in}`.
 */
export async function refreshExternalIdpTokens(provider: ExternalIdentityProvider, refreshToken: string, options: RefreshOptions = {}): Promise<RefreshedTokens> {
  const now = options.now ?? Date.now;
  const url = checkedTokenEndpoint(provider);
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: provider.clientId });
  if (provider.scope) form.set("scope", provider.scope);
  const { body, ...response } = await postRefresh(url.href, "application/x-www-form-urlencoded", form.toString(), options);
  if (!response.ok) {
    // Every field the provider sent is scrubbed: it may echo the refresh token back.
    const field = (value: unknown) => (typeof value === "string" && value ? redact(value, [refreshToken]) : undefined);
    const code = field(body.error);
    const description = field(body.error_description);
    const detail = [code, description].filter(Boolean).join(": ");
    if (body.error !== undefined && typeof body.error === "string" && SIGN_IN_AGAIN_CODES.has(body.error)) {
      throw externalSignInAgain(`Your organisation's identity provider refused to renew the Kiro sign-in${detail ? ` (${detail})` : ""}.`, response.status);
    }
    throw new AuthError("service", `The identity provider at ${url.host} answered ${response.status}${detail ? ` (${detail})` : ""} while renewing the Kiro sign-in. Try again in a few minutes.`, {
      status: response.status,
      ...(code ? { oauthError: code } : {}),
    });
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new AuthError("service", `The identity provider at ${url.host} renewed the sign-in without an access token. Try again later.`, { status: response.status });
  }
  const result: RefreshedTokens = { accessToken: body.access_token, expiresAt: now() + expiresInSeconds(body.expires_in) * 1000 };
  if (typeof body.refresh_token === "string" && body.refresh_token) result.refreshToken = body.refresh_token;
  return result;
}

/** Refreshes whatever kind of session this is; returns the session with new tokens (id and everything else kept). */
export async function refreshSession(session: KiroSession, options: RefreshOptions = {}): Promise<KiroSession> {
  if (session.method === "api-key") throw apiKeyNotRefreshable();
  // An imported sign-in is renewed by reading its tool's store again (the source's `reread`): its refresh token is the tool's, and spending it signs the tool out.
  if (session.source !== "sign-in") {
    const source = sourceOf(session.source);
    const tool = source?.label ?? "another tool";
    const renew = source ? sentence(source.renewHint) : "Open that tool once";
    throw new AuthError("import-expired", `This Kiro sign-in was imported from ${tool}; kiro-pi does not renew it with that tool's refresh token, which would sign ${tool} out. ${renew} so it renews its sign-in, or sign in with kiro-pi itself.`);
  }
  if (!session.refreshToken) {
    throw invalidGrantError("This Kiro sign-in has expired and holds no refresh token");
  }
  let tokens: RefreshedTokens;
  switch (session.method) {
    case "builder-id":
    case "identity-center":
      if (!session.registration) throw invalidGrantError("This Kiro sign-in has expired and its client registration is missing");
      tokens = await refreshOidcTokens(session.registration, session.refreshToken, session.registration.region, options);
      break;
    case "social":
      tokens = await refreshSocialTokens(session.refreshToken, session.region, options);
      break;
    case "external-idp":
      if (!session.externalIdp) {
        throw externalSignInAgain("This Kiro sign-in through an external identity provider does not say where to renew it (no token endpoint).");
      }
      tokens = await refreshExternalIdpTokens(session.externalIdp, session.refreshToken, options);
      break;
  }
  const refreshed: KiroSession = { ...session, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
  if (tokens.refreshToken) refreshed.refreshToken = tokens.refreshToken;
  if (tokens.profileArn) refreshed.profileArn = tokens.profileArn;
  return refreshed;
}
