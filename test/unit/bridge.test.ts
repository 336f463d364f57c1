// The bridge server end to end over real loopback HTTP: NDJSON streaming, model resolution, option whitelisting, abort on disconnect, concurrency, lifecycle.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { createBridgeServer, startBridgeServer, type BridgeServer, type BridgeServerDependencies, type BridgeStreamFunction } from "../../src/bridge";
import type { BridgeStreamOptions } from "../../src/bridge";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { emptyAssistantMessage, emptyUsage, type AssistantMessage, type Context, type Model } from "../../src/kiro/types";
import { kiroModel } from "./bridgeFixtures";

const CATALOG = [kiroModel("claude-sonnet-4-5"), kiroModel("claude-haiku-4-5", { reasoning: false })];

function userContext(text: string): Context {
  return { messages: [{ role: "user", content: text, timestamp: 1_700_000_000_000 }] };
}

function lastUserText(context: Context): string {
  const last = context.messages[context.messages.length - 1];
  return last && last.role === "user" && typeof last.content === "string" ? last.content : "";
}

/** A well-behaved pi-ai style stream: answers "echo: <last user text>" in a few deltas, yielding to the event loop between them. */
function echoStream(record?: (model: Model, context: Context, options: BridgeStreamOptions) => void): BridgeStreamFunction {
  return (model, context, options) => {
    record?.(model, context, options);
    const stream = createAssistantMessageEventStream();
    const output: AssistantMessage = emptyAssistantMessage(model);
    void (async () => {
      const reply = `echo: ${lastUserText(context)}`;
      const pieces = reply.match(/.{1,4}/gs) ?? [];
      stream.push({ type: "start", partial: output });
      const block = { type: "text" as const, text: "" };
      output.content.push(block);
      stream.push({ type: "text_start", contentIndex: 0, partial: output });
      for (const piece of pieces) {
        await new Promise((resolve) => setImmediate(resolve));
        block.text += piece;
        stream.push({ type: "text_delta", contentIndex: 0, delta: piece, partial: output });
      }
      stream.push({ type: "text_end", contentIndex: 0, content: block.text, partial: output });
      output.usage = { ...emptyUsage(), input: 10, output: pieces.length, totalTokens: 10 + pieces.length };
      stream.push({ type: "done", reason: "stop", message: output });
      stream.end();
    })();
    return stream;
  };
}

interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function call(
  bridge: BridgeServer,
  o: { method?: string; path: string; token?: string | null; headers?: Record<string, string>; body?: unknown },
): Promise<HttpAnswer> {
  const url = new URL(o.path, bridge.url);
  const headers: Record<string, string> = { ...o.headers };
  const token = o.token === undefined ? bridge.token : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const payload = o.body === undefined ? undefined : typeof o.body === "string" ? o.body : JSON.stringify(o.body);
  if (payload !== undefined) headers["content-type"] ??= "application/json";
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: o.method ?? "GET", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

function ndjson(text: string): Record<string, unknown>[] {
  assert.ok(text.endsWith("\n"), "every NDJSON line, the last one included, ends with a newline");
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function startedBridge(overrides: Partial<BridgeServerDependencies> = {}): Promise<BridgeServer> {
  const bridge = await startBridgeServer({ stream: echoStream(), listModels: () => CATALOG, version: "9.9.9-test", ...overrides });
  after(() => bridge.dispose());
  return bridge;
}

describe("bridge streaming", () => {
  it("streams every event as one NDJSON line without partial, ending with the final message", async () => {
    const bridge = await startedBridge();
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: "claude-sonnet-4-5", context: userContext("hi there") } });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers["content-type"]), /^application\/x-ndjson/);
    const events = ndjson(answer.text);
    assert.deepEqual(
      events.map((event) => event.type),
      ["start", "text_start", "text_delta", "text_delta", "text_delta", "text_delta", "text_end", "done"],
    );
    for (const event of events) assert.equal("partial" in event, false, `${String(event.type)} line must not carry partial`);
    const deltas = events.filter((event) => event.type === "text_delta").map((event) => event.delta);
    assert.equal(deltas.join(""), "echo: hi there");
    const done = events.at(-1)!;
    assert.equal(done.reason, "stop");
    const message = done.message as AssistantMessage;
    assert.deepEqual(message.content, [{ type: "text", text: "echo: hi there" }]);
    assert.equal(message.model, "claude-sonnet-4-5");
    assert.equal(message.stopReason, "stop");
    assert.equal(message.usage.totalTokens, 14);
  });

  it("resolves a model id to the extension's own model and passes only whitelisted options plus an abort signal", async () => {
    const seen: { model: Model; options: BridgeStreamOptions }[] = [];
    const bridge = await startedBridge({ stream: echoStream((model, _context, options) => seen.push({ model, options })) });
    const answer = await call(bridge, {
      method: "POST",
      path: "/v1/stream",
      body: {
        model: "claude-haiku-4-5",
        context: userContext("x"),
        options: {
          reasoning: "high",
          thinkingBudgets: { high: 20000 },
          maxTokens: 1234,
          temperature: 0.5,
          sessionId: "session-1",
          accessToken: "stolen-kiro-token",
          endpoint: "http://evil.example",
          headers: { "x-evil": "1" },
          env: { KIRO_ENDPOINT: "http://evil.example" },
          region: "eu-central-1",
          profileArn: "arn:aws:codewhisperer:evil",
          maxRetries: 1000,
        },
      },
    });
    assert.equal(answer.status, 200);
    assert.equal(seen.length, 1);
    const { model, options } = seen[0]!;
    assert.deepEqual(model, CATALOG[1]);
    const { signal, ...rest } = options;
    assert.ok(signal instanceof AbortSignal, "the stream gets an AbortSignal");
    // Kiro has no temperature: it is not a bridge option either, so it is ignored like the routing fields.
    assert.deepEqual(rest, { reasoning: "high", thinkingBudgets: { high: 20000 }, maxTokens: 1234, sessionId: "session-1" });
  });

  it("uses the catalog's model, not the client's routing, when the client sends a whole Model object", async () => {
    const seen: Model[] = [];
    const bridge = await startedBridge({ stream: echoStream((model) => seen.push(model)) });
    const clientModel = kiroModel("claude-sonnet-4-5", { baseUrl: "http://evil.example", headers: { Authorization: "Bearer x" } });
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: clientModel, context: userContext("x") } });
    assert.equal(answer.status, 200);
    assert.deepEqual(seen[0], CATALOG[0]);
  });

  it("accepts a Model object the catalog does not know, but routes it like the catalog's models", async () => {
    const seen: Model[] = [];
    const bridge = await startedBridge({ stream: echoStream((model) => seen.push(model)) });
    const clientModel = kiroModel("claude-future-9", { baseUrl: "http://evil.example", headers: { "x-evil": "1" }, contextWindow: 1_000_000 });
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: clientModel, context: userContext("x") } });
    assert.equal(answer.status, 200);
    const used = seen[0]!;
    assert.equal(used.id, "claude-future-9");
    assert.equal(used.contextWindow, 1_000_000);
    assert.equal(used.baseUrl, CATALOG[0]!.baseUrl);
    assert.equal(used.headers, undefined);
  });

  it("lets an injected resolver map aliases to catalog models", async () => {
    const seen: Model[] = [];
    const bridge = await startedBridge({
      stream: echoStream((model) => seen.push(model)),
      resolveModel: (id) => CATALOG.find((model) => model.id === id.replace(/-\d{8}$/, "")),
    });
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: "claude-sonnet-4-5-20250929", context: userContext("x") } });
    assert.equal(answer.status, 200);
    assert.equal(seen[0]?.id, "claude-sonnet-4-5");
  });

  it("answers 400 naming the known models for an unknown model id", async () => {
    const bridge = await startedBridge();
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: "gpt-4", context: userContext("x") } });
    assert.equal(answer.status, 400);
    const { error } = JSON.parse(answer.text) as { error: string };
    assert.match(error, /Unknown Kiro model "gpt-4"/);
    assert.match(error, /claude-sonnet-4-5, claude-haiku-4-5/);
  });

  it("answers 400 with a clear message for bad JSON and for bodies of the wrong shape", async () => {
    const bridge = await startedBridge();
    const cases: [unknown, RegExp][] = [
      ["{not json", /not valid JSON/],
      ["", /Empty request body/],
      [[1, 2], /must be a JSON object/],
      [{ context: userContext("x") }, /'model' must be/],
      [{ model: "claude-sonnet-4-5" }, /'context' must be an object/],
      [{ model: "claude-sonnet-4-5", context: { messages: "hi" } }, /'context.messages' must be an array/],
      [{ model: "claude-sonnet-4-5", context: { messages: [null] } }, /'context.messages\[0\]'/],
      [{ model: "claude-sonnet-4-5", context: userContext("x"), options: { reasoning: "max" } }, /'options.reasoning' must be one of/],
      [{ model: "claude-sonnet-4-5", context: userContext("x"), options: { maxTokens: -1 } }, /'options.maxTokens'/],
      [{ model: "claude-sonnet-4-5", context: userContext("x"), options: "fast" }, /'options' must be an object/],
    ];
    for (const [body, expected] of cases) {
      const answer = await call(bridge, { method: "POST", path: "/v1/stream", body });
      assert.equal(answer.status, 400, `status for ${JSON.stringify(body)}`);
      assert.match(String(answer.headers["content-type"]), /application\/json/);
      assert.match((JSON.parse(answer.text) as { error: string }).error, expected);
    }
  });

  it("answers 415 for a body that is not declared as JSON", async () => {
    const bridge = await startedBridge();
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", headers: { "content-type": "text/plain" }, body: "{}" });
    assert.equal(answer.status, 415);
  });

  it("turns a stream function that throws into a final error line instead of a broken response", async () => {
    const bridge = await startedBridge({
      stream: () => {
        throw new Error("provider exploded");
      },
    });
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: "claude-sonnet-4-5", context: userContext("x") } });
    assert.equal(answer.status, 200);
    const events = ndjson(answer.text);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, "error");
    assert.equal(events[0]!.reason, "error");
    const error = events[0]!.error as AssistantMessage;
    assert.equal(error.stopReason, "error");
    assert.match(error.errorMessage ?? "", /provider exploded/);
    assert.equal(error.model, "claude-sonnet-4-5");
  });

  it("ends with an error line when the stream stops without done or error", async () => {
    const bridge = await startedBridge({
      stream: (model) => {
        const stream = createAssistantMessageEventStream();
        const partial: AssistantMessage = { role: "assistant", content: [], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
        stream.push({ type: "start", partial });
        stream.end();
        return stream;
      },
    });
    const answer = await call(bridge, { method: "POST", path: "/v1/stream", body: { model: "claude-sonnet-4-5", context: userContext("x") } });
    const events = ndjson(answer.text);
    assert.deepEqual(events.map((event) => event.type), ["start", "error"]);
    assert.match((events[1]!.error as AssistantMessage).errorMessage ?? "", /ended without a final event/);
  });

  it("aborts the upstream request when the client disconnects mid-stream", { timeout: 30_000 }, async () => {
    let resolveSignal!: (signal: AbortSignal) => void;
    const signalSeen = new Promise<AbortSignal>((resolve) => (resolveSignal = resolve));
    const bridge = await startedBridge({
      stream: (model, _context, options) => {
        resolveSignal(options.signal);
        const stream = createAssistantMessageEventStream();
        const partial: AssistantMessage = { role: "assistant", content: [], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
        stream.push({ type: "start", partial });
        // Hangs like a slow model until aborted, then ends the way pi-ai providers do.
        options.signal.addEventListener("abort", () => {
          stream.push({ type: "error", reason: "aborted", error: { ...partial, stopReason: "aborted", errorMessage: "Request was aborted" } });
          stream.end();
        });
        return stream;
      },
    });
    const aborted = new Promise<void>((resolve, reject) => {
      const req = httpRequest(new URL("/v1/stream", bridge.url), {
        method: "POST",
        headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" },
      });
      req.on("response", (res) => {
        res.once("data", () => {
          // The first line arrived; now walk away like a pi process killed with Ctrl+C.
          req.destroy();
          signalSeen.then((signal) => {
            if (signal.aborted) resolve();
            else signal.addEventListener("abort", () => resolve());
          }, reject);
        });
      });
      req.on("error", () => undefined);
      req.end(JSON.stringify({ model: "claude-sonnet-4-5", context: userContext("x") }));
    });
    await aborted;
    assert.equal((await signalSeen).aborted, true);
  });

  it("serves 20 concurrent streams, each with its own correct answer", async () => {
    const bridge = await startedBridge();
    const prompts = Array.from({ length: 20 }, (_, index) => `prompt number ${index} ${"z".repeat(index)}`);
    const answers = await Promise.all(
      prompts.map((prompt) => call(bridge, { method: "POST", path: "/v1/stream", body: { model: "claude-sonnet-4-5", context: userContext(prompt) } })),
    );
    answers.forEach((answer, index) => {
      assert.equal(answer.status, 200);
      const events = ndjson(answer.text);
      const deltas = events.filter((event) => event.type === "text_delta").map((event) => event.delta).join("");
      assert.equal(deltas, `echo: ${prompts[index]}`);
      const done = events.at(-1)!;
      assert.equal(done.type, "done");
      assert.deepEqual((done.message as AssistantMessage).content, [{ type: "text", text: `echo: ${prompts[index]}` }]);
    });
    assert.equal(bridge.activeStreams, 0);
  });
});

describe("bridge catalog and health", () => {
  it("GET /v1/models returns the injected catalog as pi models, without any headers", async () => {
    const withHeaders = [kiroModel("claude-opus-4-5", { headers: { "x-secret": "s" } })];
    const bridge = await startedBridge({ listModels: async () => withHeaders });
    const answer = await call(bridge, { path: "/v1/models" });
    assert.equal(answer.status, 200);
    const { models } = JSON.parse(answer.text) as { models: Model[] };
    assert.deepEqual(models, [kiroModel("claude-opus-4-5")]);
  });

  it("GET /v1/health reports ok, the sign-in state and the version", async () => {
    let signedIn = false;
    const bridge = await startedBridge({ isSignedIn: () => signedIn });
    assert.deepEqual(JSON.parse((await call(bridge, { path: "/v1/health" })).text), { ok: true, signedIn: false, version: "9.9.9-test", protocol: 1 });
    signedIn = true;
    assert.equal((JSON.parse((await call(bridge, { path: "/v1/health" })).text) as { signedIn: boolean }).signedIn, true);
  });

  it("answers 404 for unknown paths and 405 with Allow for wrong methods", async () => {
    const bridge = await startedBridge();
    const missing = await call(bridge, { path: "/v1/embeddings" });
    assert.equal(missing.status, 404);
    const wrongMethod = await call(bridge, { method: "GET", path: "/v1/stream" });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, "POST");
    const postModels = await call(bridge, { method: "POST", path: "/v1/models", body: {} });
    assert.equal(postModels.status, 405);
    assert.equal(postModels.headers.allow, "GET");
  });
});

describe("bridge lifecycle", () => {
  it("starts once however often start() is called, and stops listening on dispose", async () => {
    const bridge = createBridgeServer({ stream: echoStream(), listModels: () => CATALOG });
    after(() => bridge.dispose());
    assert.equal(bridge.url, undefined);
    const [first, second] = await Promise.all([bridge.start(), bridge.start()]);
    assert.equal(first.url, second.url);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(bridge.url, first.url);
    assert.equal((await call(bridge, { path: "/v1/health" })).status, 200);
    await bridge.dispose();
    await assert.rejects(call(bridge, { path: "/v1/health" }), /ECONNREFUSED/);
    await assert.rejects(bridge.start(), /disposed/);
  });

  it("aborts running streams when disposed and tells their clients why, even if the stream ignores the abort", { timeout: 30_000 }, async () => {
    let resolveSignal!: (signal: AbortSignal) => void;
    const signalSeen = new Promise<AbortSignal>((resolve) => (resolveSignal = resolve));
    const bridge = createBridgeServer({
      listModels: () => CATALOG,
      stream: (model, _context, options) => {
        resolveSignal(options.signal);
        const stream = createAssistantMessageEventStream();
        stream.push({ type: "start", partial: { role: "assistant", content: [], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 } });
        // Never ends, abort or not: the bridge must not depend on the provider's good behaviour to shut down.
        return stream;
      },
    });
    after(() => bridge.dispose());
    await bridge.start();
    let firstLineArrived!: () => void;
    const firstLine = new Promise<void>((resolve) => (firstLineArrived = resolve));
    const whole = new Promise<string>((resolve, reject) => {
      const req = httpRequest(new URL("/v1/stream", bridge.url), { method: "POST", agent: false, headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
          firstLineArrived();
        });
        res.on("end", () => resolve(text));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(JSON.stringify({ model: "claude-sonnet-4-5", context: userContext("x") }));
    });
    const signal = await signalSeen;
    await firstLine;
    assert.equal(bridge.activeStreams, 1);
    await bridge.dispose();
    assert.equal(signal.aborted, true);
    const events = ndjson(await whole);
    assert.deepEqual(events.map((event) => event.type), ["start", "error"]);
    assert.match((events[1]!.error as AssistantMessage).errorMessage ?? "", /bridge in VS Code stopped/);
    assert.equal(bridge.activeStreams, 0);
  });
});
