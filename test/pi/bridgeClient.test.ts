// The pi side of the bridge against the real bridge server and the Kiro simulator: rebuilt events, HTTP failures, a closed VS Code window, abort, where the token may go, and requests larger than the bridge takes.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { builtInModels, findModel, streamKiro, toPiModel, type AssistantMessageEvent, type Context, type Message, type Model } from "../../src/kiro/index";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { emptyUsage, type AssistantMessage, type ImageContent } from "../../src/kiro/types";
import { withoutPartial, EventReplay } from "../../src/kiro/answer/eventReplay";
import { bridgeConfigFromEnv, listModelsViaBridge, streamViaBridge, type BridgeConfig } from "../../src/pi/bridgeClient";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { answerProofAs, finishedAnswerStream } from "./fakeBridge";
import { reasoningReply, stalledReply, textReply, toolUseReply } from "../sim/replies";

const sonnet: Model = toPiModel(findModel("claude-sonnet-4-5")!);

function context(text: string): Context {
  return { systemPrompt: "You are terse.", messages: [{ role: "user", content: text, timestamp: 1_700_000_000_000 }] };
}

async function collect(stream: AsyncIterable<AssistantMessageEvent>): Promise<{ events: AssistantMessageEvent[] }> {
  const events: AssistantMessageEvent[] = [];
  for await (const event of stream) events.push(event);
  return { events };
}

function finalOf(events: AssistantMessageEvent[]) {
  const last = events[events.length - 1];
  assert.ok(last && (last.type === "done" || last.type === "error"), `the stream must end with done or error, got ${last?.type}`);
  return last.type === "done" ? last.message : last.error;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe("bridge client", () => {
  let sim: KiroSimulator;
  let bridge: BridgeServer;
  let config: BridgeConfig;

  before(async () => {
    sim = await startKiroSimulator({ seed: 3 });
    bridge = await startBridgeServer({
      stream: (model, ctx, options) => streamKiro(model, ctx, { ...options, accessToken: sim.accessToken, endpoint: sim.url, env: {} }),
      listModels: () => builtInModels().map((info) => toPiModel(info)),
      resolveModel: (id) => {
        const info = findModel(id);
        return info ? toPiModel(info) : undefined;
      },
    });
    config = { url: bridge.url!, token: bridge.token };
  });
  after(async () => {
    await bridge?.dispose();
    await sim?.close();
  });

  test("uses the bridge only when both KIRO_BRIDGE_URL and KIRO_BRIDGE_TOKEN are set", () => {
    assert.deepEqual(bridgeConfigFromEnv({ KIRO_BRIDGE_URL: "http://127.0.0.1:4000/", KIRO_BRIDGE_TOKEN: "t" }), { url: "http://127.0.0.1:4000", token: "t" });
    assert.equal(bridgeConfigFromEnv({ KIRO_BRIDGE_URL: "http://127.0.0.1:4000" }), undefined);
    assert.equal(bridgeConfigFromEnv({ KIRO_BRIDGE_TOKEN: "t" }), undefined);
  });

  test("an answer through the bridge carries the same events as the direct stream, and replaying them rebuilds each partial", async () => {
    sim.reply(reasoningReply("Consider the sky.", "sig-1", "The sky is blue today.", { pieceLength: 4 }));
    const direct = await collect(streamKiro(sonnet, context("Colour?"), { accessToken: sim.accessToken, endpoint: sim.url, reasoning: "high", env: {} }));
    sim.reply(reasoningReply("Consider the sky.", "sig-1", "The sky is blue today.", { pieceLength: 4 }));
    const viaBridge = await collect(streamViaBridge(config, sonnet, context("Colour?"), { reasoning: "high" }));
    const lines = (events: AssistantMessageEvent[]) => events.slice(0, -1).map((e) => withoutPartial(e));
    assert.deepEqual(lines(viaBridge.events), lines(direct.events));
    const message = finalOf(viaBridge.events);
    assert.equal(message.stopReason, "stop");
    assert.deepEqual(message.content, finalOf(direct.events).content);

    // `partial` is live (later events may have grown it before a slow reader looks), so check the replay step by step.
    const replay = new EventReplay(sonnet);
    const sent = new Map<number, string>();
    for (const event of viaBridge.events) {
      const rebuilt = replay.apply(withoutPartial(event));
      if (rebuilt.type !== "text_delta" && rebuilt.type !== "thinking_delta") continue;
      sent.set(rebuilt.contentIndex, (sent.get(rebuilt.contentIndex) ?? "") + rebuilt.delta);
      const block = rebuilt.partial.content[rebuilt.contentIndex];
      const held = block?.type === "text" ? block.text : block?.type === "thinking" ? block.thinking : undefined;
      assert.equal(held, sent.get(rebuilt.contentIndex), `after ${rebuilt.type} #${rebuilt.contentIndex}`);
    }
    assert.ok(sent.size === 2, "both the thinking and the text block were rebuilt");
  });

  test("a tool call's arguments build up in the rebuilt partial and end complete", async () => {
    sim.reply(toolUseReply([{ name: "read", input: { path: "src/index.ts", limit: 40 }, id: "tooluse_bridge_1" }], { fragmentSize: 5 }));
    const ctx: Context = { ...context("Read it"), tools: [{ name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" }, limit: { type: "number" } } } }] };
    const { events } = await collect(streamViaBridge(config, sonnet, ctx));
    const deltas = events.filter((e) => e.type === "toolcall_delta");
    assert.ok(deltas.length > 2, "the arguments streamed in several pieces");
    const end = events.find((e) => e.type === "toolcall_end");
    assert.ok(end && end.type === "toolcall_end");
    assert.deepEqual(end.toolCall, { type: "toolCall", id: "tooluse_bridge_1", name: "read", arguments: { path: "src/index.ts", limit: 40 } });
    const message = finalOf(events);
    assert.equal(message.stopReason, "toolUse");
  });

  test("a terminal whose bridge token is not this bridge's (from before a reload) is told the bridge did not prove itself and to open a new terminal, without echoing the token", async () => {
    const { events } = await collect(streamViaBridge({ url: config.url, token: "stale-terminal-token" }, sonnet, context("Hi")));
    const message = finalOf(events);
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage ?? "", /did not prove it belongs to this VS Code window \(its answer to the proof request is not signed with this terminal.s bridge token\)/);
    assert.match(message.errorMessage ?? "", /new terminal/);
    assert.doesNotMatch(message.errorMessage ?? "", /stale-terminal-token/);
  });

  test("a closed VS Code window (nothing listening) ends in an error that says so", async () => {
    const { events } = await collect(streamViaBridge({ url: await closedPortUrl(), token: "t" }, sonnet, context("Hi")));
    const message = finalOf(events);
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage ?? "", /VS Code window that started this terminal was closed/);
    assert.match(message.errorMessage ?? "", /KIRO_ACCESS_TOKEN/);
  });

  test("a bridge failure (5xx) and a stream cut before its end are reported, not hung on", async () => {
    let mode: "500" | "cut" = "500";
    const fake: Server = createServer((req, res) => {
      if (answerProofAs("t", req, res)) return;
      req.resume();
      if (mode === "500") {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "The Kiro session could not be read." }));
      } else {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.end(`${JSON.stringify({ type: "start" })}\n${JSON.stringify({ type: "text_start", contentIndex: 0 })}\n{"type":"text_delta","contentIndex":0,"delta":"Hal`);
      }
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const failed = finalOf((await collect(streamViaBridge({ url, token: "t" }, sonnet, context("Hi")))).events);
      assert.match(failed.errorMessage ?? "", /Kiro bridge in VS Code failed \(HTTP 500\)\. The Kiro session could not be read\./);
      mode = "cut";
      const cut = finalOf((await collect(streamViaBridge({ url, token: "t" }, sonnet, context("Hi")))).events);
      assert.equal(cut.stopReason, "error");
      assert.match(cut.errorMessage ?? "", /not JSON|closed the stream before the answer finished/);
    } finally {
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });

  test("aborting cancels the HTTP request: the bridge stops its Kiro stream", async () => {
    sim.reply(stalledReply("Beginning of a long answer", 30_000));
    const controller = new AbortController();
    const events: AssistantMessageEvent[] = [];
    for await (const event of streamViaBridge(config, sonnet, context("Long one"), { signal: controller.signal })) {
      events.push(event);
      if (event.type === "text_delta") controller.abort();
    }
    const message = finalOf(events);
    assert.equal(message.stopReason, "aborted");
    for (let i = 0; i < 100 && bridge.activeStreams > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(bridge.activeStreams, 0, "the bridge saw the client leave and ended its stream");
  });

  test("never sends the bridge token anywhere but this machine's loopback bridge, and says why", async () => {
    // 0.0.0.0 would reach this machine's port 4000, the others a remote host or nothing: each is refused before any connection.
    for (const url of ["http://192.0.2.10:8080", "http://127.0.0.1.evil.example:4000", "https://127.0.0.1:4000", "http://0.0.0.0:4000", "file:///tmp/bridge", "127.0.0.1:4000"]) {
      const config = bridgeConfigFromEnv({ KIRO_BRIDGE_URL: url, KIRO_BRIDGE_TOKEN: "secret-bridge-token-123" });
      assert.ok(config, url);
      const message = finalOf((await collect(streamViaBridge(config, sonnet, context("Hi")))).events);
      assert.equal(message.stopReason, "error");
      assert.match(message.errorMessage ?? "", /KIRO_BRIDGE_URL .*not a Kiro bridge on this machine/, url);
      assert.match(message.errorMessage ?? "", /http:\/\/127\.0\.0\.1:<port>/);
      assert.doesNotMatch(message.errorMessage ?? "", /secret-bridge-token-123/);
      await assert.rejects(listModelsViaBridge(config), /not a Kiro bridge on this machine/);
    }
  });

  test("logs a stream event type it does not know, and keeps streaming the answer", async () => {
    const lines = [
      { type: "start" },
      { type: "text_start", contentIndex: 0 },
      { type: "text_delta", contentIndex: 0, delta: "Hal" },
      { type: "citation_delta", contentIndex: 0, citation: { url: "https://example.com" } },
      { type: "text_delta", contentIndex: 0, delta: "lo" },
      { type: "text_end", contentIndex: 0, content: "Hallo" },
    ];
    const fake: Server = createServer((req, res) => {
      if (answerProofAs("t", req, res)) return;
      req.resume();
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      const done = { type: "done", reason: "stop", message: { ...new EventReplay(sonnet).current, content: [{ type: "text", text: "Hallo" }] } };
      res.end([...lines, done].map((line) => `${JSON.stringify(line)}\n`).join(""));
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    try {
      const warnings: string[] = [];
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const { events } = await collect(streamViaBridge({ url, token: "t" }, sonnet, context("Hi"), { log: { warn: (message: string) => warnings.push(message) } }));
      assert.equal(finalOf(events).stopReason, "stop");
      assert.equal(
        events.filter((e) => e.type === "text_delta").map((e) => (e.type === "text_delta" ? e.delta : "")).join(""),
        "Hallo",
      );
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0]!, /citation_delta/);
    } finally {
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });

  test("lists the bridge's models, and explains a bridge that cannot prove it holds the terminal's token", async () => {
    const models = await listModelsViaBridge(config);
    const sonnet45 = models.find((m) => m.id === "claude-sonnet-4-5");
    assert.equal(sonnet45?.kiroId, "claude-sonnet-4.5");
    assert.equal(sonnet45?.contextWindow, 200_000);
    assert.deepEqual(sonnet45?.input, ["text", "image"]);
    await assert.rejects(listModelsViaBridge({ url: config.url, token: "nope" }), /did not prove it belongs to this VS Code window/);
  });
});

describe("bridge client and the bridge's size limits", () => {
  const MB = 1024 * 1024;
  let bridge: BridgeServer;
  let config: BridgeConfig;
  const received: Context[] = [];

  before(async () => {
    bridge = await startBridgeServer({
      stream: (model, ctx) => {
        received.push(ctx);
        return finishedAnswerStream(model, "ok");
      },
      listModels: () => [sonnet],
    });
    config = { url: bridge.url!, token: bridge.token };
  });
  after(async () => {
    await bridge?.dispose();
  });

  const image = (megabytes: number, tag: string): ImageContent => ({ type: "image", mimeType: "image/png", data: tag + "A".repeat(megabytes * MB - tag.length) });
  const answer = (text: string): AssistantMessage => ({ role: "assistant", content: [{ type: "text", text }], api: sonnet.api, provider: sonnet.provider, model: sonnet.id, usage: emptyUsage(), stopReason: "stop", timestamp: 2 });
  const imagesIn = (message: Message | undefined): string[] =>
    message && message.role !== "assistant" && Array.isArray(message.content) ? message.content.filter((b) => b.type === "image").map((b) => (b as ImageContent).data.slice(0, 6)) : [];

  test("a conversation over the bridge's 16 MB leaves out its oldest images, which Kiro would not get anyway, and keeps the newest turn whole", async () => {
    const messages: Message[] = [
      { role: "user", content: [{ type: "text", text: "Look at this" }, image(5, "img-1:")], timestamp: 1 },
      answer("A red square."),
      { role: "user", content: [{ type: "text", text: "And this" }, image(5, "img-2:")], timestamp: 1 },
      answer("A blue circle."),
      { role: "user", content: [{ type: "text", text: "What changed?" }, image(5, "img-3:"), image(2, "img-4:")], timestamp: 1 },
    ];
    const before = received.length;
    const message = finalOf((await collect(streamViaBridge(config, sonnet, { messages }))).events);
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.equal(received.length, before + 1);
    const sent = received.at(-1)!.messages;
    assert.deepEqual(imagesIn(sent[0]), [], "the oldest image was left out");
    assert.match(JSON.stringify(sent[0]), /image \(image\/png\) was left out/);
    assert.deepEqual(imagesIn(sent[2]), ["img-2:"], "a newer one still fits");
    assert.deepEqual(imagesIn(sent[4]), ["img-3:", "img-4:"], "the newest turn is sent whole");
  });

  test("a newest turn larger than the bridge takes fails with what to do, and nothing is sent", async () => {
    const before = received.length;
    const messages: Message[] = [{ role: "user", content: [{ type: "text", text: "Huge" }, image(9, "img-a:"), image(9, "img-b:")], timestamp: 1 }];
    const message = finalOf((await collect(streamViaBridge(config, sonnet, { messages }))).events);
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage ?? "", /18 MB.*more than the Kiro bridge takes \(16 MB\).*fewer or smaller images/);
    assert.equal(received.length, before, "the bridge never got the request");
  });

  test("a conversation with more parts than the bridge takes fails with what to do, and nothing is sent", async () => {
    const before = received.length;
    // 6 MB, within the size limit, but a million JSON values: twice what the bridge parses.
    const messages: Message[] = Array.from({ length: 150_000 }, () => ({ role: "user", content: "x", timestamp: 1 }));
    const message = finalOf((await collect(streamViaBridge(config, sonnet, { messages }))).events);
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage ?? "", /too many parts for the Kiro bridge.*\/compact/);
    assert.equal(received.length, before, "the bridge never got the request");
  });
});

describe("event replay", () => {
  test("done and error carry the final message, which replaces what was rebuilt", () => {
    const replay = new EventReplay(sonnet);
    replay.apply({ type: "start" });
    replay.apply({ type: "text_start", contentIndex: 0 });
    const delta = replay.apply({ type: "text_delta", contentIndex: 0, delta: "Hi" });
    assert.equal(delta.type === "text_delta" && delta.partial.content[0]?.type === "text" ? delta.partial.content[0].text : "", "Hi");
    const final = { ...replay.current, content: [{ type: "text" as const, text: "Hi there", textSignature: "s" }], stopReason: "stop" as const };
    const done = replay.apply({ type: "done", reason: "stop", message: final });
    assert.equal(done.type === "done" ? done.message : undefined, final);
    assert.equal(replay.current, final);
  });

  test("withoutPartial drops the partial but keeps a starting tool call's id and name", () => {
    const partial = { ...new EventReplay(sonnet).current, content: [{ type: "toolCall" as const, id: "t1", name: "bash", arguments: {} }] };
    const line = withoutPartial({ type: "toolcall_start", contentIndex: 0, partial });
    assert.deepEqual(line, { type: "toolcall_start", contentIndex: 0, id: "t1", name: "bash" });
    const replayed = new EventReplay(sonnet).apply(line);
    assert.deepEqual(replayed.type === "toolcall_start" ? replayed.partial.content[0] : undefined, { type: "toolCall", id: "t1", name: "bash", arguments: {} });
  });
});
