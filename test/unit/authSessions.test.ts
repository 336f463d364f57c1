// KiroAuth over a TokenStore: sign-in, sign-out, change events, refresh ahead of expiry, one refresh for many callers, invalid_grant, social refresh, stores.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AuthError } from "../../src/auth/errors";
import { KiroAuth, type KiroAuthOptions, type SessionsChangeEvent } from "../../src/auth/sessionManager";
import { parseAuthState, serializeAuthState, type KiroSession } from "../../src/auth/session";
import { needsNewSignIn } from "../../src/auth/tokenRefresh";
import { defaultTokenFilePath, FileTokenStore, MemoryTokenStore } from "../../src/auth/tokenStore";
import { startKiroAuthSimulator } from "../sim/kiroAuthSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";

const SECOND_MS = 10;
const HOUR = 3600 * 1000;

async function oidc(t: { after(fn: () => Promise<void>): void }): Promise<OidcSimulator> {
  const sim = await startOidcSimulator({ secondMs: SECOND_MS, interval: 1 });
  t.after(() => sim.close());
  return sim;
}

/** A clock the test moves by hand, so "an hour later" needs no waiting. */
function clock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

function auth(sim: OidcSimulator, extra: Partial<KiroAuthOptions> = {}): KiroAuth {
  return new KiroAuth({ store: new MemoryTokenStore(), oidcEndpoint: sim.url, pollIntervalUnitMs: SECOND_MS, ...extra });
}

async function signIn(kiro: KiroAuth, sim: OidcSimulator): Promise<KiroSession> {
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
  const kiro = new KiroAuth({ store: new MemoryTokenStore() });
  const error = await kiro.getAccessToken().catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "not-signed-in");
  assert.match(error.message, /Kiro: Sign In/);
});

test("corrupt storage reads as no sessions and is overwritten by the next sign-in", async (t) => {
  const sim = await oidc(t);
  const store = new MemoryTokenStore("{not json");
  const kiro = auth(sim, { store });
  assert.deepEqual(await kiro.getSessions(), []);
  const session = await signIn(kiro, sim);
  assert.deepEqual(parseAuthState(await store.get()).sessions.map((s) => s.id), [session.id]);
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
  const kiro = new KiroAuth({ store: new MemoryTokenStore(), socialAuthEndpoint: social.url, now: time.now });
  await kiro.addSession({
    id: "s1",
    method: "social",
    source: "kiro-ide",
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
  const kiro = new KiroAuth({ store: new MemoryTokenStore() });
  await kiro.addSession({
    id: "x",
    method: "external-idp",
    source: "kiro-cli",
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

test("KiroAuth over a file store survives a restart (a new instance reads the same sessions)", async (t) => {
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
