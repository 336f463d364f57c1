// streamKiro resolves the model against the live catalog of the request's route (wire id, native thinking), against a strict simulator.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { clearModelCatalogCache, getModel, modelFromService, toPiModel } from "../../src/kiro/catalog/models";
import type { KiroStreamOptions } from "../../src/kiro/options";
import { streamKiro } from "../../src/kiro/stream";
import type { AssistantMessage, Context, Model } from "../../src/kiro/types";
import { defaultSimModels, nativeThinkingSchema, startKiroSimulator, type KiroSimulator, type SimModel } from "../sim/kiroSimulator";
import { reasoningReply, textReply, thinkingTagReply } from "../sim/replies";

const context: Context = {
  systemPrompt: "You are terse.",
  messages: [{ role: "user", content: "Say hello.", timestamp: 1_700_000_000_000 }],
};

const brandNewModel: SimModel = {
  modelId: "brand-new-model.1",
  modelName: "Brand New Model",
  description: "Only the live catalog knows this one",
  tokenLimits: { maxInputTokens: 300_000, maxOutputTokens: 32_000 },
  supportedInputTypes: ["TEXT"],
  additionalModelRequestFieldsSchema: nativeThinkingSchema(),
};

interface SentBody {
  conversationState: { currentMessage: { userInputMessage: { modelId: string; content: string } } };
  additionalModelRequestFields?: unknown;
}

let sims: KiroSimulator[] = [];

async function simulator(models: SimModel[]): Promise<KiroSimulator> {
  const sim = await startKiroSimulator({ models, chunking: "whole" });
  sims.push(sim);
  return sim;
}

function opts(sim: KiroSimulator, extra: KiroStreamOptions = {}): KiroStreamOptions {
  return { accessToken: sim.accessToken, endpoint: sim.url, env: {}, retryBaseDelayMs: 5, ...extra };
}

async function run(model: Model, options: KiroStreamOptions): Promise<AssistantMessage> {
  return streamKiro(model, context, options).result();
}

function catalogRequests(sim: KiroSimulator): number {
  return sim.requests.filter((r) => r.path === "/ListAvailableModels").length;
}

/** A fetch whose ListAvailableModels calls fail with 500 (counted) while everything else reaches the simulator. */
function catalogDown(): typeof fetch & { catalogCalls: number } {
  const wrapped = Object.assign(
    async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (new URL(url).pathname === "/ListAvailableModels") {
        wrapped.catalogCalls++;
        return new Response('{"message":"boom"}', { status: 500 });
      }
      return fetch(input, init);
    },
    { catalogCalls: 0 },
  );
  return wrapped;
}

beforeEach(() => clearModelCatalogCache());
afterEach(async () => {
  for (const sim of sims) await sim.close();
  sims = [];
  clearModelCatalogCache();
});

describe("streamKiro model resolution", () => {
  it("does not send additionalModelRequestFields for claude-sonnet-4.6 when the live catalog gives it no schema, so Kiro accepts the request", async () => {
    const sim = await simulator(defaultSimModels({ nativeThinking: [] }));
    sim.reply(thinkingTagReply("Greet briefly.", "Hello!"));
    const message = await run(getModel("kiro", "claude-sonnet-4-6"), opts(sim, { reasoning: "high" }));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const [request] = sim.generateRequests();
    assert.deepEqual(request!.validationErrors, []);
    const body = request!.body as SentBody;
    assert.equal(body.additionalModelRequestFields, undefined);
    assert.match(body.conversationState.currentMessage.userInputMessage.content, /<thinking_mode>enabled<\/thinking_mode>/, "thinking is asked for with prompt tags instead");
    assert.deepEqual(message.content, [
      { type: "thinking", thinking: "Greet briefly." },
      { type: "text", text: "Hello!" },
    ]);
  });

  it("still asks for native thinking on claude-sonnet-4.6 when the live catalog carries the schema", async () => {
    const sim = await simulator(defaultSimModels());
    sim.reply(reasoningReply("Weigh it.", "sig-1", "Hello!"));
    const message = await run(getModel("kiro", "claude-sonnet-4-6"), opts(sim, { reasoning: "high" }));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const body = sim.generateRequests()[0]!.body as SentBody;
    assert.deepEqual(body.additionalModelRequestFields, { thinking: { type: "adaptive" }, output_config: { effort: "high" } });
  });

  it("streams a model only the live catalog lists under its dotted Kiro id", async () => {
    const sim = await simulator([...defaultSimModels(), brandNewModel]);
    const piModel = toPiModel(modelFromService(brandNewModel)!);
    assert.equal(piModel.id, "brand-new-model-1", "pi sees the dashed id");
    sim.reply(textReply("from the new model"));
    const message = await run(piModel, opts(sim));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.deepEqual(message.content, [{ type: "text", text: "from the new model" }]);
    const [request] = sim.generateRequests();
    assert.deepEqual(request!.validationErrors, []);
    assert.equal((request!.body as SentBody).conversationState.currentMessage.userInputMessage.modelId, "brand-new-model.1");
    assert.equal(message.model, "brand-new-model-1", "the answer keeps the id pi asked for");
  });

  it("uses the kiroId a pi Model carries (from /v1/models) when its id is not in the catalog", async () => {
    const sim = await simulator(defaultSimModels());
    sim.reply(textReply("ok"));
    const model = { ...getModel("kiro", "claude-sonnet-4-5"), id: "my-picker-name", kiroId: "claude-haiku-4.5" };
    const message = await run(model, opts(sim));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal((sim.generateRequests()[0]!.body as SentBody).conversationState.currentMessage.userInputMessage.modelId, "claude-haiku-4.5");
  });

  it("honours the kiroId and nativeThinking a pi Model carries when the catalog cannot be read, and does not ask again for every request", async () => {
    const sim = await simulator([...defaultSimModels(), brandNewModel]);
    const model = { ...toPiModel(modelFromService(brandNewModel)!), kiroId: "brand-new-model.1", nativeThinking: true };
    sim.reply(reasoningReply("Think.", "sig-2", "Native."), textReply("again"));
    const down = catalogDown();
    const first = await run(model, opts(sim, { reasoning: "medium", fetch: down }));
    assert.equal(first.stopReason, "stop", first.errorMessage);
    const body = sim.generateRequests()[0]!.body as SentBody;
    assert.equal(body.conversationState.currentMessage.userInputMessage.modelId, "brand-new-model.1");
    assert.deepEqual(body.additionalModelRequestFields, { thinking: { type: "adaptive" }, output_config: { effort: "medium" } });
    const second = await run(model, opts(sim, { fetch: down }));
    assert.equal(second.stopReason, "stop", second.errorMessage);
    assert.equal(sim.generateRequests().length, 2);
    assert.equal(down.catalogCalls, 1, "a failed catalog lookup is not repeated by the next request");
  });

  it("reads the catalog once for many requests on the same route", async () => {
    const sim = await simulator(defaultSimModels());
    sim.reply(textReply("one"), textReply("two"), textReply("three"));
    const model = getModel("kiro", "claude-sonnet-4-5");
    const answers = await Promise.all([run(model, opts(sim)), run(model, opts(sim))]);
    answers.push(await run(model, opts(sim)));
    for (const answer of answers) assert.equal(answer.stopReason, "stop", answer.errorMessage);
    assert.equal(catalogRequests(sim), 1);
  });

  it("falls back to the built-in list when the catalog cannot be read", async () => {
    const sim = await simulator(defaultSimModels());
    sim.reply(textReply("still works"));
    const message = await run(getModel("kiro", "claude-haiku-4-5"), opts(sim, { fetch: catalogDown() }));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal((sim.generateRequests()[0]!.body as SentBody).conversationState.currentMessage.userInputMessage.modelId, "claude-haiku-4.5");
  });
});
