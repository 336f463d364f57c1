// KiroSessionManager over a TokenStore: sign-in, sign-out, change events, refresh ahead of expiry, one refresh for many callers, invalid_grant, social refresh, stores.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AuthError } from "../../src/auth/errors";
import { DEFAULT_INVALID_GRANT_GRACE_MS, KiroSessionManager, type KiroSessionManagerOptions, type SessionsChangeEvent } from "../../src/auth/sessionManager";
import { parseAuthState, serializeAuthState, type KiroSession } from "../../src/auth/session";
import { needsNewSignIn } from "../../src/auth/tokenRefresh";
import { defaultTokenFilePath, FileTokenStore, MemoryTokenStore, type TokenStore, type TokenStoreCompanion } from "../../src/auth/tokenStore";
import { startKiroAuthSimulator } from "../sim/kiroAuthSimulator";
import { type OidcSimulator } from "../sim/oidcSimulator";
import { clock, oidc } from "./authFixtures";

const SECOND_MS = 10;
const HOUR = 3600 * 1000;

function auth(sim: OidcSimulator, extra: Partial<KiroSessionManagerOptions> = {}): KiroSessionManager {
  // A short grace after invalid_grant keeps revocation tests quick; the race tests below need only a few ms of it.
  return new KiroSessionManager({ store: new MemoryTokenStore(), oidcEndpoint: sim.url, pollIntervalUnitMs: SECOND_MS, invalidGrantGraceMs: 300, ...extra });
}

async function signIn(kiro: KiroSessionManager, sim: OidcSimulator): Promise<KiroSession> {
  void sim.waitForPolls(sim.polls.length + 1).then(() => sim.approve());
  return kiro.signIn({ onUserCode: () => {} });
}

test("signing in stores a Builder ID session in the token store and reports it as added", async (t) => {
  const sim = await oidc(t);
  const store = new MemoryTokenStore();
  const kiro = auth(sim, { store });
  const events: SessionsChangeEvent[] = [];
  kiro.onDidChange((e) => events.push(e));
  const session = await signIn(kiro, sim);

  assert.equal(session.method, "builder-id");
  assert.equal(session.source, "sign-in");
  assert.equal(session.account, "AWS Builder ID");
  assert.equal(session.startUrl, "https://view.awsapps.com/start");
  assert.ok(sim.isValidAccessToken(session.accessToken));
  assert.ok(session.registration && session.refreshToken);
  assert.deepEqual(parseAuthState(await store.get()).sessions, [session], "what the store holds parses back to the same session");
  assert.deepEqual(await kiro.getSessions(), [session]);
  assert.deepEqual(events.at(-1)!.added.map((s) => s.id), [session.id]);
});

test("describeAccount replaces the default label (e.g. with the email from getUsageLimits)", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim, { describeAccount: async (s) => (sim.isValidAccessToken(s.accessToken) ? "dev@example.com" : undefined) });
  const session = await signIn(kiro, sim);
  assert.equal(session.account, "dev@example.com");
});

test("a failing describeAccount keeps the default label and the sign-in", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim, { describeAccount: async () => Promise.reject(new Error("usage limits unavailable")) });
  assert.equal((await signIn(kiro, sim)).account, "AWS Builder ID");
});

test("signing out removes the session but keeps the client registration for the next sign-in", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim);
  const first = await signIn(kiro, sim);
  const events: SessionsChangeEvent[] = [];
  kiro.onDidChange((e) => events.push(e));
  assert.equal((await kiro.signOut(first.id))?.id, first.id);
  assert.deepEqual(await kiro.getSessions(), []);
  assert.deepEqual(events[0]!.removed.map((s) => s.id), [first.id]);

  const second = await signIn(kiro, sim);
  assert.equal(sim.registerCount, 1, "the second sign-in reused the stored registration");
  assert.equal(second.registration!.clientId, first.registration!.clientId);
});

test("signing in again with the same identity source replaces the old session", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim);
  await signIn(kiro, sim);
  const second = await signIn(kiro, sim);
  assert.deepEqual((await kiro.getSessions()).map((s) => s.id), [second.id]);
});

test("a fresh access token is returned without asking the service", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim);
  const session = await signIn(kiro, sim);
  assert.equal(await kiro.getAccessToken(), session.accessToken);
  assert.equal(sim.refreshCount, 0);
});

test("a token within five minutes of expiry is refreshed first, and the rotated refresh token is stored", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const kiro = auth(sim, { store, now: time.now });
  const session = await signIn(kiro, sim);
  time.advance(HOUR - 4 * 60 * 1000);
  const events: SessionsChangeEvent[] = [];
  kiro.onDidChange((e) => events.push(e));

  const token = await kiro.getAccessToken();
  assert.notEqual(token, session.accessToken);
  assert.ok(sim.isValidAccessToken(token));
  assert.equal(sim.refreshCount, 1);
  const stored = parseAuthState(await store.get()).sessions[0]!;
  assert.equal(stored.accessToken, token);
  assert.equal(stored.expiresAt, time.now() + HOUR);
  assert.ok(sim.currentRefreshTokens.includes(stored.refreshToken!), "the store holds the refresh token the service now accepts");
  assert.deepEqual(events.map((e) => e.changed.map((s) => s.id)), [[session.id]]);

  // The old refresh token was retired by rotation; the next refresh must use the stored new one.
  time.advance(HOUR);
  assert.ok(sim.isValidAccessToken(await kiro.getAccessToken()));
  assert.equal(sim.refreshCount, 2);
});

test("ten callers asking at once for an expiring token cause exactly one refresh request", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const kiro = auth(sim, { now: time.now });
  await signIn(kiro, sim);
  time.advance(2 * HOUR);
  const tokens = await Promise.all(Array.from({ length: 10 }, () => kiro.getAccessToken()));
  assert.equal(sim.refreshCount, 1);
  assert.equal(new Set(tokens).size, 1);
  assert.ok(sim.isValidAccessToken(tokens[0]!));
});

test("a revoked refresh token gives invalid-grant, which tells the caller to sign in again", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const kiro = auth(sim, { now: time.now });
  const session = await signIn(kiro, sim);
  sim.revokeRefreshTokens();
  time.advance(2 * HOUR);
  const error = await kiro.getAccessToken().catch((e: unknown) => e);
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, "invalid-grant");
  assert.ok(needsNewSignIn(error));
  assert.match(error.message, /expired or was revoked\. Sign in to Kiro again\./);
  for (const secret of [session.accessToken, session.refreshToken!, session.registration!.clientSecret]) assert.ok(!error.message.includes(secret));
});

test("an expired client registration gives invalid-client, which also means sign in again", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim);
  await signIn(kiro, sim);
  sim.revokeClients();
  const error = await kiro.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "invalid-client", String(error));
  assert.ok(needsNewSignIn(error));
});

test("forceRefresh replaces a token the service rejected even though it has not expired", async (t) => {
  const sim = await oidc(t);
  const kiro = auth(sim);
  const session = await signIn(kiro, sim);
  const token = await kiro.getAccessToken({ forceRefresh: true });
  assert.notEqual(token, session.accessToken);
  assert.equal(sim.refreshCount, 1);
});

test("a second window sharing the store uses the first window's refresh instead of refreshing again", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const windowA = auth(sim, { store, now: time.now });
  const windowB = auth(sim, { store, now: time.now });
  await signIn(windowA, sim);
  await windowB.reload();
  time.advance(2 * HOUR);
  const events: SessionsChangeEvent[] = [];
  windowB.onDidChange((e) => events.push(e));

  const tokenA = await windowA.getAccessToken();
  const tokenB = await windowB.getAccessToken();
  assert.equal(tokenB, tokenA);
  assert.equal(sim.refreshCount, 1);
  assert.equal(events.length, 1, "window B learned about the new token");
});

test("reload reports sessions added and removed by another window", async (t) => {
  const sim = await oidc(t);
  const store = new MemoryTokenStore();
  const windowA = auth(sim, { store });
  const windowB = auth(sim, { store });
  await windowB.getSessions();
  const events: SessionsChangeEvent[] = [];
  windowB.onDidChange((e) => events.push(e));
  const session = await signIn(windowA, sim);
  await windowB.reload();
  await windowA.signOut(session.id);
  await windowB.reload();
  assert.deepEqual(
    events.map((e) => [e.added.length, e.removed.length]),
    [
      [1, 0],
      [0, 1],
    ],
  );
});

test("signing out while a refresh is in flight does not bring the session back", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const kiro = auth(sim, { now: time.now });
  const session = await signIn(kiro, sim);
  time.advance(2 * HOUR);
  const refreshing = kiro.getAccessToken();
  await kiro.signOut(session.id);
  await refreshing.catch(() => undefined);
  assert.deepEqual(await kiro.getSessions(), []);
});

test("without any session, getAccessToken says to sign in", async () => {
  const kiro = new KiroSessionManager({ store: new MemoryTokenStore() });
  const error = await kiro.getAccessToken().catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "not-signed-in");
  assert.match(error.message, /Kiro: Sign In/);
});

test("corrupt storage reads as no sessions, is logged, and is kept as a backup when the next sign-in replaces it; the sign-in after that drops the backup", async (t) => {
  const sim = await oidc(t);
  const store = new MemoryTokenStore("{not json");
  const warnings: string[] = [];
  const kiro = auth(sim, { store, log: { warn: (m) => void warnings.push(m) } });
  assert.deepEqual(await kiro.getSessions(), []);
  assert.match(warnings.join("\n"), /could not be fully read \(it is not JSON\)/);
  const session = await signIn(kiro, sim);
  assert.deepEqual(parseAuthState(await store.get()).sessions.map((s) => s.id), [session.id]);
  assert.equal(await store.companion("backup").get(), "{not json", "the damaged value is kept");
  assert.match(warnings.join("\n"), /replaced a damaged stored sign-in/);
  await signIn(kiro, sim);
  assert.equal(await store.companion("backup").get(), undefined, "the next successful sign-in ends the keeping");
});

test("a store with one unreadable session (e.g. written by a newer kiro-pi) keeps the readable one and backs up the whole value before writing", async (t) => {
  const sim = await oidc(t);
  const good: KiroSession = { id: "good", method: "social", source: "kiro-ide", accessToken: "at", refreshToken: "rt", expiresAt: Date.now() + 10 * HOUR, region: "us-east-1", account: "Kiro (Google)", scopes: [], createdAt: 0 };
  const original = JSON.stringify({ version: 1, sessions: [good, { ...good, id: "future", method: "passkey" }], registrations: [] });
  const store = new MemoryTokenStore(original);
  const kiro = auth(sim, { store });
  assert.deepEqual((await kiro.getSessions()).map((s) => s.id), ["good"]);
  await kiro.signOut("nobody");
  assert.equal(await store.companion("backup").get(), original);
});

/** A MemoryTokenStore whose reads (or writes) fail while the test says so, like a locked keychain. */
class FlakyStore implements TokenStore {
  readonly inner = new MemoryTokenStore();
  failReads: () => boolean = () => false;
  failWrites: () => boolean = () => false;
  reads = 0;
  async get(): Promise<string | undefined> {
    this.reads++;
    if (this.failReads()) throw Object.assign(new Error("The user name or passphrase you entered is not correct."), { code: "ERR_KEYCHAIN_LOCKED" });
    return this.inner.get();
  }
  async set(value: string): Promise<void> {
    if (this.failWrites()) throw new Error("keychain write failed");
    await this.inner.set(value);
  }
  async delete(): Promise<void> {
    await this.inner.delete();
  }
  companion(name: TokenStoreCompanion): TokenStore {
    return this.inner.companion(name);
  }
}

test("a store that cannot be read is never written: sign-out of an unknown id fails with storage-unavailable and every session stays", async (t) => {
  const sim = await oidc(t);
  const store = new FlakyStore();
  const kiro = auth(sim, { store });
  const session = await signIn(kiro, sim);
  const before = await store.inner.get();
  store.failReads = () => true;
  const error = await kiro.signOut("not-a-session").catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "storage-unavailable", String(error));
  assert.match(error.message, /Could not read the stored Kiro sign-in \(ERR_KEYCHAIN_LOCKED\); nothing was changed\. .*try again/);
  assert.equal(await store.inner.get(), before, "the stored value is untouched");
  store.failReads = () => false;
  assert.deepEqual((await kiro.getSessions()).map((s) => s.id), [session.id]);
});

test("a fresh window whose first read fails says storage-unavailable instead of 'signed out', and reads again next time", async (t) => {
  const sim = await oidc(t);
  const store = new FlakyStore();
  const session = await signIn(auth(sim, { store }), sim);
  store.failReads = () => true;
  const window2 = auth(sim, { store });
  const events: SessionsChangeEvent[] = [];
  window2.onDidChange((e) => events.push(e));
  const error = await window2.getSessions().catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "storage-unavailable", String(error));
  store.failReads = () => false;
  assert.deepEqual((await window2.getSessions()).map((s) => s.id), [session.id]);
  assert.deepEqual(events.map((e) => e.added.map((s) => s.id)), [[session.id]], "listeners (the status bar) learn that the user is signed in after all");
});

test("a refresh whose result cannot be saved (read fails after the refresh) hands out the new token, keeps it, and saves it once the store answers", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new FlakyStore();
  const warnings: string[] = [];
  const kiro = auth(sim, { store, now: time.now, log: { warn: (m) => void warnings.push(m) } });
  const session = await signIn(kiro, sim);
  time.advance(2 * HOUR);
  store.failReads = () => sim.refreshCount > 0;
  const token = await kiro.getAccessToken();
  assert.ok(sim.isValidAccessToken(token) && token !== session.accessToken);
  assert.equal(parseAuthState(await store.inner.get()).sessions[0]!.accessToken, session.accessToken, "not saved yet");
  assert.match(warnings.join("\n"), /could not be saved yet/);
  assert.equal(await kiro.getAccessToken(), token, "this instance keeps using the refreshed token meanwhile");
  store.failReads = () => false;
  const deadline = Date.now() + 5000;
  while (parseAuthState(await store.inner.get()).sessions[0]!.accessToken !== token && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const saved = parseAuthState(await store.inner.get()).sessions[0]!;
  assert.equal(saved.accessToken, token, "saved once the store answered");
  assert.ok(sim.currentRefreshTokens.includes(saved.refreshToken!), "with the rotated refresh token");
  assert.equal(sim.refreshCount, 1);
});

test("a failed write is storage-unavailable too, and the store keeps its old value", async (t) => {
  const sim = await oidc(t);
  const store = new FlakyStore();
  const kiro = auth(sim, { store });
  const session = await signIn(kiro, sim);
  store.failWrites = () => true;
  const error = await kiro.signOut(session.id).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "storage-unavailable", String(error));
  assert.match(error.message, /Could not save the Kiro sign-in/);
  store.failWrites = () => false;
  assert.deepEqual(parseAuthState(await store.inner.get()).sessions.map((s) => s.id), [session.id]);
});

async function twoWindowTrials(sim: OidcSimulator, windows: [KiroSessionManager, KiroSessionManager], time: ReturnType<typeof clock>, trials: number, gapsMs: (trial: number) => number): Promise<{ tokens: string[][]; requests: number[]; failures: unknown[] }> {
  const tokens: string[][] = [];
  const requests: number[] = [];
  const failures: unknown[] = [];
  for (let trial = 0; trial < trials; trial++) {
    time.advance(2 * HOUR);
    const before = sim.refreshCount;
    const first = windows[0].getAccessToken().catch((e: unknown) => (failures.push(e), ""));
    await new Promise((r) => setTimeout(r, gapsMs(trial)));
    const second = windows[1].getAccessToken().catch((e: unknown) => (failures.push(e), ""));
    tokens.push(await Promise.all([first, second]));
    requests.push(sim.refreshCount - before);
  }
  return { tokens, requests, failures };
}

test("two windows over one store refreshing 0-60 ms apart: the lease makes it one refresh request per rotation, both get that token", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const windowA = auth(sim, { store, now: time.now });
  const windowB = auth(sim, { store, now: time.now });
  await signIn(windowA, sim);
  await windowB.reload();
  const { tokens, requests, failures } = await twoWindowTrials(sim, [windowA, windowB], time, 12, (trial) => trial * 5);
  assert.deepEqual(failures, []);
  assert.deepEqual(requests, requests.map(() => 1), "one refresh request per rotation");
  for (const [a, b] of tokens) assert.ok(a === b && sim.isValidAccessToken(a!), "both windows hand out the one new token");
  assert.equal(await store.companion("refresh-lease").get(), undefined, "the lease is released after each refresh");
});

test("without the lease the window that loses the race sees invalid_grant, waits for the winner's tokens in the store, and is not signed out", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  // The default grace: the winner's refresh and write must land within it, which on a loaded machine can take a while.
  const windowA = auth(sim, { store, now: time.now, refreshLease: false, invalidGrantGraceMs: DEFAULT_INVALID_GRANT_GRACE_MS });
  const windowB = auth(sim, { store, now: time.now, refreshLease: false, invalidGrantGraceMs: DEFAULT_INVALID_GRANT_GRACE_MS });
  await signIn(windowA, sim);
  await windowB.reload();
  const { tokens, requests, failures } = await twoWindowTrials(sim, [windowA, windowB], time, 8, () => 0);
  assert.deepEqual(failures, [], "nobody got invalid_grant");
  assert.ok(requests.some((n) => n === 2), "the race did happen (both windows spent the same refresh token)");
  for (const [a, b] of tokens) assert.ok(a === b && sim.isValidAccessToken(a!), "the loser handed out the winner's token");
  assert.equal((await windowA.getSessions()).length, 1);
});

test("a lease left by a window that vanished mid-refresh is taken over once it is older than its time to live", async (t) => {
  const sim = await oidc(t);
  const time = clock();
  const store = new MemoryTokenStore();
  const kiro = auth(sim, { store, now: time.now, refreshLease: { ttlMs: 300, settleMs: 10 } });
  await signIn(kiro, sim);
  await store.companion("refresh-lease").set(JSON.stringify({ owner: "a-closed-window", sessionId: "x", startedAt: Date.now() }));
  time.advance(2 * HOUR);
  const started = Date.now();
  assert.ok(sim.isValidAccessToken(await kiro.getAccessToken()));
  assert.ok(Date.now() - started >= 250, "it waited for the old lease to run out");
  assert.equal(sim.refreshCount, 1);
});

test("setProfileArn remembers the profile with the session (change event), keeps it through a re-sign-in of the same account, and undefined forgets it", async (t) => {
  const sim = await oidc(t);
  const store = new MemoryTokenStore();
  const kiro = auth(sim, { store });
  const session = await signIn(kiro, sim);
  const events: SessionsChangeEvent[] = [];
  kiro.onDidChange((e) => events.push(e));
  const arn = "arn:aws:codewhisperer:us-east-1:123456789012:profile/CHOSEN";
  const updated = await kiro.setProfileArn(session.id, arn);
  assert.equal(updated?.profileArn, arn);
  assert.equal(parseAuthState(await store.get()).sessions[0]!.profileArn, arn, "stored");
  assert.deepEqual(events.map((e) => e.changed.map((s) => [s.id, s.profileArn])), [[[session.id, arn]]]);
  const window2 = auth(sim, { store });
  assert.equal((await window2.getSession())?.profileArn, arn, "another window sees it");

  const again = await signIn(kiro, sim);
  assert.notEqual(again.id, session.id);
  assert.equal(again.profileArn, arn, "signing in again to the same account keeps the choice");

  assert.equal((await kiro.setProfileArn(again.id, undefined))?.profileArn, undefined);
  assert.equal(parseAuthState(await store.get()).sessions[0]!.profileArn, undefined);
  assert.equal(await kiro.setProfileArn("no-such-session", arn), undefined);
  const refused = await kiro.setProfileArn(again.id, "my-profile").catch((e: unknown) => e);
  assert.ok(refused instanceof AuthError && /is not a Kiro profile ARN/.test(refused.message), String(refused));
});

// The refresh mechanisms for social and external identity provider sign-ins, on sessions kiro-pi holds itself; an imported one is never refreshed this way (importBorrowing.test.ts).
test("an external identity provider session refreshes at its token endpoint through KiroSessionManager, rotation kept", async (t) => {
  const sim = await oidc(t);
  const idp = sim.externalIdp;
  const signedIn = idp.signIn();
  const time = clock();
  const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), now: time.now });
  await kiro.addSession({
    id: "ext",
    method: "external-idp",
    source: "sign-in",
    accessToken: signedIn.accessToken,
    refreshToken: signedIn.refreshToken,
    expiresAt: time.now() - 1000,
    region: "us-east-1",
    account: "Kiro (external identity provider)",
    scopes: [],
    createdAt: 0,
    externalIdp: { tokenEndpoint: idp.tokenEndpoint, clientId: idp.clientId, issuerUrl: idp.issuerUrl },
  });
  const token = await kiro.getAccessToken();
  assert.ok(idp.isValidAccessToken(token));
  const stored = (await kiro.getSession("ext"))!;
  assert.ok(idp.currentRefreshTokens.includes(stored.refreshToken!));
  assert.deepEqual(stored.externalIdp, { tokenEndpoint: idp.tokenEndpoint, clientId: idp.clientId, issuerUrl: idp.issuerUrl }, "kept for the next refresh");
  idp.revokeRefreshTokens();
  const error = await kiro.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "invalid-grant" && needsNewSignIn(error), String(error));
  assert.match(error.message, /Sign in again with kiro-cli or Kiro IDE, then import the sign-in again/);
});

test("the storage parser drops invalid sessions and keeps the valid ones", () => {
  const valid: KiroSession = {
    id: "a",
    method: "social",
    source: "kiro-ide",
    accessToken: "at",
    refreshToken: "rt",
    expiresAt: 1,
    region: "us-east-1",
    account: "Kiro (Google)",
    scopes: [],
    createdAt: 0,
    provider: "Google",
  };
  const text = JSON.stringify({ version: 1, sessions: [valid, { ...valid, id: "b", method: "password" }, { id: "c" }, null, { ...valid }], registrations: [{ clientId: "x" }] });
  const state = parseAuthState(text);
  assert.deepEqual(state.sessions, [valid]);
  assert.deepEqual(state.registrations, []);
  assert.deepEqual(parseAuthState(serializeAuthState(state)), state);
  for (const bad of [undefined, "", "null", "[]", '{"version":2,"sessions":[]}', "\u0000"]) assert.deepEqual(parseAuthState(bad).sessions, []);
});

test("a social (Google/GitHub) session refreshes at the Kiro auth service", async (t) => {
  const social = await startKiroAuthSimulator({ profileArn: "arn:aws:codewhisperer:us-east-1:123456789012:profile/SIM" });
  t.after(() => social.close());
  social.addRefreshToken("social-refresh-1");
  const time = clock();
  const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), socialAuthEndpoint: social.url, now: time.now });
  await kiro.addSession({
    id: "s1",
    method: "social",
    source: "sign-in",
    accessToken: "social-access-old",
    refreshToken: "social-refresh-1",
    expiresAt: time.now() - 1000,
    region: "us-east-1",
    account: "Kiro (Github)",
    provider: "Github",
    scopes: [],
    createdAt: time.now(),
  });
  const token = await kiro.getAccessToken();
  assert.ok(social.isValidAccessToken(token));
  const stored = (await kiro.getSession("s1"))!;
  assert.equal(stored.profileArn, "arn:aws:codewhisperer:us-east-1:123456789012:profile/SIM");
  assert.ok(social.currentRefreshTokens.includes(stored.refreshToken!));

  social.revokeRefreshTokens();
  const error = await kiro.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "invalid-grant", String(error));
  assert.ok(!error.message.includes(stored.refreshToken!));
});

test("an expired session without a refresh token cannot be refreshed and says to sign in again", async () => {
  const kiro = new KiroSessionManager({ store: new MemoryTokenStore() });
  await kiro.addSession({
    id: "x",
    method: "external-idp",
    source: "sign-in",
    accessToken: "external-access",
    expiresAt: 0,
    region: "us-east-1",
    account: "Kiro (external identity provider)",
    scopes: [],
    createdAt: 0,
  });
  const error = await kiro.getAccessToken().catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "invalid-grant", String(error));
});

test("the file token store writes an owner-only file and reads it back", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "kiro-pi-store-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new FileTokenStore(join(dir, "nested", "auth.json"));
  assert.equal(await store.get(), undefined);
  await store.set('{"version":1}');
  assert.equal(await store.get(), '{"version":1}');
  if (process.platform !== "win32") {
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "nested"))).mode & 0o777, 0o700);
  }
  await store.set("second");
  assert.equal(await readFile(store.path, "utf8"), "second");
  await store.delete();
  await store.delete();
  assert.equal(await store.get(), undefined);
});

test("KiroSessionManager over a file store survives a restart (a new instance reads the same sessions)", async (t) => {
  const sim = await oidc(t);
  const dir = await mkdtemp(join(tmpdir(), "kiro-pi-store-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "auth.json");
  const session = await signIn(auth(sim, { store: new FileTokenStore(path) }), sim);
  const restarted = auth(sim, { store: new FileTokenStore(path) });
  assert.equal(await restarted.getAccessToken(), session.accessToken);
  await writeFile(path, "garbage");
  assert.deepEqual(await auth(sim, { store: new FileTokenStore(path) }).getSessions(), []);
});

test("the default token file follows XDG_CONFIG_HOME, APPDATA and KIRO_PI_AUTH_FILE", () => {
  assert.equal(defaultTokenFilePath({ env: {}, platform: "linux", home: "/home/u" }), "/home/u/.config/kiro-pi/auth.json");
  assert.equal(defaultTokenFilePath({ env: { XDG_CONFIG_HOME: "/x" }, platform: "linux", home: "/home/u" }), "/x/kiro-pi/auth.json");
  assert.equal(defaultTokenFilePath({ env: { KIRO_PI_AUTH_FILE: "/y/a.json" }, platform: "linux", home: "/h" }), "/y/a.json");
  assert.ok(defaultTokenFilePath({ env: { APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, platform: "win32", home: "C:\\Users\\u" }).includes("kiro-pi"));
});
