// The Kiro sessions kept in one TokenStore: sign in, sign out, import, profile choice, and access tokens refreshed ahead of expiry, one refresh at a time per session and (through a lease) across windows.
// Over 300 lines: every change to the stored sessions goes through this class's one write queue, so each operation that changes them (sign-in, refresh, import, profile) lives here.
import { randomUUID } from "node:crypto";
import { raceAbort } from "../util/abort";
import { apiKeyNotRefreshable, apiKeySession } from "./apiKey";
import { runDeviceFlow, sessionFromDeviceFlow, type UserCodeInfo } from "./deviceFlow";
import { AuthError, cancelledError, isAuthError, storageUnavailableError } from "./errors";
import { RefreshLease, type RefreshLeaseOptions } from "./refreshLease";
import { refreshSession } from "./tokenRefresh";
import { IMPORT_COMMAND_TITLE, SIGN_IN_SOURCES, sourceLabels, type SignInSource, type SignInSourceOptions } from "./import/signInSources";
import {
  BUILDER_ID_START_URL,
  emptyAuthState,
  readAuthState,
  serializeAuthState,
  type ClientRegistration,
  type KiroSession,
  type StoredAuthState,
} from "./session";
import type { TokenStore } from "./tokenStore";

export const DEFAULT_REFRESH_AHEAD_MS = 5 * 60 * 1000;
/** How long a refresh refused with `invalid_grant` watches the store for another window's rotated tokens before giving up. */
export const DEFAULT_INVALID_GRANT_GRACE_MS = 2000;
const STORE_POLL_MS = 50;
/** After a refresh whose result could not be saved, saving is tried again after these waits, then every 30 s until it works. */
const SAVE_RETRY_MS: readonly number[] = [500, 2000, 8000, 30_000];
/**
 * A refresh request that has not answered by then is given up (a network error; the session stays). Kept below the
 * lease's time to live, which is also renewed while the refresh runs, so no other window takes over meanwhile.
 */
export const DEFAULT_REFRESH_TIMEOUT_MS = 20_000;

/** What the auth layer logs (a LogOutputChannel satisfies it). */
export interface AuthLogger {
  warn(message: string): void;
}

export interface KiroSessionManagerOptions {
  store: TokenStore;
  /** Replaces the OIDC base URL (setting `kiro.oidcEndpoint`, simulators). */
  oidcEndpoint?: string;
  /** Replaces the Kiro social auth base URL (simulators). */
  socialAuthEndpoint?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Refresh when the access token has less than this left (default 5 minutes). */
  refreshAheadMs?: number;
  /** See DeviceFlowOptions.pollIntervalUnitMs (tests only). */
  pollIntervalUnitMs?: number;
  clientName?: string;
  /** Finds a better account label (an email, e.g. from getUsageLimits) after sign-in or import; failures are ignored. */
  describeAccount?: (session: KiroSession) => Promise<string | undefined>;
  /** Told about a damaged store and about refreshed tokens that could not be saved yet. */
  log?: AuthLogger;
  /** The cross-window refresh lease (used when the store has companions); `false` refreshes without one. */
  refreshLease?: RefreshLeaseOptions | false;
  /** See DEFAULT_INVALID_GRANT_GRACE_MS. */
  invalidGrantGraceMs?: number;
  /** See DEFAULT_REFRESH_TIMEOUT_MS. */
  refreshTimeoutMs?: number;
  /** Replaces SAVE_RETRY_MS (tests only). */
  saveRetryMs?: readonly number[];
  /** Where imported sessions are renewed from (default SIGN_IN_SOURCES): their tool's store is read again. */
  signInSources?: readonly Pick<SignInSource, "id" | "label" | "reread">[];
  /** Where those sources' files are (tests point them at a temporary home). */
  signInSourceOptions?: SignInSourceOptions;
}

export interface SignInOptions {
  /** Builder ID by default; `identity-center` needs `startUrl`. */
  method?: "builder-id" | "identity-center";
  startUrl?: string;
  /** OIDC region (the Identity Center directory's region), us-east-1 by default. */
  region?: string;
  scopes?: readonly string[];
  onUserCode: (info: UserCodeInfo) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface SessionsChangeEvent {
  added: KiroSession[];
  removed: KiroSession[];
  changed: KiroSession[];
}

export interface Disposable {
  dispose(): void;
}

function sameIdentity(a: KiroSession, b: KiroSession): boolean {
  return a.method === b.method && a.source === b.source && a.region === b.region && (a.startUrl ?? "") === (b.startUrl ?? "");
}

function diff(before: StoredAuthState, after: StoredAuthState): SessionsChangeEvent {
  const old = new Map(before.sessions.map((s) => [s.id, s]));
  const now = new Map(after.sessions.map((s) => [s.id, s]));
  return {
    added: after.sessions.filter((s) => !old.has(s.id)),
    removed: before.sessions.filter((s) => !now.has(s.id)),
    changed: after.sessions.filter((s) => old.has(s.id) && JSON.stringify(old.get(s.id)) !== JSON.stringify(s)),
  };
}

/** The shared refresh keeps going for the other callers; only this caller stops waiting. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return raceAbort(work, signal, cancelledError);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A profile ARN as the service lists it: `arn:<partition>:codewhisperer:<region>:<account>:profile/<id>`. */
const PROFILE_ARN = /^arn:[a-z-]+:codewhisperer:[a-z0-9-]+:[0-9]*:profile\/\S+$/;

/**
 * Every read of sessions goes through the store's current value, and every write is a
 * read-modify-write queued behind the previous one, so several windows (or pi processes)
 * sharing one store lose no update. A store that cannot be read is never written: the write
 * fails with `storage-unavailable` and the store keeps what it had.
 */
export class KiroSessionManager {
  private readonly options: KiroSessionManagerOptions;
  private readonly listeners = new Set<(event: SessionsChangeEvent) => void>();
  private readonly refreshes = new Map<string, Promise<KiroSession>>();
  private readonly lease: RefreshLease | undefined;
  private state: StoredAuthState | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  /** The store's text when it was damaged at the last read (kept as a backup before anything replaces it). */
  private damaged: { text: string; reason: string } | undefined;
  private lastReportedDamage: string | undefined;
  private firstReadFailed = false;
  /** Refreshed sessions the store could not take yet, with the refresh token they replaced. */
  private readonly unsaved = new Map<string, { replaces: string | undefined; session: KiroSession }>();
  private saveRetry: { timer: ReturnType<typeof setTimeout>; attempt: number } | undefined;
  /** The end of the last turn at the lease in this instance: one holder at a time here, the lease rules across windows. */
  private leaseTurn: Promise<void> = Promise.resolve();

  constructor(options: KiroSessionManagerOptions) {
    this.options = options;
    const leaseStore = options.refreshLease === false ? undefined : options.store.companion?.("refresh-lease");
    if (leaseStore) this.lease = new RefreshLease(leaseStore, randomUUID(), options.refreshLease || {});
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The store's state; rejects with `storage-unavailable` when it cannot be read (never guesses "empty"). */
  private async readStore(): Promise<StoredAuthState> {
    let text: string | undefined;
    try {
      text = await this.options.store.get();
    } catch (error) {
      throw storageUnavailableError("read", error);
    }
    const { state, damage } = readAuthState(text);
    this.damaged = damage && text ? { text, reason: damage } : undefined;
    if (damage && text !== this.lastReportedDamage) {
      this.lastReportedDamage = text;
      this.options.log?.warn(
        `Kiro sign-in: the stored sign-in could not be fully read (${damage}); ${this.options.store.companion ? "it is kept as a backup when it is next replaced" : "what could be read is used"}.`,
      );
    }
    return this.overlayUnsaved(state);
  }

  private async current(): Promise<StoredAuthState> {
    if (this.state) return this.state;
    let state: StoredAuthState;
    try {
      state = await this.readStore();
    } catch (error) {
      this.firstReadFailed = true;
      throw error;
    }
    // After a failed first read, listeners were told nothing (or "signed out"): the sessions found now are news to them.
    if (this.firstReadFailed) this.publish(state);
    else this.state = state;
    return state;
  }

  private publish(next: StoredAuthState): void {
    const before = this.state ?? emptyAuthState();
    this.state = next;
    const event = diff(before, next);
    if (event.added.length + event.removed.length + event.changed.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One listener's bug must not stop the others or the write.
      }
    }
  }

  /** Waits for this instance's previous lease holder to finish; resolves with the function that ends this turn. */
  private async localTurn(): Promise<() => void> {
    let end!: () => void;
    const mine = new Promise<void>((resolve) => (end = resolve));
    const before = this.leaseTurn;
    this.leaseTurn = before.then(() => mine);
    await before;
    return end;
  }

  /**
   * Runs `work` holding the cross-window lease (renewed while it runs), waiting for another window's refresh or write
   * to end first. Every write takes it, not just refreshes: a write that read the store before another window's refresh
   * saved would otherwise put the spent refresh token back.
   */
  private async underLease<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const lease = this.lease;
    if (!lease) return work();
    const end = await this.localTurn();
    try {
      while (!(await lease.tryAcquire(sessionId))) await pause(STORE_POLL_MS);
      const stopRenewing = lease.keepRenewed(sessionId);
      try {
        return await work();
      } finally {
        stopRenewing();
        await lease.release();
      }
    } finally {
      end();
    }
  }

  /**
   * Read-modify-write against the store under the lease (see underLease), queued behind this instance's previous one.
   * A failed read or write rejects with `storage-unavailable` and leaves the store as it was; a damaged value is copied
   * to the backup companion before it is replaced.
   */
  private mutate<T>(change: (state: StoredAuthState) => T): Promise<T> {
    return this.underLease("*", () => this.mutateHoldingLease(change));
  }

  /** mutate for a caller that already holds the lease (a refresh saving its result). */
  private mutateHoldingLease<T>(change: (state: StoredAuthState) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const fresh = await this.readStore();
      const written = new Map([...this.unsaved].map(([id, entry]) => [id, entry.session]));
      const damaged = this.damaged;
      const result = change(fresh);
      try {
        if (damaged) await this.options.store.companion?.("backup").set(damaged.text);
        await this.options.store.set(serializeAuthState(fresh));
      } catch (error) {
        throw storageUnavailableError("save", error);
      }
      if (damaged) {
        const kept = this.options.store.companion ? "the old value is kept as a backup until the next sign-in" : "what could not be read is lost";
        this.options.log?.warn(`Kiro sign-in: replaced a damaged stored sign-in (${damaged.reason}); ${kept}.`);
      }
      this.damaged = undefined;
      for (const [id, session] of written) if (this.unsaved.get(id)?.session === session) this.unsaved.delete(id);
      this.publish(fresh);
      return result;
    };
    const next = this.writes.then(run, run);
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Puts refreshed sessions the store has not taken yet over what it returned, unless the store moved on meanwhile. */
  private overlayUnsaved(state: StoredAuthState): StoredAuthState {
    for (const [id, entry] of this.unsaved) {
      const index = state.sessions.findIndex((s) => s.id === id);
      // Signed out, or refreshed by someone else since: the store's value wins.
      if (index < 0 || state.sessions[index]!.refreshToken !== entry.replaces) this.unsaved.delete(id);
      else state.sessions[index] = entry.session;
    }
    return state;
  }

  /**
   * A refresh worked but its result could not be saved (keychain locked). With rotating refresh tokens the stored one is
   * already spent, so the new tokens are kept in memory and saved as soon as the store answers again.
   */
  private holdUnsaved(previous: KiroSession, refreshed: KiroSession): void {
    this.unsaved.set(refreshed.id, { replaces: previous.refreshToken, session: refreshed });
    if (this.state) this.publish({ ...this.state, sessions: this.state.sessions.map((s) => (s.id === refreshed.id ? refreshed : s)) });
    this.options.log?.warn("Kiro sign-in: the refreshed sign-in could not be saved yet; kiro-pi keeps it and saves it when the keychain answers again.");
    this.scheduleSave(0);
  }

  /** Tries again and again (the last wait repeating) until the store takes the tokens or they are no longer wanted. */
  private scheduleSave(attempt: number): void {
    if (this.saveRetry || this.unsaved.size === 0) return;
    const waits = this.options.saveRetryMs ?? SAVE_RETRY_MS;
    const timer = setTimeout(() => {
      this.saveRetry = undefined;
      this.mutate(() => undefined).catch(() => this.scheduleSave(attempt + 1));
    }, waits[Math.min(attempt, waits.length - 1)]);
    timer.unref?.();
    this.saveRetry = { timer, attempt };
  }

  onDidChange(listener: (event: SessionsChangeEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Re-reads the store (e.g. on SecretStorage.onDidChange from another window) and reports what changed. */
  async reload(): Promise<void> {
    await this.writes;
    this.publish(await this.readStore());
  }

  /** Newest sign-in first. */
  async getSessions(): Promise<KiroSession[]> {
    return [...(await this.current()).sessions];
  }

  async getSession(id?: string): Promise<KiroSession | undefined> {
    const sessions = (await this.current()).sessions;
    return id === undefined ? sessions[0] : sessions.find((s) => s.id === id);
  }

  /** The cached client registration for an OIDC region, if one is stored (for callers running their own flow). */
  async getRegistration(region: string): Promise<ClientRegistration | undefined> {
    return (await this.current()).registrations.find((r) => r.region === region);
  }

  private async rememberRegistration(registration: ClientRegistration): Promise<void> {
    await this.mutate((state) => {
      state.registrations = [...state.registrations.filter((r) => r.region !== registration.region), registration];
    });
  }

  private async label(session: KiroSession): Promise<KiroSession> {
    if (!this.options.describeAccount) return session;
    try {
      const account = await this.options.describeAccount(session);
      return account ? { ...session, account } : session;
    } catch {
      return session;
    }
  }

  /**
   * Runs the device flow and stores the result. A new sign-in for the same method, region and
   * start URL replaces the old session (one session per identity source).
   */
  async signIn(options: SignInOptions): Promise<KiroSession> {
    const method = options.method ?? (options.startUrl && options.startUrl !== BUILDER_ID_START_URL ? "identity-center" : "builder-id");
    if (method === "identity-center" && !options.startUrl) {
      throw new AuthError("service", "IAM Identity Center sign-in needs your organisation's start URL (https://<directory>.awsapps.com/start). Set it and try again.");
    }
    const startUrl = method === "builder-id" ? BUILDER_ID_START_URL : options.startUrl!;
    const region = options.region?.trim() || "us-east-1";
    const olderBackup = await this.hasBackup();
    const flow = await runDeviceFlow({
      region,
      startUrl,
      scopes: options.scopes,
      clientName: this.options.clientName,
      oidcEndpoint: this.options.oidcEndpoint,
      fetch: this.options.fetch,
      signal: options.signal,
      now: this.options.now,
      pollIntervalUnitMs: this.options.pollIntervalUnitMs,
      registration: await this.getRegistration(region),
      onRegistration: (registration) => this.rememberRegistration(registration),
      onUserCode: options.onUserCode,
    });
    const session = sessionFromDeviceFlow(flow, randomUUID(), this.now());
    const stored = await this.addSession(await this.label(session));
    if (olderBackup) await this.dropBackup();
    return stored;
  }

  /**
   * Stores a Kiro API key as the sign-in (docs/kiro-protocol.md#api-keys): no device flow, never refreshed, labelled by
   * the key's last four characters. `profileArn` is the key's profile when the caller already looked it up.
   * Rejects with AuthError `service` when the text does not have a key's shape.
   */
  async signInWithApiKey(key: string, options: { profileArn?: string } = {}): Promise<KiroSession> {
    const session = apiKeySession(key, randomUUID(), this.now(), options.profileArn);
    const olderBackup = await this.hasBackup();
    const stored = await this.addSession(session);
    if (olderBackup) await this.dropBackup();
    return stored;
  }

  /** True when a damaged value replaced earlier is kept; a sign-in that succeeds after that ends its keeping. */
  private async hasBackup(): Promise<boolean> {
    try {
      return (await this.options.store.companion?.("backup").get()) !== undefined;
    } catch {
      return false;
    }
  }

  private async dropBackup(): Promise<void> {
    await this.options.store.companion?.("backup").delete().catch(() => undefined);
  }

  /**
   * Stores a session made elsewhere (an import); replaces one with the same id or the same identity source. A profile
   * chosen for the replaced session stays with the account unless the new session brings its own.
   */
  async addSession(session: KiroSession): Promise<KiroSession> {
    return this.mutate((state) => {
      const replaced = state.sessions.find((s) => s.id === session.id || sameIdentity(s, session));
      const stored = !session.profileArn && replaced?.profileArn ? { ...session, profileArn: replaced.profileArn } : session;
      state.sessions = [stored, ...state.sessions.filter((s) => s.id !== session.id && !sameIdentity(s, session))];
      return stored;
    });
  }

  /** Labels an imported session (describeAccount) and stores it; like a sign-in, it ends the keeping of an older backup. */
  async importSession(session: KiroSession): Promise<KiroSession> {
    const olderBackup = await this.hasBackup();
    const stored = await this.addSession(await this.label(session));
    if (olderBackup) await this.dropBackup();
    return stored;
  }

  /** Removes the session; the client registration stays cached for the next sign-in. */
  async signOut(id: string): Promise<KiroSession | undefined> {
    return this.mutate((state) => {
      const removed = state.sessions.find((s) => s.id === id);
      state.sessions = state.sessions.filter((s) => s.id !== id);
      return removed;
    });
  }

  /**
   * Remembers which Kiro profile the session's requests are for (a user with several Identity Center profiles picks
   * one); `undefined` forgets the choice. Stored with the session, so every window and later sign-ins of the same
   * account keep it; listeners get a `changed` event. Resolves with the updated session, or undefined when no such
   * session is stored.
   */
  async setProfileArn(sessionId: string, profileArn: string | undefined): Promise<KiroSession | undefined> {
    if (profileArn !== undefined && !PROFILE_ARN.test(profileArn)) {
      throw new AuthError("service", `"${profileArn.slice(0, 120)}" is not a Kiro profile ARN (arn:aws:codewhisperer:<region>:<account>:profile/<id>).`);
    }
    return this.mutate((state) => {
      const index = state.sessions.findIndex((s) => s.id === sessionId);
      if (index < 0) return undefined;
      const { profileArn: _previous, ...rest } = state.sessions[index]!;
      void _previous;
      const updated: KiroSession = profileArn === undefined ? rest : { ...rest, profileArn };
      state.sessions[index] = updated;
      return updated;
    });
  }

  /**
   * A usable access token for the session (the newest when no id is given), refreshed first when it
   * expires within `refreshAheadMs`. `forceRefresh` is for a token the service just rejected.
   * Rejects with AuthError `not-signed-in`, `invalid-grant` (sign in again), `network`, `storage-unavailable`, ...
   */
  async getAccessToken(options: { sessionId?: string; forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    const session = await this.getSession(options.sessionId);
    if (!session) throw new AuthError("not-signed-in", `You are not signed in to Kiro. Run "Kiro: Sign In" (or "Kiro: ${IMPORT_COMMAND_TITLE}" to use the sign-in of ${sourceLabels("or")}) first.`);
    // An API key has nothing to refresh; a refused key is the caller's to report.
    if (session.method === "api-key") {
      if (options.forceRefresh) throw apiKeyNotRefreshable();
      return session.accessToken;
    }
    const ahead = this.options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS;
    if (!options.forceRefresh && session.expiresAt - this.now() > ahead) return session.accessToken;
    return (await abortable(this.refresh(session, options.forceRefresh === true), options.signal)).accessToken;
  }

  /** One refresh per session at a time in this instance: concurrent callers share its result. */
  private refresh(known: KiroSession, force: boolean): Promise<KiroSession> {
    const inFlight = this.refreshes.get(known.id);
    if (inFlight) return inFlight;
    const work = this.refreshAcrossWindows(known, force);
    this.refreshes.set(known.id, work);
    const forget = () => {
      if (this.refreshes.get(known.id) === work) this.refreshes.delete(known.id);
    };
    work.then(forget, forget);
    return work;
  }

  /** The stored session with `id`, and the state it is in; `not-signed-in` when it is gone. */
  private async stored(id: string): Promise<{ state: StoredAuthState; session: KiroSession }> {
    const state = await this.readStore();
    const session = state.sessions.find((s) => s.id === id);
    if (!session) throw new AuthError("not-signed-in", "This Kiro session was signed out. Sign in to Kiro again.");
    return { state, session };
  }

  /** The stored session when no refresh is needed after all (another window refreshed, or it is still fresh). */
  private usableAsStored(known: KiroSession, found: { state: StoredAuthState; session: KiroSession }, force: boolean): KiroSession | undefined {
    const { session } = found;
    const fresh = session.expiresAt - this.now() > (this.options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS);
    if (fresh && session.accessToken !== known.accessToken) {
      this.publish(found.state);
      return session;
    }
    return !force && fresh ? session : undefined;
  }

  /**
   * Refreshes unless the store shows that another window (or process) already did. With the lease, one window refreshes
   * and the others wait for its tokens to appear in the store; a rotating refresh token is spent once.
   */
  private async refreshAcrossWindows(known: KiroSession, force: boolean): Promise<KiroSession> {
    for (;;) {
      await this.writes;
      const found = await this.stored(known.id);
      const settled = this.usableAsStored(known, found, force);
      if (settled) return settled;
      const lease = this.lease;
      if (!lease) return await this.refreshAndSave(found.session, force);
      const end = await this.localTurn();
      let stopRenewing: (() => void) | undefined;
      try {
        if (await lease.tryAcquire(known.id)) {
          stopRenewing = lease.keepRenewed(known.id);
          // Whoever held the lease before may have finished between the read above and taking it.
          const latest = await this.stored(known.id);
          return this.usableAsStored(known, latest, force) ?? (await this.refreshAndSave(latest.session, force));
        }
      } finally {
        if (stopRenewing) {
          stopRenewing();
          await lease.release();
        }
        end();
      }
      await this.waitForOtherRefresh(found.session);
    }
  }

  /** Waits until the stored session changes or nobody holds the lease any more (its holder finished, failed or vanished). */
  private async waitForOtherRefresh(seen: KiroSession): Promise<void> {
    for (;;) {
      const holder = await this.lease!.heldByOther();
      if (!holder) return;
      await pause(STORE_POLL_MS);
      const now = (await this.readStore()).sessions.find((s) => s.id === seen.id);
      if (!now || now.accessToken !== seen.accessToken) return;
    }
  }

  /**
   * An imported session is renewed by reading its tool's store again, never with the tool's refresh token: spending it
   * would sign the tool out (README.md#using-the-sign-in-of-kiro-cli-or-the-kiro-ide). `force`: Kiro refused the stored token.
   */
  private async rereadImported(stored: KiroSession, force: boolean): Promise<KiroSession> {
    const source = (this.options.signInSources ?? SIGN_IN_SOURCES).find((s) => s.id === stored.source);
    if (!source) {
      throw new AuthError("import-expired", `This Kiro sign-in was imported from "${stored.source}", which this version of kiro-pi does not know. Import it again or sign in with "Kiro: Sign In".`);
    }
    return source.reread(stored, { ...this.options.signInSourceOptions, now: this.options.now, ...(force ? { rejected: stored.accessToken } : {}) });
  }

  private async refreshAndSave(stored: KiroSession, force: boolean): Promise<KiroSession> {
    if (stored.source !== "sign-in") return this.saveRefreshed(stored, await this.rereadImported(stored, force));
    let refreshed: KiroSession;
    const timeoutMs = this.options.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      refreshed = await refreshSession(stored, {
        oidcEndpoint: this.options.oidcEndpoint,
        socialAuthEndpoint: this.options.socialAuthEndpoint,
        fetch: this.options.fetch,
        now: this.options.now,
        signal: timeout,
      });
    } catch (error) {
      if (timeout.aborted) {
        throw new AuthError("network", `The Kiro sign-in service did not answer the token refresh within ${Math.round(timeoutMs / 1000)} s; you are still signed in. Try again in a moment.`, { cause: error });
      }
      // Only a refusal from the service (it has a status) means the refresh token was spent, possibly by someone else.
      if (isAuthError(error, "invalid-grant") && error.status !== undefined) {
        const elsewhere = await this.rotatedElsewhere(stored);
        if (elsewhere) return elsewhere;
      }
      throw error;
    }
    return this.saveRefreshed(stored, refreshed);
  }

  private async saveRefreshed(stored: KiroSession, refreshed: KiroSession): Promise<KiroSession> {
    try {
      // The caller holds the lease (or there is none).
      await this.mutateHoldingLease((state) => {
        // Signed out while refreshing: do not bring the session back.
        if (state.sessions.some((s) => s.id === refreshed.id)) {
          state.sessions = state.sessions.map((s) => (s.id === refreshed.id ? refreshed : s));
        }
      });
    } catch (error) {
      if (!isAuthError(error, "storage-unavailable")) throw error;
      this.holdUnsaved(stored, refreshed);
    }
    return refreshed;
  }

  /**
   * After `invalid_grant`: a window without the lease (an older kiro-pi, or one the lease did not reach in time) may have
   * spent the refresh token a moment ago and be about to store its result. Watch the store for a bounded time before
   * calling the sign-in dead.
   */
  private async rotatedElsewhere(spent: KiroSession): Promise<KiroSession | undefined> {
    const deadline = Date.now() + (this.options.invalidGrantGraceMs ?? DEFAULT_INVALID_GRANT_GRACE_MS);
    while (Date.now() < deadline) {
      await pause(STORE_POLL_MS);
      let state: StoredAuthState;
      try {
        state = await this.readStore();
      } catch {
        continue;
      }
      const now = state.sessions.find((s) => s.id === spent.id);
      if (!now) return undefined;
      if (now.refreshToken !== spent.refreshToken || now.accessToken !== spent.accessToken) {
        this.publish(state);
        return now;
      }
    }
    return undefined;
  }
}
