// Tests for the history builder and trimmer: turn merging, tool call/result pairing, thinking replay, images and byte-budget trimming.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CONTINUE_TEXT,
  buildConversation,
  cleanToolInput,
  convertImage,
  escapeThinkingTags,
  imageFormatFor,
  trimHistory,
  type ConversationOptions,
} from "../../src/kiro/request/history";
import type { KiroHistoryEntry } from "../../src/kiro/wire/wireTypes";
import type { AssistantMessage, Message } from "../../src/kiro/types";

const options: ConversationOptions = {
  modelId: "claude-sonnet-4.5",
  origin: "AI_EDITOR",
  acceptsImages: true,
  thinkingReplay: "tags",
  provider: "kiro",
  piModelId: "claude-sonnet-4-5",
  wireToolName: (name) => name,
};

const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
function assistant(content: AssistantMessage["content"], stopReason: AssistantMessage["stopReason"] = "stop"): AssistantMessage {
  return { role: "assistant", content, api: "x", provider: "kiro", model: "claude-sonnet-4-5", usage, stopReason, timestamp: 0 };
}

function roleOf(entry: KiroHistoryEntry): "user" | "assistant" {
  return "userInputMessage" in entry ? "user" : "assistant";
}

test("image formats: png, jpeg (also image/jpg), gif and webp map to Kiro formats; others do not", () => {
  assert.equal(imageFormatFor("image/png"), "png");
  assert.equal(imageFormatFor("image/jpeg"), "jpeg");
  assert.equal(imageFormatFor("IMAGE/JPG"), "jpeg");
  assert.equal(imageFormatFor("image/gif"), "gif");
  assert.equal(imageFormatFor("image/webp; q=1"), "webp");
  assert.equal(imageFormatFor("image/svg+xml"), undefined);
  assert.equal(imageFormatFor("image/heic"), undefined);
});

test("convertImage strips a data: prefix and turns unusable images into notes", () => {
  assert.deepEqual(convertImage({ type: "image", data: "data:image/png;base64,AAAA", mimeType: "image/png" }, true), { format: "png", source: { bytes: "AAAA" } });
  assert.match(convertImage({ type: "image", data: "AAAA", mimeType: "image/tiff" }, true) as string, /image\/tiff.*PNG, JPEG, GIF and WebP/);
  assert.match(convertImage({ type: "image", data: "", mimeType: "image/png" }, true) as string, /empty/);
  assert.match(convertImage({ type: "image", data: "AAAA", mimeType: "image/png" }, false) as string, /does not accept images/);
});

test("cleanToolInput drops empty-string and undefined keys at every depth and always returns an object", () => {
  assert.deepEqual(cleanToolInput({ "": 1, a: [{ "": 2, b: undefined, c: 3 }], d: { "": { x: 1 } } }), { a: [{ c: 3 }], d: {} });
  assert.deepEqual(cleanToolInput("not an object"), {});
  assert.deepEqual(cleanToolInput([1, 2]), {});
  assert.deepEqual(cleanToolInput(null), {});
});

test("escapeThinkingTags escapes opening and closing tags in any case and leaves other text alone", () => {
  assert.equal(escapeThinkingTags("a <thinking>b</THINKING> c"), "a &lt;thinking>b&lt;/THINKING> c");
  assert.equal(escapeThinkingTags("<thinking_mode>"), "&lt;thinking_mode>");
  assert.equal(escapeThinkingTags("x < y"), "x < y");
});

test("a history of many tool rounds alternates strictly and starts with a user turn", () => {
  const messages: Message[] = [{ role: "user", content: "go", timestamp: 0 }];
  for (let i = 0; i < 5; i++) {
    messages.push(assistant([{ type: "toolCall", id: `c${i}`, name: "read", arguments: {} }], "toolUse"));
    messages.push({ role: "toolResult", toolCallId: `c${i}`, toolName: "read", content: [{ type: "text", text: `r${i}` }], isError: false, timestamp: 0 });
  }
  const { history, current } = buildConversation(messages, options);
  assert.equal(history.length, 10);
  history.forEach((entry, i) => assert.equal(roleOf(entry), i % 2 === 0 ? "user" : "assistant"));
  assert.deepEqual(current.userInputMessageContext?.toolResults?.map((r) => r.toolUseId), ["c4"]);
  assert.equal(current.content, "Tool results:");
});

test("tag replay puts earlier thinking before the text; redacted and empty thinking are skipped", () => {
  const { history } = buildConversation(
    [
      { role: "user", content: "q", timestamp: 0 },
      assistant([
        { type: "thinking", thinking: "first" },
        { type: "thinking", thinking: "opaque", thinkingSignature: "x", redacted: true },
        { type: "thinking", thinking: "  " },
        { type: "text", text: "answer" },
      ]),
      { role: "user", content: "next", timestamp: 0 },
    ],
    options,
  );
  const a = history[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.content, "<thinking>first</thinking>\n\nanswer");
});

test("native replay sends the first signed block as reasoningContent and nothing else as tags from it", () => {
  const { history } = buildConversation(
    [
      { role: "user", content: "q", timestamp: 0 },
      assistant([{ type: "thinking", thinking: "signed", thinkingSignature: "s1" }, { type: "text", text: "answer" }]),
      { role: "user", content: "next", timestamp: 0 },
    ],
    { ...options, thinkingReplay: "native" },
  );
  const a = history[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.content, "answer");
  assert.deepEqual(a.assistantResponseMessage.reasoningContent, { reasoningText: { text: "signed", signature: "s1" } });
});

test("a conversation with no usable messages still yields a non-empty current user message", () => {
  const { history, current } = buildConversation([{ role: "user", content: "   ", timestamp: 0 }], options);
  assert.deepEqual(history, []);
  assert.equal(current.content, CONTINUE_TEXT);
  assert.equal(current.modelId, "claude-sonnet-4.5");
});

test("wire tool names from the mapper are used for tool uses", () => {
  const { history } = buildConversation(
    [{ role: "user", content: "q", timestamp: 0 }, assistant([{ type: "toolCall", id: "c1", name: "fs.read", arguments: {} }], "toolUse")],
    { ...options, wireToolName: (n) => n.replace(".", "_") },
  );
  const a = history[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.toolUses?.[0]?.name, "fs_read");
});

test("trimHistory keeps everything under budget and reports nothing dropped", () => {
  const conversation = buildConversation([{ role: "user", content: "a", timestamp: 0 }, assistant([{ type: "text", text: "b" }]), { role: "user", content: "c", timestamp: 0 }], options);
  const trimmed = trimHistory(conversation, 0, 1_000_000);
  assert.equal(trimmed.droppedTurns, 0);
  assert.equal(trimmed.history.length, 2);
});

test("trimHistory drops whole pairs from the oldest end until the history fits", () => {
  const messages: Message[] = [];
  for (let i = 0; i < 10; i++) {
    messages.push({ role: "user", content: `u${i} ${"x".repeat(1000)}`, timestamp: 0 });
    messages.push(assistant([{ type: "text", text: `a${i} ${"y".repeat(1000)}` }]));
  }
  messages.push({ role: "user", content: "now", timestamp: 0 });
  const conversation = buildConversation(messages, options);
  const trimmed = trimHistory(conversation, 500, 5000);
  assert.ok(trimmed.droppedTurns >= 2 && trimmed.droppedTurns % 2 === 0);
  const size = trimmed.history.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)) + 1, 500);
  assert.ok(size <= 5000, `kept ${size} bytes`);
  assert.equal(roleOf(trimmed.history[0]!), "user");
  const first = trimmed.history[0]!;
  assert.ok("userInputMessage" in first);
  assert.ok(first.userInputMessage.content.startsWith(`u${trimmed.droppedTurns / 2} `));
});
