// The usage part after an answer, in the shape Copilot Chat reads (prompt, completion, total and cached tokens).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyUsage, type AssistantMessage } from "../../src/kiro/types";
import { chatUsage, describeUsage, usageBytes } from "../../src/vscode/chatUsage";

function answer(usage: Partial<AssistantMessage["usage"]>, kiro?: AssistantMessage["kiro"]): AssistantMessage {
  return { role: "assistant", content: [], api: "a", provider: "kiro", model: "m", usage: { ...emptyUsage(), ...usage }, stopReason: "stop", timestamp: 0, ...(kiro ? { kiro } : {}) };
}

describe("chatUsage", () => {
  it("counts cached and uncached input as prompt tokens, with the cache reads as cached_tokens", () => {
    const usage = chatUsage(answer({ input: 100, cacheRead: 900, cacheWrite: 50, output: 40 }));
    assert.deepEqual(usage, { prompt_tokens: 1050, completion_tokens: 40, total_tokens: 1090, prompt_tokens_details: { cached_tokens: 900 } });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(usageBytes(usage!))), usage);
  });

  it("reports nothing for an answer without any usage", () => {
    assert.equal(chatUsage(answer({})), undefined);
    assert.equal(chatUsage(undefined), undefined);
  });

  it("logs tokens, the context share and the credits Kiro charged", () => {
    const final = answer({ input: 2000, output: 10 }, { contextUsagePercentage: 1, credits: 0.42, usageEstimated: true });
    assert.equal(describeUsage(final, chatUsage(final)), "2000 prompt + 10 output tokens (estimated), 1% of the context window, 0.42 credits");
  });
});
