// One vscode.lm request end to end against a fake client stream: cancellation aborts the request, toolMode Required, errors, conversation id.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChatRequestFailure, REQUIRED_TOOL_RETRY_PROMPT, runChatRequest, type CancellationLike, type ChatRequest } from "../../src/vscode/chatRequest";
import { ChatRole, ChatToolMode } from "../../src/vscode/chatConversion";
import type { KiroRequestOptions } from "../../src/kiro/options";
import type { AssistantMessage, AssistantMessageEvent, Context, Model } from "../../src/kiro/types";
import { emptyUsage } from "../../src/kiro/types";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { TextPart, ToolCallPart, fullKit, message } from "./chatFakes";

const model: Model = {
  id: "claude-sonnet-4-5",
  name: "Claude Sonnet 4.5",
  api: "kiro-generate-assistant-response",
  provider: "kiro",
  baseUrl: "http://127.0.0.1:1",
  reasoning: true,
  input: ["text", "image"],
  cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  contextWindow: 200_000,
  maxTokens: 64_000,
};

class FakeCancellation implements CancellationLike {
  isCancellationRequested = false;
  private listeners: (() => void)[] = [];
  onCancellationRequested(listener: () => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of this.listeners) l();
  }
  get listenerCount(): number {
    return this.listeners.length;
  }
}

function assistant(content: AssistantMessage["content"], extra: Partial<AssistantMessage> = {}): AssistantMessage {
  return { role: "assistant", content, api: model.api, provider: "kiro", model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0, ...extra };
}

function textAnswer(text: string): AssistantMessageEvent[] {
  const done = assistant([{ type: "text", text }]);
  return [
    { type: "start", partial: assistant([]) },
    { type: "text_delta", contentIndex: 0, delta: text, partial: done },
    { type: "done", reason: "stop", message: done },
  ];
}

function toolAnswer(name: string, args: Record<string, unknown>): AssistantMessageEvent[] {
  const call = { type: "toolCall" as const, id: `tooluse_${name}`, name, arguments: args };
  const done = assistant([call], { stopReason: "toolUse" });
  return [
    { type: "toolcall_start", contentIndex: 0, partial: done },
    { type: "toolcall_end", contentIndex: 0, toolCall: call, partial: done },
    { type: "done", reason: "toolUse", message: done },
  ];
}

interface Call {
  context: Context;
  options: KiroRequestOptions | undefined;
}

/** A client stream that answers each call with the next scripted answer and records what it was given. */
function scriptedBackend(...answers: AssistantMessageEvent[][]) {
  const calls: Call[] = [];
  return {
    calls,
    backend: {
      stream(_model: Model, context: Context, options?: KiroRequestOptions) {
        calls.push({ context: structuredClone(context), options });
        const events = answers.shift() ?? textAnswer("(no more answers)");
        async function* gen() {
          for (const e of events) yield e;
        }
        return gen();
      },
      conversationIdFor: (context: Context) => `conv-${JSON.stringify((context.messages[0] as { content: unknown }).content)}`,
    },
  };
}

function request(overrides: Partial<ChatRequest> & { reported?: object[] } = {}): ChatRequest & { reported: object[] } {
  const reported = overrides.reported ?? [];
  return {
    model,
    modelName: "Claude Sonnet 4.5",
    messages: [message(ChatRole.User, [new TextPart("hi")])],
    kit: fullKit,
    report: (p) => reported.push(p),
    token: new FakeCancellation(),
    streamOptions: {},
    ...overrides,
    reported,
  };
}

describe("runChatRequest", () => {
  it("streams the answer text and passes a signal, the request options and a conversation id derived from the first user message", async () => {
    const { backend, calls } = scriptedBackend(textAnswer("Hello there"));
    const r = request({ streamOptions: { reasoning: "medium" } });
    await runChatRequest(r, backend);
    assert.deepEqual(
      r.reported.map((p) => (p as TextPart).value),
      ["Hello there"],
    );
    assert.equal(calls.length, 1);
    assert.ok(calls[0].options?.signal instanceof AbortSignal);
    assert.equal(calls[0].options?.reasoning, "medium");
    assert.equal(calls[0].options?.sessionId, 'conv-[{"type":"text","text":"hi"}]');
  });

  it("aborts the HTTP request's signal when VS Code cancels mid-stream, and ends quietly", async () => {
    const token = new FakeCancellation();
    let seenSignal: AbortSignal | undefined;
    const backend = {
      stream(_m: Model, _c: Context, options?: KiroRequestOptions) {
        seenSignal = options?.signal;
        const stream = createAssistantMessageEventStream();
        const partial = assistant([{ type: "text", text: "Hel" }]);
        stream.push({ type: "text_delta", contentIndex: 0, delta: "Hel", partial });
        // Like streamKiro: the abort turns into an `aborted` error event.
        options?.signal?.addEventListener("abort", () =>
          stream.push({ type: "error", reason: "aborted", error: assistant([], { stopReason: "aborted", errorMessage: "Request was aborted" }) }),
        );
        return stream;
      },
    };
    const r = request({ token });
    const running = runChatRequest(
      { ...r, report: (p) => (r.reported.push(p), token.cancel()) },
      backend,
    );
    await running;
    assert.equal(seenSignal?.aborted, true, "the signal given to the client is aborted");
    assert.deepEqual(
      r.reported.map((p) => (p as TextPart).value),
      ["Hel"],
    );
    assert.equal(token.listenerCount, 0, "the cancellation listener is removed afterwards");
  });

  it("does not call Kiro at all when the request was cancelled before it started", async () => {
    const { backend, calls } = scriptedBackend(textAnswer("x"));
    const token = new FakeCancellation();
    token.cancel();
    await runChatRequest(request({ token }), backend);
    assert.equal(calls.length, 0);
  });

  it("throws a failure naming the cause and the VS Code way out when the stream ends in an error", async () => {
    const failed = { ...assistant([], { stopReason: "error", errorMessage: "Not signed in to Kiro." }), kiro: { error: { kind: "no-token" as const, retryable: false } } };
    const { backend } = scriptedBackend([{ type: "error", reason: "error", error: failed }]);
    await assert.rejects(runChatRequest(request(), backend), (e: unknown) => {
      assert.ok(e instanceof ChatRequestFailure);
      assert.equal(e.failure.kind, "no-token");
      assert.equal(e.failure.code, "NoPermissions");
      assert.match(e.failure.message, /^Not signed in to Kiro\. To sign in, run "Kiro: Manage Models and Sign-in"/);
      return true;
    });
  });

  it("toolMode Required: a tool call on the first answer is reported once, with no retry", async () => {
    const { backend, calls } = scriptedBackend(toolAnswer("pick", { n: 1 }));
    const r = request({ tools: [{ name: "pick", description: "" }], toolMode: ChatToolMode.Required });
    await runChatRequest(r, backend);
    assert.equal(calls.length, 1);
    assert.match(calls[0].context.systemPrompt ?? "", /must respond by calling the tool "pick"/);
    const calls_ = r.reported.filter((p) => p instanceof ToolCallPart) as ToolCallPart[];
    assert.deepEqual(calls_.map((c) => [c.name, c.input]), [["pick", { n: 1 }]]);
  });

  it("toolMode Required: a text-only answer is retried once with a nudge, and its text is not shown", async () => {
    const { backend, calls } = scriptedBackend(textAnswer("I think the answer is 4."), toolAnswer("pick", { n: 4 }));
    const r = request({ tools: [{ name: "pick", description: "" }], toolMode: ChatToolMode.Required });
    await runChatRequest(r, backend);
    assert.equal(calls.length, 2);
    const retryMessages = calls[1].context.messages;
    assert.equal(retryMessages[retryMessages.length - 2].role, "assistant");
    assert.deepEqual((retryMessages[retryMessages.length - 1] as { content: unknown }).content, [{ type: "text", text: REQUIRED_TOOL_RETRY_PROMPT }]);
    assert.equal(calls[1].options?.sessionId, calls[0].options?.sessionId, "the retry stays in the same conversation");
    assert.deepEqual(
      r.reported.map((p) => p.constructor.name),
      ["ToolCallPart"],
    );
  });

  it("toolMode Required: fails with a clear error when the model still answers without a tool call", async () => {
    const { backend, calls } = scriptedBackend(textAnswer("no"), textAnswer("still no"));
    const r = request({ tools: [{ name: "pick", description: "" }], toolMode: ChatToolMode.Required });
    await assert.rejects(runChatRequest(r, backend), /answered without calling the tool "pick".*Required/);
    assert.equal(calls.length, 2);
    assert.equal(r.reported.length, 0);
  });

  it("toolMode Auto: a text answer is fine and shown as it streams", async () => {
    const { backend, calls } = scriptedBackend(textAnswer("plain"));
    const r = request({ tools: [{ name: "pick", description: "" }], toolMode: ChatToolMode.Auto });
    await runChatRequest(r, backend);
    assert.equal(calls.length, 1);
    assert.deepEqual(
      r.reported.map((p) => (p as TextPart).value),
      ["plain"],
    );
  });
});
