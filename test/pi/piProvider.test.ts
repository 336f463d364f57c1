// The pi-side provider without the pi CLI: 1.x transcript contexts, the model list pi gets, token lookup order, abort, and the live catalog.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { builtInModels, clearModelCatalogCache, findModel, toPiModel, type AssistantMessageEvent, type Model } from "../../src/kiro/index";
import { createKiroStreamFunction, loadCatalog, MANAGED_API_KEY, noTokenMessage } from "../../src/pi/kiroPiProvider";
import { registerKiroProvider } from "../../src/pi/extension";
import type { PiContext, PiEventContext, PiExtensionApi, PiProviderConfig } from "../../src/pi/piApi";
import { toKiroContext } from "../../src/pi/piContext";
import { toPiProviderModels } from "../../src/pi/piModels";
import { defaultSimModels, startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { stalledReply, textReply } from "../sim/replies";

const sonnet: Model = toPiModel(findModel("claude-sonnet-4-5")!);
const readTool = { name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } };

async function finalMessage(stream: AsyncIterable<AssistantMessageEvent>) {
  let last: AssistantMessageEvent | undefined;
  for await (const event of stream) last = event;
  assert.ok(last && (last.type === "done" || last.type === "error"));
  return last.type === "done" ? last.message : last.error;
}

describe("pi 1.x transcript contexts", () => {
  test("system messages become the system prompt and tools, replayed in order, and leave the message list", () => {
    const context: PiContext = {
      messages: [
        { role: "system", content: "", sections: { preamble: "You are pi.", rules: "Be brief." }, toolsAdded: [readTool, { ...readTool, name: "bash" }], timestamp: 0 },
        { role: "user", content: "hi", timestamp: 1 },
        { role: "system", content: "Also answer in French.", sections: { rules: null }, toolsRemoved: [{ name: "bash" }], timestamp: 2 },
        { role: "user", content: "again", timestamp: 3 },
      ],
    };
    const result = toKiroContext(context);
    assert.equal(result.systemPrompt, "Also answer in French.\n\nYou are pi.");
    assert.deepEqual(
      result.tools?.map((t) => t.name),
      ["read"],
    );
    assert.deepEqual(
      result.messages.map((m) => m.role),
      ["user", "user"],
    );
  });

  test("a 0.73 context passes through unchanged, with tool schemas reduced to plain JSON", () => {
    const schema = Object.assign({ type: "object", properties: {} }, { [Symbol.for("TypeBox.Kind")]: "Object" });
    const result = toKiroContext({ systemPrompt: "Be kind.", tools: [{ ...readTool, parameters: schema }], messages: [{ role: "user", content: "hi", timestamp: 1 }] });
    assert.equal(result.systemPrompt, "Be kind.");
    assert.deepEqual(Object.getOwnPropertySymbols(result.tools![0]!.parameters), []);
    assert.equal(result.messages.length, 1);
  });
});

describe("pi model list", () => {
  test("every built-in model is offered with zero cost and its limits, plus the aliases, each id once", () => {
    const models = toPiProviderModels(builtInModels());
    const ids = models.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-sonnet-4", "claude-sonnet-4-6", "claude-opus-4-6", "claude-opus-4-7", "auto"]) {
      assert.ok(ids.includes(id), id);
    }
    const alias = models.find((m) => m.id === "claude-sonnet-4-5-20250514-thinking");
    assert.equal(alias?.name, "Claude Sonnet 4.5 (thinking, alias, 1.3x credits)");
    assert.ok(models.every((m) => m.cost.input === 0 && m.cost.output === 0 && m.cost.cacheRead === 0 && m.cost.cacheWrite === 0));
    const opus47 = models.find((m) => m.id === "claude-opus-4-7");
    assert.deepEqual([opus47?.contextWindow, opus47?.reasoning, opus47?.input], [1_000_000, true, ["text", "image"]]);
  });
});

describe("pi stream function (direct mode)", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({
      seed: 5,
      models: [
        ...defaultSimModels(),
        {
          modelId: "claude-sonnet-5.0",
          modelName: "Claude Sonnet 5",
          description: "a model only the live catalog knows",
          tokenLimits: { maxInputTokens: 400_000, maxOutputTokens: 64_000 },
          supportedInputTypes: ["TEXT", "IMAGE"],
          rateMultiplier: 1,
        },
      ],
    });
  });
  after(async () => {
    await sim?.close();
  });

  test("without any token the answer is a sign-in explanation and nothing reaches Kiro", async () => {
    const before = sim.requests.length;
    const stream = createKiroStreamFunction({ env: { KIRO_ENDPOINT: sim.url }, loginAvailable: true });
    const message = await finalMessage(stream(sonnet, { messages: [{ role: "user", content: "hi", timestamp: 1 }] }, { apiKey: MANAGED_API_KEY }));
    assert.equal(message.stopReason, "error");
    assert.equal(message.errorMessage, noTokenMessage(true));
    assert.match(message.errorMessage ?? "", /Kiro: Sign In.*KIRO_ACCESS_TOKEN.*\/login kiro/);
    assert.equal(sim.requests.length, before);
  });

  test("KIRO_ACCESS_TOKEN wins; a token pi stored after /login is used when it is absent; then another client's sign-in", async () => {
    const ask = async (env: Record<string, string>, apiKey: string, stored?: string) => {
      // Only a token the simulator accepts takes a queued reply; a refused one is answered 403 before that.
      const accepted = env.KIRO_ACCESS_TOKEN === sim.accessToken || stored === sim.accessToken;
      if (accepted) sim.reply(textReply("ok"));
      const stream = createKiroStreamFunction({ env: { KIRO_ENDPOINT: sim.url, ...env }, findStoredToken: async () => (stored ? { accessToken: stored, source: "kiro-cli" } : undefined) });
      const message = await finalMessage(stream(sonnet, { messages: [{ role: "user", content: "hi", timestamp: 1 }] }, { apiKey }));
      return { message, authorization: sim.requests[sim.requests.length - 1]?.headers.authorization };
    };
    const fromEnv = await ask({ KIRO_ACCESS_TOKEN: sim.accessToken }, "pi-stored-token");
    assert.equal(fromEnv.authorization, `Bearer ${sim.accessToken}`);
    assert.equal(fromEnv.message.stopReason, "stop");
    const fromLogin = await ask({}, "pi-stored-token");
    assert.equal(fromLogin.authorization, "Bearer pi-stored-token");
    const fromStore = await ask({}, MANAGED_API_KEY, sim.accessToken);
    assert.equal(fromStore.authorization, `Bearer ${sim.accessToken}`);
    assert.equal(fromStore.message.stopReason, "stop");
  });

  test("pi's abort signal cancels the Kiro request and ends the stream as aborted", async () => {
    sim.reply(stalledReply("This answer will stall", 30_000));
    const controller = new AbortController();
    const stream = createKiroStreamFunction({ env: { KIRO_ENDPOINT: sim.url, KIRO_ACCESS_TOKEN: sim.accessToken } })(
      sonnet,
      { messages: [{ role: "user", content: "go", timestamp: 1 }] },
      { signal: controller.signal },
    );
    let last: AssistantMessageEvent | undefined;
    for await (const event of stream) {
      last = event;
      if (event.type === "text_delta") controller.abort();
    }
    assert.equal(last?.type, "error");
    assert.equal(last?.type === "error" ? last.reason : undefined, "aborted");
  });

  test("the live catalog adds the account's extra models, and they stream under their Kiro id", async () => {
    clearModelCatalogCache();
    const env = { KIRO_ENDPOINT: sim.url, KIRO_ACCESS_TOKEN: sim.accessToken };
    const catalog = await loadCatalog({ env });
    assert.equal(catalog.source, "live");
    const extra = catalog.models.find((m) => m.kiroId === "claude-sonnet-5.0");
    assert.ok(extra, `the live-only model is listed: ${catalog.models.map((m) => m.id).join(", ")}`);
    assert.equal(extra.contextWindow, 400_000);
    const piModel = toPiProviderModels(catalog.models).find((m) => m.id === extra.id);
    assert.ok(piModel);
    sim.reply(textReply("from the new model"));
    const stream = createKiroStreamFunction({ env }, catalog.models);
    const message = await finalMessage(
      stream({ ...toPiModel(extra), id: extra.id }, { messages: [{ role: "user", content: "hi", timestamp: 1 }] }),
    );
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const sent = sim.requests[sim.requests.length - 1]?.body as { conversationState: { currentMessage: { userInputMessage: { modelId: string } } } };
    assert.equal(sent.conversationState.currentMessage.userInputMessage.modelId, "claude-sonnet-5.0");
  });

  test("PI_OFFLINE keeps startup off the network: the built-in list is used", async () => {
    const before = sim.requests.length;
    const catalog = await loadCatalog({ env: { KIRO_ENDPOINT: sim.url, KIRO_ACCESS_TOKEN: sim.accessToken, PI_OFFLINE: "1" } });
    assert.equal(catalog.source, "built-in");
    assert.equal(sim.requests.length, before);
  });
});

describe("extension registration", () => {
  interface Recorded {
    name?: string;
    config?: PiProviderConfig;
    handlers: Map<string, (event: unknown, ctx: PiEventContext) => unknown>;
  }
  const record = (): { pi: PiExtensionApi; recorded: Recorded } => {
    const recorded: Recorded = { handlers: new Map() };
    const pi: PiExtensionApi = {
      registerProvider: (name, config) => {
        recorded.name = name;
        recorded.config = config;
      },
      on: (event: string, handler: (event: never, ctx: PiEventContext) => unknown) => {
        recorded.handlers.set(event, handler as (event: unknown, ctx: PiEventContext) => unknown);
      },
    } as PiExtensionApi;
    return { pi, recorded };
  };

  test("registers provider kiro with the models, a custom stream, /login, a credits line after each Kiro answer, and a word on a cut answer", async () => {
    const { pi, recorded } = record();
    await registerKiroProvider(pi, { env: { PI_OFFLINE: "1" } });
    assert.equal(recorded.name, "kiro");
    assert.equal(recorded.config?.api, "kiro-generate-assistant-response");
    assert.equal(recorded.config?.apiKey, MANAGED_API_KEY);
    assert.equal(typeof recorded.config?.streamSimple, "function");
    assert.equal(recorded.config?.oauth?.name, "Kiro (AWS Builder ID or IAM Identity Center)");
    assert.ok(recorded.config?.models.some((m) => m.id === "claude-opus-4-5"));

    const statuses: (string | undefined)[] = [];
    const notes: string[] = [];
    const ctx: PiEventContext = { hasUI: true, ui: { notify: (text) => notes.push(text), setStatus: (_key, text) => statuses.push(text) } };
    const onMessageEnd = recorded.handlers.get("message_end")!;
    await onMessageEnd({ type: "message_end", message: { role: "assistant", provider: "kiro", kiro: { credits: 0.12 } } }, ctx);
    await onMessageEnd({ type: "message_end", message: { role: "assistant", provider: "anthropic" } }, ctx);
    await onMessageEnd({ type: "message_end", message: { role: "assistant", provider: "kiro", kiro: { credits: 1.5 } } }, ctx);
    assert.deepEqual(statuses, ["Kiro: 0.12 credits (session 0.12)", "Kiro: 1.5 credits (session 1.62)"]);
    assert.deepEqual(notes, []);
    await onMessageEnd({ type: "message_end", message: { role: "assistant", provider: "kiro", kiro: { outputCapped: { droppedToolCall: "write" } } } }, ctx);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /reached the model's output limit\. The unfinished call to write was dropped/);
  });

  test("a Kiro message_end pi delivers after the session ended leaves its stale ctx alone instead of throwing pi's stale-ctx error", async () => {
    const { pi, recorded } = record();
    await registerKiroProvider(pi, { env: { PI_OFFLINE: "1" } });
    // What pi 0.73 hands a handler once the session is disposed: every ctx property throws.
    const stale = "This extension ctx is stale after session replacement or reload.";
    const staleCtx = Object.defineProperties({} as PiEventContext, {
      hasUI: { get: () => { throw new Error(stale); } },
      ui: { get: () => { throw new Error(stale); } },
    });
    await recorded.handlers.get("session_shutdown")!({ type: "session_shutdown", reason: "quit" }, staleCtx);
    await recorded.handlers.get("message_end")!({ type: "message_end", message: { role: "assistant", provider: "kiro", kiro: { credits: 0.5 } } }, staleCtx);
  });
});
