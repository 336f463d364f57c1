// Sign-in trust across windows and failures: writes never put back a spent refresh token, a slow refresh signs nobody out, only a real refusal signs out, unsaved tokens are kept, unknown stored fields survive, odd leases end.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { AuthError } from "../../src/auth/errors";
import { KiroSessionManager, type KiroSessionManagerOptions } from "../../src/auth/sessionManager";
import { parseAuthState, type KiroSession } from "../../src/auth/session";
import { needsNewSignIn } from "../../src/auth/tokenRefresh";
import { MemoryTokenStore, type TokenStore, type TokenStoreCompanion } from "../../src/auth/tokenStore";
import { type OidcSimulator } from "../sim/oidcSimulator";
import { clock, oidc } from "./authFixtures";

const SECOND_MS = 10;
const HOUR = 3600 * 1000;
const PROFILE = "arn:aws:codewhisperer:us-east-1:123456789012:profile/TRUST";

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function manager(sim: OidcSimulator, extra: Partial<KiroSessionManagerOptions> = {}): KiroSessionManager {
  return new KiroSessionManager({
    store: new MemoryTokenStore(),
    oidcEndpoint: sim.url,
    pollIntervalUnitMs: SECOND_MS,
    invalidGrantGraceMs: 300,
    refreshLease: { settleMs: 10 },
    ...extra,
  });
}

async function signIn(kiro: KiroSessionManager, sim: OidcSimulator): Promise<KiroSession> {
  void sim.waitForPolls(sim.polls.length + 1).then(() => sim.approve());
  return kiro.signIn({ onUserCode: () => {} });
}

/** A store whose reads answer with what was stored when they were asked, but only after `readDelayMs` (a slow keychain). */
class SlowReadStore implements TokenStore {
  readonly inner = new MemoryTokenStore();
  readDelayMs = 0;
  async get(): Promise<string | undefined> {
    const value = await this.inner.get();
    if (this.readDelayMs) await pause(this.readDelayMs);
    return value;
  }
  set(value: string): Promise<void> {
    return this.inner.set(value);
  }
  delete(): Promise<void> {
    return this.inner.delete();
  }
  companion(name: TokenStoreCompanion): TokenStore {
    return this.inner.companion(name);
  }
}

test("a profile choice written in one window while another window refreshes does not put the spent refresh token back", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const shared = new MemoryTokenStore();
  const slow = new SlowReadStore();
  // Window B sees the same values as A, through a slow keychain.
  slow.get = async () => {
    const value = await shared.get();
    await pause(slow.readDelayMs);
    return value;
  };
  slow.set = (value) => shared.set(value);
  slow.companion = (name) => shared.companion(name);
  const windowA = manager(sim, { store: shared, now: time.now });
  const windowB = manager(sim, { store: slow, now: time.now });
  const session = await signIn(windowA, sim);
  await windowB.reload();
  time.advance(2 * HOUR);
  slow.readDelayMs = 150;
  const choosing = windowB.setProfileArn(session.id, PROFILE);
  const refreshing = windowA.getAccessToken();
  await Promise.all([choosing, refreshing]);
  slow.readDelayMs = 0;
  const stored = parseAuthState(await shared.get()).sessions[0]!;
  assert.equal(stored.profileArn, PROFILE, "the profile choice is stored");
  assert.ok(sim.currentRefreshTokens.includes(stored.refreshToken!), "the stored refresh token is the live one, not the spent one");
  const again = await windowA.getAccessToken({ forceRefresh: true });
  assert.ok(sim.isValidAccessToken(again), "the next refresh works (no invalid_grant, no sign-out)");
});

/** Window A's refresh answers are held back `delayMs` before A sees them (the service already rotated the token). */
function slowFetch(delayMs: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.text();
    await pause(delayMs);
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

test("a refresh slower than the lease's time to live keeps its lease: the other window waits for its tokens instead of signing out", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const lease = { settleMs: 10, ttlMs: 200 };
  const windowA = manager(sim, { store, now: time.now, refreshLease: lease, fetch: slowFetch(700), refreshTimeoutMs: 5000 });
  const windowB = manager(sim, { store, now: time.now, refreshLease: lease });
  const session = await signIn(windowB, sim);
  await windowA.reload();
  time.advance(2 * HOUR);
  const first = windowA.getAccessToken();
  await pause(350);
  const second = windowB.getAccessToken().catch((e: unknown) => e);
  const [a, b] = await Promise.all([first, second]);
  assert.ok(sim.isValidAccessToken(a), "window A's slow refresh worked");
  assert.equal(b, a, "window B waited and got window A's token instead of failing with invalid_grant");
  assert.equal(sim.refreshCount, 1, "one refresh request");
  assert.deepEqual((await windowB.getSessions()).map((s) => s.id), [session.id], "nobody was signed out");
});

test("a refresh request that never answers ends at the refresh time limit as a network error, and the session stays", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const hanging = createServer(() => {
    // never answers
  });
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => (hanging.closeAllConnections(), hanging.close(() => resolve()))));
  const store = new MemoryTokenStore();
  const signer = manager(sim, { store, now: time.now });
  await signIn(signer, sim);
  const kiro = manager(sim, { store, now: time.now, oidcEndpoint: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, refreshTimeoutMs: 300 });
  time.advance(2 * HOUR);
  const error = await kiro.getAccessToken().catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "network", String(error));
  assert.equal(needsNewSignIn(error), false);
  assert.match(error.message, /still signed in/);
  assert.equal((await kiro.getSessions()).length, 1);
  assert.equal(await store.companion("refresh-lease").get(), undefined, "the lease is released");
});

/** A loopback server answering every POST with the next of `answers`. */
async function answering(t: { after(fn: () => Promise<void>): void }, answers: { status: number; type: string; body: string }[]): Promise<string> {
  let index = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      const answer = answers[Math.min(index++, answers.length - 1)]!;
      res.writeHead(answer.status, { "content-type": answer.type });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const PASSING_FAILURES = [
  { name: "a proxy's HTML 403", status: 403, type: "text/html", body: "<html><body>Access denied by proxy</body></html>" },
  { name: "a bare 400", status: 400, type: "text/plain", body: "" },
  { name: "temporarily_unavailable", status: 400, type: "application/json", body: '{"error":"temporarily_unavailable"}' },
  { name: "interaction_required", status: 400, type: "application/json", body: '{"error":"interaction_required","error_description":"MFA"}' },
];

/** A session kiro-pi refreshes itself (an imported one is read again from its tool instead, importBorrowing.test.ts). */
function expiredSession(method: "social" | "external-idp", endpoint: string, now: number): KiroSession {
  return {
    id: method,
    method,
    source: "sign-in",
    accessToken: "old-access",
    refreshToken: "refresh-token-of-the-test",
    expiresAt: now - 1000,
    region: "us-east-1",
    account: "Kiro",
    scopes: [],
    createdAt: 0,
    ...(method === "external-idp" ? { externalIdp: { tokenEndpoint: `${endpoint}/token`, clientId: "client" } } : {}),
  };
}

for (const method of ["social", "external-idp"] as const) {
  for (const failure of PASSING_FAILURES) {
    test(`a ${method} refresh answered with ${failure.name} keeps the session and does not say to sign in again`, async (t) => {
      const endpoint = await answering(t, [failure]);
      const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), socialAuthEndpoint: endpoint, refreshLease: false });
      await kiro.addSession(expiredSession(method, endpoint, Date.now()));
      const error = await kiro.getAccessToken().catch((e: unknown) => e);
      assert.ok(error instanceof AuthError, String(error));
      assert.equal(needsNewSignIn(error), false, `${error.code}: ${error.message}`);
      assert.equal((await kiro.getSessions()).length, 1);
    });
  }
  test(`a ${method} refresh refused with invalid_grant says to sign in again`, async (t) => {
    const endpoint = await answering(t, [{ status: 400, type: "application/json", body: '{"error":"invalid_grant"}' }]);
    const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), socialAuthEndpoint: endpoint, refreshLease: false, invalidGrantGraceMs: 50 });
    await kiro.addSession(expiredSession(method, endpoint, Date.now()));
    const error = await kiro.getAccessToken().catch((e: unknown) => e);
    assert.ok(error instanceof AuthError && error.code === "invalid-grant" && needsNewSignIn(error), String(error));
  });
}

test("refreshed tokens the store will not take for many tries are kept and saved once it does (no give-up after four tries)", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const inner = new MemoryTokenStore();
  let failingReads = 0;
  const store: TokenStore = {
    get: async () => {
      if (failingReads > 0) {
        failingReads--;
        throw Object.assign(new Error("locked"), { code: "ERR_KEYCHAIN_LOCKED" });
      }
      return inner.get();
    },
    set: (value) => inner.set(value),
    delete: () => inner.delete(),
    companion: (name) => inner.companion(name),
  };
  const kiro = manager(sim, { store, now: time.now, saveRetryMs: [20] });
  await signIn(kiro, sim);
  time.advance(2 * HOUR);
  let armed = false;
  const realFetch = fetch;
  const kiroWithFailingSave = manager(sim, {
    store,
    now: time.now,
    saveRetryMs: [20],
    fetch: async (input, init) => {
      const response = await realFetch(input, init);
      if (!armed) {
        armed = true;
        failingReads = 12;
      }
      return response;
    },
  });
  const token = await kiroWithFailingSave.getAccessToken();
  const deadline = Date.now() + 5000;
  while (parseAuthState(await inner.get()).sessions[0]!.accessToken !== token && Date.now() < deadline) await pause(20);
  assert.equal(failingReads, 0, "the store refused many saves first");
  const saved = parseAuthState(await inner.get()).sessions[0]!;
  assert.equal(saved.accessToken, token, "the refreshed tokens were saved in the end");
  assert.ok(sim.currentRefreshTokens.includes(saved.refreshToken!));
});

test("fields a newer kiro-pi stored (on the store and on a session) survive an older kiro-pi's profile choice and refresh", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const older = manager(sim, { store, now: time.now });
  const session = await signIn(older, sim);
  const raw = JSON.parse((await store.get())!);
  raw.futureSetting = { keep: true };
  raw.sessions[0].futureField = "kept";
  await store.set(JSON.stringify(raw));
  await older.reload();
  await older.setProfileArn(session.id, PROFILE);
  time.advance(2 * HOUR);
  await older.getAccessToken();
  const after = JSON.parse((await store.get())!);
  assert.deepEqual(after.futureSetting, { keep: true });
  assert.equal(after.sessions[0].futureField, "kept");
  assert.equal(after.sessions[0].profileArn, PROFILE);
  await older.setProfileArn(session.id, undefined);
  assert.equal(JSON.parse((await store.get())!).sessions[0].profileArn, undefined, "a known field it removes stays removed");
});

test("a lease that starts in the future (a crash mid-refresh, then the clock stepped back) is abandoned", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const kiro = manager(sim, { store, now: time.now });
  await signIn(kiro, sim);
  await store.companion("refresh-lease").set(JSON.stringify({ owner: "crashed-window", sessionId: "x", startedAt: Date.now() + 10 * 60_000 }));
  time.advance(2 * HOUR);
  const token = await Promise.race([kiro.getAccessToken(), pause(3000).then(() => "still waiting")]);
  assert.ok(sim.isValidAccessToken(token), token);
});
