// The pi protocol's closing text: a client that rebuilds it from the deltas (CLOSING_TEXT_HEADER) is not sent an answer's text three times, ends with exactly the provider's message, and old peers on either side keep working.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { CLOSING_TEXT_FROM_DELTAS, CLOSING_TEXT_HEADER, type BridgeStreamFunction } from "../../src/bridge";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { EventReplay, withoutPartial } from "../../src/kiro/answer/eventReplay";
import { streamViaBridge } from "../../src/pi/bridgeClient";
import type { AssistantMessage, AssistantMessageEvent } from "../../src/kiro/types";
import { answerMessage, catalogBridge, kiroModel } from "./bridgeFixtures";

const MODEL = kiroModel("claude-sonnet-4-5");
/** Long enough that a repeat of it dwarfs everything else on the wire. */
const TEXT_PIECE = "The answer's text, streamed in many small deltas. ";
const THINKING_PIECE = "Thinking it over, piece by piece. ";
const PIECES = 400;

interface Script {
  /** What `text_end` and `done` say the text was; by default exactly what the deltas added up to. */
  finalText?: string;
}

/** Thinking then text, each in PIECES deltas, ending with `done`; the final message is returned for comparison. */
function scripted(script: Script = {}): { stream: BridgeStreamFunction; final: () => AssistantMessage } {
  let finalMessage: AssistantMessage | undefined;
  const stream: BridgeStreamFunction = (model) => {
    const out = createAssistantMessageEventStream();
    const output = answerMessage(model);
    void (async () => {
      out.push({ type: "start", partial: output });
      const thinking = { type: "thinking" as const, thinking: "", thinkingSignature: "sig-1" };
      output.content.push(thinking);
      out.push({ type: "thinking_start", contentIndex: 0, partial: output });
      for (let i = 0; i < PIECES; i++) {
        thinking.thinking += THINKING_PIECE;
        out.push({ type: "thinking_delta", contentIndex: 0, delta: THINKING_PIECE, partial: output });
      }
      out.push({ type: "thinking_end", contentIndex: 0, content: thinking.thinking, partial: output });
      const text = { type: "text" as const, text: "" };
      output.content.push(text);
      out.push({ type: "text_start", contentIndex: 1, partial: output });
      for (let i = 0; i < PIECES; i++) {
        text.text += TEXT_PIECE;
        out.push({ type: "text_delta", contentIndex: 1, delta: TEXT_PIECE, partial: output });
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      if (script.finalText !== undefined) text.text = script.finalText;
      out.push({ type: "text_end", contentIndex: 1, content: text.text, partial: output });
      finalMessage = structuredClone(output);
      out.push({ type: "done", reason: "stop", message: output });
      out.end();
    })();
    return out;
  };
  return { stream, final: () => finalMessage! };
}

/** The raw NDJSON a client gets from `POST /v1/stream`, with or without asking for the closing text to be left out. */
async function rawStream(stream: BridgeStreamFunction, omit: boolean): Promise<string> {
  const bridge = await catalogBridge(stream, [MODEL]);
  const headers: Record<string, string> = { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" };
  if (omit) headers[CLOSING_TEXT_HEADER] = CLOSING_TEXT_FROM_DELTAS;
  return new Promise<string>((resolve, reject) => {
    const req = httpRequest(new URL("/v1/stream", bridge.url), { method: "POST", agent: false, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } }));
  });
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function lineOf(ndjson: string, type: string): Record<string, unknown> {
  const line = ndjson.split("\n").find((candidate) => candidate.startsWith(`{"type":"${type}"`));
  assert.ok(line, `no ${type} line in the stream`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe("closing text rebuilt from the deltas (pi bridge protocol)", () => {
  it("a client that asks is sent the answer's text and thinking once, in the deltas, and not again in text_end, thinking_end or done", async () => {
    const ndjson = await rawStream(scripted().stream, true);
    assert.equal(occurrences(ndjson, TEXT_PIECE), PIECES, "each text piece travels once");
    assert.equal(occurrences(ndjson, THINKING_PIECE), PIECES, "each thinking piece travels once");
    assert.deepEqual(lineOf(ndjson, "text_end"), { type: "text_end", contentIndex: 1 });
    assert.deepEqual(lineOf(ndjson, "thinking_end"), { type: "thinking_end", contentIndex: 0 });
    const done = lineOf(ndjson, "done") as { message: AssistantMessage };
    assert.deepEqual(done.message.content, [{ type: "thinking", thinkingSignature: "sig-1" }, { type: "text" }], "the final blocks keep everything but the text (the thinking's signature stays)");
  });

  it("a client that does not ask (an older pi extension) is sent every closing event whole", async () => {
    const ndjson = await rawStream(scripted().stream, false);
    assert.equal(occurrences(ndjson, TEXT_PIECE), PIECES * 3, "deltas, text_end and done each carry the text");
    assert.equal(occurrences(ndjson, THINKING_PIECE), PIECES * 3);
  });

  const streamedText = TEXT_PIECE.repeat(PIECES);
  for (const [label, changed] of [
    ["shorter", "A different final text."],
    ["as long, with another last character", `${streamedText.slice(0, -1)}!`],
  ] as const) it(`a closing text that differs from its deltas (${label}: the provider changed it at the end) is sent whole, and pi ends with the provider's text`, async () => {
    const script = scripted({ finalText: changed });
    const ndjson = await rawStream(script.stream, true);
    assert.equal(lineOf(ndjson, "text_end").content, changed);
    assert.equal(((lineOf(ndjson, "done") as { message: AssistantMessage }).message.content[1] as { text?: string }).text, changed);
    const bridge = await catalogBridge(script.stream, [MODEL]);
    const final = await streamViaBridge({ url: bridge.url!, token: bridge.token }, MODEL, { messages: [{ role: "user", content: "hi", timestamp: 1 }] }).result();
    assert.deepEqual(final.content[1], { type: "text", text: changed });
  });

  it("pi's bridge client asks, and ends with exactly the provider's final message and the text_end content it streamed", async () => {
    const script = scripted();
    const bridge = await catalogBridge(script.stream, [MODEL]);
    const events = streamViaBridge({ url: bridge.url!, token: bridge.token }, MODEL, { messages: [{ role: "user", content: "hi", timestamp: 1 }] });
    const ends: string[] = [];
    for await (const event of events) if (event.type === "text_end" || event.type === "thinking_end") ends.push(event.content);
    const final = await events.result();
    assert.deepEqual(final, script.final());
    assert.deepEqual(ends, [THINKING_PIECE.repeat(PIECES), TEXT_PIECE.repeat(PIECES)]);
  });
});

describe("EventReplay with either kind of sender", () => {
  const events = (closingText: boolean): AssistantMessageEvent[] => {
    const partial = answerMessage(MODEL, [{ type: "text", text: "Hello, world" }]);
    const done = answerMessage(MODEL, [{ type: "text", text: "Hello, world", textSignature: "t" }]);
    const list: AssistantMessageEvent[] = [
      { type: "start", partial },
      { type: "text_start", contentIndex: 0, partial },
      { type: "text_delta", contentIndex: 0, delta: "Hello, ", partial },
      { type: "text_delta", contentIndex: 0, delta: "world", partial },
      { type: "text_end", contentIndex: 0, content: "Hello, world", partial },
      { type: "done", reason: "stop", message: done },
    ];
    if (closingText) return list;
    return list.map((event) => {
      if (event.type === "text_end") return { type: "text_end", contentIndex: 0, partial } as unknown as AssistantMessageEvent;
      if (event.type === "done") return { ...event, message: { ...done, content: [{ type: "text", textSignature: "t" }] } } as unknown as AssistantMessageEvent;
      return event;
    });
  };

  for (const [label, closingText] of [
    ["an older bridge that sends the closing text", true],
    ["a bridge that leaves it out", false],
  ] as const) {
    it(`rebuilds the same text_end and final message from ${label}`, () => {
      const replay = new EventReplay(MODEL);
      const rebuilt = events(closingText).map((event) => replay.apply(withoutPartial(event)));
      const end = rebuilt.find((event) => event.type === "text_end");
      assert.equal(end?.type === "text_end" ? end.content : undefined, "Hello, world");
      assert.deepEqual(replay.current.content, [{ type: "text", text: "Hello, world", textSignature: "t" }]);
    });
  }
});
