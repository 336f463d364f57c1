// Response assembly: every Kiro event type becomes the right pi events and message fields.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KiroFrame } from "../../src/kiro/wire/decoder";
import { KiroError } from "../../src/kiro/errors";
import { KiroResponseAssembler, REDACTED_THINKING_TEXT } from "../../src/kiro/answer/responseAssembler";
import { parsePartialJsonObject } from "../../src/kiro/answer/toolArgumentPreview";
import { emptyUsage, type AssistantMessage, type AssistantMessageEvent } from "../../src/kiro/types";

function ev(eventType: string, payload: unknown): KiroFrame {
  return { messageType: "event", eventType, payload: new TextEncoder().encode(JSON.stringify(payload)) };
}

function setup(options: { maxOutputTokens?: number; requestChars?: number } = {}) {
  const logged: string[] = [];
  const output: AssistantMessage = {
    role: "assistant",
    content: [],
    api: "kiro-generate-assistant-response",
    provider: "kiro",
    model: "claude-sonnet-4-5",
    usage: emptyUsage(),
    stopReason: "stop",
    timestamp: 0,
  };
  const events: AssistantMessageEvent[] = [];
  const assembler = new KiroResponseAssembler({
    output,
    emit: (e) => events.push(e),
    contextWindow: 200_000,
    errorContext: { modelId: "claude-sonnet-4-5", secrets: ["s3cret-token-value"] },
    log: { info: (m) => logged.push(m), warn: (m) => logged.push(m) },
    ...options,
  });
  const types = () => events.map((e) => e.type + ("contentIndex" in e ? `#${e.contentIndex}` : ""));
  return { output, events, assembler, types, logged };
}

/** Feeds the frames, then (unless `closing` is false) an empty metadataEvent: Kiro's closing event that says the stream was not cut. */
function feed(assembler: KiroResponseAssembler, frames: KiroFrame[], closing = true): void {
  for (const f of frames) assembler.handleFrame(f);
  if (closing) assembler.handleFrame(ev("metadataEvent", {}));
}

describe("KiroResponseAssembler", () => {
  it("streams text deltas into one text block", () => {
    const { output, events, assembler, types } = setup();
    feed(assembler, [ev("assistantResponseEvent", { content: "Hel" }), ev("assistantResponseEvent", { content: "lo" })]);
    assert.equal(assembler.finish(), "stop");
    assert.deepEqual(types(), ["text_start#0", "text_delta#0", "text_delta#0", "text_end#0"]);
    assert.deepEqual(output.content, [{ type: "text", text: "Hello" }]);
    const end = events.at(-1)!;
    assert.equal(end.type === "text_end" && end.content, "Hello");
    assert.ok(events.every((e) => "partial" in e && e.partial === output), "every event carries the message being built");
  });

  it("keeps the modelTag of Kiro's assistantResponseEvents on the message, for the replay to echo", () => {
    const { output, assembler } = setup();
    feed(assembler, [ev("assistantResponseEvent", { content: "Hi", modelTag: "tag-1", modelId: "claude-sonnet-4.5" }), ev("assistantResponseEvent", { content: "!", modelTag: "tag-1" })]);
    assert.equal(assembler.finish(), "stop");
    assert.equal(output.kiro?.modelTag, "tag-1");
    assert.deepEqual(output.content, [{ type: "text", text: "Hi!" }]);
  });

  it("turns tag-mode thinking into a thinking block without leaking tags", () => {
    const { output, assembler, types } = setup();
    feed(assembler, [
      ev("assistantResponseEvent", { content: "<think" }),
      ev("assistantResponseEvent", { content: "ing>Reason" }),
      ev("assistantResponseEvent", { content: "ing.</thinking>\n\nAnswer" }),
    ]);
    assembler.finish();
    assert.deepEqual(output.content, [
      { type: "thinking", thinking: "Reasoning." },
      { type: "text", text: "Answer" },
    ]);
    assert.deepEqual(types(), ["thinking_start#0", "thinking_delta#0", "thinking_delta#0", "thinking_end#0", "text_start#1", "text_delta#1", "text_end#1"]);
  });

  it("keeps native reasoning with its signature, and redacted reasoning as redacted", () => {
    const { output, assembler, types } = setup();
    feed(assembler, [
      ev("reasoningContentEvent", { text: "Think " }),
      ev("reasoningContentEvent", { text: "hard." }),
      ev("reasoningContentEvent", { signature: "sig-1" }),
      ev("reasoningContentEvent", { redactedContent: "opaque" }),
      ev("assistantResponseEvent", { content: "Done" }),
    ]);
    assembler.finish();
    assert.deepEqual(output.content, [
      { type: "thinking", thinking: "Think hard.", thinkingSignature: "sig-1" },
      { type: "thinking", thinking: REDACTED_THINKING_TEXT, thinkingSignature: "opaque", redacted: true },
      { type: "text", text: "Done" },
    ]);
    assert.deepEqual(types(), [
      "thinking_start#0", "thinking_delta#0", "thinking_delta#0", "thinking_end#0",
      "thinking_start#1", "thinking_end#1",
      "text_start#2", "text_delta#2", "text_end#2",
    ]);
  });

  it("streams each tool-call fragment as a delta and parses the arguments at stop", () => {
    const { output, events, assembler, types } = setup();
    feed(assembler, [
      ev("assistantResponseEvent", { content: "Reading." }),
      ev("toolUseEvent", { toolUseId: "t1", name: "read", input: "" }),
      ev("toolUseEvent", { toolUseId: "t1", name: "read", input: '{"pa' }),
      ev("toolUseEvent", { toolUseId: "t1", name: "read", input: 'th":"a.ts"}' }),
      ev("toolUseEvent", { toolUseId: "t1", name: "read", stop: true }),
    ]);
    assert.equal(assembler.finish(), "toolUse");
    assert.deepEqual(types(), ["text_start#0", "text_delta#0", "text_end#0", "toolcall_start#1", "toolcall_delta#1", "toolcall_delta#1", "toolcall_end#1"]);
    const deltas = events.filter((e) => e.type === "toolcall_delta").map((e) => (e.type === "toolcall_delta" ? e.delta : ""));
    assert.deepEqual(deltas, ['{"pa', 'th":"a.ts"}']);
    assert.deepEqual(output.content[1], { type: "toolCall", id: "t1", name: "read", arguments: { path: "a.ts" } });
    const end = events.at(-1)!;
    assert.deepEqual(end.type === "toolcall_end" && end.toolCall.arguments, { path: "a.ts" });
  });

  it("gives zero-argument calls {} and ends a call without stop when the next one starts or the stream ends", () => {
    const { output, assembler, types } = setup();
    feed(assembler, [
      ev("toolUseEvent", { toolUseId: "a", name: "now", input: "" }),
      ev("toolUseEvent", { toolUseId: "b", name: "list", input: '{"dir":"."}' }),
      ev("toolUseEvent", { toolUseId: "c", name: "ping" }),
    ]);
    assert.equal(assembler.finish(), "toolUse");
    assert.deepEqual(output.content, [
      { type: "toolCall", id: "a", name: "now", arguments: {} },
      { type: "toolCall", id: "b", name: "list", arguments: { dir: "." } },
      { type: "toolCall", id: "c", name: "ping", arguments: {} },
    ]);
    assert.deepEqual(types(), [
      "toolcall_start#0", "toolcall_end#0",
      "toolcall_start#1", "toolcall_delta#1", "toolcall_end#1",
      "toolcall_start#2", "toolcall_end#2",
    ]);
  });

  it("ignores a repeated stop for a call that already ended", () => {
    const { output, assembler } = setup();
    feed(assembler, [
      ev("toolUseEvent", { toolUseId: "a", name: "x", input: "{}", stop: true }),
      ev("toolUseEvent", { toolUseId: "a", name: "x", stop: true }),
    ]);
    assembler.finish();
    assert.equal(output.content.length, 1);
  });

  it("says a tool call was cut off when the stream ends mid-JSON", () => {
    const { assembler } = setup();
    feed(assembler, [
      ev("toolUseEvent", { toolUseId: "w", name: "write", input: '{"path":"big.ts","content":"' }),
      ev("toolUseEvent", { toolUseId: "w", name: "write", input: "x".repeat(1000) }),
    ]);
    assert.throws(() => assembler.finish(), (error: unknown) => {
      assert.ok(error instanceof KiroError);
      assert.equal(error.kind, "stream");
      assert.match(error.message, /tool call "write" was cut off/);
      assert.match(error.message, /smaller pieces/);
      return true;
    });
  });

  it("names the tool whose finished arguments are not valid JSON", () => {
    const { assembler } = setup();
    assert.throws(
      () => feed(assembler, [ev("toolUseEvent", { toolUseId: "e", name: "edit", input: "{oops}", stop: true })]),
      /tool call "edit" came with arguments that are not valid JSON/,
    );
  });

  it("uses reported token usage, credits, context usage and the response id", () => {
    const { output, assembler } = setup();
    feed(assembler, [
      ev("messageMetadataEvent", { conversationId: "conv-1", utteranceId: "utt-1" }),
      ev("assistantResponseEvent", { content: "Hi" }),
      ev("metadataEvent", {
        tokenUsage: { uncachedInputTokens: 100, outputTokens: 7, totalTokens: 1207, cacheReadInputTokens: 1000, cacheWriteInputTokens: 100 },
      }),
      ev("meteringEvent", { unit: "credit", usage: 0.25 }),
      ev("meteringEvent", { unit: "credit", usage: 0.5 }),
      ev("contextUsageEvent", { contextUsagePercentage: 12.5 }),
      ev("followupPromptEvent", { anything: true }),
    ]);
    assembler.finish();
    assert.equal(output.responseId, "utt-1");
    assert.deepEqual(
      { ...output.usage, cost: undefined },
      { input: 100, output: 7, cacheRead: 1000, cacheWrite: 100, totalTokens: 1207, cost: undefined },
    );
    assert.deepEqual(output.kiro, { credits: 0.75, contextUsagePercentage: 12.5 });
  });

  it("estimates usage from characters and context usage when none is reported", () => {
    const { output, assembler } = setup();
    feed(assembler, [ev("assistantResponseEvent", { content: "x".repeat(400) }), ev("contextUsageEvent", { contextUsagePercentage: 10 })]);
    assembler.finish();
    assert.equal(output.usage.output, 100);
    assert.equal(output.usage.input, 20_000 - 100);
    assert.equal(output.usage.totalTokens, 20_000);
    assert.equal(output.kiro?.usageEstimated, true);
  });

  it("falls back to the request size for input when there is no context usage either", () => {
    const { output, assembler } = setup({ requestChars: 4000 });
    feed(assembler, [ev("assistantResponseEvent", { content: "abcd" })]);
    assembler.finish();
    assert.equal(output.usage.input, 1000);
    assert.equal(output.usage.output, 1);
  });

  it("reports length when the output reached the token limit", () => {
    const { assembler } = setup({ maxOutputTokens: 50 });
    feed(assembler, [ev("assistantResponseEvent", { content: "cut" }), ev("metadataEvent", { tokenUsage: { outputTokens: 50 } })]);
    assert.equal(assembler.finish(), "length");
  });

  it("logs an invalidStateEvent (scrubbed) and keeps streaming the answer around it", () => {
    const { assembler, output, logged } = setup();
    assembler.handleFrame(ev("assistantResponseEvent", { content: "Before " }));
    assembler.handleFrame(ev("invalidStateEvent", { reason: "INVALID_TASK_ASSIST_PAYLOAD", message: "bad state for s3cret-token-value" }));
    assembler.handleFrame(ev("assistantResponseEvent", { content: "after." }));
    assembler.handleFrame(ev("metadataEvent", { stopReason: "END_TURN" }));
    assert.equal(assembler.finish(), "stop");
    assert.deepEqual(output.content, [{ type: "text", text: "Before after." }]);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /invalid conversation state \(INVALID_TASK_ASSIST_PAYLOAD: bad state for \[redacted\]\); the answer continues/);
  });

  it("ends an answer cut at its output limit as a length stop, keeping text, thinking and finished tool calls, dropping the cut one", () => {
    const { assembler, output, events, logged } = setup();
    assembler.handleFrame(ev("assistantResponseEvent", { content: "<thinking>plan</thinking>Writing both files." }));
    assembler.handleFrame(ev("toolUseEvent", { toolUseId: "a", name: "write", input: '{"path":"a.ts"}' }));
    assembler.handleFrame(ev("toolUseEvent", { toolUseId: "a", name: "write", stop: true }));
    assembler.handleFrame(ev("toolUseEvent", { toolUseId: "b", name: "write", input: '{"path":"b.ts","content":"half' }));
    const cap: KiroFrame = { messageType: "exception", exceptionType: "ContentLengthExceededException", payload: new TextEncoder().encode('{"message":"Response exceeded the max tokens"}') };
    assembler.handleFrame(cap);
    assert.equal(assembler.finish(), "length");
    const final = assembler.finalMessage();
    assert.deepEqual(final.content.map((b) => b.type), ["thinking", "text", "toolCall"]);
    assert.deepEqual((final.content[2] as { arguments: unknown }).arguments, { path: "a.ts" });
    assert.deepEqual(final.kiro?.outputCapped, { droppedToolCall: "write" });
    assert.equal(output.content[3]?.type, "toolCall", "the partial keeps the cut call, which queued events still point at");
    assert.equal(events.filter((e) => e.type === "toolcall_end").length, 1, "the cut call never ends");
    assert.match(logged.join("\n"), /output limit.*unfinished call to write was dropped/);
  });

  it("turns exception frames into named errors", () => {
    const b = setup().assembler;
    const exception: KiroFrame = {
      messageType: "exception",
      exceptionType: "ThrottlingException",
      payload: new TextEncoder().encode(JSON.stringify({ message: "Too many requests" })),
    };
    assert.throws(() => b.handleFrame(exception), (error: unknown) => error instanceof KiroError && error.kind === "throttled" && /Too many requests/.test(error.message));
    const c = setup().assembler;
    const errorFrame: KiroFrame = { messageType: "error", errorCode: "InternalFailure", errorMessage: "boom", payload: new Uint8Array(0) };
    assert.throws(() => c.handleFrame(errorFrame), /InternalFailure: boom/);
  });

  it("never passes a stream cut before Kiro's closing events off as a complete answer, keeping its text", () => {
    const { output, assembler } = setup();
    feed(assembler, [ev("assistantResponseEvent", { content: "Half an ans" })], false);
    assert.throws(() => assembler.finish(), (error: unknown) => error instanceof KiroError && error.kind === "stream" && /cut off/.test(error.message) && /after 11 characters/.test(error.message));
    assert.deepEqual(output.content, [{ type: "text", text: "Half an ans" }]);
    const complete = setup();
    feed(complete.assembler, [ev("assistantResponseEvent", { content: "Whole." }), ev("contextUsageEvent", { contextUsagePercentage: 1 })], false);
    assert.equal(complete.assembler.finish(), "stop", "a contextUsageEvent alone also closes the answer");
  });

  it("reads metadataEvent stop reasons: MAX_TOKENS is a length stop, END_TURN on a tool turn is still a tool turn", () => {
    const capped = setup();
    feed(capped.assembler, [ev("assistantResponseEvent", { content: "Long text" }), ev("metadataEvent", { stopReason: "MAX_TOKENS" })], false);
    assert.equal(capped.assembler.finish(), "length");
    assert.deepEqual(capped.output.content, [{ type: "text", text: "Long text" }]);
    const tool = setup();
    feed(tool.assembler, [ev("toolUseEvent", { toolUseId: "t1", name: "read", input: '{"path":"a"}', stop: true }), ev("metadataEvent", { stopReason: "END_TURN" })], false);
    assert.equal(tool.assembler.finish(), "toolUse");
  });

  it("ends an answer Kiro stopped at the context window as too long", () => {
    const { assembler } = setup();
    feed(assembler, [ev("assistantResponseEvent", { content: "Part" }), ev("metadataEvent", { stopReason: "MODEL_CONTEXT_WINDOW_EXCEEDED" })], false);
    assert.throws(() => assembler.finish(), (error: unknown) => error instanceof KiroError && error.kind === "too-long");
  });

  it("tells the user a filtered or refused answer was stopped, with Kiro's explanation and the model it recommends", () => {
    const filtered = setup();
    feed(filtered.assembler, [ev("assistantResponseEvent", { content: "I can" }), ev("metadataEvent", { stopReason: "CONTENT_FILTERED" })], false);
    assert.throws(() => filtered.assembler.finish(), (error: unknown) => error instanceof KiroError && error.kind === "refused" && /content filter/.test(error.message) && error.reason === "CONTENT_FILTERED");
    const refused = setup();
    const refusal = { category: "cyber", explanation: "This looks like malware for s3cret-token-value", recommendedModel: "claude-opus-4.8" };
    feed(refused.assembler, [ev("metadataEvent", { stopReason: "END_TURN", stopDetails: { refusal } })], false);
    assert.throws(
      () => refused.assembler.finish(),
      (error: unknown) =>
        error instanceof KiroError &&
        error.kind === "refused" &&
        /cyber: This looks like malware/.test(error.message) &&
        /claude-opus-4\.8/.test(error.message) &&
        error.alternativeModelId === "claude-opus-4.8" &&
        !error.message.includes("s3cret-token-value"),
    );
  });

  it("shows the arguments received so far while a large tool call streams", () => {
    const { output, assembler } = setup();
    const content = "x".repeat(20_000);
    const json = JSON.stringify({ path: "big.ts", content });
    const seen: unknown[] = [];
    assembler.handleFrame(ev("toolUseEvent", { toolUseId: "w", name: "write", input: "" }));
    for (let i = 0; i < json.length; i += 100) {
      assembler.handleFrame(ev("toolUseEvent", { toolUseId: "w", name: "write", input: json.slice(i, i + 100) }));
      const block = output.content[0];
      if (block?.type === "toolCall") seen.push(block.arguments.path);
    }
    assert.ok(seen.includes("big.ts"), "the path is visible before the call ends");
    assembler.handleFrame(ev("metadataEvent", { stopReason: "TOOL_USE" }));
    assembler.finish();
    assert.deepEqual(output.content[0]?.type === "toolCall" && output.content[0].arguments, { path: "big.ts", content });
  });
});

describe("parsePartialJsonObject", () => {
  const cases: [string, unknown][] = [
    ["", undefined],
    ["{", {}],
    ['{"pa', {}],
    ['{"path"', {}],
    ['{"path":', {}],
    ['{"path":"a.', { path: "a." }],
    ['{"path":"a.ts",', { path: "a.ts" }],
    ['{"path":"a.ts","n":12', { path: "a.ts" }],
    ['{"path":"a.ts","n":12,"list":[1,2', { path: "a.ts", n: 12, list: [1] }],
    ['{"s":"quote \\" and \\u00e9 and \\u00', { s: 'quote " and é and ' }],
    ['{"s":"ends with backslash \\', { s: "ends with backslash " }],
    ['{"nested":{"a":"b"},"c":tr', { nested: { a: "b" } }],
    ['{"a":1}', { a: 1 }],
    ["[1,2", undefined],
  ];
  for (const [input, expected] of cases) {
    it(`recovers ${JSON.stringify(expected)} from ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parsePartialJsonObject(input), expected);
    });
  }
});
