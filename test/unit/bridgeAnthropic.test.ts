// The bridge's Anthropic Messages routes over HTTP: streaming and one-piece answers, failures with their status before the first byte and as `event: error` after it, count_tokens, and GET /v1/models per client.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { startBridgeServer, type BridgeServer, type BridgeStreamFunction } from "../../src/bridge";
import { anthropicApi } from "../../src/bridge/anthropic/routes";
import { piApi } from "../../src/bridge/pi/routes";
import { failedAnswer } from "../../src/kiro/answer/failedAnswer";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { emptyAssistantMessage, emptyUsage, type Context, type KiroErrorKind } from "../../src/kiro/types";
import { catalogBridge, kiroModel } from "./bridgeFixtures";

const CATALOG = [kiroModel("claude-sonnet-4-5"), kiroModel("claude-haiku-4-5", { reasoning: false })];
const contexts: Context[] = [];

/** Answers "hello" in two pieces; then, when `failAfterText` is set, fails instead of finishing. */
function helloStream(o: { failAfterText?: KiroErrorKind; failFirst?: KiroErrorKind } = {}): BridgeStreamFunction {
  return (model, context) => {
    contexts.push(context);
    const stream = createAssistantMessageEventStream();
    const output = emptyAssistantMessage(model);
    void (async () => {
      stream.push({ type: "start", partial: output });
      if (o.failFirst) {
        stream.push({ type: "error", reason: "error", error: failedAnswer(model, `failed: ${o.failFirst}`, o.failFirst) });
        stream.end();
        return;
      }
      const block = { type: "text" as const, text: "" };
      output.content.push(block);
      stream.push({ type: "text_start", contentIndex: 0, partial: output });
      for (const piece of ["hel", "lo"]) {
        await new Promise((resolve) => setImmediate(resolve));
        block.text += piece;
        stream.push({ type: "text_delta", contentIndex: 0, delta: piece, partial: output });
      }
      if (o.failAfterText) {
        stream.push({ type: "error", reason: "error", error: failedAnswer(model, `failed: ${o.failAfterText}`, o.failAfterText) });
        stream.end();
        return;
      }
      stream.push({ type: "text_end", contentIndex: 0, content: block.text, partial: output });
      output.usage = { ...emptyUsage(), input: 42, output: 2, totalTokens: 44 };
      stream.push({ type: "done", reason: "stop", message: output });
      stream.end();
    })();
    return stream;
  };
}

function bridgeWith(stream: BridgeStreamFunction): Promise<BridgeServer> {
  return catalogBridge(stream, CATALOG);
}

async function post(bridge: BridgeServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, bridge.url), {
    method: "POST",
    headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify(body),
  });
}

function sseEvents(text: string): string[] {
  return [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]!);
}

const HELLO = { model: "claude-sonnet-4-5-20250929", max_tokens: 1024, messages: [{ role: "user", content: "hi" }] };

describe("POST /v1/messages", () => {
  it("streams the answer as Anthropic SSE, ignoring Claude Code's ?beta=true", async () => {
    const bridge = await bridgeWith(helloStream());
    const response = await post(bridge, "/v1/messages?beta=true", { ...HELLO, stream: true });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const text = await response.text();
    assert.deepEqual(sseEvents(text), ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    assert.match(text, /"model":"claude-sonnet-4-5-20250929"/);
    assert.match(text, /"usage":\{"input_tokens":42,"output_tokens":2/);
  });

  it("answers in one piece without `stream`, with the token as x-api-key", async () => {
    const bridge = await bridgeWith(helloStream());
    const response = await post(bridge, "/v1/messages", HELLO, { authorization: "", "x-api-key": bridge.token });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { type: string; content: unknown[]; stop_reason: string; model: string };
    assert.equal(body.type, "message");
    assert.deepEqual(body.content, [{ type: "text", text: "hello" }]);
    assert.equal(body.stop_reason, "end_turn");
    assert.equal(body.model, HELLO.model);
  });

  it("answers a failure that comes before any content with its own status: an overflow is the prompt-too-long 400", async () => {
    const bridge = await bridgeWith(helloStream({ failFirst: "too-long" }));
    const response = await post(bridge, "/v1/messages", { ...HELLO, stream: true });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /^prompt is too long: \d+ tokens > 200000 maximum/);
  });

  it("ends a stream that fails after its first text with `event: error`", async () => {
    const bridge = await bridgeWith(helloStream({ failAfterText: "capacity" }));
    const response = await post(bridge, "/v1/messages", { ...HELLO, stream: true });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.deepEqual(sseEvents(text).slice(-2), ["content_block_stop", "error"]);
    assert.match(text, /event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error","message":"failed: capacity"\}\}/);
  });

  it("refuses an unknown model with a 404 in Anthropic's envelope that names the models there are", async () => {
    const bridge = await bridgeWith(helloStream());
    const response = await post(bridge, "/v1/messages", { ...HELLO, model: "claude-opus-5-5" });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, "not_found_error");
    assert.match(body.error.message, /Unknown model "claude-opus-5-5".*claude-sonnet-4-5, claude-haiku-4-5/);
  });

  it("refuses web search with a 400 naming the tool, before anything reaches Kiro", async () => {
    const before = contexts.length;
    const bridge = await bridgeWith(helloStream());
    const response = await post(bridge, "/v1/messages", { ...HELLO, tools: [{ type: "web_search_20250305", name: "web_search" }] });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /web_search_20250305/);
    assert.equal(contexts.length, before);
  });

  it("refuses a missing token in Anthropic's envelope as authentication_error", async () => {
    const bridge = await bridgeWith(helloStream());
    const response = await post(bridge, "/v1/messages", HELLO, { authorization: "" });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { type: string } };
    assert.equal(body.error.type, "authentication_error");
  });
});

describe("keep-alive", () => {
  it("sends pings while Kiro has not answered yet, after opening the message, and the answer still follows", async () => {
    let release: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => (release = resolve));
    const stalling: BridgeStreamFunction = (model, context, options) => {
      const inner = helloStream()(model, context, options);
      return (async function* () {
        // Nothing until the test has seen a ping: the answer is held back, however long that takes.
        await answered;
        yield* inner;
      })();
    };
    const bridge = await startBridgeServer({ stream: stalling, listModels: () => CATALOG, apis: [piApi, () => anthropicApi({ pingIntervalMs: 20 })] });
    after(() => bridge.dispose());
    const response = await post(bridge, "/v1/messages", { ...HELLO, model: "claude-sonnet-4-5", stream: true });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("event: ping")) {
      const { value, done } = await reader.read();
      assert.ok(!done, "the stream ended before a ping");
      text += Buffer.from(value).toString("utf8");
    }
    release!();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString("utf8");
    }
    const events = sseEvents(text);
    assert.equal(events[0], "message_start");
    assert.equal(events[1], "ping");
    assert.equal(events.filter((event) => event === "message_start").length, 1);
    assert.deepEqual(events.filter((event) => event !== "ping").slice(-2), ["message_delta", "message_stop"]);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("counts the request's tokens without asking Kiro, more for a longer conversation", async () => {
    const before = contexts.length;
    const bridge = await bridgeWith(helloStream());
    const count = async (text: string): Promise<number> => {
      const response = await post(bridge, "/v1/messages/count_tokens", { model: "claude-sonnet-4-5", messages: [{ role: "user", content: text }], system: "Be brief." });
      assert.equal(response.status, 200);
      return ((await response.json()) as { input_tokens: number }).input_tokens;
    };
    const short = await count("hi");
    const long = await count("hi ".repeat(1000));
    assert.ok(short > 0 && long > short + 500, `${short} then ${long}`);
    assert.equal(contexts.length, before);
  });
});

describe("GET /v1/models", () => {
  it("lists the catalog in Anthropic's shape for Anthropic clients and in pi's shape for pi", async () => {
    const bridge = await bridgeWith(helloStream());
    const get = (headers: Record<string, string>) => fetch(new URL("/v1/models?limit=1000", bridge.url), { headers: { authorization: `Bearer ${bridge.token}`, ...headers } });
    const anthropic = (await (await get({ "anthropic-version": "2023-06-01" })).json()) as { data: { id: string; type: string }[]; has_more: boolean; first_id: string };
    assert.deepEqual(anthropic.data.map((model) => [model.id, model.type]), [["claude-sonnet-4-5", "model"], ["claude-haiku-4-5", "model"]]);
    assert.equal(anthropic.has_more, false);
    assert.equal(anthropic.first_id, "claude-sonnet-4-5");
    const pi = (await (await get({})).json()) as { models: { id: string }[] };
    assert.deepEqual(pi.models.map((model) => model.id), ["claude-sonnet-4-5", "claude-haiku-4-5"]);
  });
});
