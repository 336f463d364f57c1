// getUsageLimits against the Kiro simulator and a loopback server: the numbers a status bar shows, and each failure by name.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { KiroError } from "../../src/kiro/errors";
import { KiroClient } from "../../src/kiro/client";
import type { KiroRoute } from "../../src/kiro/service/endpoints";
import { clearRouteCache } from "../../src/kiro/service/route";
import { resolveKiroSettings } from "../../src/kiro/settings";
import { getUsageLimits, parseUsageLimits } from "../../src/kiro/service/usageLimits";
import { defaultSimUsageLimits, startKiroSimulator } from "../sim/kiroSimulator";

/** A server that answers every request with one fixed response, recording what it was asked. */
async function fixedServer(t: { after(fn: () => Promise<void>): void }, status: number, body: string, headers: Record<string, string> = {}): Promise<{ url: string; urls: string[] }> {
  const urls: string[] = [];
  const server = createServer((req, res) => {
    urls.push(req.url ?? "");
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls };
}

/** A q-host route to a loopback server. */
function route(url: string, profileArn?: string): KiroRoute {
  return { generation: "q", region: "us-east-1", endpoint: url, ...(profileArn ? { profileArn } : {}) };
}

/** The client a host uses, over one token and an endpoint override: it finds the route (profile included) itself. */
function clientFor(url: string, accessToken: string): KiroClient {
  return new KiroClient({ credentials: async () => ({ accessToken }), settings: () => resolveKiroSettings({ endpoint: url }, {}) });
}

test("usage, limit, reset date, plan and email come back from the service's answer", async (t) => {
  const sim = await startKiroSimulator();
  t.after(() => sim.close());
  clearRouteCache();
  const usage = await clientFor(sim.url, sim.accessToken).usage();
  const expected = defaultSimUsageLimits();
  assert.equal(usage.used, 12.5, "the precise (fractional) usage wins over the rounded one");
  assert.equal(usage.limit, 50);
  assert.equal(usage.remaining, 37.5);
  assert.equal(usage.percentUsed, 25);
  assert.equal(usage.resetDate, new Date(expected.usageBreakdownList[0]!.nextDateReset * 1000).toISOString());
  assert.equal(usage.plan, "KIRO FREE");
  assert.equal(usage.email, "sim-user@example.com");
  assert.equal(usage.unit, "credit");
  const request = sim.requests.at(-1)!;
  assert.equal(request.headers["authorization"], `Bearer ${sim.accessToken}`);
  assert.match(request.path, /getUsageLimits/);
  assert.ok(request.query.profileArn, "the usage call names the account's profile");
});

test("the profile ARN goes into the query when there is one", async (t) => {
  const server = await fixedServer(t, 200, JSON.stringify(defaultSimUsageLimits()));
  await getUsageLimits({ accessToken: "t0ken-value", route: route(server.url, "arn:aws:codewhisperer:us-east-1:1:profile/P") });
  const query = new URL(server.urls[0]!, server.url).searchParams;
  assert.equal(query.get("profileArn"), "arn:aws:codewhisperer:us-east-1:1:profile/P");
  assert.equal(query.get("isEmailRequired"), "true");
  assert.equal(query.get("resourceType"), "AGENTIC_REQUEST");
});

test("an active free trial and bonuses add to the totals; expired ones do not", () => {
  const usage = parseUsageLimits({
    usageBreakdownList: [
      { resourceType: "OTHER", currentUsage: 1, usageLimit: 2 },
      {
        resourceType: "AGENTIC_REQUEST",
        currentUsageWithPrecision: 10,
        usageLimitWithPrecision: 50,
        nextDateReset: "2030-02-01T00:00:00Z",
        freeTrialInfo: { freeTrialStatus: "ACTIVE", currentUsageWithPrecision: 100.25, usageLimitWithPrecision: 500, freeTrialExpiry: 1900000000 },
        bonuses: [
          { currentUsage: 5, usageLimit: 20, status: "ACTIVE", expiresAt: 1900000000 },
          { currentUsage: 20, usageLimit: 20, status: "EXPIRED" },
        ],
      },
    ],
    subscriptionInfo: { subscriptionTitle: "KIRO PRO" },
  });
  assert.equal(usage.used, 115.25);
  assert.equal(usage.limit, 570);
  assert.equal(usage.base.limit, 50);
  assert.equal(usage.freeTrial?.status, "ACTIVE");
  assert.equal(usage.freeTrial?.expiresAt, new Date(1900000000 * 1000).toISOString());
  assert.equal(usage.bonuses.length, 2);
  assert.equal(usage.resetDate, "2030-02-01T00:00:00.000Z");
  assert.equal(usage.email, undefined);
});

test("an answer without a usage breakdown is a clear error, not zeros", () => {
  assert.throws(() => parseUsageLimits({ subscriptionInfo: {} }), (e: unknown) => e instanceof KiroError && /no usage breakdown/.test(e.message));
  assert.throws(() => parseUsageLimits("nope"), KiroError);
});

test("a rejected token is an auth error telling the user to sign in again, without the token", async (t) => {
  const sim = await startKiroSimulator();
  t.after(() => sim.close());
  clearRouteCache();
  const error = await clientFor(sim.url, "expired-token-value").usage().catch((e: unknown) => e);
  assert.ok(error instanceof KiroError);
  assert.equal(error.kind, "auth");
  assert.match(error.message, /Sign in again/);
  assert.ok(!error.message.includes("expired-token-value"));
});

test("suspension, throttling, server errors and non-JSON answers are named", async (t) => {
  const suspended = await fixedServer(t, 403, JSON.stringify({ message: "Account suspended", reason: "TEMPORARILY_SUSPENDED" }));
  const throttled = await fixedServer(t, 429, JSON.stringify({ message: "Rate exceeded" }), { "x-amzn-errortype": "ThrottlingException" });
  const broken = await fixedServer(t, 503, "Service Unavailable");
  const html = await fixedServer(t, 200, "<html>proxy login</html>");
  const kinds: string[] = [];
  for (const server of [suspended, throttled, broken, html]) {
    const error = await getUsageLimits({ accessToken: "tok-123456", route: route(server.url) }).catch((e: unknown) => e);
    assert.ok(error instanceof KiroError, String(error));
    kinds.push(error.kind);
  }
  assert.deepEqual(kinds, ["suspended", "throttled", "server", "bad-request"]);
});

test("an unreachable endpoint is a network error; an aborted call is aborted", async (t) => {
  const server = await fixedServer(t, 200, "{}");
  const closed = server.url;
  const gone = await new Promise<string>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      s.close(() => resolve(url));
    });
  });
  const network = await getUsageLimits({ accessToken: "tok-123456", route: route(gone) }).catch((e: unknown) => e);
  assert.ok(network instanceof KiroError && network.kind === "network", String(network));
  const controller = new AbortController();
  controller.abort();
  const aborted = await getUsageLimits({ accessToken: "tok-123456", route: route(closed), signal: controller.signal }).catch((e: unknown) => e);
  assert.ok(aborted instanceof KiroError && aborted.kind === "aborted", String(aborted));
});
