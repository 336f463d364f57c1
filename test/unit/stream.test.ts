// streamKiro end to end against the Kiro simulator (real HTTP on loopback, real event-stream frames): events, errors, retries, refresh, timeouts, aborts.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { getModel } from "../../src/kiro/catalog/models";
import type { KiroStreamOptions } from "../../src/kiro/options";
import { streamKiro } from "../../src/kiro/stream";
import { emptyUsage, type AssistantMessage, type AssistantMessageEvent, type Context } from "../../src/kiro/types";
import { DEFAULT_SIM_PROFILE, startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import {
  errorReply,
  everyEventKindReply,
  cutStreamReply,
  exceptionMidStream,
  HIGH_TRAFFIC_MESSAGE,
  krsExceptionReply,
  nestedInvalidJsonReply,
  stopReasonReply,
  invalidStateMidAnswerReply,
  quotaReply,
  reasoningReply,
  redactedReasoningReply,
  resetReply,
  serverErrorReply,
  slowFirstTokenReply,
  stalledReply,
  suspendedReply,
  textReply,
  thinkingTagReply,
  throttledReply,
  toolUseReply,
} from "../sim/replies";

const model = getModel("kiro", "claude-sonnet-4-5");
const context: Context = {
  systemPrompt: "You are terse.",
  messages: [{ role: "user", content: "Say hello.", timestamp: 1_700_000_000_000 }],
  tools: [
    { name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } },
    { name: "write", description: "Write a file", parameters: { type: "object", properties: { path: { type: "string" }, content: { type: "string" } } } },
  ],
};

let sim: KiroSimulator;

before(async () => {
  sim = await startKiroSimulator({ seed: 7 });
});
after(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setAccessToken("sim-access-token");
  sim.requests.length = 0;
});

function opts(extra: KiroStreamOptions = {}): KiroStreamOptions {
  return { accessToken: sim.accessToken, endpoint: sim.url, env: {}, retryBaseDelayMs: 5, ...extra };
}

async function collect(options: KiroStreamOptions, ctx: Context = context): Promise<{ events: AssistantMessageEvent[]; message: AssistantMessage }> {
  const stream = streamKiro(model, ctx, options);
  const events: AssistantMessageEvent[] = [];
  for await (const event of stream) events.push(event);
  const message = await stream.result();
  return { events, message };
}

function kinds(events: AssistantMessageEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) if (out.at(-1) !== e.type) out.push(e.type); // collapse runs of deltas
  return out;
}

function lastEvent(events: AssistantMessageEvent[]): AssistantMessageEvent {
  return events[events.length - 1]!;
}

describe("streamKiro answers", () => {
  it("streams a text answer with pi's events, usage and credits", async () => {
    sim.reply(textReply("Hello there, how are you today?", { usage: { input: 50, output: 9, cacheRead: 10 }, credits: 0.1, contextUsagePercentage: 2, conversationId: "c1" }));
    const { events, message } = await collect(opts({ sessionId: "session-123" }));
    assert.deepEqual(kinds(events), ["start", "text_start", "text_delta", "text_end", "done"]);
    assert.equal(message.stopReason, "stop");
    assert.equal(message.provider, "kiro");
    assert.equal(message.api, model.api);
    assert.equal(message.model, model.id);
    assert.deepEqual(message.content, [{ type: "text", text: "Hello there, how are you today?" }]);
    assert.equal(message.usage.input, 50);
    assert.equal(message.usage.output, 9);
    assert.equal(message.usage.cacheRead, 10);
    assert.equal(message.kiro?.credits, 0.1);
    assert.equal(message.responseId, "utt-c1");
    const [request] = sim.generateRequests();
    assert.deepEqual(request!.validationErrors, []);
    const body = request!.body as { conversationState: { conversationId: string } };
    assert.equal(body.conversationState.conversationId, "session-123");
  });

  it("separates tag-mode thinking from the answer", async () => {
    sim.reply(thinkingTagReply("First, greet.", "Hello!"));
    const { events, message } = await collect(opts({ reasoning: "medium" }));
    assert.deepEqual(kinds(events), ["start", "thinking_start", "thinking_delta", "thinking_end", "text_start", "text_delta", "text_end", "done"]);
    assert.deepEqual(message.content, [
      { type: "thinking", thinking: "First, greet." },
      { type: "text", text: "Hello!" },
    ]);
  });

  it("keeps native reasoning with its signature and redacted reasoning as redacted", async () => {
    sim.reply(reasoningReply("Let me weigh this.", "sig-abc", "Answer."));
    const first = await collect(opts());
    assert.deepEqual(first.message.content[0], { type: "thinking", thinking: "Let me weigh this.", thinkingSignature: "sig-abc" });
    sim.reply(redactedReasoningReply("opaque-blob", "Answer."));
    const second = await collect(opts());
    assert.equal(second.message.content[0]?.type, "thinking");
    assert.deepEqual({ ...second.message.content[0] }, { type: "thinking", thinking: "[Reasoning redacted]", thinkingSignature: "opaque-blob", redacted: true });
  });

  it("streams tool calls fragment by fragment and stops with toolUse", async () => {
    const big = "line\n".repeat(2000);
    sim.reply(
      toolUseReply(
        [
          { name: "read", input: { path: "a.ts" }, id: "tool-1" },
          { name: "write", input: { path: "b.ts", content: big }, id: "tool-2" },
        ],
        { text: "Working on it.", fragmentSize: 100 },
      ),
    );
    const { events, message } = await collect(opts());
    assert.equal(message.stopReason, "toolUse");
    assert.deepEqual(message.content.slice(1), [
      { type: "toolCall", id: "tool-1", name: "read", arguments: { path: "a.ts" } },
      { type: "toolCall", id: "tool-2", name: "write", arguments: { path: "b.ts", content: big } },
    ]);
    const writeDeltas = events.filter((e) => e.type === "toolcall_delta" && e.contentIndex === 2);
    assert.ok(writeDeltas.length > 100, `expected the write arguments to stream in many deltas, got ${writeDeltas.length}`);
    assert.ok(!writeDeltas.some((e) => e.type === "toolcall_delta" && e.delta.startsWith("{}")), "fragments are never prefixed with {}");
  });

  it("handles a zero-argument tool call without fragments or stop", async () => {
    sim.reply(toolUseReply([{ name: "read", input: {}, rawInput: "", id: "z1" }], { omitStop: true }));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "toolUse");
    assert.deepEqual(message.content, [{ type: "toolCall", id: "z1", name: "read", arguments: {} }]);
  });

  it("copes with every event kind the service sends", async () => {
    sim.reply(everyEventKindReply());
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "toolUse");
    assert.deepEqual(
      message.content.map((c) => c.type),
      ["thinking", "text", "toolCall"],
    );
    assert.equal(message.responseId, "utt-every");
    assert.equal(message.kiro?.credits, 0.05);
    assert.equal(message.kiro?.contextUsagePercentage, 1.5);
  });
});

describe("streamKiro failures", () => {
  it("says nobody is signed in when there is no token, without calling Kiro", async () => {
    const { events, message } = await collect({ endpoint: sim.url, env: {} });
    assert.deepEqual(kinds(events), ["start", "error"]);
    assert.equal(message.stopReason, "error");
    assert.equal(message.errorMessage, "Not signed in to Kiro.");
    assert.equal(message.kiro?.error?.kind, "no-token", "each host adds how to sign in from the kind");
    assert.equal(sim.requests.length, 0);
  });

  it("reads the token from KIRO_ACCESS_TOKEN in the given environment", async () => {
    sim.reply(textReply("ok"));
    const { message } = await collect({ endpoint: sim.url, env: { KIRO_ACCESS_TOKEN: sim.accessToken } });
    assert.equal(message.stopReason, "stop");
  });

  it("refreshes the token once when the profile look-up refuses it, then answers", async () => {
    sim.setAccessToken("fresh-token-value");
    let refreshes = 0;
    sim.reply(textReply("after refresh"));
    const { message } = await collect(
      opts({
        accessToken: "expired-token-value",
        refreshAccessToken: async () => {
          refreshes++;
          return "fresh-token-value";
        },
      }),
    );
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(refreshes, 1);
    assert.equal(sim.generateRequests().length, 1);
    assert.equal(sim.generateRequests()[0]?.headers.authorization, "Bearer fresh-token-value");
    assert.deepEqual(message.content, [{ type: "text", text: "after refresh" }]);
  });

  it("refreshes the token once when the request itself is refused (profile known), and retries it", async () => {
    sim.setAccessToken("fresh-token-value");
    let refreshes = 0;
    sim.reply(textReply("after refresh"));
    const { message } = await collect(
      opts({
        accessToken: "expired-token-value",
        profileArn: DEFAULT_SIM_PROFILE.arn,
        refreshAccessToken: async () => {
          refreshes++;
          return "fresh-token-value";
        },
      }),
    );
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(refreshes, 1);
    assert.equal(sim.generateRequests().length, 2);
    assert.deepEqual(message.content, [{ type: "text", text: "after refresh" }]);
  });

  it("asks to sign in again when the refreshed token is refused too, and never shows a token", async () => {
    sim.setAccessToken("only-the-server-knows");
    let refreshes = 0;
    const { message } = await collect(
      opts({
        accessToken: "expired-token-value",
        refreshAccessToken: async () => {
          refreshes++;
          return "still-wrong-token";
        },
      }),
    );
    assert.equal(message.stopReason, "error");
    assert.equal(refreshes, 1);
    assert.equal(sim.generateRequests().length, 0, "the profile look-up refused both tokens; no request went out without a profile");
    assert.equal(message.kiro?.error?.kind, "auth");
    assert.match(message.errorMessage!, /Sign in again/);
    assert.doesNotMatch(message.errorMessage!, /expired-token-value|still-wrong-token/);
  });

  it("stops at once on a suspended account", async () => {
    sim.reply(suspendedReply());
    const { message } = await collect(opts());
    assert.match(message.errorMessage!, /suspended/);
    assert.equal(sim.generateRequests().length, 1);
  });

  it("does not retry an exhausted quota and names the reset date", async () => {
    sim.reply(quotaReply("MONTHLY_REQUEST_COUNT"));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /quota exhausted/);
    const reset = new Date((sim.usageLimits.usageBreakdownList[0]!.nextDateReset) * 1000).toISOString().slice(0, 10);
    assert.match(message.errorMessage!, new RegExp(`resets on ${reset}`));
    assert.equal(sim.generateRequests().length, 1);
  });

  it("retries throttling and server errors with back-off, then succeeds", async () => {
    sim.reply(throttledReply(0), serverErrorReply(503), textReply("finally"));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(sim.generateRequests().length, 3);
  });

  it("retries a connection reset before the first byte", async () => {
    sim.reply(resetReply(), textReply("recovered"));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.deepEqual(message.content, [{ type: "text", text: "recovered" }]);
  });

  it("gives up after maxRetries and says so", async () => {
    sim.reply(serverErrorReply(500), serverErrorReply(502), serverErrorReply(500));
    const { message } = await collect(opts({ maxRetries: 2 }));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /gave up after 2 retries/);
    assert.equal(sim.generateRequests().length, 3);
  });

  it("fails instead of waiting when Retry-After exceeds the allowed delay", async () => {
    sim.reply(throttledReply(120));
    const { message } = await collect(opts({ maxRetryDelayMs: 1000 }));
    assert.match(message.errorMessage!, /asked to wait 120 s/);
    assert.equal(sim.generateRequests().length, 1);
  });

  it("names the model on INVALID_MODEL_ID, the context window on too-long, and does not blame itself for a malformed request", async () => {
    sim.reply(errorReply(400, { message: "Invalid model. Please select a different model to continue.", reason: "INVALID_MODEL_ID" }));
    assert.match((await collect(opts())).message.errorMessage!, /"claude-sonnet-4-5".*Pick another model/);
    const earlier: Context = {
      ...context,
      messages: [
        { role: "user", content: "First question.", timestamp: 1 },
        { role: "assistant", content: [{ type: "text", text: "First answer." }], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 2 },
        ...context.messages,
      ],
    };
    sim.reply(errorReply(400, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" }));
    const tooLong = (await collect(opts(), earlier)).message;
    assert.match(tooLong.errorMessage!, /exceeds the context window/);
    assert.equal(tooLong.kiro?.error?.kind, "too-long");
    sim.reply(errorReply(400, { message: "Improperly formed request." }));
    assert.match((await collect(opts())).message.errorMessage!, /without saying which part/);
    assert.equal(sim.generateRequests().length, 3);
  });

  it("words 'too long' for a first message without pi's overflow words: with nothing to compact, pi would end in silence", async () => {
    sim.reply(errorReply(400, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" }));
    const first = (await collect(opts())).message;
    assert.equal(first.kiro?.error?.kind, "message-too-large");
    assert.match(first.errorMessage!, /"Input is too long\."/);
    assert.doesNotMatch(first.errorMessage!, /exceeds the context window|prompt is too long|context[_ ]length[_ ]exceeded|model_context_window_exceeded/i);
  });

  it("sends an unknown pi model's id as the Kiro model id and names it when Kiro refuses it", async () => {
    const unknown = { ...model, id: "claude-imaginary-9", name: "Imaginary" };
    const stream = streamKiro(unknown, context, opts());
    const message = await stream.result();
    assert.equal(message.stopReason, "error");
    assert.equal(message.model, "claude-imaginary-9");
    const body = sim.generateRequests()[0]?.body as { conversationState: { currentMessage: { userInputMessage: { modelId: string } } } };
    assert.equal(body.conversationState.currentMessage.userInputMessage.modelId, "claude-imaginary-9");
    assert.match(message.errorMessage!, /"claude-imaginary-9"/);
  });

  it("ends with an error when an exception frame arrives midway, keeping the text so far and not retrying", async () => {
    sim.reply(exceptionMidStream("Partial answer", "InternalServerException", "Something broke"));
    const { events, message } = await collect(opts());
    assert.equal(lastEvent(events).type, "error");
    assert.match(message.errorMessage!, /InternalServerException: Something broke/);
    assert.equal(message.content[0]?.type === "text" && message.content[0].text, "Partial answer");
    assert.equal(sim.generateRequests().length, 1);
  });

  it("retries a throttlingError frame that came before any of the answer, honouring retryAfterMilliseconds", async () => {
    sim.reply(krsExceptionReply({ retryAfterMilliseconds: 20 }));
    sim.reply(textReply("Second try worked."));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(message.content[0]?.type === "text" && message.content[0].text, "Second try worked.");
    assert.equal(sim.generateRequests().length, 2);
  });

  it("ends a throttlingError after some text as throttled, in Kiro's words, keeping the text", async () => {
    sim.reply(krsExceptionReply({ text: "Partial ", reason: "CREDIT_CONSUMPTION_RATE_EXCEEDED" }));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "error");
    assert.equal(message.kiro?.error?.kind, "throttled");
    assert.ok(message.errorMessage?.includes(HIGH_TRAFFIC_MESSAGE), message.errorMessage);
    assert.equal(message.content[0]?.type === "text" && message.content[0].text, "Partial ");
    assert.equal(sim.generateRequests().length, 1);
  });

  it("ends an answer whose stream was cut before Kiro's closing events as an error, not a normal stop", async () => {
    sim.reply(cutStreamReply("The first half of"));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /cut off/);
    assert.equal(message.content[0]?.type === "text" && message.content[0].text, "The first half of");
  });

  it("ends an answer Kiro stopped at MAX_TOKENS as a length stop and a CONTENT_FILTERED one as refused", async () => {
    sim.reply(stopReasonReply("Long", "MAX_TOKENS"));
    assert.equal((await collect(opts())).message.stopReason, "length");
    sim.reply(stopReasonReply("", "CONTENT_FILTERED", { refusal: { category: "policy", explanation: "Not allowed", recommendedModel: "claude-opus-4.8" } }));
    const filtered = (await collect(opts())).message;
    assert.equal(filtered.stopReason, "error");
    assert.equal(filtered.kiro?.error?.kind, "refused");
    assert.match(filtered.errorMessage!, /policy: Not allowed/);
    assert.match(filtered.errorMessage!, /claude-opus-4\.8/);
  });

  it("does not call a 'not valid JSON' 400 on a small conversation too long, and says what Kiro said", async () => {
    sim.reply(nestedInvalidJsonReply());
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "error");
    assert.equal(message.kiro?.error?.kind, "bad-request");
    assert.match(message.errorMessage!, /The request body is not valid JSON/);
    assert.doesNotMatch(message.errorMessage!, /context window/);
  });

  it("logs an invalidStateEvent and keeps streaming the answer around it", async () => {
    sim.reply(invalidStateMidAnswerReply("Half of it, ", "and the rest."));
    const logged: string[] = [];
    const { message } = await collect(opts({ log: { info: (m) => logged.push(m), warn: (m) => logged.push(m) } }));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.deepEqual(message.content, [{ type: "text", text: "Half of it, and the rest." }]);
    assert.ok(logged.some((line) => /invalid conversation state/.test(line)), logged.join("\n"));
  });

  it("times out when the first token takes too long", async () => {
    sim.reply(slowFirstTokenReply(5_000, "too late"));
    const { message } = await collect(opts({ firstTokenTimeoutMs: 150 }));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /did not start answering within 150 ms/);
    assert.equal(sim.generateRequests().length, 1);
  });

  it("KIRO_FIRST_TOKEN_TIMEOUT_SECONDS sets the first-token timeout, and the error names the setting to raise", async () => {
    sim.reply(slowFirstTokenReply(5_000, "too late"));
    const { message } = await collect(opts({ env: { KIRO_FIRST_TOKEN_TIMEOUT_SECONDS: "1" } }));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /did not start answering within 1 s/);
    assert.match(message.errorMessage!, /kiro\.firstTokenTimeoutSeconds.*KIRO_FIRST_TOKEN_TIMEOUT_SECONDS/);
  });

  it("times out when the answer stalls midway", async () => {
    sim.reply(stalledReply("Some text then silence", 10_000));
    const { message } = await collect(opts({ idleTimeoutMs: 150 }));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /stopped sending for 150 ms/);
    assert.equal(message.content[0]?.type, "text");
  });
});

describe("streamKiro aborts", () => {
  it("ends as aborted without a request when the signal is already aborted", async () => {
    const { events, message } = await collect(opts({ signal: AbortSignal.abort() }));
    assert.equal(lastEvent(events).type, "error");
    assert.equal(message.stopReason, "aborted");
    assert.equal(sim.requests.length, 0);
  });

  it("ends as aborted mid-stream and cancels the HTTP request", async () => {
    sim.reply(stalledReply("Streaming along", 30_000));
    const controller = new AbortController();
    const stream = streamKiro(model, context, opts({ signal: controller.signal }));
    const events: AssistantMessageEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === "text_delta") controller.abort();
    }
    const message = await stream.result();
    assert.equal(message.stopReason, "aborted");
    assert.equal(lastEvent(events).type, "error");
    assert.equal(message.errorMessage, "Request was aborted");
  });

  it("ends as aborted during a retry back-off", async () => {
    sim.reply(serverErrorReply(503));
    const controller = new AbortController();
    const stream = streamKiro(model, context, opts({ signal: controller.signal, retryBaseDelayMs: 60_000, maxRetryDelayMs: 120_000 }));
    while (sim.generateRequests().length === 0 || sim.generateRequests()[0]!.status === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const message = await stream.result();
    assert.equal(message.stopReason, "aborted");
    assert.equal(sim.generateRequests().length, 1);
  });
});

describe("streamKiro with broken bytes", () => {
  const codec = new EventStreamCodec(
    (b) => new TextDecoder().decode(b),
    (t) => new TextEncoder().encode(t),
  );
  const frame = (eventType: string, payload: unknown) =>
    codec.encode({
      headers: { ":message-type": { type: "string", value: "event" }, ":event-type": { type: "string", value: eventType } },
      body: new TextEncoder().encode(JSON.stringify(payload)),
    });
  const serve = (bytes: Uint8Array): typeof fetch =>
    (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes);
            controller.close();
          },
        }),
        { status: 200, headers: { "content-type": "application/vnd.amazon.eventstream" } },
      )) as typeof fetch;
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  };

  it("reports a CRC mismatch as a broken stream", async () => {
    const bytes = join(frame("assistantResponseEvent", { content: "fine" }), frame("assistantResponseEvent", { content: "broken" }));
    bytes[bytes.byteLength - 8] ^= 0x20;
    const { message } = await collect(opts({ fetch: serve(bytes) }));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /answer stream broke: frame 2 is corrupt/);
  });

  it("reports a truncated stream", async () => {
    const bytes = join(frame("assistantResponseEvent", { content: "fine" }), frame("assistantResponseEvent", { content: "cut" }));
    const { message } = await collect(opts({ fetch: serve(bytes.subarray(0, bytes.byteLength - 5)) }));
    assert.match(message.errorMessage!, /ended in the middle of a frame/);
  });

  it("says a large tool call was cut off when the stream ends mid-arguments", async () => {
    const bytes = join(
      frame("toolUseEvent", { toolUseId: "w1", name: "write", input: "" }),
      frame("toolUseEvent", { toolUseId: "w1", name: "write", input: '{"path":"big.ts","content":"' + "x".repeat(5000) }),
    );
    const { message } = await collect(opts({ fetch: serve(bytes) }));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage!, /tool call "write" was cut off/);
  });
});

describe("streamKiro's structured error on the final message", () => {
  it("puts the kind, status, reason and reset date of an exhausted quota on message.kiro.error", async () => {
    sim.reply(quotaReply("MONTHLY_REQUEST_COUNT"));
    const { message } = await collect(opts());
    const reset = new Date(sim.usageLimits.usageBreakdownList[0]!.nextDateReset * 1000).toISOString().slice(0, 10);
    assert.deepEqual(message.kiro?.error, {
      kind: "quota",
      status: 429,
      reason: "MONTHLY_REQUEST_COUNT",
      retryable: false,
      resetDate: reset,
      modelId: "claude-sonnet-4-5",
      alternativeModelId: "auto",
      region: "us-east-1",
      profileArn: DEFAULT_SIM_PROFILE.arn,
    });
  });

  it("keeps Retry-After and the retryable flag when capacity retries run out", async () => {
    sim.reply(throttledReply(0), throttledReply(0));
    const { message } = await collect(opts({ maxRetries: 1 }));
    assert.match(message.errorMessage!, /gave up after 1 retry/);
    assert.deepEqual(message.kiro?.error, {
      kind: "capacity",
      status: 429,
      reason: "INSUFFICIENT_MODEL_CAPACITY",
      retryable: true,
      retryAfterMs: 0,
      modelId: "claude-sonnet-4-5",
      alternativeModelId: "auto",
      region: "us-east-1",
      profileArn: DEFAULT_SIM_PROFILE.arn,
    });
  });

  it("names the kind of failures that never reached Kiro: no token, a message too large, aborted", async () => {
    const noToken = await collect({ endpoint: sim.url, env: {} });
    assert.deepEqual(noToken.message.kiro?.error, { kind: "no-token", retryable: false });
    const small = { ...model, id: "small-window-model", contextWindow: 100_000 };
    const tooLarge = await streamKiro(small, { messages: [{ role: "user", content: "x".repeat(500_000), timestamp: 1 }] }, opts()).result();
    assert.deepEqual(tooLarge.kiro?.error, { kind: "message-too-large", retryable: false });
    const aborted = await collect(opts({ signal: AbortSignal.abort() }));
    assert.deepEqual(aborted.message.kiro?.error, { kind: "aborted", retryable: false });
    assert.equal(aborted.message.stopReason, "aborted");
  });

  it("leaves message.kiro.error unset on a successful answer", async () => {
    sim.reply(textReply("fine", { credits: 0.2 }));
    const { message } = await collect(opts());
    assert.equal(message.stopReason, "stop");
    assert.equal(message.kiro?.error, undefined);
    assert.equal(message.kiro?.credits, 0.2);
  });
});
