// The JSON text the bridge writes more cheaply than JSON.stringify of each event: the closing events' reused long strings (src/bridge/server/jsonReuse.ts) and every format's delta lines, checked to be exactly the text JSON.stringify gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AnthropicSseEncoder } from "../../src/bridge/anthropic/messagesAnswer";
import { chatStreamEncoder } from "../../src/bridge/openai/chatAnswer";
import { responsesStreamEncoder } from "../../src/bridge/openai/responsesAnswer";
import { encodeEventLine } from "../../src/bridge/pi/protocol";
import { encodedText, REUSED_STRING_CHARS, ReusedJsonStrings } from "../../src/bridge/server/jsonReuse";
import type { AssistantMessageEvent } from "../../src/kiro/types";
import { answerMessage, kiroModel } from "./bridgeFixtures";

/** A long text with everything JSON escapes: quotes, backslashes, control characters, lone surrogates, non-ASCII. */
const longText = `She said "hi" \\ then\n\ttabbed\u0000 \u2028 \ud800 café ✓ `.repeat(Math.ceil(REUSED_STRING_CHARS / 10));

test("the closing events' JSON is exactly JSON.stringify's, for every long string wherever it sits in the value", () => {
  const reused = new ReusedJsonStrings();
  const values: unknown[] = [
    { type: "text_end", contentIndex: 0, content: longText },
    { type: "done", reason: "stop", message: { content: [{ type: "text", text: longText }, { type: "thinking", thinking: `${longText}2` }], usage: { input: 1 } } },
    { response: { output: [{ content: [{ text: longText, annotations: [] }] }, { arguments: longText.slice(1) }], usage: null } },
    [longText, "short", longText],
    longText,
    { short: "not long", nested: { list: [1, true, null, "x"] } },
  ];
  for (const value of values) assert.equal(reused.stringify(value), JSON.stringify(value));
});

test("a text that spells out the placeholder the encoder uses is still encoded as itself", () => {
  const reused = new ReusedJsonStrings();
  const lookalike = `\u0000kiro-pi:${"0".repeat(24)} ${longText}`;
  const value = { a: lookalike, b: `"\\u0000kiro-pi:" ${longText}`, c: longText };
  assert.equal(reused.stringify(value), JSON.stringify(value));
  assert.deepEqual(JSON.parse(reused.stringify(value)), value);
});

/** The `data:` payloads of SSE text, parsed. */
const dataOf = (sse: string): unknown[] =>
  sse
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)) as unknown);

/** Each `data:` line is exactly JSON.stringify's text of what it parses to (valid JSON, nothing extra, nothing reordered). */
function assertCanonical(sse: string): void {
  for (const line of sse.split("\n").filter((candidate) => candidate.startsWith("data: ") && candidate !== "data: [DONE]")) {
    assert.equal(line.slice(6), JSON.stringify(JSON.parse(line.slice(6))));
  }
}

test("a text delta with quotes, newlines, control characters and non-ASCII reads back as itself in every format", () => {
  const model = kiroModel("claude-sonnet-4.5");
  const partial = answerMessage(model, [{ type: "text", text: "" }]);
  const delta = 'a "quoted" \\ back\nslash\t\u0000 \u2028 café ✓ \ud83d\ude00';
  const events: AssistantMessageEvent[] = [
    { type: "start", partial },
    { type: "text_start", contentIndex: 0, partial },
    { type: "text_delta", contentIndex: 0, delta, partial },
  ];

  const line = encodeEventLine(events[2]!);
  assert.equal(line, `${JSON.stringify({ type: "text_delta", contentIndex: 0, delta })}\n`);

  const anthropic = new AnthropicSseEncoder({ id: "msg_1", model: "m", estimatedInputTokens: 1 });
  const messages = events.map((event) => anthropic.encode(event)).join("");
  assertCanonical(messages);
  assert.deepEqual(dataOf(messages).at(-1), { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: delta } });

  const chat = chatStreamEncoder({ id: "chatcmpl-\"1", created: 7, model: "m\u00e9" }, { includeUsage: false });
  const chunks = events.map((event) => chat.encode(event)).join("");
  assertCanonical(chunks);
  assert.deepEqual(dataOf(chunks).at(-1), { id: 'chatcmpl-"1', object: "chat.completion.chunk", created: 7, model: "mé", choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] });

  let id = 0;
  const responses = responsesStreamEncoder({ id: "resp_1", createdAt: 7, model: "m" }, (prefix) => `${prefix}${++id}`);
  const sse = events.map((event) => encodedText(responses.encode(event))).join("");
  assertCanonical(sse);
  assert.deepEqual(dataOf(sse).at(-1), { type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta });
});

test("a long answer's four Responses closing events carry its text as one set of UTF-8 bytes, and read back as JSON.stringify's text", () => {
  const model = kiroModel("claude-sonnet-4.5");
  const message = answerMessage(model, [{ type: "text", text: longText }]);
  const partial = answerMessage(model, [{ type: "text", text: "" }]);
  let id = 0;
  const responses = responsesStreamEncoder({ id: "resp_1", createdAt: 7, model: "m" }, (prefix) => `${prefix}${++id}`);
  const encoded = [
    { type: "start", partial },
    { type: "text_start", contentIndex: 0, partial },
    { type: "text_delta", contentIndex: 0, delta: longText, partial },
    { type: "text_end", contentIndex: 0, content: longText, partial },
    { type: "done", reason: "stop", message },
  ].map((event) => responses.encode(event as AssistantMessageEvent));

  const bytes = encoded.flatMap((event) => (typeof event === "string" ? [] : event.filter((piece) => typeof piece !== "string")));
  assert.equal(bytes.length, 4, "output_text.done, content_part.done, output_item.done and response.completed each carry the text");
  assert.ok(bytes.every((piece) => piece === bytes[0]), "the four events write the same bytes, encoded once");

  const sse = encoded.map(encodedText).join("");
  assertCanonical(sse);
  const data = dataOf(sse) as { type: string; text?: string; response?: { output: { content: { text: string }[] }[] } }[];
  assert.equal(data.find((d) => d.type === "response.output_text.done")?.text, longText);
  assert.equal(data.at(-1)?.response?.output[0]?.content[0]?.text, longText);
});

test("stringifyPieces is JSON.stringify's text in pieces, the same as stringify's, for short and long strings alike", () => {
  const reused = new ReusedJsonStrings();
  const values: unknown[] = [{ short: "x" }, { a: longText, b: [longText, "y"], c: `${longText}!` }, longText];
  for (const value of values) {
    assert.equal(encodedText(reused.stringifyPieces(value)), JSON.stringify(value));
    assert.equal(reused.stringify(value), JSON.stringify(value));
  }
  assert.equal(typeof reused.stringifyPieces({ short: "x" }), "string", "a value without a long string stays plain text");
});
