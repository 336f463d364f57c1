// The "kiro" authentication provider: VS Code's face of the auth layer's KiroSessionManager (sessions in SecretStorage, sign-in on request, refresh before expiry, windows kept in step).
import * as vscode from "vscode";
import { isAuthError } from "../../auth/errors";
import type { KiroSession } from "../../auth/session";
import type { KiroSessionManager, SessionsChangeEvent } from "../../auth/sessionManager";
import { needsNewSignIn } from "../../auth/tokenRefresh";
import type { Logger } from "../log";

export const KIRO_AUTH_PROVIDER_ID = "kiro";
export const KIRO_AUTH_PROVIDER_LABEL = "Kiro";

/** A sign-in this window gave up because the service no longer accepts it (invalid_grant / invalid_client). */
export interface SignedOutEvent {
  account: string;
  message: string;
}

export interface KiroAuthenticationProviderOptions {
  auth: KiroSessionManager;
  /** Fires when the store changed, possibly in another window. */
  onDidChangeStore: vscode.Event<void>;
  /** Runs the interactive sign-in (pickers, code dialog, waiting) through `auth`; rejects with an AuthError. */
  signIn(auth: KiroSessionManager): Promise<KiroSession>;
  /** Shows a failed sign-in to the user (not called for cancellations). */
  reportSignInFailure?(error: unknown): void;
  log?: Logger;
  now?: () => number;
}

function toAuthenticationSession(session: KiroSession): vscode.AuthenticationSession {
  return {
    id: session.id,
    accessToken: session.accessToken,
    account: { id: accountId(session), label: session.account },
    scopes: session.scopes,
  };
}

/** Same person, same place: stable across refreshes and re-sign-ins. */
function accountId(session: KiroSession): string {
  return [session.method, session.startUrl ?? session.provider ?? "", session.profileArn ?? ""].join("|");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One account at a time (`supportsMultipleAccounts: false`): a new sign-in or import replaces the old one. KiroSessionManager holds
 * the truth; `current` is a snapshot for synchronous questions (is anyone signed in, what does the status bar say).
 */
export class KiroAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly sessionsChanged = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.sessionsChanged.event;
  private readonly accountChanged = new vscode.EventEmitter<KiroSession | undefined>();
  /** Sign-in, sign-out, another account or a new label, here or in another window (not token refreshes). */
  readonly onDidChangeAccount = this.accountChanged.event;
  private readonly signedOut = new vscode.EventEmitter<SignedOutEvent>();
  /** This window found that the service no longer accepts the sign-in and removed it; fires once per lost sign-in. */
  readonly onDidSignOutExpired = this.signedOut.event;

  private snapshot: KiroSession | undefined;
  private readonly loaded: Promise<void>;
  private readonly disposables: vscode.Disposable[];
  private readonly now: () => number;

  constructor(private readonly options: KiroAuthenticationProviderOptions) {
    this.now = options.now ?? Date.now;
    const { auth, log } = options;
    const subscription = auth.onDidChange((event) => void this.publish(event));
    this.disposables = [
      this.sessionsChanged,
      this.accountChanged,
      this.signedOut,
      { dispose: () => subscription.dispose() },
      options.onDidChangeStore(() => {
        auth.reload().catch((error: unknown) => log?.warn(`Kiro sign-in: could not re-read the stored sign-in: ${describe(error)}`));
      }),
    ];
    this.loaded = auth.getSessions().then(
      (sessions) => this.setSnapshot(sessions[0]),
      (error: unknown) => log?.warn(`Kiro sign-in: could not read the stored sign-in: ${describe(error)}`),
    );
  }

  /** Resolves once the stored sign-in has been read the first time. */
  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  /** The signed-in session as last read (undefined before the first read and when signed out). */
  get current(): KiroSession | undefined {
    return this.snapshot;
  }

  private setSnapshot(next: KiroSession | undefined): void {
    const previous = this.snapshot;
    this.snapshot = next;
    // The profile decides where requests go, so choosing another one is an account change too.
    if (previous?.id !== next?.id || previous?.account !== next?.account || previous?.profileArn !== next?.profileArn) this.accountChanged.fire(next);
  }

  private async publish(event: SessionsChangeEvent): Promise<void> {
    // The snapshot first, so a listener that asks `current` (or isSignedIn) already gets the new answer.
    const newest = (await this.options.auth.getSessions())[0];
    this.sessionsChanged.fire({
      added: event.added.map(toAuthenticationSession),
      removed: event.removed.map(toAuthenticationSession),
      changed: event.changed.map(toAuthenticationSession),
    });
    this.setSnapshot(newest);
  }

  async getSessions(scopes: readonly string[] | undefined): Promise<vscode.AuthenticationSession[]> {
    await this.loaded;
    const session = await this.options.auth.getSession();
    if (!session || !(scopes ?? []).every((scope) => session.scopes.includes(scope))) return [];
    try {
      await this.accessToken();
    } catch (error) {
      // A network hiccup must not hide the account: the caller gets the token there is, and a later call refreshes.
      this.options.log?.warn(`Kiro sign-in: refresh failed, handing out the current token: ${describe(error)}`);
    }
    const fresh = await this.options.auth.getSession(session.id);
    return fresh ? [toAuthenticationSession(fresh)] : [];
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    await this.loaded;
    try {
      const session = await this.options.signIn(this.options.auth);
      const missing = scopes.filter((scope) => !session.scopes.includes(scope));
      if (missing.length > 0) this.options.log?.warn(`Kiro sign-in: the session lacks the requested scopes ${missing.join(", ")}`);
      await this.keepOnly(session.id);
      return toAuthenticationSession(session);
    } catch (error) {
      if (isAuthError(error, "cancelled")) {
        this.options.log?.info("Kiro sign-in: cancelled");
      } else {
        this.options.log?.error(`Kiro sign-in failed: ${describe(error)}`);
        this.options.reportSignInFailure?.(error);
      }
      throw error;
    }
  }

  async removeSession(sessionId: string): Promise<void> {
    await this.loaded;
    const removed = await this.options.auth.signOut(sessionId);
    if (removed) this.options.log?.info(`Kiro: signed out of ${removed.account}`);
  }

  /** Stores an imported session as the one signed-in account. */
  async importSession(session: KiroSession): Promise<KiroSession> {
    await this.loaded;
    const stored = await this.options.auth.importSession(session);
    await this.keepOnly(stored.id);
    return stored;
  }

  /** Names the account better once known (the email Kiro reports); a no-op when signed out or already so named. */
  async renameAccount(sessionId: string, label: string): Promise<void> {
    const session = await this.options.auth.getSession(sessionId);
    if (session && session.account !== label) await this.options.auth.addSession({ ...session, account: label });
  }

  /**
   * Remembers the Kiro profile chosen for the session (stored with it in SecretStorage, so every window and later
   * sign-ins of the same account keep it); `undefined` forgets it. Fires onDidChangeSessions (`changed`) and
   * onDidChangeAccount. Resolves with the updated session, or undefined when the session is gone. Rejects with an
   * AuthError (`storage-unavailable`, or `service` for something that is not a profile ARN).
   */
  async setProfileArn(sessionId: string, profileArn: string | undefined): Promise<KiroSession | undefined> {
    await this.loaded;
    return this.options.auth.setProfileArn(sessionId, profileArn);
  }

  /** One account: everything but `sessionId` is signed out (client registrations stay for the next sign-in). */
  private async keepOnly(sessionId: string): Promise<void> {
    for (const other of await this.options.auth.getSessions()) {
      if (other.id !== sessionId) await this.options.auth.signOut(other.id);
    }
  }

  /**
   * The access token to send now, refreshed first when it expires soon or when `rejected` is the token Kiro just refused.
   * Undefined when signed out, including right after the service refused the refresh (then the user is signed out and
   * told once). Other failures (network) reject once the token has expired.
   */
  async accessToken(rejected?: string): Promise<string | undefined> {
    await this.loaded;
    const { auth, log } = this.options;
    const session = await auth.getSession();
    if (!session) return undefined;
    try {
      return await auth.getAccessToken({ sessionId: session.id, forceRefresh: rejected !== undefined && rejected === session.accessToken });
    } catch (error) {
      if (isAuthError(error, "not-signed-in")) return undefined;
      if (!needsNewSignIn(error)) {
        if (session.expiresAt > this.now() && session.accessToken !== rejected) return session.accessToken;
        throw error;
      }
      // With rotating refresh tokens another window's refresh makes ours fail; its result is in the store.
      await auth.reload();
      const after = await auth.getSession(session.id);
      if (after && after.refreshToken !== session.refreshToken) return after.accessToken;
      if (!after) return undefined;
      const removed = await auth.signOut(session.id);
      // Concurrent callers all see the refusal; only the one that removed the session tells the user.
      if (removed) {
        log?.warn(`Kiro sign-in: the service no longer accepts the sign-in of ${removed.account} (${isAuthError(error) ? error.code : "refused"}); signed out`);
        this.signedOut.fire({ account: removed.account, message: isAuthError(error) ? error.userMessage : describe(error) });
      }
      return undefined;
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
