// The Anthropic Messages conversions as pure functions: request body → pi Context and options, pi events → the SSE sequence and the one-piece message, Kiro failures → Anthropic's envelope and statuses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anthropicFailure, promptTooLongMessage } from "../../src/bridge/anthropic/errors";
import { AnthropicSseEncoder, messageBody } from "../../src/bridge/anthropic/messagesAnswer";
import { parseMessagesRequest, thinkingOptions } from "../../src/bridge/anthropic/messagesRequest";
import { BridgeRequestError } from "../../src/bridge/server/body";
import { failedAnswer } from "../../src/kiro/answer/failedAnswer";
import type { AssistantMessage, AssistantMessageEvent, KiroErrorKind } from "../../src/kiro/types";
import { answerMessage, kiroModel } from "./bridgeFixtures";

const MODEL = kiroModel("claude-sonnet-4-6");
const PNG = "iVBORw0KGgo=";

function refusal(run: () => unknown): BridgeRequestError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BridgeRequestError, String(error));
    return error;
  }
  assert.fail("expected a refusal");
}

describe("Anthropic request → pi context", () => {
  it("joins system strings, system blocks with cache_control and role:system messages into one system prompt", () => {
    const parsed = parseMessagesRequest({
      model: "claude-sonnet-4-6",
      system: [{ type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } }, { type: "text", text: "Be brief." }],
      messages: [{ role: "system", content: "Project rules." }, { role: "user", content: "hi" }],
    });
    const context = parsed.context(MODEL);
    assert.equal(context.systemPrompt, "You are Claude Code.\n\nBe brief.\n\nProject rules.");
    assert.deepEqual(context.messages.map((m) => m.role), ["user"]);
  });

  it("turns tool_use into a tool call and tool_result (text and image) into a tool result named after its call, before the turn's text", () => {
    const parsed = parseMessagesRequest({
      model: "claude-sonnet-4-6",
      messages: [
        { role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig-1" }, { type: "text", text: "reading" }, { type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "/a" } }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "file body" }, { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }], cache_control: { type: "ephemeral" } },
            { type: "text", text: "and now?" },
          ],
        },
      ],
      tools: [{ name: "Read", description: "Reads a file", input_schema: { type: "object", properties: { file_path: { type: "string" } } } }],
    });
    const context = parsed.context(MODEL);
    assert.deepEqual(context.messages.map((m) => m.role), ["user", "assistant", "toolResult", "user"]);
    const [user, assistant, result, after] = context.messages;
    assert.deepEqual(user!.content, [{ type: "text", text: "look" }, { type: "image", mimeType: "image/png", data: PNG }]);
    assert.equal(assistant!.role, "assistant");
    assert.deepEqual((assistant as AssistantMessage).content, [
      { type: "thinking", thinking: "hmm", thinkingSignature: "sig-1" },
      { type: "text", text: "reading" },
      { type: "toolCall", id: "toolu_1", name: "Read", arguments: { file_path: "/a" } },
    ]);
    assert.equal((assistant as AssistantMessage).stopReason, "toolUse");
    assert.deepEqual(result, { role: "toolResult", toolCallId: "toolu_1", toolName: "Read", content: [{ type: "text", text: "file body" }, { type: "image", mimeType: "image/png", data: PNG }], isError: false, timestamp: 0 });
    assert.deepEqual(after!.content, [{ type: "text", text: "and now?" }]);
    assert.deepEqual(context.tools, [{ name: "Read", description: "Reads a file", parameters: { type: "object", properties: { file_path: { type: "string" } } } }]);
  });

  it("accepts the fields Claude Code sends without acting on them, and names them", () => {
    const parsed = parseMessagesRequest({
      model: "claude-sonnet-4-6",
      max_tokens: 32000,
      messages: [{ role: "user", content: "hi" }],
      metadata: { user_id: "u" },
      context_management: { edits: [{ type: "clear_thinking_20251015" }] },
      tool_choice: { type: "auto" },
      stream: true,
    });
    assert.equal(parsed.stream, true);
    assert.equal(parsed.options.maxTokens, 32000);
    assert.deepEqual(parsed.ignoredFields, ["metadata", "context_management", "tool_choice"]);
  });

  it("drops a trailing assistant prefill, which Kiro cannot continue", () => {
    const parsed = parseMessagesRequest({ model: "m", messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "Sure," }] });
    assert.deepEqual(parsed.context(MODEL).messages.map((m) => m.role), ["user"]);
  });

  it("refuses a server tool it cannot run with a 400 that names the tool", () => {
    const error = refusal(() => parseMessagesRequest({ model: "m", messages: [{ role: "user", content: "news?" }], tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 8 }] }));
    assert.equal(error.status, 400);
    assert.match(error.message, /web_search_20250305 \("web_search"\) is not available through Kiro/);
  });

  it("refuses what it cannot carry, naming the field: image URLs, PDF documents, unknown blocks, a model-less body", () => {
    assert.match(refusal(() => parseMessagesRequest({ model: "m", messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x" } }] }] }).context(MODEL)).message, /'messages\[0\]\.content\[0\]\.source\.type' "url" is not supported/);
    assert.match(refusal(() => parseMessagesRequest({ model: "m", messages: [{ role: "user", content: [{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "x" } }] }] }).context(MODEL)).message, /base64 document/);
    assert.match(refusal(() => parseMessagesRequest({ model: "m", messages: [{ role: "assistant", content: [{ type: "server_tool_use" }] }] }).context(MODEL)).message, /"server_tool_use"/);
    assert.match(refusal(() => parseMessagesRequest({ messages: [] })).message, /'model'/);
  });
});

describe("Anthropic thinking → pi reasoning", () => {
  it("maps adaptive thinking by effort (high without one), a budget to its level with the budget kept, and no thinking to off", () => {
    assert.deepEqual(thinkingOptions({ type: "adaptive" }, undefined), { reasoning: "high" });
    assert.deepEqual(thinkingOptions({ type: "adaptive" }, { effort: "low" }), { reasoning: "low" });
    assert.deepEqual(thinkingOptions({ type: "adaptive" }, { effort: "max" }), { reasoning: "xhigh" });
    assert.deepEqual(thinkingOptions({ type: "enabled", budget_tokens: 4000 }, undefined), { reasoning: "low", thinkingBudgets: { low: 4000 } });
    assert.deepEqual(thinkingOptions({ type: "enabled", budget_tokens: 31999 }, undefined), { reasoning: "high", thinkingBudgets: { high: 31999 } });
    assert.deepEqual(thinkingOptions(undefined, { effort: "high" }), { reasoning: "off" });
    assert.deepEqual(thinkingOptions({ type: "disabled" }, undefined), { reasoning: "off" });
    assert.equal(refusal(() => thinkingOptions({ type: "enabled" }, undefined)).status, 400);
    assert.equal(refusal(() => thinkingOptions({ type: "adaptive" }, { effort: "extreme" })).status, 400);
  });
});

/** A stream's events for a finished message, each with the partial message as it stood. */
function eventsFor(message: AssistantMessage): AssistantMessageEvent[] {
  const partial: AssistantMessage = { ...message, content: [] };
  const events: AssistantMessageEvent[] = [{ type: "start", partial }];
  message.content.forEach((part, contentIndex) => {
    partial.content = message.content.slice(0, contentIndex + 1);
    if (part.type === "text") {
      events.push({ type: "text_start", contentIndex, partial }, { type: "text_delta", contentIndex, delta: part.text, partial }, { type: "text_end", contentIndex, content: part.text, partial });
    } else if (part.type === "thinking") {
      events.push({ type: "thinking_start", contentIndex, partial }, { type: "thinking_delta", contentIndex, delta: part.thinking, partial }, { type: "thinking_end", contentIndex, content: part.thinking, partial });
    } else {
      events.push({ type: "toolcall_start", contentIndex, partial }, { type: "toolcall_delta", contentIndex, delta: '{"file_', partial }, { type: "toolcall_end", contentIndex, toolCall: part, partial });
    }
  });
  events.push({ type: "done", reason: message.stopReason as "stop", message });
  return events;
}

function parseSse(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split("\n\n")
    .filter((chunk) => chunk.trim() !== "")
    .map((chunk) => {
      const [eventLine, dataLine] = chunk.split("\n");
      return { event: eventLine!.replace(/^event: /, ""), data: JSON.parse(dataLine!.replace(/^data: /, "")) as Record<string, unknown> };
    });
}

describe("pi events → Anthropic SSE", () => {
  const answer: AssistantMessage = {
    ...answerMessage(MODEL, [
      { type: "thinking", thinking: "Let me look.", thinkingSignature: "sig-abc" },
      { type: "text", text: "Reading it." },
      { type: "toolCall", id: "tooluse_7", name: "Read", arguments: { file_path: "/tmp/a.txt" } },
    ]),
    stopReason: "toolUse",
    usage: { input: 1200, output: 40, cacheRead: 300, cacheWrite: 0, totalTokens: 1540, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
  };

  it("writes message_start (requested model, estimated input), one block per part with thinking's signature_delta and the tool input as one input_json_delta, then message_delta with cumulative usage and message_stop", () => {
    const encoder = new AnthropicSseEncoder({ id: "msg_1", model: "claude-sonnet-4-6-20260101", estimatedInputTokens: 999 });
    const events = parseSse(eventsFor(answer).map((event) => encoder.encode(event)).join(""));
    assert.deepEqual(events.map((e) => e.event), [
      "message_start",
      "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_stop",
      "message_delta", "message_stop",
    ]);
    const start = events[0]!.data.message as { model: string; usage: { input_tokens: number }; content: unknown[] };
    assert.equal(start.model, "claude-sonnet-4-6-20260101");
    assert.equal(start.usage.input_tokens, 999);
    assert.deepEqual(start.content, []);
    assert.deepEqual(events[1]!.data, { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } });
    assert.deepEqual(events[2]!.data.delta, { type: "thinking_delta", thinking: "Let me look." });
    assert.deepEqual(events[3]!.data.delta, { type: "signature_delta", signature: "sig-abc" });
    assert.deepEqual(events[6]!.data, { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Reading it." } });
    assert.deepEqual(events[8]!.data, { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "tooluse_7", name: "Read", input: {} } });
    assert.deepEqual(events[9]!.data.delta, { type: "input_json_delta", partial_json: '{"file_path":"/tmp/a.txt"}' });
    assert.deepEqual(events[11]!.data, {
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { input_tokens: 1200, output_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 300 },
    });
  });

  it("writes nothing for `start`, so a failure before any content can still get an HTTP status; a keep-alive opens the message first", () => {
    const encoder = new AnthropicSseEncoder({ id: "msg_2", model: "m", estimatedInputTokens: 1 });
    assert.equal(encoder.encode({ type: "start", partial: answerMessage(MODEL) }), "");
    assert.equal(encoder.started, false);
    assert.deepEqual(parseSse(encoder.keepAlive()).map((e) => e.event), ["message_start", "ping"]);
    assert.deepEqual(parseSse(encoder.keepAlive()).map((e) => e.event), ["ping"]);
  });

  it("ends a failure after the start with `event: error` in Anthropic's envelope, closing the open block", () => {
    const encoder = new AnthropicSseEncoder({ id: "msg_3", model: "m", estimatedInputTokens: 1 });
    const partial = answerMessage(MODEL, [{ type: "text", text: "half" }]);
    encoder.encode({ type: "text_start", contentIndex: 0, partial });
    const tail = parseSse(encoder.failure({ type: "error", error: { type: "overloaded_error", message: "busy" } }));
    assert.deepEqual(tail.map((e) => e.event), ["content_block_stop", "error"]);
    assert.deepEqual(tail[1]!.data, { type: "error", error: { type: "overloaded_error", message: "busy" } });
  });

  it("gives the whole answer as one message when not streaming", () => {
    const body = messageBody(answer, { id: "msg_4", model: "sonnet", estimatedInputTokens: 5 });
    assert.deepEqual(body.content, [
      { type: "thinking", thinking: "Let me look.", signature: "sig-abc" },
      { type: "text", text: "Reading it." },
      { type: "tool_use", id: "tooluse_7", name: "Read", input: { file_path: "/tmp/a.txt" } },
    ]);
    assert.equal(body.stop_reason, "tool_use");
    assert.equal(body.model, "sonnet");
    assert.equal(body.usage.input_tokens, 1200);
  });
});

describe("Kiro failures → Anthropic errors", () => {
  const failure = (kind: KiroErrorKind, extra: Partial<NonNullable<AssistantMessage["kiro"]>["error"]> = {}) => {
    const failed = failedAnswer(MODEL, `what went wrong (${kind})`, kind);
    failed.kiro!.error = { ...failed.kiro!.error!, ...extra };
    return anthropicFailure(failed, { estimatedTokens: 250_000, contextWindow: 200_000, nowMs: Date.parse("2026-12-07T00:00:00Z") });
  };

  it("words an overflow exactly as Claude Code's compaction expects", () => {
    const tooLong = failure("too-long");
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.error.type, "invalid_request_error");
    assert.match(tooLong.body.error.message, /^prompt is too long: 250000 tokens > 200000 maximum/);
    // An estimate under the window still reads as over it.
    assert.equal(promptTooLongMessage(10, 200_000), "prompt is too long: 200001 tokens > 200000 maximum");
  });

  it("makes an exhausted quota a 429 Claude Code does not retry (retry-after until the reset, x-should-retry false)", () => {
    const quota = failure("quota", { resetDate: "2027-01-01" });
    assert.equal(quota.status, 429);
    assert.equal(quota.body.error.type, "rate_limit_error");
    assert.equal(quota.headers["retry-after"], String(25 * 24 * 3600));
    assert.equal(quota.headers["x-should-retry"], "false");
  });

  it("keeps the retryable ones retryable and the sign-in ones off 401 (which would send Claude Code to its own login)", () => {
    assert.deepEqual([failure("throttled", { retryAfterMs: 2500 })].map((f) => [f.status, f.headers["retry-after"]]), [[429, "3"]]);
    assert.equal(failure("capacity").status, 529);
    assert.equal(failure("capacity").body.error.type, "overloaded_error");
    for (const kind of ["auth", "no-token", "suspended"] as const) assert.equal(failure(kind).body.error.type, "permission_error", kind);
    assert.equal(failure("invalid-model").status, 404);
    assert.equal(failure("server").status, 500);
    assert.equal(failure("server").body.error.message, "what went wrong (server)");
  });
});
