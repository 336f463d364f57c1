// VS Code's picker entries for Kiro's catalog: one per model, thinking effort as its configuration, credits, old `-thinking` ids.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findModel, modelFromService } from "../../src/kiro/catalog/models";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import { additionalModelRequestFields, planThinking } from "../../src/kiro/request/thinkingConfig";
import { EFFORT_PROPERTY, SIGN_IN_WARNING, chatModelEntry, effortLevel, legacyThinkingEntry, nearQuotaWarning, requestEffort } from "../../src/vscode/chatModels";
import { december2026SimModels } from "../sim/modelCatalog2026";
import { defaultSimModels } from "../sim/kiroSimulator";

function catalog(entries: unknown[]): KiroModelInfo[] {
  return entries.map((e) => modelFromService(e)).filter((m): m is KiroModelInfo => m !== undefined);
}
const live2026 = catalog(december2026SimModels());
const simDefault = catalog(defaultSimModels());
const byKiroId = (models: KiroModelInfo[], id: string): KiroModelInfo => {
  const found = models.find((m) => m.kiroId === id);
  assert.ok(found, `no ${id} in the catalog`);
  return found;
};
type Schema = { properties: Record<string, { enum: string[]; default?: string; group?: string; title?: string; enumItemLabels?: string[] }> };
const schemaOf = (entry: object): Schema | undefined => (entry as { configurationSchema?: Schema }).configurationSchema;

describe("chatModelEntry", () => {
  it("lists Opus 4.7 once, with the catalog's efforts, off (its schema allows it) and xhigh by default as the picker's Thinking Effort", () => {
    const entry = chatModelEntry(byKiroId(live2026, "claude-opus-4.7"), "us-east-1");
    const effort = schemaOf(entry)?.properties[EFFORT_PROPERTY];
    assert.ok(effort, "the entry has a reasoningEffort configuration");
    assert.equal(effort.group, "navigation", "navigation is the group VS Code's picker shows as a control");
    assert.equal(effort.title, "Thinking Effort");
    assert.deepEqual(effort.enum, ["off", "low", "medium", "high", "xhigh", "max"]);
    assert.equal(effort.default, "xhigh");
    assert.equal(effort.enumItemLabels?.length, effort.enum.length);
    assert.equal(entry.id, "claude-opus-4-7");
  });

  it("gives every model of the live catalog one entry, and efforts only to models that think", () => {
    const entries = live2026.map((m) => chatModelEntry(m, "us-east-1"));
    assert.equal(new Set(entries.map((e) => e.id)).size, entries.length);
    assert.ok(!entries.some((e) => /thinking/i.test(e.id) || /Thinking/.test(e.name)), "no '(Thinking)' second entries");
    const auto = entries.find((e) => e.id === "auto");
    assert.ok(auto && schemaOf(auto) === undefined, "Auto picks its own model and offers no effort");
  });

  it("offers off, low, medium and high through prompt tags to a Claude model whose catalog entry has no thinking schema, off by default as before", () => {
    const entry = chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1");
    const effort = schemaOf(entry)?.properties[EFFORT_PROPERTY];
    assert.deepEqual(effort?.enum, ["off", "low", "medium", "high"]);
    assert.equal(effort?.default, "off");
  });

  it("shows the catalog's credit multiplier as pricing, the context window as maxContextWindowTokens, and a category", () => {
    const opus = byKiroId(live2026, "claude-opus-4.7");
    const entry = chatModelEntry(opus, "us-east-1") as unknown as Record<string, unknown>;
    assert.equal(entry.pricing, "2.2x credits");
    assert.equal(entry.multiplierNumeric, 2.2);
    assert.equal(entry.maxContextWindowTokens, opus.contextWindow);
    assert.equal(entry.isUserSelectable, true);
    assert.deepEqual(entry.category, { label: "Kiro", order: 50 });
    assert.match(String(entry.tooltip), /2\.2x credits per request/);
  });

  it("shows a used-up quota as a warning icon and text on the entry", () => {
    const entry = chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1", { quotaUsedUp: "Monthly limit reached", icon: (id) => ({ icon: id }) });
    const fields = entry as unknown as Record<string, unknown>;
    assert.deepEqual(fields.warningText, { quota: "Monthly limit reached" });
    assert.deepEqual(fields.statusIcon, { icon: "warning" });
    assert.equal((chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1") as unknown as Record<string, unknown>).warningText, undefined);
  });

  it("signed out, the entry carries a sign-in icon and says to sign in with Kiro: Sign In", () => {
    const fields = chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1", { signedOut: true, icon: (id) => ({ icon: id }) }) as unknown as Record<string, unknown>;
    assert.deepEqual(fields.statusIcon, { icon: "account" });
    assert.deepEqual(fields.warningText, { signIn: SIGN_IN_WARNING });
    assert.match(SIGN_IN_WARNING, /Not signed in to Kiro.*"Kiro: Sign In"/);
  });

  it("near the quota, the entry warns how much is used without marking the model with an icon", () => {
    const near = nearQuotaWarning({ used: 46, limit: 50, remaining: 4, percentUsed: 92, resetDate: "2027-01-01T00:00:00.000Z", unit: "credit" });
    assert.equal(near, "Kiro quota nearly used up: 92% of this period's credits used (46 of 50, 4 left, resets on 2027-01-01).");
    const fields = chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1", { quotaNear: near, icon: (id) => ({ icon: id }) }) as unknown as Record<string, unknown>;
    assert.deepEqual(fields.warningText, { quota: near });
    assert.equal(fields.statusIcon, undefined);
  });

  it("warns near the quota only from 90% used and while credits are left", () => {
    assert.equal(nearQuotaWarning({ used: 44.9, limit: 50, remaining: 5.1, percentUsed: 89.8 }), undefined);
    assert.match(nearQuotaWarning({ used: 45, limit: 50, remaining: 5, percentUsed: 90 }) ?? "", /90% of this period's credits used \(45 of 50, 5 left\)\.$/);
    assert.equal(nearQuotaWarning({ used: 50, limit: 50, remaining: 0, percentUsed: 100 }), undefined, "used up is the quota error's warning, not this one");
    assert.equal(nearQuotaWarning({ used: 0, limit: 0, remaining: 0, percentUsed: 0 }), undefined);
  });

  it("where VS Code shows no warningText, the warnings lead the tooltip instead", () => {
    const fields = chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1", { signedOut: true, showsWarningText: false, icon: (id) => ({ icon: id }) }) as unknown as Record<string, unknown>;
    assert.equal(fields.warningText, undefined);
    assert.ok(String(fields.tooltip).startsWith(SIGN_IN_WARNING), String(fields.tooltip));
    assert.deepEqual(fields.statusIcon, { icon: "account" });
  });
});

describe("requestEffort", () => {
  const opus = chatModelEntry(byKiroId(live2026, "claude-opus-4.7"), "us-east-1");

  it("uses the effort picked in VS Code's picker, and the model's default when none was picked or the value is unknown", () => {
    assert.equal(requestEffort(opus, { [EFFORT_PROPERTY]: "max" }), "max");
    assert.equal(requestEffort(opus, { [EFFORT_PROPERTY]: "off" }), "off");
    assert.equal(requestEffort(opus, undefined), "xhigh");
    assert.equal(requestEffort(opus, { [EFFORT_PROPERTY]: "ludicrous" }), "xhigh");
  });

  it("sends the picked effort itself, max included, where pi's levels would have stopped at xhigh", () => {
    const info = byKiroId(live2026, "claude-opus-4.7");
    const effort = requestEffort(opus, { [EFFORT_PROPERTY]: "max" });
    const fields = additionalModelRequestFields(planThinking(info, { reasoning: effortLevel(effort), effort }));
    assert.deepEqual(fields?.output_config, { effort: "max" });
    assert.equal(planThinking(info, { reasoning: effortLevel("off"), effort: "off" }).mode, "off");
    assert.deepEqual(additionalModelRequestFields(planThinking(info, { reasoning: effortLevel("low"), effort: "low" }))?.output_config, { effort: "low" });
  });
});

describe("old -thinking ids", () => {
  it("still resolve: a hidden entry under the old id thinks at medium, and the core finds the model for it", () => {
    const sonnet = chatModelEntry(byKiroId(simDefault, "claude-sonnet-4.5"), "us-east-1");
    const legacy = legacyThinkingEntry(sonnet);
    assert.ok(legacy);
    assert.equal(legacy.id, "claude-sonnet-4-5-thinking");
    assert.equal((legacy as unknown as { isUserSelectable?: boolean }).isUserSelectable, false, "hidden from the picker");
    assert.equal(requestEffort(legacy, undefined), "medium");
    assert.equal(findModel(legacy.kiroModelId, simDefault)?.kiroId, "claude-sonnet-4.5");
  });

  it("are not made for models that do not think", () => {
    const auto = chatModelEntry(byKiroId(simDefault, "auto"), "us-east-1");
    assert.equal(legacyThinkingEntry(auto), undefined);
  });
});
