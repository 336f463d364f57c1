// opencode's provider config for a Kiro terminal: the bridge's OpenAI-compatible route under /v1, the token only as an {env:…} reference, the window's models with their limits, and the chosen model as kiro/<id>.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { opencodeConfig } from "../../src/bridge/opencodeConfig";
import { builtInModels, toPiModel } from "../../src/kiro/catalog/models";

const MODELS = builtInModels().map((info) => toPiModel(info));

describe("opencode provider config", () => {
  it("points a kiro provider at the bridge's /v1 with the token read from the named variable, never written out", () => {
    const config = opencodeConfig({ bridgeUrl: "http://127.0.0.1:4321/", tokenEnv: "KIRO_BRIDGE_TOKEN", models: MODELS });
    const kiro = config.provider.kiro!;
    assert.equal(kiro.npm, "@ai-sdk/openai-compatible");
    assert.equal(kiro.options.baseURL, "http://127.0.0.1:4321/v1");
    assert.equal(kiro.options.apiKey, "{env:KIRO_BRIDGE_TOKEN}");
    assert.deepEqual(Object.keys(config), ["provider", "model", "small_model"]);
  });

  it("lists every model of the window with its context and output limits, images only where the model takes them", () => {
    const text = { id: "text-only", name: "Text only", contextWindow: 128_000, maxTokens: 32_000, reasoning: false, input: ["text"] as ("text" | "image")[] };
    const config = opencodeConfig({ bridgeUrl: "http://127.0.0.1:1", tokenEnv: "T", models: [...MODELS, text] });
    const models = config.provider.kiro!.models;
    assert.deepEqual(Object.keys(models), [...MODELS.map((model) => model.id), "text-only"]);
    const first = MODELS[0]!;
    assert.deepEqual(models[first.id]!.limit, { context: first.contextWindow, output: first.maxTokens });
    assert.equal(models[first.id]!.attachment, first.input.includes("image"));
    assert.deepEqual(models["text-only"]!.modalities, { input: ["text"], output: ["text"] });
    assert.equal(models["text-only"]!.attachment, false);
    assert.ok(Object.values(models).every((model) => model.tool_call));
  });

  it("starts on the chosen model and uses the small one for background work, both as kiro/<id>", () => {
    const config = opencodeConfig({ bridgeUrl: "http://127.0.0.1:1", tokenEnv: "T", models: MODELS, model: "claude-sonnet-4-5", smallModel: "claude-haiku-4-5" });
    assert.equal(config.model, "kiro/claude-sonnet-4-5");
    assert.equal(config.small_model, "kiro/claude-haiku-4-5");
    const fallback = opencodeConfig({ bridgeUrl: "http://127.0.0.1:1", tokenEnv: "T", models: MODELS });
    assert.equal(fallback.model, `kiro/${MODELS[0]!.id}`);
    assert.equal(fallback.small_model, fallback.model);
    assert.deepEqual(opencodeConfig({ bridgeUrl: "http://127.0.0.1:1", tokenEnv: "T", models: [] }).model, undefined);
  });
});
