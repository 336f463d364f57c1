// The OIDC device-code sign-in for AWS Builder ID and IAM Identity Center: register (or reuse) a client, show a code, poll until approved.
import { sleep } from "../util/abort";
import { AuthError, accessDeniedError, cancelledError, timedOutError } from "./errors";
import {
  createToken,
  OidcServiceError,
  registerClient,
  startDeviceAuthorization,
  type DeviceAuthorizationResponse,
  type OidcCallOptions,
} from "./oidcClient";
import {
  BUILDER_ID_START_URL,
  DEFAULT_OIDC_REGION,
  defaultAccountLabel,
  isRegistrationUsable,
  KIRO_SCOPES,
  type AuthMethod,
  type ClientRegistration,
  type KiroSession,
} from "./session";

export const DEFAULT_CLIENT_NAME = "kiro-pi";
const SLOW_DOWN_STEP_SECONDS = 5;
/**
 * The poll interval the service asks for is kept within these seconds: a huge value would overflow the timer (Node then
 * waits 1 ms, polling flat out) and a zero or negative one would poll without pause.
 */
export const MIN_POLL_INTERVAL_SECONDS = 1;
export const MAX_POLL_INTERVAL_SECONDS = 60;

function clampInterval(seconds: number): number {
  if (!Number.isFinite(seconds)) return MAX_POLL_INTERVAL_SECONDS;
  return Math.min(MAX_POLL_INTERVAL_SECONDS, Math.max(MIN_POLL_INTERVAL_SECONDS, seconds));
}

/** What the UI shows while the flow waits for the user. */
export interface UserCodeInfo {
  userCode: string;
  verificationUri: string;
  /** The verification page with the code filled in; open this one. */
  verificationUriComplete: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

export interface DeviceFlowOptions extends OidcCallOptions {
  /** Builder ID's start URL by default; an Identity Center start URL for organisations. */
  startUrl?: string;
  scopes?: readonly string[];
  clientName?: string;
  /** A registration from an earlier sign-in; reused while it is valid for this region and scopes. */
  registration?: ClientRegistration;
  /** Called with a newly created registration so the caller can cache it. */
  onRegistration?: (registration: ClientRegistration) => void | Promise<void>;
  /** Called once the code exists; the flow starts polling when this returns (or its promise settles). */
  onUserCode: (info: UserCodeInfo) => void | Promise<void>;
  /**
   * Length of the service's "second" for intervals and expiry, 1000 by default. Tests shrink it so
   * a 5 s interval and the +5 s of `slow_down` take milliseconds while keeping their ratios.
   */
  pollIntervalUnitMs?: number;
  /** Consecutive network failures or 5xx answers tolerated while polling (default 3). */
  maxTransientPollFailures?: number;
  now?: () => number;
}

export interface DeviceFlowResult {
  method: AuthMethod;
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  registration: ClientRegistration;
  region: string;
  startUrl: string;
  scopes: string[];
}

/** The session an approved device flow signs in with; `id` and `createdAt` are the caller's (a stored account, or pi's one credential). */
export function sessionFromDeviceFlow(flow: DeviceFlowResult, id: string, createdAt: number): KiroSession {
  const session: KiroSession = {
    id,
    method: flow.method,
    source: "sign-in",
    accessToken: flow.accessToken,
    expiresAt: flow.expiresAt,
    region: flow.region,
    startUrl: flow.startUrl,
    registration: flow.registration,
    account: defaultAccountLabel(flow.method, flow.startUrl),
    scopes: flow.scopes,
    createdAt,
  };
  if (flow.refreshToken) session.refreshToken = flow.refreshToken;
  return session;
}

export function authMethodForStartUrl(startUrl: string): AuthMethod {
  return normalizeStartUrl(startUrl) === BUILDER_ID_START_URL ? "builder-id" : "identity-center";
}

export function normalizeStartUrl(startUrl: string): string {
  // `https://d-123.awsapps.com/start/#/` as copied from the browser is the same start URL.
  return startUrl.trim().replace(/#\/?$/, "").replace(/\/+$/, "");
}

/** Waits `ms`, or rejects with the cancelled error as soon as the signal aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleep(ms, signal, cancelledError);
}

async function obtainRegistration(options: DeviceFlowOptions, region: string, scopes: readonly string[], now: () => number, forceNew: boolean): Promise<ClientRegistration> {
  if (!forceNew && options.registration && isRegistrationUsable(options.registration, now(), region, scopes)) {
    return options.registration;
  }
  const registered = await registerClient(options.clientName ?? DEFAULT_CLIENT_NAME, scopes, { ...options, region }).catch((error: unknown) => {
    throw toFinalError(error, "register kiro-pi with the sign-in service");
  });
  const registration: ClientRegistration = {
    clientId: registered.clientId,
    clientSecret: registered.clientSecret,
    expiresAt: registered.clientSecretExpiresAt * 1000,
    region,
    scopes: [...scopes],
  };
  await options.onRegistration?.(registration);
  return registration;
}

/** Turns a service error that ends the flow into the AuthError the user sees. */
function toFinalError(error: unknown, doing: string): unknown {
  if (!(error instanceof OidcServiceError)) return error;
  switch (error.oauthError) {
    case "access_denied":
      return accessDeniedError();
    case "invalid_client":
    case "unauthorized_client":
      return new AuthError("invalid-client", `The sign-in service no longer accepts kiro-pi's registration. Sign in again.`, {
        status: error.status,
        oauthError: error.oauthError,
      });
    case "invalid_grant":
      return new AuthError("invalid-grant", "The sign-in service rejected the sign-in code. Sign in again.", {
        status: error.status,
        oauthError: error.oauthError,
      });
    default: {
      const detail = error.description ? ` (${error.description})` : "";
      const hint = error.status >= 500 ? "The service may be having problems; try again in a few minutes." : "Check the start URL and region, then try again.";
      return new AuthError("service", `Could not ${doing}: ${error.oauthError}${detail}. ${hint}`, {
        status: error.status,
        oauthError: error.oauthError,
      });
    }
  }
}

function isTransient(error: unknown): boolean {
  if (error instanceof AuthError) return error.code === "network";
  return error instanceof OidcServiceError && error.status >= 500;
}

/**
 * Runs the whole device flow. Resolves with tokens once the user approved; rejects with an
 * AuthError (`cancelled`, `timed-out`, `access-denied`, `network`, `invalid-client`, `service`).
 */
export async function runDeviceFlow(options: DeviceFlowOptions): Promise<DeviceFlowResult> {
  const now = options.now ?? Date.now;
  const unitMs = options.pollIntervalUnitMs ?? 1000;
  const region = options.region?.trim() || DEFAULT_OIDC_REGION;
  const startUrl = normalizeStartUrl(options.startUrl ?? BUILDER_ID_START_URL);
  const scopes = [...(options.scopes ?? KIRO_SCOPES)];
  const call: OidcCallOptions = { ...options, region };

  let registration = await obtainRegistration(options, region, scopes, now, false);
  let authorization: DeviceAuthorizationResponse;
  try {
    authorization = await startDeviceAuthorization(registration, startUrl, call);
  } catch (error) {
    const stale = error instanceof OidcServiceError && (error.oauthError === "invalid_client" || error.oauthError === "unauthorized_client");
    if (!stale || registration !== options.registration) throw toFinalError(error, "start the sign-in");
    // A cached registration the service forgot: register afresh once instead of failing the sign-in.
    registration = await obtainRegistration(options, region, scopes, now, true);
    authorization = await startDeviceAuthorization(registration, startUrl, call).catch((retryError: unknown) => {
      throw toFinalError(retryError, "start the sign-in");
    });
  }

  if (options.signal?.aborted) throw cancelledError();
  await options.onUserCode({
    userCode: authorization.userCode,
    verificationUri: authorization.verificationUri,
    verificationUriComplete: authorization.verificationUriComplete,
    expiresIn: authorization.expiresIn,
  });

  const expiryMinutes = Math.round(authorization.expiresIn / 60);
  const deadline = now() + authorization.expiresIn * unitMs;
  let intervalSeconds = clampInterval(authorization.interval);
  const maxTransient = options.maxTransientPollFailures ?? 3;
  let transientFailures = 0;

  for (;;) {
    await sleepUnlessAborted(intervalSeconds * unitMs, options.signal);
    if (now() >= deadline) throw timedOutError(expiryMinutes);
    try {
      const token = await createToken(
        registration,
        { grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: authorization.deviceCode },
        call,
      );
      const result: DeviceFlowResult = {
        method: authMethodForStartUrl(startUrl),
        accessToken: token.accessToken,
        expiresAt: now() + token.expiresIn * 1000,
        registration,
        region,
        startUrl,
        scopes,
      };
      if (token.refreshToken) result.refreshToken = token.refreshToken;
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw cancelledError();
      if (error instanceof OidcServiceError) {
        if (error.oauthError === "authorization_pending") {
          transientFailures = 0;
          continue;
        }
        if (error.oauthError === "slow_down") {
          transientFailures = 0;
          intervalSeconds = clampInterval(intervalSeconds + SLOW_DOWN_STEP_SECONDS);
          continue;
        }
        if (error.oauthError === "expired_token") throw timedOutError(expiryMinutes);
      }
      if (isTransient(error) && ++transientFailures <= maxTransient) continue;
      throw toFinalError(error, "finish the sign-in");
    }
  }
}
