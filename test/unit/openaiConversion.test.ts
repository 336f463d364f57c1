// The OpenAI routes' pure conversions: Chat Completions and Responses bodies into a pi Context, and pi stream events into their SSE chunks and answers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chatStreamEncoder, chatCompletionAnswer } from "../../src/bridge/openai/chatAnswer";
import { parseChatCompletionsRequest } from "../../src/bridge/openai/chatRequest";
import { responsesStreamEncoder } from "../../src/bridge/openai/responsesAnswer";
import { encodedText } from "../../src/bridge/server/jsonReuse";
import type { EncodedEvent } from "../../src/bridge/server/types";
import { parseResponsesRequest } from "../../src/bridge/openai/responsesRequest";
import type { AssistantMessage, AssistantMessageEvent } from "../../src/kiro/types";
import { answerMessage, kiroModel } from "./bridgeFixtures";

const model = kiroModel("claude-sonnet-4.5");
const history = { api: model.api, provider: model.provider, model: model.id };

function counter(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}${++n}`;
}

function toolCallEvents(partial: AssistantMessage): AssistantMessageEvent[] {
  partial.content.push({ type: "toolCall", id: "tooluse_1", name: "exec_command", arguments: {} });
  return [
    { type: "toolcall_start", contentIndex: 0, partial },
    { type: "toolcall_delta", contentIndex: 0, delta: '{"cmd":', partial },
    { type: "toolcall_delta", contentIndex: 0, delta: '"ls"}', partial },
    { type: "toolcall_end", contentIndex: 0, toolCall: { type: "toolCall", id: "tooluse_1", name: "exec_command", arguments: { cmd: "ls" } }, partial },
  ];
}

function dataLines(encoded: EncodedEvent): unknown[] {
  const text = encodedText(encoded);
  return text
    .split("\n\n")
    .map((block) => block.split("\n").find((line) => line.startsWith("data: ")))
    .filter((line): line is string => line !== undefined && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)) as unknown);
}

describe("Chat Completions requests", () => {
  test("system and developer text become the system prompt; tool results find their tool's name; images come from data URLs", () => {
    const parsed = parseChatCompletionsRequest(
      {
        model: "claude-sonnet-4.5",
        stream: true,
        stream_options: { include_usage: true },
        max_completion_tokens: 500,
        reasoning_effort: "none",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Use tools." }] },
          { role: "user", content: [{ type: "text", text: "Look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "read", arguments: '{"path":"a"}' } }] },
          { role: "tool", tool_call_id: "call_1", content: "file text" },
        ],
        tools: [{ type: "function", function: { name: "read", description: "Reads", parameters: { type: "object" } } }],
      },
      history,
    );
    assert.equal(parsed.context.systemPrompt, "Be brief.\n\nUse tools.");
    assert.deepEqual(parsed.options, { maxTokens: 500, reasoning: "off" });
    assert.equal(parsed.includeUsage, true);
    assert.deepEqual((parsed.context.messages[0] as { content: unknown }).content, [{ type: "text", text: "Look" }, { type: "image", mimeType: "image/png", data: "AAAA" }]);
    assert.deepEqual((parsed.context.messages[1] as AssistantMessage).content, [{ type: "toolCall", id: "call_1", name: "read", arguments: { path: "a" } }]);
    assert.equal((parsed.context.messages[2] as { toolName: string }).toolName, "read");
    assert.equal(parsed.context.tools?.[0]?.name, "read");
  });

  test("an image by http URL is refused: the bridge fetches nothing", () => {
    assert.throws(() => parseChatCompletionsRequest({ model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }] }, history), /data:/);
  });
});

describe("Chat Completions answers", () => {
  test("a streamed tool call has id and name on its first chunk, argument fragments after, finish_reason tool_calls, the usage chunk and [DONE]", () => {
    const encoder = chatStreamEncoder({ id: "chatcmpl-1", created: 1, model: "m" }, { includeUsage: true });
    const partial = answerMessage(model);
    const message = { ...answerMessage(model), usage: { ...answerMessage(model).usage, input: 10, cacheRead: 5, output: 7 } };
    const text = [...toolCallEvents(partial), { type: "done", reason: "toolUse", message } as AssistantMessageEvent].map((e) => encodedText(encoder.encode(e))).join("");
    assert.ok(text.endsWith("data: [DONE]\n\n"));
    const chunks = dataLines(text) as { choices: { delta: { tool_calls?: unknown[] }; finish_reason: string | null }[]; usage?: unknown }[];
    assert.deepEqual(chunks[1]!.choices[0]!.delta.tool_calls, [{ index: 0, id: "tooluse_1", type: "function", function: { name: "exec_command", arguments: "" } }]);
    assert.deepEqual(chunks.slice(2, 4).map((c) => c.choices[0]!.delta.tool_calls), [[{ index: 0, function: { arguments: '{"cmd":' } }], [{ index: 0, function: { arguments: '"ls"}' } }]]);
    assert.equal(chunks[4]!.choices[0]!.finish_reason, "tool_calls");
    assert.deepEqual(chunks[5], { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 15, completion_tokens: 7, total_tokens: 22, prompt_tokens_details: { cached_tokens: 5 } } });
  });

  test("a failure before any chunk is refused with its status; a too-long conversation is context_length_exceeded", () => {
    const encoder = chatStreamEncoder({ id: "c", created: 1, model: "m" }, { includeUsage: false });
    const error = { ...answerMessage(model), stopReason: "error" as const, errorMessage: "too long", kiro: { error: { kind: "too-long" as const, retryable: false } } };
    const refusal = encoder.refuse?.({ type: "error", reason: "error", error });
    assert.equal(refusal?.status, 400);
    assert.deepEqual(refusal?.body, { error: { message: "too long", type: "invalid_request_error", code: "context_length_exceeded", param: null } });
    const whole = chatCompletionAnswer({ id: "c", created: 1, model: "m" }, { type: "done", reason: "stop", message: answerMessage(model, [{ type: "text", text: "hi" }]) });
    assert.equal((whole.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content, "hi");
  });
});

describe("Responses", () => {
  test("input items become one assistant turn per run of reasoning, message and calls, with the reasoning signature replayed", () => {
    const encoder = responsesStreamEncoder({ id: "resp_1", createdAt: 1, model: "m" }, counter());
    const partial = answerMessage(model);
    partial.content.push({ type: "thinking", thinking: "hm", thinkingSignature: "sig-1" });
    encoder.encode({ type: "thinking_start", contentIndex: 0, partial });
    const done = encoder.encode({ type: "thinking_end", contentIndex: 0, content: "hm", partial });
    const item = (dataLines(done).find((d) => (d as { type: string }).type === "response.output_item.done") as { item: { encrypted_content: string } }).item;
    const parsed = parseResponsesRequest(
      {
        model: "m",
        instructions: "Be Codex.",
        input: [
          { type: "message", role: "developer", content: [{ type: "input_text", text: "Sandbox rules." }] },
          { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
          { type: "reasoning", summary: [{ type: "summary_text", text: "hm" }], encrypted_content: item.encrypted_content },
          { type: "function_call", call_id: "c1", name: "exec_command", arguments: '{"cmd":"ls"}' },
          { type: "function_call_output", call_id: "c1", output: "a.txt" },
        ],
        reasoning: { effort: "high" },
        prompt_cache_key: "conv-1",
        tools: [{ type: "function", name: "exec_command", parameters: { type: "object" } }, { type: "web_search" }],
      },
      history,
    );
    assert.equal(parsed.context.systemPrompt, "Be Codex.\n\nSandbox rules.");
    assert.deepEqual(parsed.options, { reasoning: "high", sessionId: "conv-1" });
    assert.deepEqual(parsed.droppedToolTypes, ["web_search"]);
    assert.deepEqual((parsed.context.messages[1] as AssistantMessage).content, [
      { type: "thinking", thinking: "hm", thinkingSignature: "sig-1" },
      { type: "toolCall", id: "c1", name: "exec_command", arguments: { cmd: "ls" } },
    ]);
    assert.equal((parsed.context.messages[2] as { toolName: string }).toolName, "exec_command");
  });

  test("a streamed answer opens with response.created and ends with response.completed; an overflow ends with response.failed context_length_exceeded", () => {
    const encoder = responsesStreamEncoder({ id: "resp_1", createdAt: 1, model: "m" }, counter());
    const partial = answerMessage(model);
    const text = [...toolCallEvents(partial), { type: "done", reason: "toolUse", message: answerMessage(model) } as AssistantMessageEvent].map((e) => encodedText(encoder.encode(e))).join("");
    const types = dataLines(text).map((d) => (d as { type: string }).type);
    assert.deepEqual(types, ["response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done", "response.completed"]);
    const completed = dataLines(text).at(-1) as { response: { id: string; output: { arguments: string; call_id: string }[] } };
    assert.equal(completed.response.id, "resp_1");
    assert.deepEqual([completed.response.output[0]!.call_id, completed.response.output[0]!.arguments], ["tooluse_1", '{"cmd":"ls"}']);

    const failing = responsesStreamEncoder({ id: "resp_2", createdAt: 1, model: "m" }, counter());
    const error = { ...answerMessage(model), stopReason: "error" as const, errorMessage: "too long", kiro: { error: { kind: "too-long" as const, retryable: false } } };
    const failed = dataLines(failing.encode({ type: "error", reason: "error", error })).at(-1) as { type: string; response: { error: { code: string } } };
    assert.equal(failed.type, "response.failed");
    assert.equal(failed.response.error.code, "context_length_exceeded");
    assert.match(failing.keepAlive!.text(), /^event: response\.in_progress\ndata: /, "the keep-alive is a data event");
  });
});
