// Kiro sign-in in the shape pi's OAuth providers use ({access, refresh, expires, ...}): device-flow login, refresh, and another tool's sign-in for direct mode.
import { runDeviceFlow, sessionFromDeviceFlow } from "../auth/deviceFlow";
import type { ImportOptions, RereadOptions } from "../auth/import/credentialImport";
import { sourceOf, type SignInSource, type SignInSourceOptions } from "../auth/import/signInSources";
import { refreshSession, type RefreshOptions } from "../auth/tokenRefresh";
import {
  AUTH_METHODS,
  BUILDER_ID_START_URL,
  DEFAULT_OIDC_REGION,
  defaultAccountLabel,
  KIRO_SCOPES,
  kiroTokenType,
  type AuthMethod,
  type KiroSession,
  type KiroTokenType,
  type SessionSource,
} from "../auth/session";

/** pi refreshes once `Date.now() >= expires`; like pi's own providers, `expires` is set this much before the real expiry. */
export const PI_EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/**
 * pi's OAuthCredentials plus what a Kiro refresh needs. pi keeps the whole object in its
 * auth.json and hands it back to `refreshKiroCredentials`, so everything is plain JSON.
 */
export interface KiroPiCredentials {
  [key: string]: unknown;
  access: string;
  refresh: string;
  /** Epoch ms at which pi should refresh (real expiry minus PI_EXPIRY_MARGIN_MS). */
  expires: number;
  /** Epoch ms at which the access token really expires. */
  expiresAt: number;
  method: AuthMethod;
  source: SessionSource;
  /** OIDC (or Kiro auth) region of the sign-in. */
  region: string;
  startUrl?: string;
  clientId?: string;
  clientSecret?: string;
  /** Epoch ms. */
  clientSecretExpiresAt?: number;
  /** External identity provider sign-ins: where the refresh goes (`clientId` is the provider's public client). */
  tokenEndpoint?: string;
  issuerUrl?: string;
  scope?: string;
  /** Kiro requests with this token need the header `TokenType: <tokenType>` (kiroTokenType of the sign-in). */
  tokenType?: KiroTokenType;
  profileArn?: string;
  provider?: string;
  email?: string;
}

/** The parts of pi's OAuthLoginCallbacks the device flow uses. */
export interface KiroPiLoginCallbacks {
  onAuth(info: { url: string; instructions?: string }): void;
  onProgress?(message: string): void;
  signal?: AbortSignal;
}

export interface KiroPiLoginOptions {
  /** Builder ID by default; an IAM Identity Center start URL signs in through the organisation. */
  startUrl?: string;
  /** OIDC region (the Identity Center directory's region); us-east-1 by default. */
  region?: string;
  oidcEndpoint?: string;
  fetch?: typeof fetch;
  /** Tests only (see DeviceFlowOptions). */
  pollIntervalUnitMs?: number;
}

export function sessionToPiCredentials(session: KiroSession): KiroPiCredentials {
  const credentials: KiroPiCredentials = {
    access: session.accessToken,
    refresh: session.refreshToken ?? "",
    expires: session.expiresAt - PI_EXPIRY_MARGIN_MS,
    expiresAt: session.expiresAt,
    method: session.method,
    source: session.source,
    region: session.region,
  };
  if (session.startUrl) credentials.startUrl = session.startUrl;
  if (session.registration) {
    credentials.clientId = session.registration.clientId;
    credentials.clientSecret = session.registration.clientSecret;
    credentials.clientSecretExpiresAt = session.registration.expiresAt;
  }
  if (session.externalIdp) {
    credentials.clientId = session.externalIdp.clientId;
    credentials.tokenEndpoint = session.externalIdp.tokenEndpoint;
    if (session.externalIdp.issuerUrl) credentials.issuerUrl = session.externalIdp.issuerUrl;
    if (session.externalIdp.scope) credentials.scope = session.externalIdp.scope;
  }
  const tokenType = kiroTokenType(session);
  if (tokenType) credentials.tokenType = tokenType;
  if (session.profileArn) credentials.profileArn = session.profileArn;
  if (session.provider) credentials.provider = session.provider;
  if (session.account.includes("@")) credentials.email = session.account;
  return credentials;
}

function sessionSourceOf(value: unknown): SessionSource {
  return (typeof value === "string" ? sourceOf(value)?.id : undefined) ?? "sign-in";
}

export function piCredentialsToSession(credentials: KiroPiCredentials): KiroSession {
  const method = AUTH_METHODS.find((m) => m === credentials.method) ?? (credentials.tokenEndpoint ? "external-idp" : credentials.clientId ? "builder-id" : "social");
  const region = typeof credentials.region === "string" && credentials.region ? credentials.region : DEFAULT_OIDC_REGION;
  const expiresAt = typeof credentials.expiresAt === "number" ? credentials.expiresAt : credentials.expires + PI_EXPIRY_MARGIN_MS;
  const session: KiroSession = {
    id: "pi",
    method,
    source: sessionSourceOf(credentials.source),
    accessToken: credentials.access,
    expiresAt,
    region,
    account: credentials.email ?? defaultAccountLabel(method, credentials.startUrl, credentials.provider),
    scopes: [...KIRO_SCOPES],
    createdAt: 0,
  };
  if (credentials.refresh) session.refreshToken = credentials.refresh;
  if (credentials.startUrl) session.startUrl = credentials.startUrl;
  if (method === "external-idp") {
    if (credentials.tokenEndpoint && credentials.clientId) {
      session.externalIdp = { tokenEndpoint: credentials.tokenEndpoint, clientId: credentials.clientId };
      if (credentials.issuerUrl) session.externalIdp.issuerUrl = credentials.issuerUrl;
      if (credentials.scope) session.externalIdp.scope = credentials.scope;
    }
  } else if (credentials.clientId && credentials.clientSecret) {
    session.registration = {
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      expiresAt: credentials.clientSecretExpiresAt ?? expiresAt,
      region,
      scopes: [...KIRO_SCOPES],
    };
  }
  if (credentials.profileArn) session.profileArn = credentials.profileArn;
  if (credentials.provider) session.provider = credentials.provider;
  return session;
}

/**
 * pi's `login(callbacks)` for Kiro: the AWS device flow. `onAuth` gets the verification page
 * (code filled in) and instructions naming the code; resolves once the user approved.
 * Rejects with AuthError (`cancelled`, `timed-out`, `access-denied`, `network`, ...).
 */
export async function loginKiroDeviceFlow(callbacks: KiroPiLoginCallbacks, options: KiroPiLoginOptions = {}): Promise<KiroPiCredentials> {
  const startUrl = options.startUrl?.trim() || BUILDER_ID_START_URL;
  const flow = await runDeviceFlow({
    startUrl,
    region: options.region,
    oidcEndpoint: options.oidcEndpoint,
    fetch: options.fetch,
    signal: callbacks.signal,
    pollIntervalUnitMs: options.pollIntervalUnitMs,
    onUserCode: (info) => {
      const minutes = Math.round(info.expiresIn / 60);
      callbacks.onAuth({
        url: info.verificationUriComplete,
        instructions: `Confirm that the page shows the code ${info.userCode}, then approve kiro-pi (the code is valid for ${minutes} minutes).`,
      });
      callbacks.onProgress?.("Waiting for approval in the browser…");
    },
  });
  return sessionToPiCredentials(sessionFromDeviceFlow(flow, "pi", Date.now()));
}

/**
 * pi's `refreshToken(credentials)` for Kiro. Rejects with AuthError `invalid-grant` /
 * `invalid-client` when only a new login helps (`needsNewSignIn(error)`), `network` otherwise.
 */
export async function refreshKiroCredentials(credentials: KiroPiCredentials, options: RefreshOptions = {}): Promise<KiroPiCredentials> {
  const session = piCredentialsToSession(credentials);
  const refreshed = sessionToPiCredentials(await refreshSession(session, options));
  if (credentials.email && !refreshed.email) refreshed.email = credentials.email;
  return refreshed;
}

/**
 * The sign-in `source` (kiro-cli, the Kiro IDE) holds, read-only and never renewed here (the tool renews it). For pi's
 * direct mode without VS Code. Rejects with AuthError (`import-missing`, `import-unreadable`, `import-corrupt`,
 * `import-no-credentials`, `import-expired`).
 */
export async function readSignInSourceCredentials(source: SignInSource, options: SignInSourceOptions & ImportOptions = {}): Promise<KiroPiCredentials> {
  return sessionToPiCredentials((await source.import(options)).session);
}

/**
 * Borrowed credentials renewed the only way kiro-pi renews another tool's sign-in: its store read again. `rejected`
 * is the token Kiro just refused. Rejects with AuthError `import-expired` (with what to do) or a read failure.
 */
export async function rereadSignInSourceCredentials(source: SignInSource, credentials: KiroPiCredentials, options: SignInSourceOptions & RereadOptions = {}): Promise<KiroPiCredentials> {
  const renewed = sessionToPiCredentials(await source.reread(piCredentialsToSession(credentials), options));
  if (credentials.email && !renewed.email) renewed.email = credentials.email;
  return renewed;
}
