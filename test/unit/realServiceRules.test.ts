// The rules the real Kiro service enforces (docs/kiro-protocol.md), each proved end to end through the KiroClient against a simulator that enforces them: profiles, host generations, Builder ID, history cap, tool schemas, output cap, external IdP.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { KiroClient } from "../../src/kiro/client";
import { clearModelCatalogCache, getModel } from "../../src/kiro/catalog/models";
import { streamKiro } from "../../src/kiro/stream";
import type { KiroCredentials } from "../../src/kiro/options";
import { BUILDER_ID_PROFILE_ARN } from "../../src/kiro/service/profiles";
import { clearRouteCache } from "../../src/kiro/service/route";
import { MAX_HISTORY_ENTRIES } from "../../src/kiro/request/serviceLimits";
import { resolveKiroSettings, type KiroSettingValues } from "../../src/kiro/settings";
import { emptyAssistantMessage, type AssistantMessage, type Context, type Message, type Tool } from "../../src/kiro/types";
import { DEFAULT_SIM_PROFILE, simProfile, startKiroSimulator, type KiroSimulator, type KiroSimulatorOptions } from "../sim/kiroSimulator";
import { outputCapReply, textReply, toolUseReply } from "../sim/replies";

const model = getModel("kiro", "claude-sonnet-4-5");
const hello: Context = { messages: [{ role: "user", content: "hello", timestamp: 1 }] };

let sims: KiroSimulator[] = [];
let logged: string[] = [];

beforeEach(() => {
  clearRouteCache();
  clearModelCatalogCache();
  logged = [];
});
afterEach(async () => {
  await Promise.all(sims.map((sim) => sim.close()));
  sims = [];
});

async function simulator(options: KiroSimulatorOptions = {}): Promise<KiroSimulator> {
  const sim = await startKiroSimulator({ seed: 3, ...options });
  sims.push(sim);
  return sim;
}

function clientFor(sim: KiroSimulator, o: { settings?: KiroSettingValues; credentials?: Partial<KiroCredentials>; choose?: number } = {}): KiroClient {
  return new KiroClient({
    credentials: async () => ({ accessToken: sim.accessToken, ...o.credentials }),
    settings: () => resolveKiroSettings({ endpoint: sim.url, ...o.settings }, {}),
    ...(o.choose !== undefined ? { chooseProfile: async (profiles) => profiles[o.choose!] } : {}),
    log: { info: (m) => logged.push(m), warn: (m) => logged.push(m) },
  });
}

function bodyOf(sim: KiroSimulator, index = -1): Record<string, unknown> {
  return sim.generateRequests().at(index)!.body as Record<string, unknown>;
}

describe("profile ARN", () => {
  it("a plain hello is looked up once, then carries the account's profile in the body, and the catalog and usage in the query", async () => {
    const sim = await simulator();
    const client = clientFor(sim);
    const message = await client.stream(model, hello).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(bodyOf(sim).profileArn, DEFAULT_SIM_PROFILE.arn);
    await client.usage();
    await client.stream(model, hello).result();
    assert.equal(sim.requestsFor("listAvailableProfiles").length, 1, "looked up once per token and region");
    assert.equal(sim.requestsFor("listAvailableModels")[0]?.query.profileArn, DEFAULT_SIM_PROFILE.arn);
    assert.equal(sim.requestsFor("getUsageLimits")[0]?.query.profileArn, DEFAULT_SIM_PROFILE.arn);
    assert.deepEqual(sim.callsWithoutProfileArn(), []);
  });

  it("ten requests at once share one profile look-up", async () => {
    const sim = await simulator();
    const client = clientFor(sim);
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.stream(model, hello).result()));
    assert.ok(answers.every((a) => a.stopReason === "stop"));
    assert.equal(sim.requestsFor("listAvailableProfiles").length, 1);
  });

  it("a profile the sign-in carries, or one the settings name, wins and is not looked up", async () => {
    const eu = simProfile("eu-central-1");
    const sim = await simulator({ profiles: [DEFAULT_SIM_PROFILE, eu] });
    await clientFor(sim, { credentials: { profileArn: eu.arn } }).stream(model, hello).result();
    assert.equal(bodyOf(sim).profileArn, eu.arn);
    await clientFor(sim, { settings: { profileArn: DEFAULT_SIM_PROFILE.arn }, credentials: { profileArn: eu.arn } }).stream(model, hello).result();
    assert.equal(bodyOf(sim).profileArn, DEFAULT_SIM_PROFILE.arn, "the setting (or KIRO_PROFILE_ARN) wins over the sign-in's");
    assert.equal(sim.requestsFor("listAvailableProfiles").length, 0);
  });

  it("with several profiles the chooser decides; without one the first is used and the log names it", async () => {
    const second = simProfile("us-east-1", "SECONDPROFIL", "Team B");
    const sim = await simulator({ profiles: [DEFAULT_SIM_PROFILE, second] });
    await clientFor(sim, { choose: 1 }).stream(model, hello).result();
    assert.equal(bodyOf(sim).profileArn, second.arn);
    clearRouteCache();
    logged = [];
    await clientFor(sim).stream(model, hello).result();
    assert.equal(bodyOf(sim).profileArn, DEFAULT_SIM_PROFILE.arn);
    assert.ok(logged.some((line) => line.includes(DEFAULT_SIM_PROFILE.arn) && /first of 2.*KIRO_PROFILE_ARN/.test(line)), logged.join("\n"));
  });

  it("a profile in eu-central-1 sends every call to eu-central-1", async () => {
    const eu = simProfile("eu-central-1");
    const sim = await simulator({ profiles: [eu] });
    const client = clientFor(sim);
    await client.stream(model, hello).result();
    await client.catalog();
    assert.equal(client.lastRoute?.region, "eu-central-1");
    assert.equal(bodyOf(sim).profileArn, eu.arn);
  });

  it("a refused carried profile is looked up again once; the request then succeeds with the account's own", async () => {
    const sim = await simulator();
    const stale = simProfile("us-east-1", "GONEPROFILEX");
    const message = await clientFor(sim, { credentials: { profileArn: stale.arn } }).stream(model, hello).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(bodyOf(sim).profileArn, DEFAULT_SIM_PROFILE.arn);
    assert.equal(sim.generateRequests().length, 2);
    assert.ok(logged.some((line) => /refused profile .*GONEPROFILEX.*looking the account's profiles up again/.test(line)), logged.join("\n"));
  });

  it("a profile the settings name that Kiro refuses fails once, naming the profile", async () => {
    const sim = await simulator();
    const wrong = simProfile("us-east-1", "NOTMINEXXXXX");
    const message = await clientFor(sim, { settings: { profileArn: wrong.arn } }).stream(model, hello).result();
    assert.equal(message.stopReason, "error");
    assert.equal(message.kiro?.error?.kind, "profile");
    assert.equal(message.kiro?.error?.profileArn, wrong.arn);
    assert.match(message.errorMessage!, /NOTMINEXXXXX/);
    assert.equal(sim.generateRequests().length, 1, "a profile the person named is not swapped for another");
  });

  it("a profile look-up that meets a 503 or a reset is retried like the request itself, and the answer arrives", async () => {
    const sim = await simulator();
    let failures = 0;
    const flaky: typeof fetch = async (input, init) => {
      const url = String(input);
      const isProfileLookup = (init?.headers as Record<string, string> | undefined)?.["x-amz-target"]?.endsWith("ListAvailableProfiles");
      if (isProfileLookup && failures < 2) {
        failures++;
        if (failures === 1) return new Response("Service Unavailable", { status: 503 });
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
      }
      return fetch(url, init);
    };
    const message = await streamKiro(model, hello, { accessToken: sim.accessToken, endpoint: sim.url, env: {}, fetch: flaky, retryBaseDelayMs: 5 }).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(failures, 2);
    assert.equal(bodyOf(sim).profileArn, DEFAULT_SIM_PROFILE.arn);
  });

  it("AWS Builder ID accounts, which own no profile, use Kiro's Builder ID profile", async () => {
    const sim = await simulator({ builderId: true, profiles: [] });
    const message = await clientFor(sim).stream(model, hello).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(bodyOf(sim).profileArn, BUILDER_ID_PROFILE_ARN);
    assert.deepEqual(sim.callsWithoutProfileArn(), []);
  });
});

describe("host generations", () => {
  it("auto falls back to the runtime host once when the q routes are missing, logs it, and stays there", async () => {
    const sim = await simulator({ generations: ["runtime"] });
    const client = clientFor(sim);
    const message = await client.stream(model, hello).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const body = bodyOf(sim) as { agentMode?: string; conversationState: { currentMessage: { userInputMessage: { origin: string } } } };
    assert.equal(body.agentMode, "vibe");
    assert.equal(body.conversationState.currentMessage.userInputMessage.origin, "KIRO_CLI");
    assert.ok(logged.some((line) => /using the runtime\/management/.test(line)), logged.join("\n"));
    const before = sim.requests.length;
    await client.usage();
    assert.equal(sim.requests.slice(before).every((r) => r.generation !== "q"), true, "remembered: no second try on q");
    assert.equal(sim.requestsFor("getUsageLimits").at(-1)?.path, "/Get-Usage-Limits");
  });

  it("kiro.api = q never tries the runtime host, and says the host is missing", async () => {
    const sim = await simulator({ generations: ["runtime"] });
    const message = await clientFor(sim, { settings: { api: "q" } }).stream(model, hello).result();
    assert.equal(message.stopReason, "error");
    assert.equal(sim.requests.filter((r) => r.generation === "runtime").length, 0);
  });

  it("kiro.api = runtime speaks the runtime generation from the start", async () => {
    const sim = await simulator();
    await clientFor(sim, { settings: { api: "runtime" } }).stream(model, hello).result();
    assert.equal(sim.requestsFor("listAvailableProfiles")[0]?.path, "/List-Available-Profiles");
    assert.equal((bodyOf(sim) as { agentMode?: string }).agentMode, "vibe");
  });
});

describe("service limits", () => {
  function longSession(pairs: number): Message[] {
    const messages: Message[] = [];
    for (let i = 0; i < pairs; i++) {
      messages.push({ role: "user", content: `step ${i}`, timestamp: i });
      messages.push(assistantText(`done ${i}`));
    }
    messages.push({ role: "user", content: "and now?", timestamp: pairs });
    return messages;
  }

  it("a session of more than 198 history entries keeps every turn, the oldest folded into fewer entries as text, and Kiro accepts it", async () => {
    const sim = await simulator();
    const message = await clientFor(sim).stream(model, { systemPrompt: "Be brief.", messages: longSession(150) }).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const history = (bodyOf(sim) as { conversationState: { history: { userInputMessage?: { content: string } }[] } }).conversationState.history;
    assert.ok(history.length <= MAX_HISTORY_ENTRIES, `${history.length} entries`);
    assert.match(history[0]!.userInputMessage!.content, /^Be brief\./, "the system text is kept");
    const sent = JSON.stringify(history);
    for (let i = 0; i < 150; i++) assert.ok(sent.includes(`step ${i}\\n`) || sent.includes(`"step ${i}"`), `step ${i} reaches the model`);
    assert.match(sent, /User: step 0\\n\\nAssistant: done 0/, "the oldest exchange is readable text");
    assert.doesNotMatch(sent, /dropped to keep the request/, "nothing is left out");
    assert.ok(logged.some((line) => /folded the \d+ oldest history entries into \d+ \(Kiro's limit of 198 history entries\)/.test(line)), logged.join("\n"));
  });

  it("a tool whose parameters are a top-level anyOf is accepted, and the model's arguments come back unchanged", async () => {
    const sim = await simulator();
    const tool: Tool = {
      name: "fetch_item",
      description: "Fetches an item by id or by name.",
      parameters: { anyOf: [{ type: "object", properties: { id: { type: "number" } }, required: ["id"] }, { type: "object", properties: { name: { type: "string" } }, required: ["name"] }] },
    } as Tool;
    sim.reply(toolUseReply([{ name: "fetch_item", input: { name: "widget" } }]));
    const message = await clientFor(sim).stream(model, { messages: hello.messages, tools: [tool] }).result();
    assert.equal(message.stopReason, "toolUse", message.errorMessage);
    assert.deepEqual(sim.generateRequests().at(-1)!.validationErrors, []);
    const call = message.content.find((b) => b.type === "toolCall");
    assert.deepEqual(call && "arguments" in call ? call.arguments : undefined, { name: "widget" });
  });
});

describe("answers", () => {
  it("an answer cut at the output limit ends as a length stop, keeping text and the finished call, dropping the cut one", async () => {
    const sim = await simulator();
    sim.reply(outputCapReply({ text: "Writing both.", finishedToolCall: { name: "write", input: { path: "a.ts" } }, cutToolCall: { name: "write", input: { path: "b.ts", content: "x".repeat(200) }, keepChars: 40 } }));
    const message = await clientFor(sim).stream(model, hello).result();
    assert.equal(message.stopReason, "length");
    assert.deepEqual(message.content.map((b) => b.type), ["text", "toolCall"]);
    assert.deepEqual(message.kiro?.outputCapped, { droppedToolCall: "write" });
  });

  it("an external identity provider's token carries TokenType: EXTERNAL_IDP on every call", async () => {
    const sim = await simulator({ externalIdpTokens: (token) => token === "external-idp-token" });
    sim.setAccessToken("external-idp-token");
    const message = await clientFor(sim, { credentials: { tokenType: "EXTERNAL_IDP" } }).stream(model, hello).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    for (const request of sim.requests) assert.equal(request.headers.tokentype, "EXTERNAL_IDP", request.path);
  });

  it("every call names kiro-pi in both user agents and never another product", async () => {
    const sim = await simulator();
    sim.reply(textReply("hi"));
    await clientFor(sim).stream(model, hello).result();
    for (const request of sim.requests) {
      assert.match(request.headers["user-agent"] ?? "", /^kiro-pi\/\d/);
      assert.match(request.headers["x-amz-user-agent"] ?? "", /app\/kiro-pi#\d/);
      assert.doesNotMatch(`${request.headers["user-agent"]}`, /KiroIDE|AmazonQ-For-CLI/);
    }
  });
});

function assistantText(text: string): AssistantMessage {
  return { ...emptyAssistantMessage(model), content: [{ type: "text", text }] };
}
