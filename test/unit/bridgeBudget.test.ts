// What many clients at once can cost the bridge, over real loopback sockets: a memory budget across every upload being read, connection slots that only authenticated clients take, and refusal warnings that a flood cannot multiply.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { startBridgeServer, type BridgeServer, type BridgeServerDependencies } from "../../src/bridge";
import { kiroModel, okAnswer } from "./bridgeFixtures";

const MB = 1024 * 1024;
const MODEL = kiroModel("claude-sonnet-4-5");

async function startedBridge(overrides: Partial<BridgeServerDependencies> = {}): Promise<BridgeServer> {
  const bridge = await startBridgeServer({ stream: (model) => okAnswer(model), listModels: () => [MODEL], ...overrides });
  after(() => bridge.dispose());
  return bridge;
}

const port = (bridge: BridgeServer): number => Number(new URL(bridge.url!).port);

function openSocket(bridge: BridgeServer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(bridge), "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });
}

/** An authenticated upload that declares `declared` bytes and sends only `sent` of them, so it stays in flight; resolves with the socket once the server has read what was sent. */
async function heldUpload(bridge: BridgeServer, path: string, declared: number, sent: number): Promise<Socket> {
  const socket = await openSocket(bridge);
  socket.on("error", () => undefined);
  socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port(bridge)}\r\nAuthorization: Bearer ${bridge.token}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
  socket.write(Buffer.alloc(sent, 0x20));
  return socket;
}

/** Sends a whole request on a fresh connection and reads the status line and body of the answer. */
async function exchange(bridge: BridgeServer, head: string, body = ""): Promise<{ status: number; body: string }> {
  const socket = await openSocket(bridge);
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

function authorized(bridge: BridgeServer, method: string, path: string, extra = ""): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port(bridge)}\r\nAuthorization: Bearer ${bridge.token}\r\nContent-Type: application/json\r\n${extra}`;
}

const smallStream = JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } });

describe("bridge memory budget across uploads", () => {
  it("refuses uploads beyond the budget with 503 in the route's own envelope, while one within it is served", { timeout: 30_000 }, async () => {
    const bridge = await startedBridge({ limits: { maxBufferedBodyBytes: 10 * MB } });
    const held = [await heldUpload(bridge, "/v1/stream", 4 * MB, MB), await heldUpload(bridge, "/v1/messages", 4 * MB, MB)];
    try {
      // Both held uploads have reached the server (their bytes are read): the budget has 2 MB left.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const piRefused = await exchange(bridge, authorized(bridge, "POST", "/v1/stream"), " ".repeat(3 * MB));
      assert.equal(piRefused.status, 503, piRefused.body.slice(0, 200));
      assert.match(JSON.parse(piRefused.body).error, /busy reading other requests/);
      const anthropicRefused = await exchange(bridge, authorized(bridge, "POST", "/v1/messages", "anthropic-version: 2023-06-01\r\n"), " ".repeat(3 * MB));
      assert.equal(anthropicRefused.status, 503);
      const envelope = JSON.parse(anthropicRefused.body);
      assert.equal(envelope.type, "error", anthropicRefused.body);
      assert.match(envelope.error.message, /busy reading other requests/);
      const served = await exchange(bridge, authorized(bridge, "POST", "/v1/stream"), smallStream);
      assert.equal(served.status, 200, served.body.slice(0, 300));
    } finally {
      for (const socket of held) socket.destroy();
    }
    // The held uploads gave their bytes back when they went away: a large upload fits again.
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await exchange(bridge, authorized(bridge, "POST", "/v1/stream"), smallStream + " ".repeat(3 * MB))).status;
    }
    assert.equal(status, 200);
  });
});

describe("bridge refusal warnings", () => {
  it("a flood of refused requests logs one line per kind, and the next one after the interval says how many were held back", { timeout: 30_000 }, async () => {
    const warnings: string[] = [];
    const logger = { info() {}, debug() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const bridge = await startedBridge({ logger, refusalLogIntervalMs: 1_000 });
    const wrongToken = `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port(bridge)}\r\nAuthorization: Bearer not-the-token\r\n`;
    const noToken = `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port(bridge)}\r\n`;
    const started = Date.now();
    for (let i = 0; i < 60; i++) await Promise.all([exchange(bridge, wrongToken), exchange(bridge, noToken)]);
    const elapsed = Date.now() - started;
    // Within the flood at most one line per kind per second it lasted.
    const bound = 2 * (Math.ceil(elapsed / 1000) + 1);
    assert.ok(warnings.length <= bound, `${warnings.length} lines for 120 refusals in ${elapsed} ms:\n${warnings.join("\n")}`);
    assert.ok(warnings.some((line) => /wrong token/.test(line)) && warnings.some((line) => /no token/.test(line)));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = warnings.length;
    await exchange(bridge, wrongToken);
    assert.equal(warnings.length, before + 1);
    assert.match(warnings.at(-1)!, /wrong token \(and \d+ more like it since the last such line, not logged\)/);
  });
});

describe("bridge connection slots", () => {
  it("many idle unauthenticated sockets do not keep an authenticated client out", { timeout: 30_000 }, async () => {
    const bridge = await startedBridge({ limits: { maxConnections: 8, maxUnauthenticatedConnections: 16 } });
    const idle = await Promise.all(Array.from({ length: 60 }, () => openSocket(bridge).then((socket) => (socket.on("error", () => undefined), socket))));
    try {
      const served = await exchange(bridge, authorized(bridge, "POST", "/v1/stream"), smallStream);
      assert.equal(served.status, 200, served.body.slice(0, 300));
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });

  it("closes an unauthenticated connection that sends nothing within seconds", { timeout: 20_000 }, async () => {
    const bridge = await startedBridge();
    const idle = await openSocket(bridge);
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 8_000);
      idle.on("error", () => undefined);
      idle.once("close", () => (clearTimeout(timer), resolve(true)));
      idle.resume();
    });
    idle.destroy();
    assert.equal(closed, true);
  });
});
