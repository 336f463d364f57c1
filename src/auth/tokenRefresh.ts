// Exchanges a refresh token for a new access token: at AWS SSO-OIDC for Builder ID / Identity Center, at the Kiro auth service for social sign-ins.
import { AuthError, cancelledError, invalidGrantError, networkError, redact } from "./errors";
import { createToken, OidcServiceError } from "./oidcClient";
import type { ClientRegistration, KiroSession } from "./session";

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

/** `POST {base}/refreshToken {"refreshToken"}` → `{accessToken, refreshToken?, expiresIn, profileArn?}`. */
export async function refreshSocialTokens(refreshToken: string, region: string, options: RefreshOptions = {}): Promise<RefreshedTokens> {
  const now = options.now ?? Date.now;
  const url = `${socialAuthBaseUrl(region, options.socialAuthEndpoint)}/refreshToken`;
  if (options.signal?.aborted) throw cancelledError();
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ refreshToken }),
      signal: options.signal,
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw networkError(url, error);
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // handled below by status / missing fields
  }
  if (response.status === 400 || response.status === 401 || response.status === 403) {
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

/** Refreshes whatever kind of session this is; returns the session with new tokens (id and everything else kept). */
export async function refreshSession(session: KiroSession, options: RefreshOptions = {}): Promise<KiroSession> {
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
      throw invalidGrantError("This Kiro sign-in comes from an external identity provider that kiro-pi cannot refresh (run `kiro-cli login`, then import again)");
  }
  const refreshed: KiroSession = { ...session, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
  if (tokens.refreshToken) refreshed.refreshToken = tokens.refreshToken;
  if (tokens.profileArn) refreshed.profileArn = tokens.profileArn;
  return refreshed;
}
