// The December-2026 catalog read from a simulator: credit rates, 1M context, caching, refusal fallbacks, per-model efforts, hidden internal ids.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { builtInModels, clearModelCatalogCache, findModel, isInternalModelId, listAvailableModels, modelFromService } from "../../src/kiro/catalog/models";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import { creditsLabel, modelFactsLabel } from "../../src/kiro/catalog/modelLabels";
import { clearRouteCache } from "../../src/kiro/service/route";
import { toPiProviderModels } from "../../src/pi/piModels";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { december2026SimModels } from "../sim/modelCatalog2026";

let sim: KiroSimulator | undefined;

beforeEach(() => {
  clearModelCatalogCache();
  clearRouteCache();
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function liveCatalog(): Promise<KiroModelInfo[]> {
  sim = await startKiroSimulator({ models: december2026SimModels() });
  const profileArn = sim.profiles[0]?.arn;
  return listAvailableModels({ accessToken: sim.accessToken, route: { generation: "q", region: "us-east-1", endpoint: sim.url, ...(profileArn ? { profileArn } : {}) } });
}

function byKiroId(models: readonly KiroModelInfo[], kiroId: string): KiroModelInfo {
  const found = models.find((m) => m.kiroId === kiroId);
  assert.ok(found, `${kiroId} is in the catalog`);
  return found;
}

describe("the December-2026 live catalog", () => {
  it("hides the internal agi-nova-beta-1m preview and keeps every other model", async () => {
    const models = await liveCatalog();
    assert.equal(models.some((m) => m.kiroId === "agi-nova-beta-1m"), false);
    assert.equal(models.length, december2026SimModels().length - 1);
    assert.equal(isInternalModelId("agi-nova-beta-1m"), true);
    assert.equal(isInternalModelId("claude-opus-4.8"), false);
  });

  it("reads each model's credit multiplier, 1M context where tokenLimits say so, and prompt caching", async () => {
    const models = await liveCatalog();
    assert.equal(byKiroId(models, "claude-opus-4.8").creditMultiplier, 2.2);
    assert.equal(byKiroId(models, "claude-haiku-4.5").creditMultiplier, 0.4);
    assert.equal(byKiroId(models, "gpt-5.6-sol").contextWindow, 1_000_000, "this account's Sol has the 1M window");
    assert.equal(byKiroId(models, "gpt-5.6-terra").contextWindow, 272_000);
    assert.equal(byKiroId(models, "claude-sonnet-5").promptCaching, true);
    assert.equal(byKiroId(models, "minimax-m2.1").promptCaching, false);
    assert.deepEqual(byKiroId(models, "claude-opus-5").refusalFallbackModels, ["claude-opus-4.8"]);
  });

  it("lists each model's own efforts: the 4.6 models without xhigh, Opus 4.7 defaulting to xhigh, GPT with none", async () => {
    const models = await liveCatalog();
    assert.deepEqual(byKiroId(models, "claude-opus-4.6").nativeThinkingShape?.efforts, ["low", "medium", "high", "max"]);
    assert.deepEqual(byKiroId(models, "claude-sonnet-4.6").nativeThinkingShape?.efforts, ["low", "medium", "high", "max"]);
    const opus47 = byKiroId(models, "claude-opus-4.7");
    assert.deepEqual(opus47.nativeThinkingShape?.efforts, ["low", "medium", "high", "xhigh", "max"]);
    assert.equal(opus47.defaultEffort, "xhigh");
    assert.equal(opus47.thinkingOptional, true, "thinking.type lists disabled");
    assert.equal(byKiroId(models, "claude-sonnet-5").defaultEffort, "high");
    const sol = byKiroId(models, "gpt-5.6-sol");
    assert.equal(sol.nativeThinkingShape?.effortAt, "reasoning");
    assert.ok(sol.nativeThinkingShape?.efforts.includes("none"));
    assert.equal(sol.thinkingOptional, true);
    assert.equal(byKiroId(models, "claude-sonnet-4.5").nativeThinking, false, "no schema: thinking through tags");
  });
});

describe("catalog entries", () => {
  it("caps maxTokens at the schema's max_tokens maximum and reads refusal fallbacks given as plain ids", () => {
    const info = modelFromService({
      modelId: "claude-next.1",
      tokenLimits: { maxInputTokens: 500_000, maxOutputTokens: 128_000 },
      additionalModelRequestFieldsSchema: JSON.stringify({
        type: "object",
        properties: { output_config: { type: "object", properties: { effort: { type: "string", enum: ["low", "high"], default: "high" } } }, max_tokens: { type: "integer", maximum: 32_000 } },
      }),
      refusalFallbackModels: ["claude-opus-4.8"],
      rateMultiplier: 1.5,
      rateUnit: "Credit",
    });
    assert.equal(info?.maxTokens, 32_000);
    assert.equal(info?.defaultEffort, "high");
    assert.equal(info?.thinkingOptional, undefined, "no disabled type and no none effort");
    assert.deepEqual(info?.refusalFallbackModels, ["claude-opus-4.8"]);
    assert.equal(info?.creditMultiplier, 1.5);
  });

  it("takes rateMultiplier as credits only when rateUnit is Credit or absent", () => {
    assert.equal(modelFromService({ modelId: "m", rateMultiplier: 2, rateUnit: "Dollar" })?.creditMultiplier, undefined);
    assert.equal(modelFromService({ modelId: "m", rateMultiplier: 2 })?.creditMultiplier, 2);
  });

  it("the built-in list knows the 2026 models, so they resolve before the catalog is read", () => {
    for (const id of ["claude-sonnet-5", "claude-opus-4.8", "claude-opus-5", "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "minimax-m2.1"]) {
      assert.equal(findModel(id)?.kiroId, id, id);
    }
    const opus47 = builtInModels().find((m) => m.kiroId === "claude-opus-4.7");
    assert.equal(opus47?.defaultEffort, "xhigh");
    assert.ok(opus47?.nativeThinkingShape?.efforts.includes("xhigh"));
    assert.equal(findModel("gpt-5-6-luna")?.creditMultiplier, 0.6);
  });
});

describe("what model lists show", () => {
  it("pi's model list names the credit multiplier and carries the 1M window", async () => {
    const models = toPiProviderModels(await liveCatalog());
    const opus = models.find((m) => m.id === "claude-opus-4-8");
    assert.equal(opus?.name, "Claude Opus 4.8 (2.2x credits)");
    assert.equal(opus?.contextWindow, 1_000_000);
  });

  it("labels say the context as people say it and that GPT-5.6 costs double above 272K", () => {
    assert.equal(modelFactsLabel({ kiroId: "claude-opus-4.8", contextWindow: 1_000_000, creditMultiplier: 2.2 }), "1M context, 2.2x credits");
    assert.equal(modelFactsLabel({ kiroId: "glm-5", contextWindow: 200_000 }), "200K context");
    assert.equal(creditsLabel({ kiroId: "gpt-5.6-sol", contextWindow: 1_000_000, creditMultiplier: 2.4 }), "2.4x credits, doubled above 272K");
    assert.equal(creditsLabel({ kiroId: "gpt-5.6-terra", contextWindow: 272_000, creditMultiplier: 1.2 }), "1.2x credits");
  });
});
