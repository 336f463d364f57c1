// A lease that lets one of several windows (or processes) sharing a TokenStore refresh at a time, so a rotating refresh token is spent once.
import type { TokenStore } from "./tokenStore";

/** What the lease value holds: who refreshes and since when. No token, no secret. */
export interface LeaseRecord {
  owner: string;
  sessionId: string;
  /** Epoch ms (wall clock) when the owner took the lease. */
  startedAt: number;
}

export interface RefreshLeaseOptions {
  /**
   * Least wait between writing the lease and reading it back (default 100 ms). Taking the lease is Fischer's mutual
   * exclusion over a store without compare-and-set: it is exclusive as long as no party takes longer than the wait
   * between reading "free" and its write landing. SecretStorage write+read round trips measured in the extension-host
   * suite on a loaded 2-core machine ranged from 10 to 300 ms, so the wait also grows to twice this party's own
   * read and write time (at most MAX_LEASE_SETTLE_MS): when the store is slow for us, it is slow for the others too.
   */
  settleMs?: number;
  /** A lease older than this is abandoned (its window closed or hung mid-refresh) and may be taken over (default 30 s). */
  ttlMs?: number;
}

export const DEFAULT_LEASE_SETTLE_MS = 100;
export const MAX_LEASE_SETTLE_MS = 1000;
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** See RefreshLease.live. */
const FUTURE_SLACK_MS = 1000;

function parseLease(text: string | undefined): LeaseRecord | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const { owner, sessionId, startedAt } = value as Record<string, unknown>;
    if (typeof owner !== "string" || typeof sessionId !== "string" || typeof startedAt !== "number" || !Number.isFinite(startedAt)) return undefined;
    return { owner, sessionId, startedAt };
  } catch {
    return undefined;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The lease is advisory and fails open: when its value cannot be read or written the refresh goes ahead, because a
 * refresh that might race is better than none. Whoever loses a race anyway gets `invalid_grant`, and KiroSessionManager then
 * waits a bounded time for the winner's tokens to appear in the store before it calls the sign-in dead.
 */
export class RefreshLease {
  private readonly settleMs: number;
  private readonly ttlMs: number;

  constructor(
    private readonly store: TokenStore,
    /** Unique per KiroSessionManager instance (one per window or process). */
    readonly owner: string,
    options: RefreshLeaseOptions = {},
  ) {
    this.settleMs = options.settleMs ?? DEFAULT_LEASE_SETTLE_MS;
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  private async read(): Promise<LeaseRecord | undefined> {
    try {
      return parseLease(await this.store.get());
    } catch {
      return undefined;
    }
  }

  /**
   * True while the lease counts: younger than its time to live. One that starts in the future (its holder crashed
   * mid-refresh, then the clock stepped back) would otherwise never age, so it counts as abandoned too; the second of
   * slack covers a holder that renewed it an instant before we read the clock.
   */
  private live(lease: LeaseRecord): boolean {
    const age = Date.now() - lease.startedAt;
    return age < this.ttlMs && age > -FUTURE_SLACK_MS;
  }

  /** The lease someone else holds and has not abandoned, if any. */
  async heldByOther(): Promise<LeaseRecord | undefined> {
    const lease = await this.read();
    return lease && lease.owner !== this.owner && this.live(lease) ? lease : undefined;
  }

  /**
   * Moves this owner's lease's start to now, so a refresh (or a save) that runs long is not taken over while it is
   * still going. False when someone else holds it now.
   */
  async renew(sessionId: string): Promise<boolean> {
    const lease = await this.read();
    if (lease && lease.owner !== this.owner) return false;
    await this.store.set(JSON.stringify({ owner: this.owner, sessionId, startedAt: Date.now() } satisfies LeaseRecord)).catch(() => undefined);
    return true;
  }

  /** Renews the lease every third of its time to live until the returned function is called. */
  keepRenewed(sessionId: string): () => void {
    const timer = setInterval(() => void this.renew(sessionId), Math.max(10, Math.floor(this.ttlMs / 3)));
    timer.unref?.();
    return () => clearInterval(timer);
  }

  get timeToLiveMs(): number {
    return this.ttlMs;
  }

  /** Epoch ms after which `lease` counts as abandoned. */
  expiryOf(lease: LeaseRecord): number {
    return lease.startedAt + this.ttlMs;
  }

  /** True when this owner may refresh now; false when another owner holds (or just took) the lease. */
  async tryAcquire(sessionId: string): Promise<boolean> {
    const started = Date.now();
    if (await this.heldByOther()) return false;
    const mine: LeaseRecord = { owner: this.owner, sessionId, startedAt: Date.now() };
    try {
      await this.store.set(JSON.stringify(mine));
    } catch {
      return true;
    }
    await pause(Math.min(MAX_LEASE_SETTLE_MS, Math.max(this.settleMs, 2 * (Date.now() - started))));
    const after = await this.read();
    // Gone: the previous holder released it after our write; the caller's re-read of the store covers its result.
    return !after || after.owner === this.owner;
  }

  /** Ends this owner's lease; a lease someone else took over meanwhile is left alone. */
  async release(): Promise<void> {
    const lease = await this.read();
    if (lease?.owner !== this.owner) return;
    await this.store.delete().catch(() => undefined);
  }
}
