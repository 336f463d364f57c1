// A refused answer (Kiro's content filter) through every agent route of the bridge over HTTP: Anthropic Messages ends it with stop_reason "refusal", Chat Completions with finish_reason content_filter and the words in `refusal`, Responses as incomplete for content_filter with a refusal part; streaming and not, before and after the first content.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BridgeServer, type BridgeStreamFunction } from "../../src/bridge";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { emptyAssistantMessage } from "../../src/kiro/types";
import { catalogBridge, kiroModel } from "./bridgeFixtures";

const CATALOG = [kiroModel("claude-sonnet-4-5")];
const WORDS = 'Kiro\'s content filter stopped the answer (policy: Not allowed), so the answer is incomplete. Kiro recommends the model "claude-opus-4.8" for this request; pick it, or rephrase.';

/** Says "I can" (unless `first`), then Kiro's filter stops the answer, as streamKiro ends it: an error event of kind refused holding what was said. */
function refusingStream(o: { first?: boolean } = {}): BridgeStreamFunction {
  return (model) => {
    const stream = createAssistantMessageEventStream();
    const output = emptyAssistantMessage(model);
    void (async () => {
      stream.push({ type: "start", partial: output });
      if (!o.first) {
        const block = { type: "text" as const, text: "" };
        output.content.push(block);
        stream.push({ type: "text_start", contentIndex: 0, partial: output });
        await new Promise((resolve) => setImmediate(resolve));
        block.text = "I can";
        stream.push({ type: "text_delta", contentIndex: 0, delta: "I can", partial: output });
      }
      output.usage = { ...output.usage, input: 30, output: 2, totalTokens: 32 };
      stream.push({ type: "error", reason: "error", error: { ...output, stopReason: "error", errorMessage: WORDS, kiro: { error: { kind: "refused", retryable: false, reason: "CONTENT_FILTERED" } } } });
      stream.end();
    })();
    return stream;
  };
}

function bridgeWith(stream: BridgeStreamFunction): Promise<BridgeServer> {
  return catalogBridge(stream, CATALOG);
}

async function post(bridge: BridgeServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, bridge.url), { method: "POST", headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/** The JSON of each `data:` line of an SSE body (not [DONE]). */
function dataOf(text: string): Record<string, unknown>[] {
  return [...text.matchAll(/^data: (.*)$/gm)].map((match) => match[1]!).filter((line) => line !== "[DONE]").map((line) => JSON.parse(line) as Record<string, unknown>);
}

const ANTHROPIC = { "anthropic-version": "2023-06-01" };
const MESSAGES = { model: "claude-sonnet-4-5-20250929", max_tokens: 1024, messages: [{ role: "user", content: "hi" }] };
const CHAT = { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] };
const RESPONSES = { model: "claude-sonnet-4-5", input: "hi" };

describe("Anthropic Messages: a refused answer", () => {
  it("streams to stop_reason refusal, with what Kiro said and then Kiro's words as a last text block", async () => {
    const response = await post(await bridgeWith(refusingStream()), "/v1/messages", { ...MESSAGES, stream: true }, ANTHROPIC);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.deepEqual(
      [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]),
      ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
    );
    assert.doesNotMatch(text, /event: error/);
    const data = dataOf(text);
    assert.deepEqual((data[5] as { delta: unknown }).delta, { type: "text_delta", text: WORDS });
    assert.deepEqual((data[7] as { delta: unknown }).delta, { stop_reason: "refusal", stop_sequence: null });
    assert.equal((data[7] as { usage: { output_tokens: number } }).usage.output_tokens, 2);
  });

  it("streams a refusal that comes before any content as an answer (200, stop_reason refusal), not an HTTP error", async () => {
    const response = await post(await bridgeWith(refusingStream({ first: true })), "/v1/messages", { ...MESSAGES, stream: true }, ANTHROPIC);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /"stop_reason":"refusal"/);
    assert.ok(text.includes(JSON.stringify(WORDS)));
  });

  it("answers in one piece with stop_reason refusal and both texts", async () => {
    const response = await post(await bridgeWith(refusingStream()), "/v1/messages", MESSAGES, ANTHROPIC);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { stop_reason: string; content: unknown[] };
    assert.equal(body.stop_reason, "refusal");
    assert.deepEqual(body.content, [{ type: "text", text: "I can" }, { type: "text", text: WORDS }]);
  });
});

describe("Chat Completions: a refused answer", () => {
  it("streams Kiro's words in delta.refusal and ends with finish_reason content_filter, the usage chunk and [DONE]", async () => {
    const response = await post(await bridgeWith(refusingStream()), "/v1/chat/completions", { ...CHAT, stream: true, stream_options: { include_usage: true } });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(text.endsWith("data: [DONE]\n\n"));
    const chunks = dataOf(text) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: { completion_tokens: number }; error?: unknown }[];
    assert.ok(chunks.every((chunk) => chunk.error === undefined), "no error chunk");
    assert.deepEqual(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.refusal).filter((r) => r !== undefined)), [WORDS]);
    assert.deepEqual(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason).filter((f) => f !== null)), ["content_filter"]);
    assert.equal(chunks.at(-1)!.usage?.completion_tokens, 2);
  });

  it("streams a refusal before any content as 200 with content_filter, not an HTTP error", async () => {
    const response = await post(await bridgeWith(refusingStream({ first: true })), "/v1/chat/completions", { ...CHAT, stream: true });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /"finish_reason":"content_filter"/);
  });

  it("answers in one piece with message.refusal and finish_reason content_filter", async () => {
    const response = await post(await bridgeWith(refusingStream()), "/v1/chat/completions", CHAT);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { choices: { message: { content: string | null; refusal: string }; finish_reason: string }[] };
    assert.deepEqual(body.choices[0], { index: 0, message: { role: "assistant", content: "I can", refusal: WORDS }, finish_reason: "content_filter" });
  });
});

describe("Responses: a refused answer", () => {
  it("streams a refusal part and ends with response.incomplete for content_filter, not response.failed", async () => {
    const response = await post(await bridgeWith(refusingStream()), "/v1/responses", { ...RESPONSES, stream: true });
    assert.equal(response.status, 200);
    const events = dataOf(await response.text()) as { type: string; delta?: string; response?: { status: string; incomplete_details: unknown; output: { content: unknown[] }[] } }[];
    const types = events.map((event) => event.type);
    assert.ok(!types.includes("response.failed"), types.join(", "));
    assert.equal(events.find((event) => event.type === "response.refusal.delta")?.delta, WORDS);
    const last = events.at(-1)!;
    assert.equal(last.type, "response.incomplete");
    assert.equal(last.response?.status, "incomplete");
    assert.deepEqual(last.response?.incomplete_details, { reason: "content_filter" });
    assert.deepEqual(last.response?.output.at(-1)?.content, [{ type: "refusal", refusal: WORDS }]);
  });

  it("answers in one piece as incomplete for content_filter, with what was said and the refusal", async () => {
    const response = await post(await bridgeWith(refusingStream()), "/v1/responses", RESPONSES);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; incomplete_details: unknown; output: { content: unknown[] }[] };
    assert.equal(body.status, "incomplete");
    assert.deepEqual(body.incomplete_details, { reason: "content_filter" });
    assert.deepEqual(body.output.map((item) => item.content), [[{ type: "output_text", text: "I can", annotations: [] }], [{ type: "refusal", refusal: WORDS }]]);
  });
});
