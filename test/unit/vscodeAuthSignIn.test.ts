// The sign-in sequence behind "Kiro: Sign In" (without VS Code, over the auth layer's KiroSessionManager): choices, the code shown once, cancel at each step, denial, expiry; start URL checks; usage rows.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { UserCodeInfo } from "../../src/auth/deviceFlow";
import { AuthError, isAuthError } from "../../src/auth/errors";
import { BUILDER_ID_START_URL, parseAuthState } from "../../src/auth/session";
import { KiroSessionManager } from "../../src/auth/sessionManager";
import { MemoryTokenStore } from "../../src/auth/tokenStore";
import { usageFailureLine, usageLines } from "../../src/vscode/auth/accountUsage";
import { checkStartUrl, isRegionName, signInWithDeviceCode, type SignInChoice, type SignInInteraction } from "../../src/vscode/auth/signInFlow";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";

const SECOND_MS = 20;
const BUILDER_ID: SignInChoice = { method: "builder-id", startUrl: BUILDER_ID_START_URL, region: "us-east-1" };

async function simulator(t: { after(fn: () => Promise<void>): void }): Promise<OidcSimulator> {
  const sim = await startOidcSimulator({ secondMs: SECOND_MS, interval: 1 });
  t.after(() => sim.close());
  return sim;
}

/** The auth layer over an in-memory store, talking to `sim`. */
function kiroAuth(sim: OidcSimulator, store = new MemoryTokenStore()): KiroSessionManager {
  return new KiroSessionManager({ store, oidcEndpoint: sim.url, pollIntervalUnitMs: SECOND_MS });
}

interface ScriptedInteraction extends SignInInteraction {
  shown: UserCodeInfo[];
  waiting: number;
  cancelWaiting?: () => void;
}

/** A person who picks `choice`, then does `onCode` with the code (approve it at the service, dismiss the dialog, ...). */
function person(choice: SignInChoice | undefined, onCode: (code: UserCodeInfo) => boolean): ScriptedInteraction {
  const interaction: ScriptedInteraction = {
    shown: [],
    waiting: 0,
    chooseSignIn: async () => choice,
    presentUserCode: async (code) => {
      interaction.shown.push(code);
      return onCode(code);
    },
    waitForApproval: (_code, approval, cancel) => {
      interaction.waiting++;
      interaction.cancelWaiting = cancel;
      void approval;
    },
  };
  return interaction;
}

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    return error;
  }
  assert.fail("the sign-in succeeded but was expected to fail");
}

test("Builder ID sign-in: the code is shown once, the user approves it, and the session holds the issued tokens", async (t) => {
  const sim = await simulator(t);
  const interaction = person(BUILDER_ID, (code) => {
    sim.approve(code.userCode);
    return true;
  });
  const store = new MemoryTokenStore();
  const session = await signInWithDeviceCode(interaction, kiroAuth(sim, store));
  assert.equal(interaction.shown.length, 1);
  assert.equal(interaction.waiting, 1, "the waiting notification was shown once");
  assert.ok(sim.isValidAccessToken(session.accessToken));
  assert.ok(session.refreshToken && sim.currentRefreshTokens.includes(session.refreshToken));
  assert.equal(session.method, "builder-id");
  assert.equal(session.source, "sign-in");
  assert.equal(session.account, "AWS Builder ID");
  assert.ok(session.expiresAt > Date.now() + 30 * 60_000, "the access token is valid for about an hour");
  assert.deepEqual(parseAuthState(await store.get()).sessions.map((s) => s.id), [session.id], "the session is stored");
});

test("a second sign-in reuses the kept client registration instead of registering again", async (t) => {
  const sim = await simulator(t);
  const approveAll = (code: UserCodeInfo) => (sim.approve(code.userCode), true);
  const auth = kiroAuth(sim);
  await signInWithDeviceCode(person(BUILDER_ID, approveAll), auth);
  await signInWithDeviceCode(person(BUILDER_ID, approveAll), auth);
  assert.equal(sim.registerCount, 1);
});

test("Identity Center sign-in sends the organisation's start URL and names the account after its directory", async (t) => {
  const sim = await simulator(t);
  const choice: SignInChoice = { method: "identity-center", startUrl: "https://my-company.awsapps.com/start/#/", region: "eu-west-1" };
  const session = await signInWithDeviceCode(person(choice, (code) => (sim.approve(code.userCode), true)), kiroAuth(sim));
  const authorization = sim.requests.find((r) => r.path === "/device_authorization");
  assert.equal((authorization?.body as { startUrl?: string }).startUrl, "https://my-company.awsapps.com/start");
  assert.equal(session.method, "identity-center");
  assert.equal(session.region, "eu-west-1");
  assert.equal(session.account, "IAM Identity Center (my-company)");
});

test("backing out of the method picker cancels before anything is sent", async (t) => {
  const sim = await simulator(t);
  const error = await rejection(signInWithDeviceCode(person(undefined, () => true), kiroAuth(sim)));
  assert.equal(error.code, "cancelled");
  assert.equal(sim.requests.length, 0);
});

test("dismissing the code dialog cancels without polling", async (t) => {
  const sim = await simulator(t);
  const interaction = person(BUILDER_ID, () => false);
  const error = await rejection(signInWithDeviceCode(interaction, kiroAuth(sim)));
  assert.equal(error.code, "cancelled");
  assert.equal(interaction.waiting, 0, "no waiting notification after the dialog was dismissed");
  assert.equal(sim.polls.length, 0);
});

test("cancelling the waiting notification stops polling with a cancellation, not an error to show", async (t) => {
  const sim = await simulator(t);
  const interaction = person(BUILDER_ID, () => true);
  const flow = signInWithDeviceCode(interaction, kiroAuth(sim));
  await sim.waitForPolls(2);
  interaction.cancelWaiting?.();
  const error = await rejection(flow);
  assert.ok(isAuthError(error, "cancelled"));
  const polls = sim.polls.length;
  await new Promise((resolve) => setTimeout(resolve, SECOND_MS * 3));
  assert.equal(sim.polls.length, polls, "polling stopped after the cancel");
});

test("denying in the browser ends the sign-in with a message saying to choose Allow", async (t) => {
  const sim = await simulator(t);
  const error = await rejection(
    signInWithDeviceCode(person(BUILDER_ID, (code) => (sim.deny(code.userCode), true)), kiroAuth(sim)),
  );
  assert.equal(error.code, "access-denied");
  assert.match(error.message, /denied/);
});

test("a code nobody approves in time ends with the timed-out message", async (t) => {
  const sim = await simulator(t);
  const error = await rejection(
    signInWithDeviceCode(person(BUILDER_ID, (code) => (sim.expire(code.userCode), true)), kiroAuth(sim)),
  );
  assert.equal(error.code, "timed-out");
  assert.match(error.message, /expired/);
});

test("an unreachable sign-in service ends with a network message naming the host", async () => {
  const error = await rejection(signInWithDeviceCode(person(BUILDER_ID, () => true), new KiroSessionManager({ store: new MemoryTokenStore(), oidcEndpoint: "http://127.0.0.1:9" })));
  assert.equal(error.code, "network");
  assert.match(error.message, /127\.0\.0\.1:9/);
});

test("start URL check: awsapps start URLs and other https URLs pass; http, non-URLs and Builder ID's URL do not", () => {
  assert.deepEqual(checkStartUrl("https://my-company.awsapps.com/start"), {});
  assert.deepEqual(checkStartUrl("  https://my-company.awsapps.com/start/#/ "), {});
  assert.deepEqual(checkStartUrl("https://sso.example.com/portal"), {});
  assert.match(checkStartUrl("").error ?? "", /Enter your organization's start URL/);
  assert.match(checkStartUrl("my-company").error ?? "", /not a URL/);
  assert.match(checkStartUrl("http://my-company.awsapps.com/start").error ?? "", /https/);
  assert.match(checkStartUrl("https://view.awsapps.com/start").error ?? "", /Builder ID/);
  const slip = checkStartUrl("https://my-company.awsapps.com/");
  assert.equal(slip.error, undefined);
  assert.match(slip.warning ?? "", /\/start/);
});

test("region names: eu-west-1 and us-gov-west-1 are regions, typos are not", () => {
  assert.ok(isRegionName("eu-west-1"));
  assert.ok(isRegionName("us-gov-west-1"));
  assert.ok(!isRegionName("eu-west"));
  assert.ok(!isRegionName("Frankfurt"));
});

test("usage rows: used / limit with percentage and reset date, active trial, then the plan; a failure row says why", () => {
  const rows = usageLines(
    {
      used: 12.5,
      limit: 550,
      remaining: 537.5,
      percentUsed: 2.3,
      resetDate: "2026-12-01T00:00:00.000Z",
      plan: "KIRO FREE",
      unit: "credit",
      base: { used: 12.5, limit: 50 },
      freeTrial: { used: 0, limit: 500, expiresAt: "2026-12-10T00:00:00.000Z", status: "ACTIVE" },
      bonuses: [{ used: 0, limit: 10, status: "EXPIRED" }],
    },
    "en-US",
  );
  assert.deepEqual(rows, [
    { label: "$(graph) Credits: 12.5 / 550 used", description: "2.3%", detail: "Resets on Dec 1, 2026" },
    { label: "$(gift) Free trial: 0 / 500", detail: "Ends on Dec 10, 2026" },
    { label: "$(star-empty) Plan: KIRO FREE" },
  ]);
  assert.equal(usageFailureLine("Kiro answered 403.").detail, "Kiro answered 403.");
});
