// The bridge with both of its real neighbours: pi's bridge client (streamViaBridge) on one side, streamKiro against the Kiro simulator on the other.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startBridgeServer, type BridgeServer, type BridgeStreamFunction } from "../../src/bridge";
import { listModelsViaBridge, streamViaBridge, type BridgeConfig } from "../../src/pi/bridgeClient";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { builtInModels, toPiModel } from "../../src/kiro/catalog/models";
import { streamKiro } from "../../src/kiro/stream";
import { emptyUsage, type AssistantMessage, type AssistantMessageEvent, type Context, type Model } from "../../src/kiro/types";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { reasoningReply, stalledReply, textReply, toolUseReply } from "../sim/replies";

const CATALOG: Model[] = builtInModels()
  .filter((info) => !info.forceThinking)
  .map((info) => toPiModel(info));
const SONNET = CATALOG.find((model) => model.id === "claude-sonnet-4-5")!;

function userContext(text: string): Context {
  return { messages: [{ role: "user", content: text, timestamp: 1_700_000_000_000 }] };
}

interface Recorded {
  /** Each event as it was pushed, without `partial` (a partial is one object mutated in place, so snapshots of it depend on scheduling). */
  events: unknown[];
  /** For each toolcall_start, the tool call's name and id as the partial showed them. */
  toolStarts: { name: string; id: string }[];
  final?: AssistantMessage;
}

function record(event: AssistantMessageEvent, into: Recorded): void {
  if ("partial" in event) {
    const { partial, ...rest } = event;
    into.events.push(structuredClone(rest));
    if (event.type === "toolcall_start") {
      const block = partial.content[event.contentIndex];
      into.toolStarts.push(block?.type === "toolCall" ? { name: block.name, id: block.id } : { name: "", id: "" });
    }
  } else {
    into.events.push(structuredClone(event));
    into.final = structuredClone(event.type === "done" ? event.message : event.error);
  }
}

function newRecord(): Recorded {
  return { events: [], toolStarts: [] };
}

/** Wraps a stream function so the test sees exactly what the bridge was given, event by event, with partials as they were then. */
function observed(inner: BridgeStreamFunction, seen: Recorded[]): BridgeStreamFunction {
  return (model, context, options) => {
    const recorded = newRecord();
    seen.push(recorded);
    const out = createAssistantMessageEventStream();
    void (async () => {
      for await (const event of inner(model, context, options)) {
        record(event, recorded);
        out.push(event);
      }
      out.end();
    })();
    return out;
  };
}

async function consume(events: AsyncIterable<AssistantMessageEvent>): Promise<Recorded> {
  const recorded = newRecord();
  for await (const event of events) record(event, recorded);
  return recorded;
}

/** Thinking, text and a tool call with argument deltas: every event kind a client has to rebuild. */
const scriptedStream: BridgeStreamFunction = (model) => {
  const stream = createAssistantMessageEventStream();
  const output: AssistantMessage = { role: "assistant", content: [], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "toolUse", timestamp: 42 };
  void (async () => {
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    stream.push({ type: "start", partial: output });
    const thinking = { type: "thinking" as const, thinking: "" };
    output.content.push(thinking);
    stream.push({ type: "thinking_start", contentIndex: 0, partial: output });
    for (const piece of ["Let me ", "look."]) {
      await tick();
      thinking.thinking += piece;
      stream.push({ type: "thinking_delta", contentIndex: 0, delta: piece, partial: output });
    }
    stream.push({ type: "thinking_end", contentIndex: 0, content: thinking.thinking, partial: output });
    const text = { type: "text" as const, text: "" };
    output.content.push(text);
    stream.push({ type: "text_start", contentIndex: 1, partial: output });
    for (const piece of ["Reading ", "the file."]) {
      await tick();
      text.text += piece;
      stream.push({ type: "text_delta", contentIndex: 1, delta: piece, partial: output });
    }
    stream.push({ type: "text_end", contentIndex: 1, content: text.text, partial: output });
    const call = { type: "toolCall" as const, id: "tooluse_1", name: "read", arguments: {} as Record<string, unknown> };
    output.content.push(call);
    stream.push({ type: "toolcall_start", contentIndex: 2, partial: output });
    for (const piece of ['{"path":', '"src/a.ts"}']) {
      await tick();
      stream.push({ type: "toolcall_delta", contentIndex: 2, delta: piece, partial: output });
    }
    call.arguments = { path: "src/a.ts" };
    stream.push({ type: "toolcall_end", contentIndex: 2, toolCall: call, partial: output });
    output.usage = { ...emptyUsage(), input: 100, output: 20, totalTokens: 120 };
    stream.push({ type: "done", reason: "toolUse", message: output });
    stream.end();
  })();
  return stream;
};

async function bridgeFor(stream: BridgeStreamFunction): Promise<{ bridge: BridgeServer; config: BridgeConfig }> {
  const bridge = await startBridgeServer({ stream, listModels: () => CATALOG, resolveModel: (id) => CATALOG.find((model) => model.id === id) });
  after(() => bridge.dispose());
  return { bridge, config: { url: bridge.url!, token: bridge.token } };
}

describe("pi bridge client ⇄ bridge server", () => {
  it("rebuilds every partial and the final message the provider produced: thinking, text and a tool call", async () => {
    const seen: Recorded[] = [];
    const { config } = await bridgeFor(observed(scriptedStream, seen));
    const client = await consume(streamViaBridge(config, SONNET, userContext("read src/a.ts")));
    const server = seen[0]!;
    assert.deepEqual(client.events, server.events);
    assert.deepEqual(client.toolStarts, [{ name: "read", id: "tooluse_1" }], "the client shows the tool call's name and id from toolcall_start on");
    assert.deepEqual(client.final, server.final);
    assert.equal(client.final?.stopReason, "toolUse");
  });

  it("lists the bridge's catalog as pi's model list", async () => {
    const { config } = await bridgeFor(scriptedStream);
    const models = await listModelsViaBridge(config);
    assert.deepEqual(
      models.map((info) => info.id),
      CATALOG.map((model) => model.id),
    );
  });

  it("aborting in pi aborts the provider's request in VS Code", { timeout: 30_000 }, async () => {
    let resolveSignal!: (signal: AbortSignal) => void;
    const signalSeen = new Promise<AbortSignal>((resolve) => (resolveSignal = resolve));
    const { config } = await bridgeFor((model, _context, options) => {
      resolveSignal(options.signal);
      const stream = createAssistantMessageEventStream();
      const partial: AssistantMessage = { role: "assistant", content: [], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
      stream.push({ type: "start", partial });
      options.signal.addEventListener("abort", () => {
        stream.push({ type: "error", reason: "aborted", error: { ...partial, stopReason: "aborted", errorMessage: "aborted" } });
        stream.end();
      });
      return stream;
    });
    const controller = new AbortController();
    const events = streamViaBridge(config, SONNET, userContext("x"), { signal: controller.signal });
    const iterator = events[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.type, "start");
    controller.abort();
    const providerSignal = await signalSeen;
    if (!providerSignal.aborted) await new Promise((resolve) => providerSignal.addEventListener("abort", resolve));
    assert.equal(providerSignal.aborted, true);
    assert.equal((await events.result()).stopReason, "aborted");
  });
});

describe("bridge with streamKiro against the Kiro simulator", () => {
  let sim: KiroSimulator;
  let currentToken: string;
  const upstreamSignals: AbortSignal[] = [];
  const seen: Recorded[] = [];
  let bridge: BridgeServer;
  let config: BridgeConfig;

  before(async () => {
    sim = await startKiroSimulator({ chunking: "random", seed: 7 });
    currentToken = sim.accessToken;
    // What the VS Code side injects: streamKiro bound to the extension's session (a token source read per request) and settings.
    const extensionStream: BridgeStreamFunction = (model, context, options) =>
      streamKiro(model, context, {
        ...options,
        accessToken: () => currentToken,
        endpoint: sim.url,
        maxRetries: 0,
        fetch: (input, init) => {
          if (init?.signal) upstreamSignals.push(init.signal);
          return fetch(input, init);
        },
      });
    bridge = await startBridgeServer({ stream: observed(extensionStream, seen), listModels: () => CATALOG, resolveModel: (id) => CATALOG.find((model) => model.id === id) });
    config = { url: bridge.url!, token: bridge.token };
  });
  after(async () => {
    await bridge?.dispose();
    await sim?.close();
  });

  it("streams a text answer to pi exactly as streamKiro produced it", async () => {
    sim.reply(textReply("Hello from the simulated Kiro, in several random chunks."));
    const before = seen.length;
    const client = await consume(streamViaBridge(config, SONNET, userContext("say hello")));
    const server = seen[before]!;
    assert.equal(client.final?.stopReason, "stop", client.final?.errorMessage);
    assert.deepEqual(client.events, server.events);
    assert.deepEqual(client.final, server.final);
    assert.deepEqual(client.final?.content.filter((block) => block.type === "text"), [{ type: "text", text: "Hello from the simulated Kiro, in several random chunks." }]);
    const request = sim.generateRequests().at(-1)!;
    assert.deepEqual(request.validationErrors, []);
    assert.equal(request.headers.authorization, `Bearer ${sim.accessToken}`);
  });

  it("streams reasoning and tool calls to pi exactly as streamKiro produced them", async () => {
    sim.reply(reasoningReply("Thinking it over.", "sig-abc", "Here is the plan."));
    sim.reply(toolUseReply([{ name: "read", input: { path: "README.md" } }]));
    for (const prompt of ["plan it", "read the readme"]) {
      const before = seen.length;
      const client = await consume(streamViaBridge(config, SONNET, userContext(prompt), { reasoning: "high" }));
      const server = seen[before]!;
      assert.notEqual(client.final?.stopReason, "error", client.final?.errorMessage);
      assert.deepEqual(client.events, server.events);
      assert.deepEqual(client.toolStarts, server.toolStarts);
      assert.deepEqual(client.final, server.final);
    }
    const toolCall = seen.at(-1)!.final!.content.find((block) => block.type === "toolCall");
    assert.deepEqual(toolCall && toolCall.type === "toolCall" ? toolCall.arguments : undefined, { path: "README.md" });
  });

  it("uses the extension's current token for every request, so a re-sign-in reaches a running pi without restarting it", async () => {
    sim.setAccessToken("rotated-access-token");
    currentToken = "rotated-access-token";
    sim.reply(textReply("after rotation"));
    const client = await consume(streamViaBridge(config, SONNET, userContext("still there?")));
    assert.equal(client.final?.stopReason, "stop", client.final?.errorMessage);
    assert.equal(sim.generateRequests().at(-1)!.headers.authorization, "Bearer rotated-access-token");
  });

  it("never forwards a client-supplied access token, endpoint or header to Kiro", async () => {
    sim.reply(textReply("ok"));
    const sneaky = { ...SONNET, baseUrl: "http://127.0.0.1:1", headers: { "x-smuggled": "1" } };
    const events = streamViaBridge(config, sneaky, userContext("x"));
    const client = await consume(events);
    assert.equal(client.final?.stopReason, "stop", client.final?.errorMessage);
    const request = sim.generateRequests().at(-1)!;
    assert.equal(request.headers.authorization, `Bearer ${currentToken}`);
    assert.equal(request.headers["x-smuggled"], undefined);
  });

  it("closes the upstream Kiro request when pi goes away mid-answer", { timeout: 30_000 }, async () => {
    sim.reply(stalledReply("The first words, then a long silence", 60_000));
    const controller = new AbortController();
    const before = seen.length;
    const signalsBefore = upstreamSignals.length;
    const events = streamViaBridge(config, SONNET, userContext("take your time"), { signal: controller.signal });
    for await (const event of events) {
      if (event.type === "text_delta") break;
    }
    controller.abort();
    // The bridge aborts streamKiro, which aborts its fetch to the simulator and ends with an aborted error.
    while (seen[before]?.final === undefined) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen[before]!.final!.stopReason, "aborted");
    assert.equal(upstreamSignals.length > signalsBefore, true);
    assert.equal(upstreamSignals.at(-1)!.aborted, true);
  });

  it("serves 20 concurrent pi streams through one bridge, each with its own answer", async () => {
    assert.equal(sim.pendingReplies, 0, "the simulator's default reply (\"You said: <prompt>\") answers each request");
    const prompts = Array.from({ length: 20 }, (_, index) => `concurrent prompt ${index} ${"word ".repeat(index)}`.trim());
    const finals = await Promise.all(prompts.map(async (prompt) => (await consume(streamViaBridge(config, SONNET, userContext(prompt)))).final!));
    finals.forEach((message, index) => {
      assert.equal(message.stopReason, "stop", message.errorMessage);
      const text = message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
      assert.equal(text, `You said: ${prompts[index]}`);
    });
    assert.equal(bridge.activeStreams, 0);
  });
});
