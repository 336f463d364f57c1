// Tests for the thinking plan: tag budgets per level, native effort mapping, and models that must never think.
import { test } from "node:test";
import assert from "node:assert/strict";
import { additionalModelRequestFields, planThinking, thinkingBudgetFor, thinkingPromptPrefix } from "../../src/kiro/thinkingConfig";
import { findModel } from "../../src/kiro/models";
import type { KiroModelInfo } from "../../src/kiro/options";

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
    additionalModelRequestFields(planThinking(m, { reasoning: level }))?.output_config.effort;
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
