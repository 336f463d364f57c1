// Named sign-in, refresh and import failures, each with a message that says what happened and what to do next.
import { scrubSecrets } from "../util/secrets";

export type AuthErrorCode =
  /** The user (or the caller's AbortSignal) stopped the sign-in. */
  | "cancelled"
  /** The one-time code expired before anyone approved it. */
  | "timed-out"
  /** The user chose Deny on the verification page. */
  | "access-denied"
  /** The sign-in service could not be reached. */
  | "network"
  /** The refresh token is expired or revoked: the user must sign in again. */
  | "invalid-grant"
  /** The client registration was rejected (expired or deleted). */
  | "invalid-client"
  /** The service answered with something the client cannot use (bad request, bad JSON, unexpected status). */
  | "service"
  /** No session to give a token for. */
  | "not-signed-in"
  /** The stored sign-in could not be read or written (keychain locked or busy); nothing was changed, trying again may work. */
  | "storage-unavailable"
  /** The credential file of another tool does not exist. */
  | "import-missing"
  /** The credential file exists but could not be read (locked by the other tool, permissions). */
  | "import-unreadable"
  /** The file is not a database / not JSON / not the expected shape. */
  | "import-corrupt"
  /** The file is fine but holds no Kiro sign-in. */
  | "import-no-credentials"
  /** The stored sign-in has expired and cannot be refreshed. */
  | "import-expired";

export interface AuthErrorOptions {
  /** HTTP status of the answer that caused it, if any. */
  status?: number;
  /** OAuth error code from the service (`invalid_grant`, `slow_down`, ...). */
  oauthError?: string;
  cause?: unknown;
}

/**
 * One error type for the whole auth layer so that callers switch on `code` instead of parsing text.
 * `message` and `userMessage` are the same sentence: safe to show, never contains a token or secret.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly userMessage: string;
  readonly status?: number;
  readonly oauthError?: string;

  constructor(code: AuthErrorCode, userMessage: string, options: AuthErrorOptions = {}) {
    super(userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AuthError";
    this.code = code;
    this.userMessage = userMessage;
    if (options.status !== undefined) this.status = options.status;
    if (options.oauthError !== undefined) this.oauthError = options.oauthError;
  }
}

export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  return error instanceof AuthError && (code === undefined || error.code === code);
}

/** The same words VS Code's GitHub sign-in uses for a cancelled flow, so adapters can compare against it. */
export const USER_CANCELLED_MESSAGE = "User Cancelled";

export function cancelledError(): AuthError {
  return new AuthError("cancelled", `${USER_CANCELLED_MESSAGE}: sign-in was cancelled.`);
}

export function timedOutError(minutes: number): AuthError {
  const within = minutes > 0 ? ` within ${minutes} minute${minutes === 1 ? "" : "s"}` : "";
  return new AuthError(
    "timed-out",
    `The sign-in code expired before it was approved. Sign in again and approve the code in your browser${within}.`,
    { oauthError: "expired_token" },
  );
}

export function accessDeniedError(): AuthError {
  return new AuthError(
    "access-denied",
    "Sign-in was denied in the browser. Sign in again and choose Allow to let kiro-pi use Kiro.",
    { oauthError: "access_denied" },
  );
}

/** `status` is the HTTP status of the service's refusal; without one, no request was made (nothing to refresh with). */
export function invalidGrantError(detail = "Your Kiro sign-in has expired or was revoked", status?: number): AuthError {
  return new AuthError("invalid-grant", `${detail}. Sign in to Kiro again.`, { oauthError: "invalid_grant", ...(status !== undefined ? { status } : {}) });
}

/** A failed read or write of kiro-pi's own sign-in store; the store was left as it was. */
export function storageUnavailableError(doing: "read" | "save", cause: unknown): AuthError {
  const what = doing === "read" ? "read the stored Kiro sign-in" : "save the Kiro sign-in";
  return new AuthError(
    "storage-unavailable",
    `Could not ${what} (${describeStorageCause(cause)}); nothing was changed. If the system keychain is locked, unlock it, then try again.`,
    { cause },
  );
}

/** The keychain's own words can name the key or echo a value, so only a short error code or class name is kept. */
function describeStorageCause(cause: unknown): string {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === "string" && /^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(code)) return code;
  if (cause instanceof Error && /^[A-Za-z]{1,40}$/.test(cause.name) && cause.name !== "Error") return cause.name;
  return "the keychain did not answer";
}

export function networkError(url: string, cause: unknown): AuthError {
  return new AuthError(
    "network",
    `Could not reach ${hostOf(url)} (${describeNetworkCause(cause)}). Check your internet connection or proxy settings, then try again.`,
    { cause },
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the sign-in service";
  }
}

/** Node's fetch hides the reason in `cause.code` (ECONNREFUSED, ENOTFOUND, ...); that code is what helps a user. */
function describeNetworkCause(cause: unknown): string {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (typeof current === "object" && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
      if (typeof code === "string" && code.startsWith("UND_ERR")) return code;
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return "connection failed";
}

/**
 * Text that came from a service or a file goes through this before it reaches a message:
 * anything we sent as a secret is cut out, and long text is shortened.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const result = scrubSecrets(text, secrets);
  return result.length > 300 ? `${result.slice(0, 300)}…` : result;
}
