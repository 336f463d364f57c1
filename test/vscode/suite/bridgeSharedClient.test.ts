// Extension-host test: the Chat view and the coding agents' bridge routes (Anthropic Messages, Chat Completions, Responses) use the window's one Kiro client: the same token and profile reach Kiro, and a token refreshed for one is the one the other uses next, without a second refresh.
import * as assert from "node:assert/strict";
import { suite, suiteSetup, suiteTeardown, test } from "mocha";
import * as vscode from "vscode";
import type { KiroExtensionApi } from "../../../src/extension";
import type { KiroAuthTestHooks } from "../../../src/vscode/auth/authRegistration";
import { startKiroSimulator, type KiroSimulator } from "../../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../../sim/oidcSimulator";
import { approvingBuilderIdPerson, pointWindowAtSimulators, releaseSimulators } from "./builderIdSignIn";
import { EXTENSION_ID, waitFor } from "./terminalHooks";

const MODEL = "claude-sonnet-4-5";

suite("One Kiro client for the Chat view and the agents' bridge routes", function () {
  this.timeout(60_000);
  let oidc: OidcSimulator;
  let kiro: KiroSimulator;
  let hooks: KiroAuthTestHooks;
  let api: KiroExtensionApi;
  /** Access tokens Kiro no longer takes (as when one expired early or was revoked): the window must refresh. */
  const refused = new Set<string>();
  const savedToken = process.env.KIRO_ACCESS_TOKEN;

  suiteSetup(async () => {
    delete process.env.KIRO_ACCESS_TOKEN;
    oidc = await startOidcSimulator({ interval: 1 });
    kiro = await startKiroSimulator({ acceptsToken: (token) => oidc.isValidAccessToken(token) && !refused.has(token) });
    const extension = vscode.extensions.getExtension<KiroExtensionApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    api = await extension.activate();
    await pointWindowAtSimulators(oidc, kiro);
    assert.ok(api.authTestHooks && api.terminalTestHooks, "activate() exposes its test hooks in ExtensionMode.Test");
    hooks = api.authTestHooks;
    await hooks.provider.whenLoaded();
    hooks.setInteraction(approvingBuilderIdPerson(oidc));
    await hooks.provider.createSession([]);
  });

  suiteTeardown(async () => {
    if (hooks) {
      hooks.setInteraction(undefined);
      for (const session of await hooks.provider.getSessions(undefined)) await hooks.provider.removeSession(session.id);
    }
    await releaseSimulators(oidc, kiro, savedToken);
  });

  /** A Chat-view request (vscode.lm) to the Kiro model; its text. */
  async function askChatView(text: string): Promise<string> {
    await waitFor("Kiro models to be offered", async () => ((await vscode.lm.selectChatModels({ vendor: "kiro", id: MODEL })).length > 0 ? true : undefined));
    const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id: MODEL });
    const response = await model!.sendRequest([vscode.LanguageModelChatMessage.User(text)], {}, new vscode.CancellationTokenSource().token);
    let answer = "";
    for await (const part of response.text) answer += part;
    return answer;
  }

  /** One agent request to the window's bridge, authorised the way each agent sends the token; its status and JSON. */
  async function askBridge(path: "/v1/messages" | "/v1/chat/completions" | "/v1/responses", text: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const bridge = await api.terminalTestHooks!.ready;
    const anthropic = path === "/v1/messages";
    const body = anthropic
      ? { model: MODEL, max_tokens: 1024, messages: [{ role: "user", content: text }] }
      : path === "/v1/chat/completions"
        ? { model: MODEL, messages: [{ role: "user", content: text }] }
        : { model: MODEL, store: false, input: [{ type: "message", role: "user", content: [{ type: "input_text", text }] }] };
    const headers: Record<string, string> = anthropic
      ? { "content-type": "application/json", "x-api-key": bridge.token, "anthropic-version": "2023-06-01" }
      : { "content-type": "application/json", authorization: `Bearer ${bridge.token}` };
    const response = await fetch(`${bridge.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** The generateAssistantResponse calls Kiro received since `before`: the token each carried, its profile, and whether Kiro took it. */
  function callsSince(before: number): { token: string | undefined; profileArn: string | undefined; accepted: boolean }[] {
    return kiro
      .generateRequests()
      .slice(before)
      .map((request) => ({
        token: request.headers.authorization?.replace(/^Bearer /, ""),
        profileArn: request.profileArn,
        accepted: request.validationErrors.length === 0,
      }));
  }

  test("a Chat-view request and an agent's request through the bridge reach Kiro with the same token and profile", async () => {
    const before = kiro.generateRequests().length;
    assert.equal(await askChatView("Hello from the Chat view"), "You said: Hello from the Chat view");
    const answer = await askBridge("/v1/messages", "Hello from Claude Code");
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.match(JSON.stringify(answer.json.content), /You said: Hello from Claude Code/);
    const [chat, agent, ...more] = callsSince(before);
    assert.deepEqual(more, [], "one Kiro call each");
    assert.ok(chat?.accepted && agent?.accepted, "Kiro took both");
    assert.ok(chat.token && oidc.isValidAccessToken(chat.token), "the Chat view sent the window's sign-in");
    assert.equal(agent.token, chat.token, "the bridge sent the same token");
    assert.ok(chat.profileArn, "the Chat view sent a profile");
    assert.equal(agent.profileArn, chat.profileArn, "the bridge sent the same profile");
  });

  test("a token Kiro refuses during an agent's request is refreshed once, and the Chat view's next request uses the refreshed token", async () => {
    const before = kiro.generateRequests().length;
    const old = (await hooks.session.getCredentials())?.accessToken;
    assert.ok(old);
    refused.add(old);
    const refreshes = oidc.refreshCount;

    const answer = await askBridge("/v1/chat/completions", "Hello from opencode");
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(oidc.refreshCount, refreshes + 1, "the window refreshed its sign-in once");
    const agentCalls = callsSince(before);
    assert.deepEqual(agentCalls.map((call) => [call.token === old, call.accepted]), [[true, false], [false, true]], "refused with the old token, then sent again with a new one");
    const fresh = agentCalls[1]!.token!;
    assert.ok(oidc.isValidAccessToken(fresh));

    assert.equal(await askChatView("And from the Chat view"), "You said: And from the Chat view");
    const chat = callsSince(before + agentCalls.length);
    assert.deepEqual(chat.map((call) => [call.token === fresh, call.accepted]), [[true, true]], "the Chat view used the token refreshed for the bridge");
    assert.equal(oidc.refreshCount, refreshes + 1, "no second refresh");
    assert.equal(chat[0]!.profileArn, agentCalls[1]!.profileArn);
  });

  test("a token refreshed for a Chat-view request is the one Codex's next request through the bridge uses", async () => {
    const before = kiro.generateRequests().length;
    const old = (await hooks.session.getCredentials())?.accessToken;
    assert.ok(old);
    refused.add(old);
    const refreshes = oidc.refreshCount;

    assert.equal(await askChatView("Hello again"), "You said: Hello again");
    assert.equal(oidc.refreshCount, refreshes + 1, "the window refreshed its sign-in once");
    const chatCalls = callsSince(before);
    assert.deepEqual(chatCalls.map((call) => [call.token === old, call.accepted]), [[true, false], [false, true]]);
    const fresh = chatCalls[1]!.token!;

    const answer = await askBridge("/v1/responses", "Hello from Codex");
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.match(JSON.stringify(answer.json.output), /You said: Hello from Codex/);
    const agent = callsSince(before + chatCalls.length);
    assert.deepEqual(agent.map((call) => [call.token === fresh, call.accepted]), [[true, true]], "the bridge used the token refreshed for the Chat view");
    assert.equal(oidc.refreshCount, refreshes + 1, "no second refresh");
    assert.equal(agent[0]!.profileArn, chatCalls[1]!.profileArn);
  });
});
