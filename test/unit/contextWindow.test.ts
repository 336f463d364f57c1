// Keeping requests inside the model's context window: history trimmed by estimated tokens (text chars/4, images ~1600), and a message too large on its own is refused before sending.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { classifyHttpError } from "../../src/kiro/errors";
import { findModel, getModel } from "../../src/kiro/catalog/models";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import { buildKiroRequest, inputTokenBudget } from "../../src/kiro/request/request";
import { streamKiro } from "../../src/kiro/stream";
import type { AssistantMessage, Context, Message } from "../../src/kiro/types";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { textReply } from "../sim/replies";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function assistant(text: string): AssistantMessage {
  return {
    role: "assistant",
    content: [{ type: "text", text }],
    api: "kiro-generate-assistant-response",
    provider: "kiro",
    model: "claude-sonnet-4-5",
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
    stopReason: "stop",
    timestamp: 1,
  };
}

/** `pairs` question/answer pairs of about `charsPerMessage` characters each, then a short question. */
function longConversation(pairs: number, charsPerMessage: number): Message[] {
  const messages: Message[] = [];
  for (let i = 0; i < pairs; i++) {
    messages.push({ role: "user", content: `question ${i} ${"q".repeat(charsPerMessage)}`, timestamp: 1_700_000_000_000 + i });
    messages.push(assistant(`answer ${i} ${"a".repeat(charsPerMessage)}`));
  }
  messages.push({ role: "user", content: "And now?", timestamp: 1_700_000_100_000 });
  return messages;
}

interface SentBody {
  conversationState: {
    currentMessage: { userInputMessage: { content: string } };
    history?: ({ userInputMessage: { content: string } } | { assistantResponseMessage: { content: string } })[];
  };
}

function contentChars(body: SentBody): number {
  let chars = body.conversationState.currentMessage.userInputMessage.content.length;
  for (const entry of body.conversationState.history ?? []) chars += "userInputMessage" in entry ? entry.userInputMessage.content.length : entry.assistantResponseMessage.content.length;
  return chars;
}

describe("context window against the simulator", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({ chunking: "whole" });
  });
  after(async () => {
    await sim.close();
  });

  it("trims a long history to a 200K model so Kiro accepts it, tells the model how many turns were dropped, and keeps most of the window", async () => {
    // 60 pairs of ~16K characters: ~480K estimated tokens, far over 200K, but only ~2 MB (under the byte limit).
    const context: Context = { systemPrompt: "Be brief.", messages: longConversation(60, 16_000) };
    sim.reply(textReply("Here is what I remember."));
    const message = await streamKiro(getModel("kiro", "claude-sonnet-4-5"), context, { accessToken: sim.accessToken, endpoint: sim.url, env: {} }).result();
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const [request] = sim.generateRequests();
    assert.deepEqual(request!.validationErrors, []);
    const body = request!.body as SentBody;
    const history = body.conversationState.history ?? [];
    const first = history[0]!;
    assert.ok("userInputMessage" in first);
    const dropped = 120 - history.length;
    assert.ok(dropped > 0 && dropped % 2 === 0, `dropped ${dropped} turns`);
    assert.ok(
      first.userInputMessage.content.startsWith(`Be brief.\n\n[Note: ${dropped} earlier turns of this conversation were dropped to keep the request within the model's context window.]`),
      first.userInputMessage.content.slice(0, 200),
    );
    assert.match(first.userInputMessage.content, new RegExp(`question ${dropped / 2} `), "the oldest turns went first");
    const estimatedTokens = contentChars(body) / 4;
    assert.ok(estimatedTokens > 120_000, `only ~${Math.round(estimatedTokens)} tokens of a 200K window were kept`);
  });

  it("does not send a message that alone exceeds the model's context window and says to shorten it or start a new conversation", async () => {
    const before = sim.generateRequests().length;
    // 500,000 characters stay under Kiro's 600,000-character message limit (nothing is cut), but not under a 100K window.
    const context: Context = { messages: [{ role: "user", content: "x".repeat(500_000), timestamp: 1 }] };
    const small = { ...getModel("kiro", "claude-sonnet-4-5"), id: "small-window-model", name: "Small Window", contextWindow: 100_000, maxTokens: 8_000 };
    const message = await streamKiro(small, context, { accessToken: sim.accessToken, endpoint: sim.url, env: {} }).result();
    assert.equal(message.stopReason, "error");
    assert.equal(message.kiro?.error?.kind, "message-too-large");
    assert.equal(sim.generateRequests().length, before, "no request was sent");
    assert.match(message.errorMessage!, /too large for Small Window: about 125,\d{3} tokens/);
    assert.match(message.errorMessage!, /100,000-token context window/);
    assert.match(message.errorMessage!, /Shorten the message.*start a new conversation/);
  });
});

describe("token budget of a request", () => {
  const small: KiroModelInfo = { ...findModel("claude-sonnet-4-5")!, contextWindow: 12_000, maxTokens: 2_000 };

  it("leaves room for the answer: the window less maxTokens, at most a quarter of the window", () => {
    assert.equal(inputTokenBudget({ contextWindow: 200_000, maxTokens: 64_000 }), 150_000);
    assert.equal(inputTokenBudget({ contextWindow: 200_000, maxTokens: 64_000 }, 8_000), 192_000);
    assert.equal(inputTokenBudget({ contextWindow: 1_000_000, maxTokens: 64_000 }), 936_000);
  });

  it("sends a history that fits the window whole", () => {
    const request = buildKiroRequest(findModel("claude-sonnet-4-5")!, { messages: longConversation(20, 8_000) });
    assert.equal(request.droppedTurns, 0);
    assert.ok(request.estimatedInputTokens > 80_000 && request.estimatedInputTokens < 81_000, `estimated ${request.estimatedInputTokens}`);
  });

  it("counts each image of the latest message as about 1600 tokens, so old turns make room for them", () => {
    const messages: Message[] = [];
    for (let i = 0; i < 8; i++) {
      messages.push({ role: "user", content: `question ${i} ${"q".repeat(2_000)}`, timestamp: i });
      messages.push(assistant(`answer ${i} ${"a".repeat(2_000)}`));
    }
    const images = Array.from({ length: 5 }, () => ({ type: "image" as const, data: PNG, mimeType: "image/png" }));
    messages.push({ role: "user", content: [{ type: "text", text: "compare them" }, ...images], timestamp: 99 });
    const request = buildKiroRequest(small, { messages });
    // Budget 10,000 tokens: five images take 8,000, so only the newest exchange of ~1,000 tokens still fits.
    assert.equal(request.droppedTurns, 14);
    assert.equal(request.body.conversationState.currentMessage.userInputMessage.images?.length, 5);
    assert.ok(request.estimatedInputTokens <= 10_000, `estimated ${request.estimatedInputTokens}`);
  });

  it("does not send history images again: each becomes a short note and costs no image tokens", () => {
    const messages: Message[] = [];
    for (let i = 0; i < 7; i++) {
      messages.push({ role: "user", content: [{ type: "text", text: `look at ${i}` }, { type: "image", data: PNG, mimeType: "image/png" }], timestamp: i });
      messages.push(assistant(`seen ${i}`));
    }
    messages.push({ role: "user", content: "compare them", timestamp: 99 });
    const request = buildKiroRequest(small, { messages });
    assert.equal(request.droppedTurns, 0, "seven images would not fit the budget; seven notes do");
    const history = request.body.conversationState.history ?? [];
    for (const entry of history) {
      if ("userInputMessage" in entry) {
        assert.equal(entry.userInputMessage.images, undefined);
        assert.match(entry.userInputMessage.content, /An image was attached here/);
      }
    }
    assert.ok(request.notes.some((note) => /7 earlier image\(s\) replaced by a note/.test(note)), request.notes.join(" | "));
  });

  it("honours an explicit maxInputTokens", () => {
    const request = buildKiroRequest(findModel("claude-sonnet-4-5")!, { messages: longConversation(20, 8_000) }, { maxInputTokens: 40_000 });
    assert.ok(request.droppedTurns > 0);
    assert.ok(request.estimatedInputTokens <= 40_000, `estimated ${request.estimatedInputTokens}`);
  });
});

describe("too-long wording", () => {
  it("words the service's too-long error so pi's context-overflow check matches it and pi compacts on its own", () => {
    const error = classifyHttpError(400, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" }, { modelId: "claude-sonnet-4-5" });
    assert.equal(error.kind, "too-long");
    // pi-ai's isContextOverflow (utils/overflow.ts) matches /exceeds the context window/i, among others.
    assert.match(error.userMessage, /exceeds the context window/i);
  });
});
