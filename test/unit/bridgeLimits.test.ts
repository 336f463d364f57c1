// What an authenticated or merely connected client can cost the extension host, over real loopback sockets: body size and JSON structure caps, connections closed instead of drained, a cap on authenticated connections, a short header timeout, and no memory kept per streamed event.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { request as httpRequest } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startBridgeServer, type BridgeServer, type BridgeServerDependencies } from "../../src/bridge";
import { emptyUsage, type AssistantMessage, type AssistantMessageEvent, type Model } from "../../src/kiro/types";
import { kiroModel, okAnswer } from "./bridgeFixtures";

const MB = 1024 * 1024;

const MODEL = kiroModel("claude-sonnet-4-5");

let streamCalls = 0;

function okStream(model: Model) {
  streamCalls += 1;
  return okAnswer(model);
}

async function startedBridge(overrides: Partial<BridgeServerDependencies> = {}): Promise<BridgeServer> {
  const bridge = await startBridgeServer({ stream: okStream, listModels: () => [MODEL], ...overrides });
  after(() => bridge.dispose());
  return bridge;
}

function port(bridge: BridgeServer): number {
  return Number(new URL(bridge.url!).port);
}

function openSocket(bridge: BridgeServer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(bridge), "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });
}

/** Resolves once the server has closed the socket (end or reset), or with false when `ms` pass first. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once("end", done);
    socket.once("close", done);
    socket.on("error", () => undefined);
    socket.resume();
  });
}

interface UploadOutcome {
  /** The status line the server answered with, if any. */
  statusLine: string;
  /** Body bytes the kernel accepted from us before the connection ended (or all of them). */
  bytesWritten: number;
  /** Whether the server closed the connection before we had sent the whole declared body. */
  closedEarly: boolean;
}

/**
 * Sends a request head declaring a large body, then keeps writing it as fast as the socket takes it, and reports
 * whether the server closed the connection instead of reading (or draining) the rest.
 */
function uploadLargeBody(bridge: BridgeServer, head: string, declaredBytes: number, chunked = false): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port(bridge), "127.0.0.1");
    let response = "";
    let written = 0;
    let finished = false;
    const finish = (closedEarly: boolean): void => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve({ statusLine: response.split("\r\n")[0] ?? "", bytesWritten: written, closedEarly });
    };
    socket.on("data", (chunk: Buffer) => (response += chunk.toString("latin1")));
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(written < declaredBytes));
    socket.on("end", () => finish(written < declaredBytes));
    const piece = Buffer.alloc(256 * 1024, 0x20);
    const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
    const pump = (): void => {
      while (!finished && written < declaredBytes) {
        written += piece.length;
        if (!socket.write(framed)) {
          socket.once("drain", pump);
          return;
        }
      }
      // Everything went through and the connection is still open: the server read (or drained) it all.
      if (!finished && written >= declaredBytes) setTimeout(() => finish(false), 500);
    };
    socket.once("connect", () => {
      socket.write(head);
      pump();
    });
  });
}

function authorizedHead(bridge: BridgeServer, method: string, path: string, bodyHeader: string): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port(bridge)}\r\nAuthorization: Bearer ${bridge.token}\r\nContent-Type: application/json\r\n${bodyHeader}\r\n\r\n`;
}

function postStream(bridge: BridgeServer, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL("/v1/stream", bridge.url),
      { method: "POST", agent: false, headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("bridge request limits", () => {
  it("answers 413 at once to a declared body over 16 MB, before reading it, and closes the connection", { timeout: 20_000 }, async () => {
    const bridge = await startedBridge();
    const callsBefore = streamCalls;
    const declared = 17 * MB;
    const outcome = await uploadLargeBody(bridge, authorizedHead(bridge, "POST", "/v1/stream", `Content-Length: ${declared}`), declared);
    assert.match(outcome.statusLine, /^HTTP\/1\.1 413 /);
    assert.equal(outcome.closedEarly, true, "the connection closes instead of taking the rest of the body");
    assert.equal(streamCalls, callsBefore);
  });

  it("answers 413 to a conversation of a million tiny JSON objects, which no pi context has, without calling the stream", async () => {
    const bridge = await startedBridge();
    const callsBefore = streamCalls;
    // 2 MB on the wire, well under the size limit, but ~15× the JSON structure of a heavy 1M-token pi session.
    const padding = `[${new Array(1_000_000).fill("{}").join(",")}]`;
    const body = `{"model":"claude-sonnet-4-5","context":{"messages":[{"role":"user","content":"hi","timestamp":1,"padding":${padding}}]}}`;
    const answer = await postStream(bridge, body);
    assert.equal(answer.status, 413);
    assert.match((JSON.parse(answer.text) as { error: string }).error, /too many JSON values/);
    assert.equal(streamCalls, callsBefore);
  });

  it("still accepts a 15 MB conversation made of a few large images", async () => {
    const bridge = await startedBridge();
    const image = { type: "image", mimeType: "image/png", data: "A".repeat(5 * MB) };
    const body = JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: [image, image, image, { type: "text", text: "what is this?" }], timestamp: 1 }] } });
    assert.ok(body.length > 15 * MB && body.length < 16 * MB);
    const answer = await postStream(bridge, body);
    assert.equal(answer.status, 200);
  });

  for (const [label, head, declared, chunked] of [
    ["404 (unknown path)", (b: BridgeServer) => authorizedHead(b, "POST", "/v1/nothing-here", `Content-Length: ${64 * MB}`), 64 * MB, false],
    ["405 (wrong method)", (b: BridgeServer) => authorizedHead(b, "PUT", "/v1/models", `Content-Length: ${64 * MB}`), 64 * MB, false],
    ["413 (chunked body over the limit)", (b: BridgeServer) => authorizedHead(b, "POST", "/v1/stream", "Transfer-Encoding: chunked"), 64 * MB, true],
    ["200 (a GET that came with a body)", (b: BridgeServer) => authorizedHead(b, "GET", "/v1/health", `Content-Length: ${64 * MB}`), 64 * MB, false],
  ] as const) {
    it(`closes the connection after answering ${label} instead of reading the rest of the body`, { timeout: 30_000 }, async () => {
      const bridge = await startedBridge();
      const outcome = await uploadLargeBody(bridge, head(bridge), declared, chunked);
      assert.match(outcome.statusLine, new RegExp(`^HTTP/1\\.1 ${label.slice(0, 3)} `));
      assert.equal(outcome.closedEarly, true, `closed after ${Math.round(outcome.bytesWritten / MB)} MB of ${declared / MB} MB`);
    });
  }
});

describe("bridge connection limits", () => {
  it("refuses an authenticated request beyond 128 connections with 503 instead of holding it, and serves again once they go", { timeout: 20_000 }, async () => {
    const bridge = await startedBridge({ limits: { maxConnections: 4 } });
    // Four authenticated clients holding uploads open take every slot.
    const holders = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const socket = await openSocket(bridge);
        socket.on("error", () => undefined);
        socket.write(authorizedHead(bridge, "POST", "/v1/stream", "Content-Length: 1000"));
        return socket;
      }),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await postStream(bridge, JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } }));
      assert.equal(refused.status, 503, refused.text);
      assert.match(refused.text, /serving 4 connections already/);
    } finally {
      for (const socket of holders) socket.destroy();
    }
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await postStream(bridge, JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } })).then(
        (answer) => answer.status,
        () => 0,
      );
    }
    assert.equal(status, 200);
  });

  it("closes a connection that sends no request within seconds, not after Node's 60–90 s", { timeout: 20_000 }, async () => {
    const bridge = await startedBridge();
    const idle = await openSocket(bridge);
    try {
      assert.equal(await closedWithin(idle, 10_000), true, "an idle connection is closed by the header timeout");
    } finally {
      idle.destroy();
    }
  });
});

describe("bridge memory while streaming", () => {
  it("keeps no memory per streamed event: a 200k-event answer leaves the server's heap where it was", { timeout: 60_000 }, async () => {
    setFlagsFromString("--expose-gc");
    const collectGarbage = runInNewContext("gc") as () => void;
    const heap = (): number => {
      collectGarbage();
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const EVENTS = 200_000;
    const FIRST = 20_000;
    const readings: number[] = [];
    const bridge = await startedBridge({
      stream: (model) => {
        const partial: AssistantMessage = { role: "assistant", content: [{ type: "text", text: "" }], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
        return (async function* (): AsyncGenerator<AssistantMessageEvent> {
          yield { type: "start", partial };
          for (let i = 0; i < EVENTS; i++) {
            if (i === FIRST) readings.push(heap());
            if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
            yield { type: "text_delta", contentIndex: 0, delta: "some words ", partial };
          }
          readings.push(heap());
          yield { type: "done", reason: "stop", message: partial };
        })();
      },
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(new URL("/v1/stream", bridge.url), { method: "POST", agent: false, headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" } }, (res) => {
        res.on("data", () => undefined);
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end(JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: "go", timestamp: 1 }] } }));
    });
    assert.equal(readings.length, 2);
    const perEvent = (readings[1]! - readings[0]!) / (EVENTS - FIRST);
    // ~500 B per event were kept before (one Promise.race reaction on two long-lived promises per event); noise is a few bytes.
    assert.ok(perEvent < 50, `the server kept ${perEvent.toFixed(1)} bytes per streamed event`);
  });
});
