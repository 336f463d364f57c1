// The provider's memory of its answers' thinking and modelTag: put back, signature and all, when VS Code's history sends an answer without them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyUsage, type AssistantMessage, type Context } from "../../src/kiro/types";
import { ChatThinkingMemory } from "../../src/vscode/chatThinkingMemory";

function assistant(content: AssistantMessage["content"]): AssistantMessage {
  return { role: "assistant", content, api: "a", provider: "kiro", model: "m", usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
}
const answered = assistant([
  { type: "thinking", thinking: "Weighing it.", thinkingSignature: "sig-1" },
  { type: "text", text: "A thought-through answer." },
]);
function historyWith(answer: AssistantMessage): Context {
  return {
    messages: [
      { role: "user", content: "think", timestamp: 0 },
      answer,
      { role: "user", content: "and now?", timestamp: 2 },
    ],
  };
}

describe("ChatThinkingMemory", () => {
  it("puts the signed thinking back in front of the same answer when VS Code sent it as text only", () => {
    const memory = new ChatThinkingMemory();
    memory.remember("claude-sonnet-4-6", answered);
    const restored = memory.restore("claude-sonnet-4-6", historyWith(assistant([{ type: "text", text: "A thought-through answer.\n" }])));
    assert.deepEqual((restored.messages[1] as AssistantMessage).content, [answered.content[0], { type: "text", text: "A thought-through answer.\n" }]);
  });

  it("leaves an answer alone when it came with thinking, for another model, or was never given", () => {
    const memory = new ChatThinkingMemory();
    memory.remember("claude-sonnet-4-6", answered);
    const textOnly = historyWith(assistant([{ type: "text", text: "A thought-through answer." }]));
    assert.equal(memory.restore("claude-opus-4-7", textOnly), textOnly, "a signature belongs to the model that made it");
    const other = historyWith(assistant([{ type: "text", text: "Something else." }]));
    assert.equal(memory.restore("claude-sonnet-4-6", other), other);
    const withThinking = historyWith(answered);
    assert.equal(memory.restore("claude-sonnet-4-6", withThinking), withThinking);
  });

  it("keeps nothing from an answer without a signature", () => {
    const memory = new ChatThinkingMemory();
    memory.remember("m", assistant([{ type: "thinking", thinking: "unsigned" }, { type: "text", text: "x" }]));
    const history = historyWith(assistant([{ type: "text", text: "x" }]));
    assert.equal(memory.restore("m", history), history);
  });

  it("echoes the modelTag Kiro put on an answer when VS Code sends that answer back, for the same model only", () => {
    const memory = new ChatThinkingMemory();
    memory.remember("claude-sonnet-4-5", { ...assistant([{ type: "text", text: "Tagged answer." }]), kiro: { modelTag: "tag-7" } });
    const history = historyWith(assistant([{ type: "text", text: "Tagged answer." }]));
    assert.equal((memory.restore("claude-sonnet-4-5", history).messages[1] as AssistantMessage).kiro?.modelTag, "tag-7");
    assert.equal(memory.restore("claude-haiku-4-5", history), history, "a tag belongs to the model that made it");
  });
});
