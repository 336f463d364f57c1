// The three AWS SSO-OIDC operations kiro-pi uses (register a client, start device authorization, create a token) and their error shapes.
import { AuthError, cancelledError, networkError, redact } from "./errors";
import { DEFAULT_OIDC_REGION } from "./session";

export interface OidcCallOptions {
  /** OIDC region; picks `https://oidc.{region}.amazonaws.com`. */
  region?: string;
  /** Replaces the OIDC base URL (setting `kiro.oidcEndpoint`, simulators). */
  oidcEndpoint?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export function oidcBaseUrl(region: string | undefined, override?: string): string {
  const trimmed = override?.trim();
  if (trimmed) return trimmed.replace(/\/+$/, "");
  return `https://oidc.${region?.trim() || DEFAULT_OIDC_REGION}.amazonaws.com`;
}

export interface RegisterClientResponse {
  clientId: string;
  clientSecret: string;
  /** Epoch seconds, as the service sends it. */
  clientSecretExpiresAt: number;
}

export interface DeviceAuthorizationResponse {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
  /** Seconds to wait between polls. */
  interval: number;
}

export interface CreateTokenResponse {
  accessToken: string;
  refreshToken?: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType?: string;
}

/**
 * An OAuth error the service answered with. The flow needs the code (`authorization_pending`,
 * `slow_down`, ...) to decide what to do; it is turned into an AuthError only once it is final.
 */
export class OidcServiceError extends Error {
  readonly status: number;
  readonly oauthError: string;
  readonly description: string;

  constructor(status: number, oauthError: string, description: string) {
    super(`Sign-in service answered ${status} ${oauthError}${description ? `: ${description}` : ""}`);
    this.name = "OidcServiceError";
    this.status = status;
    this.oauthError = oauthError;
    this.description = description;
  }
}

/** AWS exception names as they appear in `__type` or `x-amzn-errortype`, mapped to OAuth error codes. */
const EXCEPTION_TO_OAUTH: Record<string, string> = {
  AuthorizationPendingException: "authorization_pending",
  SlowDownException: "slow_down",
  ExpiredTokenException: "expired_token",
  AccessDeniedException: "access_denied",
  InvalidGrantException: "invalid_grant",
  InvalidClientException: "invalid_client",
  InvalidClientMetadataException: "invalid_client_metadata",
  UnauthorizedClientException: "unauthorized_client",
  InvalidRequestException: "invalid_request",
  InvalidScopeException: "invalid_scope",
  UnsupportedGrantTypeException: "unsupported_grant_type",
  InternalServerException: "server_error",
};

function exceptionName(raw: string): string {
  // `com.amazonaws.ssooidc#SlowDownException` or `SlowDownException:http://...`
  const afterHash = raw.includes("#") ? raw.slice(raw.lastIndexOf("#") + 1) : raw;
  return afterHash.split(":")[0]!.trim();
}

/**
 * Reads `{"error","error_description"}` (OAuth style) and `{"__type","message"}` (AWS JSON style). Every field
 * the service sent, the error code included, is scrubbed of `secrets` before it becomes text: a service (or a
 * proxy in front of it) that echoes the request would otherwise put the refresh token into the message and the log.
 */
export function parseOidcError(status: number, bodyText: string, headerType: string | null, secrets: readonly (string | undefined)[]): OidcServiceError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, for example): the status alone decides.
  }
  // redact cuts out the secrets and shortens what is left.
  const field = (value: unknown): string | undefined => (typeof value === "string" && value ? redact(value, secrets) : undefined);
  let code = field(body.error);
  const typeName = field(body.__type) ?? field(headerType);
  if (!code && typeName) {
    const name = exceptionName(typeName);
    code = EXCEPTION_TO_OAUTH[name] ?? name;
  }
  if (!code) code = status >= 500 ? "server_error" : `http_${status}`;
  const description = field(body.error_description) ?? field(body.message) ?? field(body.Message) ?? "";
  return new OidcServiceError(status, code, description);
}

async function postJson(path: string, payload: Record<string, unknown>, options: OidcCallOptions, secrets: readonly (string | undefined)[]): Promise<Record<string, unknown>> {
  const url = `${oidcBaseUrl(options.region, options.oidcEndpoint)}${path}`;
  const doFetch = options.fetch ?? fetch;
  if (options.signal?.aborted) throw cancelledError();
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(payload),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw networkError(url, error);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw networkError(url, error);
  }
  if (!response.ok) throw parseOidcError(response.status, text, response.headers.get("x-amzn-errortype"), secrets);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AuthError("service", `The sign-in service at ${new URL(url).host} sent an answer that is not JSON. Try again later.`, { status: response.status });
}

function requireString(body: Record<string, unknown>, key: string, operation: string): string {
  const value = body[key];
  if (typeof value === "string" && value) return value;
  throw new AuthError("service", `The sign-in service's ${operation} answer has no ${key}. Try again later.`);
}

function requireNumber(body: Record<string, unknown>, key: string, operation: string, fallback?: number): number {
  const value = body[key];
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (fallback !== undefined) return fallback;
  throw new AuthError("service", `The sign-in service's ${operation} answer has no ${key}. Try again later.`);
}

export async function registerClient(clientName: string, scopes: readonly string[], options: OidcCallOptions): Promise<RegisterClientResponse> {
  const body = await postJson(
    "/client/register",
    {
      clientName,
      clientType: "public",
      scopes,
      grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
    },
    options,
    [],
  );
  const clientSecret = requireString(body, "clientSecret", "client registration");
  return {
    clientId: requireString(body, "clientId", "client registration"),
    clientSecret,
    clientSecretExpiresAt: requireNumber(body, "clientSecretExpiresAt", "client registration"),
  };
}

export async function startDeviceAuthorization(
  client: { clientId: string; clientSecret: string },
  startUrl: string,
  options: OidcCallOptions,
): Promise<DeviceAuthorizationResponse> {
  const body = await postJson(
    "/device_authorization",
    { clientId: client.clientId, clientSecret: client.clientSecret, startUrl },
    options,
    [client.clientSecret],
  );
  const verificationUri = requireString(body, "verificationUri", "device authorization");
  const userCode = requireString(body, "userCode", "device authorization");
  const complete = typeof body.verificationUriComplete === "string" && body.verificationUriComplete ? body.verificationUriComplete : undefined;
  return {
    deviceCode: requireString(body, "deviceCode", "device authorization"),
    userCode,
    verificationUri,
    verificationUriComplete: complete ?? `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
    expiresIn: requireNumber(body, "expiresIn", "device authorization", 600),
    interval: requireNumber(body, "interval", "device authorization", 5),
  };
}

export type TokenGrant =
  | { grantType: "urn:ietf:params:oauth:grant-type:device_code"; deviceCode: string }
  | { grantType: "refresh_token"; refreshToken: string };

export async function createToken(
  client: { clientId: string; clientSecret: string },
  grant: TokenGrant,
  options: OidcCallOptions,
): Promise<CreateTokenResponse> {
  const secret = grant.grantType === "refresh_token" ? grant.refreshToken : grant.deviceCode;
  const body = await postJson("/token", { clientId: client.clientId, clientSecret: client.clientSecret, ...grant }, options, [client.clientSecret, secret]);
  const result: CreateTokenResponse = {
    accessToken: requireString(body, "accessToken", "token"),
    expiresIn: requireNumber(body, "expiresIn", "token", 3600),
  };
  if (typeof body.refreshToken === "string" && body.refreshToken) result.refreshToken = body.refreshToken;
  if (typeof body.tokenType === "string") result.tokenType = body.tokenType;
  return result;
}
