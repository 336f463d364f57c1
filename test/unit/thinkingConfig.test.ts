// Tests for the thinking plan: tag budgets per level, native fields shaped by each model's schema (Claude and GPT families), and models that must never think.
import { test } from "node:test";
import assert from "node:assert/strict";
import { additionalModelRequestFields, effortFor, nativeThinkingShapeFrom, planThinking, thinkingBudgetFor, thinkingPromptPrefix } from "../../src/kiro/request/thinkingConfig";
import { findModel, modelFromService } from "../../src/kiro/catalog/models";
import { buildKiroRequest } from "../../src/kiro/request/request";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import type { ThinkingLevel } from "../../src/kiro/types";
import { nativeThinkingSchema } from "../sim/kiroSimulator";
import { validateGenerateAssistantResponseJson, type SimModel } from "../sim/validation";

function model(id: string): KiroModelInfo {
  const m = findModel(id);
  assert.ok(m, `model ${id} should exist`);
  return m;
}

test("tag budgets grow with the level and stay within 1024–24576", () => {
  const levels = ["minimal", "low", "medium", "high", "xhigh"] as const;
  const budgets = levels.map((l) => thinkingBudgetFor(l));
  assert.deepEqual(budgets, [...budgets].sort((a, b) => a - b));
  assert.equal(budgets[0], 1024);
  assert.equal(budgets[4], 24576);
  for (const b of budgets) assert.ok(b >= 1024 && b <= 24576);
});

test("thinkingBudgets override the defaults but are clamped", () => {
  assert.equal(thinkingBudgetFor("low", { low: 3000 }), 3000);
  assert.equal(thinkingBudgetFor("high", { high: 100_000 }), 24576);
  assert.equal(thinkingBudgetFor("minimal", { minimal: 10 }), 1024);
});

test("the budget leaves room for the answer under a small maxTokens", () => {
  assert.equal(thinkingBudgetFor("high", undefined, 8192), 8192 - 1024);
});

test("a tag-mode model gets the prompt tags with the level's budget and no additionalModelRequestFields", () => {
  const plan = planThinking(model("claude-sonnet-4-5"), { reasoning: "high", thinkingBudgets: { high: 12000 } });
  assert.equal(plan.mode, "tags");
  assert.equal(thinkingPromptPrefix(plan), "<thinking_mode>enabled</thinking_mode><max_thinking_length>12000</max_thinking_length>");
  assert.equal(additionalModelRequestFields(plan), undefined);
});

test("a native-thinking model gets adaptive thinking with the effort mapped from the level", () => {
  const m = model("claude-opus-4-6");
  const effort = (level: "minimal" | "low" | "medium" | "high" | "xhigh") =>
    additionalModelRequestFields(planThinking(m, { reasoning: level }))?.output_config?.effort;
  assert.deepEqual(
    ["minimal", "low", "medium", "high", "xhigh"].map((l) => effort(l as "low")),
    ["low", "low", "medium", "high", "max"],
  );
  const plan = planThinking(m, { reasoning: "high" });
  assert.deepEqual(additionalModelRequestFields(plan), { thinking: { type: "adaptive" }, output_config: { effort: "high" } });
  assert.equal(thinkingPromptPrefix(plan), "");
});

test("no thinking when the level is off or absent", () => {
  assert.equal(planThinking(model("claude-sonnet-4-5"), {}).mode, "off");
  assert.equal(planThinking(model("claude-sonnet-4-5"), { reasoning: "off" }).mode, "off");
});

test("a model without reasoning never thinks, whatever the level", () => {
  const plan = planThinking(model("glm-5"), { reasoning: "xhigh" });
  assert.equal(plan.mode, "off");
  assert.equal(thinkingPromptPrefix(plan), "");
  assert.equal(additionalModelRequestFields(plan), undefined);
});

test("a -thinking alias turns thinking on at medium without a level", () => {
  const plan = planThinking(model("claude-sonnet-4-5-20250514-thinking"), {});
  assert.equal(plan.mode, "tags");
  assert.equal(plan.level, "medium");
  assert.equal(plan.budgetTokens, thinkingBudgetFor("medium"));
  assert.equal(planThinking(model("claude-sonnet-4-5-20250514-thinking"), { reasoning: "high" }).level, "high");
});

const LEVELS: readonly ThinkingLevel[] = ["minimal", "low", "medium", "high", "xhigh"];

/** Claude's effort-only schema as pi-provider-kiro's tests model it (root and field strict). */
function strictEffortSchema(field: "output_config" | "reasoning", values: string[]): Record<string, unknown> {
  return {
    type: "object",
    additionalProperties: false,
    properties: { [field]: { type: "object", additionalProperties: false, properties: { effort: { type: "string", enum: values } } } },
  };
}

/** Realistic catalog schemas, each with where it comes from. */
const SCHEMAS: Record<string, { schema: Record<string, unknown>; modelId: string }> = {
  // The simulator's Claude 4.6 schema: thinking.type enum and a strict output_config enum.
  "claude 4.6 (thinking.type + output_config)": { schema: nativeThinkingSchema(), modelId: "claude-opus-4.6" },
  // pi-provider-kiro test/stream.test.ts, claude-sonnet-5: display offered, effort up to max.
  "claude sonnet 5 (thinking.display)": {
    schema: {
      type: "object",
      properties: {
        thinking: { type: "object", properties: { display: { type: "string", enum: ["summarized", "omitted"] } } },
        output_config: { type: "object", properties: { effort: { type: "string", enum: ["low", "medium", "high", "xhigh", "max"] } } },
      },
    },
    modelId: "claude-sonnet-5",
  },
  // pi-provider-kiro effortSchema("output_config", …) and kirocc's 4.7 enum: effort only, nothing else allowed.
  "claude 4.7 (strict, effort only)": { schema: strictEffortSchema("output_config", ["low", "medium", "high", "xhigh", "max"]), modelId: "claude-opus-4.7" },
  // pi-provider-kiro test/models.test.ts openai-gpt-5.6 and kirocc's GPT 5.6 family: reasoning.effort with "none".
  "gpt 5.6 (reasoning.effort)": { schema: strictEffortSchema("reasoning", ["none", "low", "medium", "high", "xhigh", "max"]), modelId: "openai-gpt-5.6" },
};

function catalogModel(modelId: string, schema: unknown): KiroModelInfo {
  const info = modelFromService({ modelId, modelName: modelId, tokenLimits: { maxInputTokens: 400_000, maxOutputTokens: 64_000 }, additionalModelRequestFieldsSchema: schema });
  assert.ok(info, modelId);
  return info;
}

test("pi's levels map to the nearest effort the enum lists, never to none", () => {
  const map = (allowed: string[]) => LEVELS.map((l) => effortFor(l, allowed));
  assert.deepEqual(map(["low", "medium", "high", "max"]), ["low", "low", "medium", "high", "max"]);
  assert.deepEqual(map(["low", "medium", "high", "xhigh", "max"]), ["low", "low", "medium", "high", "xhigh"]);
  assert.deepEqual(map(["none", "low", "medium", "high", "xhigh", "max"]), ["low", "low", "medium", "high", "xhigh"]);
  assert.deepEqual(map(["minimal", "low", "medium", "high"]), ["minimal", "low", "medium", "high", "high"]);
  assert.deepEqual(map(["high"]), ["high", "high", "high", "high", "high"]);
  assert.deepEqual(map(["none", "auto"]), [undefined, undefined, undefined, undefined, undefined]);
});

test("the shape is read from each family's schema", () => {
  assert.deepEqual(nativeThinkingShapeFrom(SCHEMAS["claude 4.6 (thinking.type + output_config)"]!.schema), {
    efforts: ["low", "medium", "high", "max"],
    effortAt: "output_config",
    thinkingType: "adaptive",
  });
  assert.deepEqual(nativeThinkingShapeFrom(SCHEMAS["claude sonnet 5 (thinking.display)"]!.schema), {
    efforts: ["low", "medium", "high", "xhigh", "max"],
    effortAt: "output_config",
    thinkingType: "adaptive",
    summarizedDisplay: true,
  });
  assert.deepEqual(nativeThinkingShapeFrom(SCHEMAS["claude 4.7 (strict, effort only)"]!.schema), { efforts: ["low", "medium", "high", "xhigh", "max"], effortAt: "output_config" });
  assert.deepEqual(nativeThinkingShapeFrom(SCHEMAS["gpt 5.6 (reasoning.effort)"]!.schema), { efforts: ["none", "low", "medium", "high", "xhigh", "max"], effortAt: "reasoning" });
});

test("a schema given as JSON text is read like the object; one that allows nothing usable gives no shape", () => {
  assert.deepEqual(nativeThinkingShapeFrom(JSON.stringify(nativeThinkingSchema())), nativeThinkingShapeFrom(nativeThinkingSchema()));
  for (const useless of [undefined, null, "", "{not json", {}, { type: "object" }, { type: "object", properties: {} }, strictEffortSchema("output_config", ["auto"])]) {
    assert.equal(nativeThinkingShapeFrom(useless), undefined, JSON.stringify(useless));
  }
});

test("a schema that only enables thinking with a budget gets enabled thinking with the level's budget inside its bounds", () => {
  const schema = {
    type: "object",
    additionalProperties: false,
    properties: {
      thinking: {
        type: "object",
        additionalProperties: false,
        required: ["type", "budget_tokens"],
        properties: { type: { type: "string", enum: ["enabled", "disabled"] }, budget_tokens: { type: "integer", minimum: 2048, maximum: 16000 } },
      },
    },
  };
  const m = catalogModel("claude-legacy-thinker", schema);
  assert.deepEqual(m.nativeThinkingShape, { efforts: [], thinkingType: "enabled", budgetTokens: { min: 2048, max: 16000 } });
  assert.deepEqual(planThinking(m, { reasoning: "minimal" }).fields, { thinking: { type: "enabled", budget_tokens: 2048 } });
  assert.deepEqual(planThinking(m, { reasoning: "xhigh" }).fields, { thinking: { type: "enabled", budget_tokens: 16000 } });
  assert.deepEqual(planThinking(m, { reasoning: "medium" }).fields, { thinking: { type: "enabled", budget_tokens: thinkingBudgetFor("medium") } });
});

for (const [name, { schema, modelId }] of Object.entries(SCHEMAS)) {
  test(`${name}: every level sends only fields the schema allows, and the service's validator agrees`, () => {
    const m = catalogModel(modelId, schema);
    assert.equal(m.nativeThinking, true);
    assert.equal(m.reasoning, true);
    const sim: SimModel[] = [{ modelId, modelName: modelId, tokenLimits: { maxInputTokens: 400_000, maxOutputTokens: 64_000 }, additionalModelRequestFieldsSchema: schema }];
    for (const level of LEVELS) {
      const req = buildKiroRequest(m, { systemPrompt: "Sys", messages: [{ role: "user", content: "q", timestamp: 1 }] }, { reasoning: level });
      assert.equal(req.thinking, "native", level);
      assert.ok(req.body.additionalModelRequestFields, level);
      assert.deepEqual(validateGenerateAssistantResponseJson(req.json, sim).errors, [], `${name} at ${level}`);
      assert.doesNotMatch(req.json, /thinking_mode/, "no tags next to native fields");
    }
  });
}

test("GPT-family fields carry reasoning.effort only; Claude's carry adaptive thinking and summarized display where offered", () => {
  const gpt = catalogModel("openai-gpt-5.6", SCHEMAS["gpt 5.6 (reasoning.effort)"]!.schema);
  assert.deepEqual(additionalModelRequestFields(planThinking(gpt, { reasoning: "minimal" })), { reasoning: { effort: "low" } });
  assert.deepEqual(additionalModelRequestFields(planThinking(gpt, { reasoning: "xhigh" })), { reasoning: { effort: "xhigh" } });
  const sonnet5 = catalogModel("claude-sonnet-5", SCHEMAS["claude sonnet 5 (thinking.display)"]!.schema);
  assert.deepEqual(additionalModelRequestFields(planThinking(sonnet5, { reasoning: "xhigh" })), {
    thinking: { type: "adaptive", display: "summarized" },
    output_config: { effort: "xhigh" },
  });
  const opus47 = catalogModel("claude-opus-4.7", SCHEMAS["claude 4.7 (strict, effort only)"]!.schema);
  assert.deepEqual(additionalModelRequestFields(planThinking(opus47, { reasoning: "high" })), { output_config: { effort: "high" } });
});

test("without the schema at hand a native model gets its family's shape: Claude adaptive + output_config, GPT reasoning.effort", () => {
  const claude: KiroModelInfo = { ...model("claude-opus-4-6"), nativeThinkingShape: undefined };
  assert.deepEqual(additionalModelRequestFields(planThinking(claude, { reasoning: "xhigh" })), { thinking: { type: "adaptive" }, output_config: { effort: "max" } });
  const gpt: KiroModelInfo = { id: "openai-gpt-5-6", kiroId: "openai-gpt-5.6", name: "GPT", contextWindow: 272_000, maxTokens: 128_000, reasoning: true, nativeThinking: true, input: ["text"] };
  assert.deepEqual(additionalModelRequestFields(planThinking(gpt, { reasoning: "xhigh" })), { reasoning: { effort: "high" } }, "only values every GPT enum lists");
});

test("a catalog schema that allows nothing usable leaves the model on tag thinking", () => {
  const m = catalogModel("claude-sonnet-4.6", { type: "object" });
  assert.equal(m.nativeThinking, false);
  const plan = planThinking(m, { reasoning: "high" });
  assert.equal(plan.mode, "tags");
  assert.equal(additionalModelRequestFields(plan), undefined);
});
