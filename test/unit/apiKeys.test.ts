// Kiro API keys (`ksk_…`, docs/kiro-protocol.md#api-keys) end to end against the simulator: TokenType: API_KEY, the profile from GetProfile or the settings, a refused key never refreshed, the key kept out of every message; and the API-key sign-in of the auth layer.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { apiKeySession, checkApiKey } from "../../src/auth/apiKey";
import { isAuthError } from "../../src/auth/errors";
import { kiroTokenType } from "../../src/auth/session";
import { KiroSessionManager } from "../../src/auth/sessionManager";
import { refreshSession } from "../../src/auth/tokenRefresh";
import { MemoryTokenStore } from "../../src/auth/tokenStore";
import { KiroClient } from "../../src/kiro/client";
import { getModel } from "../../src/kiro/catalog/models";
import { clearRouteCache } from "../../src/kiro/service/route";
import { resolveKiroSettings } from "../../src/kiro/settings";
import type { KiroStreamOptions } from "../../src/kiro/options";
import { streamKiro } from "../../src/kiro/stream";
import type { AssistantMessage, Context } from "../../src/kiro/types";
import { createKiroStreamFunction } from "../../src/pi/kiroPiProvider";
import { piCredentialsToSession, sessionToPiCredentials } from "../../src/pi/kiroCredentials";
import { scrubSecrets } from "../../src/util/secrets";
import { DEFAULT_SIM_PROFILE, simProfile, startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";

const KEY = "ksk_simTestKey0123456789abcdefWXYZ";
const OTHER_KEY = "ksk_notTheKeyKiroKnows9876543210zz";
const model = getModel("kiro", "claude-sonnet-4-5");
const context: Context = { messages: [{ role: "user", content: "Say hello.", timestamp: 1_700_000_000_000 }] };

let sim: KiroSimulator;
let noGetProfile: KiroSimulator;

before(async () => {
  sim = await startKiroSimulator({ accessToken: KEY, apiKeys: [KEY], seed: 3 });
  noGetProfile = await startKiroSimulator({ accessToken: KEY, apiKeys: [KEY], getProfile: false, seed: 4 });
});
after(async () => {
  await sim.close();
  await noGetProfile.close();
});
beforeEach(() => {
  clearRouteCache();
  sim.requests.length = 0;
  noGetProfile.requests.length = 0;
});

async function answer(options: KiroStreamOptions): Promise<AssistantMessage> {
  const stream = streamKiro(model, context, { retryBaseDelayMs: 5, ...options });
  for await (const _event of stream) void _event;
  return stream.result();
}

function textOf(message: AssistantMessage): string {
  return message.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

describe("the simulator is as strict as the service with API keys", () => {
  it("refuses a key sent without TokenType: API_KEY as an invalid bearer token", async () => {
    const response = await fetch(`${sim.url}/generateAssistantResponse`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: "{}" });
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as { message: string }).message, /bearer token included in the request is invalid/);
    assert.match(sim.requests[0]!.validationErrors[0]!, /^api-key-token-type: /);
  });

  it("answers ListAvailableProfiles for a key with 403 Unsupported token type, and GetProfile with the key's profile", async () => {
    const headers = { authorization: `Bearer ${KEY}`, tokentype: "API_KEY", "content-type": "application/x-amz-json-1.0" };
    const list = await fetch(`${sim.url}/`, { method: "POST", headers: { ...headers, "x-amz-target": "AmazonCodeWhispererService.ListAvailableProfiles" }, body: "{}" });
    assert.equal(list.status, 403);
    assert.deepEqual(await list.json(), { message: "Unsupported token type" });
    const get = await fetch(`${sim.url}/`, { method: "POST", headers: { ...headers, "x-amz-target": "AmazonCodeWhispererService.GetProfile" }, body: "{}" });
    assert.equal(get.status, 200);
    assert.deepEqual(await get.json(), { profile: DEFAULT_SIM_PROFILE });
  });

  it("refuses a chat from a key that names no profile with the service's profile error", async () => {
    const body = JSON.stringify({ conversationState: { chatTriggerType: "MANUAL", conversationId: "c", currentMessage: { userInputMessage: { content: "hi", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } } } });
    const response = await fetch(`${sim.url}/generateAssistantResponse`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, tokentype: "API_KEY", "content-type": "application/json" }, body });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { message: string }).message, /profileArn is required/);
  });
});

describe("streamKiro with an API key", () => {
  it("answers with KIRO_API_KEY alone: every call says TokenType: API_KEY, the profile comes from GetProfile, profiles are never listed", async () => {
    const message = await answer({ endpoint: sim.url, env: { KIRO_API_KEY: KEY } });
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.match(textOf(message), /You said: Say hello/);
    assert.ok(sim.requests.length >= 2);
    for (const request of sim.requests) assert.equal(request.headers["tokentype"], "API_KEY", `${request.operation} carries the header`);
    assert.equal(sim.requestsFor("getProfile").length, 1);
    assert.equal(sim.requestsFor("listAvailableProfiles").length, 0);
    assert.equal(sim.generateRequests()[0]!.profileArn, DEFAULT_SIM_PROFILE.arn);
    assert.deepEqual(sim.callsWithoutProfileArn(), []);
  });

  it("prefers KIRO_API_KEY over KIRO_ACCESS_TOKEN, and treats a ksk_ value in KIRO_ACCESS_TOKEN as a key", async () => {
    const both = await answer({ endpoint: sim.url, env: { KIRO_API_KEY: KEY, KIRO_ACCESS_TOKEN: "some-access-token" } });
    assert.equal(both.stopReason, "stop", both.errorMessage);
    assert.equal(sim.generateRequests()[0]!.headers["authorization"], `Bearer ${KEY}`);
    sim.requests.length = 0;
    const asToken = await answer({ endpoint: sim.url, env: { KIRO_ACCESS_TOKEN: KEY } });
    assert.equal(asToken.stopReason, "stop", asToken.errorMessage);
    assert.equal(sim.generateRequests()[0]!.headers["tokentype"], "API_KEY");
  });

  it("uses a profile named in the settings without asking GetProfile", async () => {
    const named = simProfile("us-east-1", "NAMEDPROFILE");
    sim.profiles = [DEFAULT_SIM_PROFILE, named];
    try {
      const message = await answer({ endpoint: sim.url, env: { KIRO_API_KEY: KEY, KIRO_PROFILE_ARN: named.arn } });
      assert.equal(message.stopReason, "stop", message.errorMessage);
      assert.equal(sim.requestsFor("getProfile").length, 0);
      assert.equal(sim.generateRequests()[0]!.profileArn, named.arn);
    } finally {
      sim.profiles = [DEFAULT_SIM_PROFILE];
    }
  });

  it("without a profile setting and without GetProfile, fails as a profile problem that asks for the ARN, and sends no chat", async () => {
    const message = await answer({ endpoint: noGetProfile.url, env: { KIRO_API_KEY: KEY } });
    assert.equal(message.stopReason, "error");
    assert.equal(message.kiro?.error?.kind, "profile");
    assert.match(message.errorMessage ?? "", /profile this API key belongs to.*could not be looked up.*profile ARN/);
    assert.equal(noGetProfile.generateRequests().length, 0, "no chat goes out without a profile");
    assert.ok(!(message.errorMessage ?? "").includes(KEY));
  });

  it("a refused key is reported as such, never refreshed, and never quoted", async () => {
    let refreshes = 0;
    const message = await answer({
      endpoint: sim.url,
      accessToken: OTHER_KEY,
      env: {},
      refreshAccessToken: async () => {
        refreshes++;
        return KEY;
      },
    });
    assert.equal(message.stopReason, "error");
    assert.equal(message.kiro?.error?.kind, "auth");
    assert.match(message.errorMessage ?? "", /Kiro refused the API key \(403.*make a new one in Kiro; an API key is never refreshed/);
    assert.equal(refreshes, 0, "an API key is never refreshed");
    assert.ok(!JSON.stringify(message).includes(OTHER_KEY), "the key appears nowhere in the failed answer");
  });

  it("a refused key on the chat call (profile named) is reported the same way", async () => {
    const message = await answer({ endpoint: sim.url, accessToken: OTHER_KEY, env: { KIRO_PROFILE_ARN: DEFAULT_SIM_PROFILE.arn } });
    assert.equal(message.kiro?.error?.kind, "auth");
    assert.match(message.errorMessage ?? "", /Kiro refused the API key/);
    assert.equal(sim.generateRequests().length, 1);
  });

  it("a KiroClient over an API-key session reads the catalog with the key's profile", async () => {
    const session = apiKeySession(KEY, "s1", Date.now());
    const client = new KiroClient({
      credentials: async () => ({ accessToken: session.accessToken, tokenType: kiroTokenType(session) }),
      settings: () => resolveKiroSettings({ endpoint: sim.url }, {}),
    });
    client.forgetCaches();
    const models = await client.catalog();
    assert.ok(models.length > 0);
    assert.equal(sim.requestsFor("listAvailableModels")[0]!.profileArn, DEFAULT_SIM_PROFILE.arn);
    assert.equal(client.lastRoute?.profileArn, DEFAULT_SIM_PROFILE.arn);
  });
});

describe("pi direct mode with KIRO_API_KEY", () => {
  it("answers, and the way out of a missing profile names KIRO_PROFILE_ARN", async () => {
    const streamFn = createKiroStreamFunction({ env: { KIRO_API_KEY: KEY, KIRO_ENDPOINT: sim.url } });
    const ok = streamFn(model, { messages: context.messages }, {});
    for await (const _event of ok) void _event;
    const okMessage = await ok.result();
    assert.equal(okMessage.stopReason, "stop", okMessage.errorMessage);

    const failing = createKiroStreamFunction({ env: { KIRO_API_KEY: KEY, KIRO_ENDPOINT: noGetProfile.url } })(model, { messages: context.messages }, {});
    for await (const _event of failing) void _event;
    const failed = await failing.result();
    assert.equal(failed.kiro?.error?.kind, "profile");
    assert.match(failed.errorMessage ?? "", /Set KIRO_PROFILE_ARN/);
    assert.ok(!(failed.errorMessage ?? "").includes(KEY));
  });

  it("a refused key tells pi's user which variable held it", async () => {
    const failing = createKiroStreamFunction({ env: { KIRO_API_KEY: OTHER_KEY, KIRO_ENDPOINT: sim.url } })(model, { messages: context.messages }, {});
    for await (const _event of failing) void _event;
    const failed = await failing.result();
    assert.match(failed.errorMessage ?? "", /Kiro refused the API key.*pi reads the key from KIRO_API_KEY/);
    assert.ok(!(failed.errorMessage ?? "").includes(OTHER_KEY));
  });
});

describe("API-key sign-ins in the auth layer", () => {
  it("checks a pasted key's shape without quoting it", () => {
    assert.equal(checkApiKey(`  ${KEY}\n`), undefined);
    assert.match(checkApiKey("") ?? "", /starts with ksk_/);
    assert.match(checkApiKey("sk-ant-0123456789abcdef0123") ?? "", /starts with ksk_/);
    assert.match(checkApiKey("ksk_abc") ?? "", /too short/);
    assert.match(checkApiKey("ksk_abcdefgh ijklmnopqrstu") ?? "", /spaces/);
    for (const bad of ["ksk_abc", "ksk_abcdefgh ijklmnopqrstu"]) assert.ok(!(checkApiKey(bad) ?? "").includes(bad));
  });

  it("stores a key as a session labelled by its last four characters, with TokenType API_KEY, that is never refreshed", async () => {
    const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), refreshAheadMs: 50 * 365 * 24 * 3600 * 1000 });
    const session = await kiro.signInWithApiKey(` ${KEY} `);
    assert.equal(session.method, "api-key");
    assert.equal(session.account, "API key ksk_…WXYZ");
    assert.equal(session.refreshToken, undefined);
    assert.equal(kiroTokenType(session), "API_KEY");
    assert.equal(await kiro.getAccessToken(), KEY, "even a refresh window of 50 years asks for no refresh");
    await assert.rejects(kiro.getAccessToken({ forceRefresh: true }), (error: unknown) => isAuthError(error) && /never refreshed/.test(error.message));
    await assert.rejects(refreshSession(session), /never refreshed/);
    assert.equal((await kiro.getSessions()).length, 1);
    await kiro.signOut(session.id);
    assert.equal((await kiro.getSessions()).length, 0);
  });

  it("refuses to store something that is not a key", async () => {
    const kiro = new KiroSessionManager({ store: new MemoryTokenStore() });
    await assert.rejects(kiro.signInWithApiKey("not-a-key"), /starts with ksk_/);
    assert.equal((await kiro.getSessions()).length, 0);
  });

  it("survives pi's credential shape both ways", () => {
    const session = apiKeySession(KEY, "s", 1000, DEFAULT_SIM_PROFILE.arn);
    const credentials = sessionToPiCredentials(session);
    assert.equal(credentials.tokenType, "API_KEY");
    const back = piCredentialsToSession(credentials);
    assert.equal(back.method, "api-key");
    assert.equal(back.accessToken, KEY);
    assert.equal(back.profileArn, DEFAULT_SIM_PROFILE.arn);
  });

  it("scrubs a key out of any text, also one nobody named as a secret", () => {
    const text = `upstream said: key ${KEY} is unknown (x-api-key=${OTHER_KEY})`;
    const scrubbed = scrubSecrets(text);
    assert.ok(!scrubbed.includes(KEY) && !scrubbed.includes(OTHER_KEY), scrubbed);
    assert.match(scrubbed, /key ksk_\[redacted\] is unknown/);
    assert.equal(scrubSecrets("the account label API key ksk_…WXYZ"), "the account label API key ksk_…WXYZ", "the short hint stays readable");
  });
});
