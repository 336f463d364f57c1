// The Kiro sessions kept in one TokenStore: sign in, sign out, import, and access tokens refreshed ahead of expiry with one refresh in flight per session.
import { randomUUID } from "node:crypto";
import { raceAbort } from "../util/abort";
import { runDeviceFlow, sessionFromDeviceFlow, type UserCodeInfo } from "./deviceFlow";
import { AuthError, cancelledError } from "./errors";
import { refreshSession } from "./tokenRefresh";
import {
  BUILDER_ID_START_URL,
  emptyAuthState,
  parseAuthState,
  serializeAuthState,
  type ClientRegistration,
  type KiroSession,
  type StoredAuthState,
} from "./session";
import type { TokenStore } from "./tokenStore";

export const DEFAULT_REFRESH_AHEAD_MS = 5 * 60 * 1000;

export interface KiroAuthOptions {
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

/**
 * Every read of sessions goes through the store's current value, and every write is a
 * read-modify-write queued behind the previous one, so several windows (or pi processes)
 * sharing one store lose no update.
 */
export class KiroAuth {
  private readonly options: KiroAuthOptions;
  private readonly listeners = new Set<(event: SessionsChangeEvent) => void>();
  private readonly refreshes = new Map<string, Promise<KiroSession>>();
  private state: StoredAuthState | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(options: KiroAuthOptions) {
    this.options = options;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async readStore(): Promise<StoredAuthState> {
    try {
      return parseAuthState(await this.options.store.get());
    } catch {
      // Storage that cannot be read (keychain locked) behaves like an empty one instead of throwing at every caller.
      return emptyAuthState();
    }
  }

  private async current(): Promise<StoredAuthState> {
    if (!this.state) this.state = await this.readStore();
    return this.state;
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

  /** Queued read-modify-write against the store. */
  private mutate<T>(change: (state: StoredAuthState) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const fresh = await this.readStore();
      const result = change(fresh);
      await this.options.store.set(serializeAuthState(fresh));
      this.publish(fresh);
      return result;
    };
    const next = this.writes.then(run, run);
    this.writes = next.catch(() => undefined);
    return next;
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
    return this.addSession(await this.label(session));
  }

  /** Stores a session made elsewhere (an import); replaces one with the same id or the same identity source. */
  async addSession(session: KiroSession): Promise<KiroSession> {
    await this.mutate((state) => {
      state.sessions = [session, ...state.sessions.filter((s) => s.id !== session.id && !sameIdentity(s, session))];
    });
    return session;
  }

  /** Labels an imported session (describeAccount) and stores it. */
  async importSession(session: KiroSession): Promise<KiroSession> {
    return this.addSession(await this.label(session));
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
   * A usable access token for the session (the newest when no id is given), refreshed first when it
   * expires within `refreshAheadMs`. `forceRefresh` is for a token the service just rejected.
   * Rejects with AuthError `not-signed-in`, `invalid-grant` (sign in again), `network`, ...
   */
  async getAccessToken(options: { sessionId?: string; forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    const session = await this.getSession(options.sessionId);
    if (!session) throw new AuthError("not-signed-in", "You are not signed in to Kiro. Run \"Kiro: Sign In\" (or import a kiro-cli / Kiro IDE sign-in) first.");
    const ahead = this.options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS;
    if (!options.forceRefresh && session.expiresAt - this.now() > ahead) return session.accessToken;
    return (await abortable(this.refresh(session, options.forceRefresh === true), options.signal)).accessToken;
  }

  /** One refresh per session at a time: concurrent callers share its result. */
  private refresh(known: KiroSession, force: boolean): Promise<KiroSession> {
    const inFlight = this.refreshes.get(known.id);
    if (inFlight) return inFlight;
    const ahead = this.options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS;
    const work = (async () => {
      // Another window or process may have refreshed already: the store has the last word.
      await this.writes;
      const stored = (await this.readStore()).sessions.find((s) => s.id === known.id);
      if (!stored) throw new AuthError("not-signed-in", "This Kiro session was signed out. Sign in to Kiro again.");
      const refreshedElsewhere = stored.accessToken !== known.accessToken;
      if (refreshedElsewhere && stored.expiresAt - this.now() > ahead) {
        this.publish(await this.readStore());
        return stored;
      }
      if (!force && stored.expiresAt - this.now() > ahead) return stored;
      const refreshed = await refreshSession(stored, {
        oidcEndpoint: this.options.oidcEndpoint,
        socialAuthEndpoint: this.options.socialAuthEndpoint,
        fetch: this.options.fetch,
        now: this.options.now,
      });
      await this.mutate((state) => {
        // Signed out while refreshing: do not bring the session back.
        if (state.sessions.some((s) => s.id === refreshed.id)) {
          state.sessions = state.sessions.map((s) => (s.id === refreshed.id ? refreshed : s));
        }
      });
      return refreshed;
    })();
    this.refreshes.set(known.id, work);
    const forget = () => {
      if (this.refreshes.get(known.id) === work) this.refreshes.delete(known.id);
    };
    work.then(forget, forget);
    return work;
  }
}
