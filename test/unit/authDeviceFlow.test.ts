// The OIDC device flow against the loopback OIDC simulator: every polling answer, cancellation, network failures, registration reuse.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runDeviceFlow, type DeviceFlowOptions, type UserCodeInfo } from "../../src/auth/deviceFlow";
import { AuthError } from "../../src/auth/errors";
import { BUILDER_ID_START_URL, KIRO_SCOPES, type ClientRegistration } from "../../src/auth/session";
import { startOidcSimulator, type OidcSimulator, type OidcSimulatorOptions } from "../sim/oidcSimulator";

/** 20 ms per simulated second: a 1 s interval and the +5 s of slow_down keep their ratio but take milliseconds. */
const SECOND_MS = 20;

async function simulator(t: { after(fn: () => Promise<void>): void }, options: OidcSimulatorOptions = {}): Promise<OidcSimulator> {
  const sim = await startOidcSimulator({ secondMs: SECOND_MS, interval: 1, ...options });
  t.after(() => sim.close());
  return sim;
}

function flowOptions(sim: OidcSimulator, extra: Partial<DeviceFlowOptions> = {}): DeviceFlowOptions {
  return { oidcEndpoint: sim.url, pollIntervalUnitMs: SECOND_MS, onUserCode: () => {}, ...extra };
}

/** Every secret the simulator handed out or received, to prove none leaks into an error message. */
function secretsSeenBy(sim: OidcSimulator): string[] {
  const secrets: string[] = [];
  for (const request of sim.requests) {
    const body = request.body as Record<string, unknown> | undefined;
    for (const key of ["clientSecret", "deviceCode", "refreshToken"]) {
      if (body && typeof body[key] === "string") secrets.push(body[key] as string);
    }
  }
  return [...secrets, ...sim.issuedAccessTokens];
}

function assertNoSecretIn(error: unknown, sim: OidcSimulator): void {
  const text = `${(error as Error).message} ${(error as AuthError).userMessage ?? ""}`;
  for (const secret of secretsSeenBy(sim)) assert.ok(!text.includes(secret), "an error message contains a secret");
}

test("approving the code after a few pending polls signs in with tokens the service issued", async (t) => {
  const sim = await simulator(t);
  const shown: UserCodeInfo[] = [];
  const approved = sim.waitForPolls(3).then(() => sim.approve());
  const result = await runDeviceFlow(flowOptions(sim, { onUserCode: (info) => void shown.push(info) }));
  await approved;

  assert.equal(shown.length, 1);
  assert.match(shown[0]!.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
  assert.equal(shown[0]!.verificationUriComplete, `${sim.url}/device?user_code=${encodeURIComponent(shown[0]!.userCode)}`);
  assert.equal(shown[0]!.expiresIn, 600);
  assert.ok(sim.isValidAccessToken(result.accessToken), "the access token is one the service issued");
  assert.ok(result.refreshToken && sim.currentRefreshTokens.includes(result.refreshToken));
  assert.equal(result.method, "builder-id");
  assert.equal(result.startUrl, BUILDER_ID_START_URL);
  assert.deepEqual(sim.polls.map((p) => p.answer), ["authorization_pending", "authorization_pending", "authorization_pending", "approved"]);
  assert.equal(sim.pollViolations, 0, "no poll arrived sooner than the interval the service demanded");
});

test("the registration and device authorization bodies are the ones docs/kiro-protocol.md (sign-in, device flow) describes", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(1).then(() => sim.approve());
  await runDeviceFlow(flowOptions(sim, { startUrl: "https://d-90670ca891.awsapps.com/start/#/" }));
  const [register, authorize] = sim.requests;
  assert.deepEqual(register!.body, {
    clientName: "kiro-pi",
    clientType: "public",
    scopes: [...KIRO_SCOPES],
    grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
  });
  assert.equal(register!.status, 200);
  assert.equal((authorize!.body as { startUrl: string }).startUrl, "https://d-90670ca891.awsapps.com/start");
});

test("an Identity Center start URL gives an identity-center result", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(1).then(() => sim.approve());
  const result = await runDeviceFlow(flowOptions(sim, { startUrl: "https://my-org.awsapps.com/start", region: "eu-west-1" }));
  assert.equal(result.method, "identity-center");
  assert.equal(result.region, "eu-west-1");
  assert.equal(result.registration.region, "eu-west-1");
});

test("slow_down makes the client wait five more seconds before every later poll", async (t) => {
  const sim = await simulator(t);
  sim.slowDownOnce();
  void sim.waitForPolls(3).then(() => sim.approve());
  await runDeviceFlow(flowOptions(sim));
  assert.deepEqual(sim.polls.map((p) => p.answer), ["slow_down", "authorization_pending", "authorization_pending", "approved"]);
  assert.equal(sim.polls[1]!.requiredMs, 6 * SECOND_MS, "the service now demands 1 + 5 seconds");
  assert.equal(sim.pollViolations, 0, "no poll came sooner than the raised interval");
});

test("a client that ignored slow_down would be caught by the simulator", async (t) => {
  // Guards the test above: a client that polls at a thirtieth of the demanded interval must be
  // counted. The simulator's second is long here (200 ms: 600 ms demanded) so that a loaded machine,
  // whose timers fire late, cannot stretch the client's 20 ms gaps past what the service demands; the
  // code lives the default 600 s, so the client's own expiry (scaled to its short unit) cannot end the
  // flow before it polls, and the flow is stopped after its second poll.
  const sim = await startOidcSimulator({ secondMs: 200, interval: 3 });
  t.after(() => sim.close());
  const stop = new AbortController();
  void sim.waitForPolls(2).then(() => stop.abort());
  await runDeviceFlow({ oidcEndpoint: sim.url, pollIntervalUnitMs: 200 / 30, onUserCode: () => {}, signal: stop.signal }).catch(() => undefined);
  assert.ok(sim.pollViolations > 0, `polls every ~20 ms went unnoticed: ${JSON.stringify(sim.polls.map((p) => p.gapMs))}`);
});

test("an expired code stops the flow with a timed-out error that says what to do", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(2).then(() => sim.expire());
  const error = await runDeviceFlow(flowOptions(sim)).then(
    () => assert.fail("expected the flow to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, "timed-out");
  assert.match(error.message, /expired before it was approved.*Sign in again/);
  assertNoSecretIn(error, sim);
});

test("the flow gives up by itself once the code's lifetime has passed", async (t) => {
  const sim = await simulator(t, { expiresIn: 3 });
  const error = await runDeviceFlow(flowOptions(sim)).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "timed-out", String(error));
});

test("denying in the browser stops the flow with access-denied", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(1).then(() => sim.deny());
  const error = await runDeviceFlow(flowOptions(sim)).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, "access-denied");
  assert.match(error.message, /denied.*Allow/);
  assertNoSecretIn(error, sim);
});

test("AWS-style error bodies ({__type, message}) are understood the same way", async (t) => {
  const sim = await simulator(t, { errorShape: "aws" });
  sim.slowDownOnce();
  void sim.waitForPolls(2).then(() => sim.deny());
  const error = await runDeviceFlow(flowOptions(sim)).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "access-denied", String(error));
  assert.deepEqual(sim.polls.map((p) => p.answer), ["slow_down", "authorization_pending", "access_denied"]);
  assert.equal(sim.pollViolations, 0);
});

test("cancelling while the flow sleeps between polls ends it at once", { timeout: 20_000 }, async (t) => {
  // A 30 s interval: if cancellation waited for the sleep to end, the test's timeout would fail it.
  const sim = await startOidcSimulator({ interval: 30 });
  t.after(() => sim.close());
  const controller = new AbortController();
  const flow = runDeviceFlow({ oidcEndpoint: sim.url, signal: controller.signal, onUserCode: () => void setImmediate(() => controller.abort()) });
  const error = await flow.catch((e: unknown) => e);
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, "cancelled");
  assert.equal(sim.polls.length, 0, "no poll was sent after the user cancelled");
});

test("cancelling before the code is shown never calls onUserCode", async (t) => {
  const sim = await simulator(t);
  const controller = new AbortController();
  controller.abort();
  let shown = false;
  const error = await runDeviceFlow(flowOptions(sim, { signal: controller.signal, onUserCode: () => void (shown = true) })).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "cancelled");
  assert.equal(shown, false);
});

test("an unreachable sign-in service is a network error naming the host and the reason", async () => {
  const sim = await startOidcSimulator();
  const url = sim.url;
  await sim.close();
  const error = await runDeviceFlow({ oidcEndpoint: url, onUserCode: () => {} }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, "network");
  assert.match(error.message, new RegExp(`Could not reach ${new URL(url).host} \\(ECONNREFUSED\\).*internet connection`));
});

test("losing the service while polling ends in a network error after a few retries", async (t) => {
  const sim = await simulator(t);
  let closed: Promise<void> | undefined;
  const error = await runDeviceFlow(flowOptions(sim, { onUserCode: () => void (closed = sim.close()) })).catch((e: unknown) => e);
  await closed;
  assert.ok(error instanceof AuthError && error.code === "network", String(error));
});

test("one 500 while polling is retried, and the sign-in still succeeds", async (t) => {
  const sim = await simulator(t);
  sim.failNext("/token", 500, { __type: "InternalServerException", message: "try later" });
  void sim.waitForPolls(1).then(() => sim.approve());
  const result = await runDeviceFlow(flowOptions(sim));
  assert.ok(sim.isValidAccessToken(result.accessToken));
  assert.equal(sim.requests.filter((r) => r.path === "/token" && r.status === 500).length, 1);
});

test("a rejected registration request is a service error with the service's reason", async (t) => {
  const sim = await simulator(t);
  const error = await runDeviceFlow(flowOptions(sim, { scopes: ["codewhisperer:everything"] })).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, "service");
  assert.match(error.message, /invalid_scope.*Unknown scopes: codewhisperer:everything/);
});

test("a registration is created once, reported for caching, and reused by the next sign-in", async (t) => {
  const sim = await simulator(t);
  const cached: ClientRegistration[] = [];
  void sim.waitForPolls(1).then(() => sim.approve());
  const first = await runDeviceFlow(flowOptions(sim, { onRegistration: (r) => void cached.push(r) }));
  assert.equal(cached.length, 1);
  assert.deepEqual(first.registration, cached[0]);
  assert.ok(first.registration.expiresAt > Date.now() + 80 * 24 * 3600 * 1000, "expiry converted from epoch seconds to ms");

  void sim.waitForPolls(sim.polls.length + 2).then(() => sim.approve());
  const second = await runDeviceFlow(flowOptions(sim, { registration: cached[0], onRegistration: (r) => void cached.push(r) }));
  assert.equal(sim.registerCount, 1, "no second registration");
  assert.equal(cached.length, 1);
  assert.equal(second.registration.clientId, first.registration.clientId);
});

test("an expired cached registration is replaced by a new one", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(1).then(() => sim.approve());
  const first = await runDeviceFlow(flowOptions(sim));
  void sim.waitForPolls(sim.polls.length + 2).then(() => sim.approve());
  const second = await runDeviceFlow(flowOptions(sim, { registration: { ...first.registration, expiresAt: Date.now() - 1000 } }));
  assert.equal(sim.registerCount, 2);
  assert.notEqual(second.registration.clientId, first.registration.clientId);
});

test("a cached registration the service no longer accepts is replaced once, without failing the sign-in", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(1).then(() => sim.approve());
  const first = await runDeviceFlow(flowOptions(sim));
  sim.revokeClients();
  void sim.waitForPolls(sim.polls.length + 2).then(() => sim.approve());
  const second = await runDeviceFlow(flowOptions(sim, { registration: first.registration }));
  assert.equal(sim.registerCount, 2);
  assert.ok(sim.isValidAccessToken(second.accessToken));
});

test("a registration cached for another region is not reused", async (t) => {
  const sim = await simulator(t);
  void sim.waitForPolls(1).then(() => sim.approve());
  const first = await runDeviceFlow(flowOptions(sim, { region: "us-east-1" }));
  void sim.waitForPolls(sim.polls.length + 2).then(() => sim.approve());
  await runDeviceFlow(flowOptions(sim, { region: "eu-central-1", registration: first.registration }));
  assert.equal(sim.registerCount, 2);
});

test("the simulator's verification page approves the code the way a person would (form POST)", async (t) => {
  const sim = await simulator(t);
  const flow = runDeviceFlow(
    flowOptions(sim, {
      onUserCode: async (info) => {
        const page = await (await fetch(info.verificationUriComplete)).text();
        assert.ok(page.includes(`id="user-code">${info.userCode}<`));
        assert.match(page, /<button id="approve"/);
        const approved = await fetch(`${sim.url}/device/approve`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ user_code: info.userCode }).toString(),
        });
        assert.match(await approved.text(), /Request approved/);
      },
    }),
  );
  const result = await flow;
  assert.ok(sim.isValidAccessToken(result.accessToken));
  assert.deepEqual(sim.polls.map((p) => p.answer), ["approved"]);
});

test("a service asking for a huge poll interval is polled at most once a minute, not flat out", async (t) => {
  // 1e10 s overflows a timer (Node then fires after 1 ms); the flow keeps the interval at 60 s (60 × 20 ms here).
  const sim = await simulator(t, { interval: 1e10, expiresIn: 1e12 });
  const controller = new AbortController();
  const flow = runDeviceFlow(flowOptions(sim, { signal: controller.signal }));
  await new Promise((resolve) => setTimeout(resolve, 600));
  controller.abort();
  await flow.catch(() => undefined);
  assert.equal(sim.polls.length, 0, "no poll before a clamped 60 s interval (1.2 s here) has passed");
});
