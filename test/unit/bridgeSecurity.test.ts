// The bridge's defences over real loopback HTTP: bearer token (401/403), foreign Host and Origin, body size limit, and that no secret leaks into answers or logs.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { startBridgeServer, type BridgeLogger, type BridgeServer, type BridgeServerDependencies } from "../../src/bridge";
import { MAX_REQUEST_BODY_BYTES, generateBridgeToken, tokensMatch } from "../../src/bridge";
import { scrubSecrets } from "../../src/util/secrets";
import type { Model } from "../../src/kiro/types";
import { kiroModel, okAnswer } from "./bridgeFixtures";

const MODEL = kiroModel("claude-sonnet-4-5");

const STREAM_BODY = { model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } };

const logLines: string[] = [];
const capturingLogger: BridgeLogger = {
  info: (message) => logLines.push(message),
  warn: (message) => logLines.push(message),
  error: (message) => logLines.push(message),
  debug: (message) => logLines.push(message),
};

let streamCalls = 0;
const answers: string[] = [];
const bridgesStarted: BridgeServer[] = [];

function okStream(model: Model) {
  streamCalls += 1;
  return okAnswer(model);
}

async function startedBridge(overrides: Partial<BridgeServerDependencies> = {}): Promise<BridgeServer> {
  const bridge = await startBridgeServer({ stream: okStream, listModels: () => [MODEL], logger: capturingLogger, ...overrides });
  bridgesStarted.push(bridge);
  after(() => bridge.dispose());
  return bridge;
}

function port(bridge: BridgeServer): number {
  return Number(new URL(bridge.url!).port);
}

interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends exactly the headers given (Host included), so tests can impersonate browsers and rebinding attacks. */
function rawCall(bridge: BridgeServer, o: { method?: string; path: string; headers: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: port(bridge), path: o.path, method: o.method ?? "GET", headers: o.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          answers.push(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        });
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

function goodHeaders(bridge: BridgeServer, extra: Record<string, string> = {}): Record<string, string> {
  return { host: `127.0.0.1:${port(bridge)}`, authorization: `Bearer ${bridge.token}`, "content-type": "application/json", ...extra };
}

function errorOf(answer: HttpAnswer): string {
  return (JSON.parse(answer.text) as { error: string }).error;
}

/**
 * Starts a body that is larger than the limit and returns the status the bridge answers with, without
 * ever sending the whole body: the bridge must answer before it has it.
 */
function statusForOversizedUpload(bridge: BridgeServer, headers: Record<string, string>, firstChunkBytes: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: port(bridge), path: "/v1/stream", method: "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        req.destroy();
        const text = Buffer.concat(chunks).toString("utf8");
        answers.push(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The bridge closes the connection after answering; only a failure before the answer counts.
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    req.write(Buffer.alloc(firstChunkBytes, 0x20));
  });
}

describe("bridge token", () => {
  it("is at least 128 bits of base64url randomness and differs per bridge instance", async () => {
    const a = await startedBridge();
    const b = await startedBridge();
    assert.match(a.token, /^[A-Za-z0-9_-]{43}$/, "32 random bytes in base64url");
    assert.notEqual(a.token, b.token);
    assert.notEqual(generateBridgeToken(), generateBridgeToken());
  });

  it("answers 401 with WWW-Authenticate when no token is sent, on every path, before saying whether the path exists", async () => {
    const bridge = await startedBridge();
    for (const [method, path] of [["POST", "/v1/stream"], ["GET", "/v1/models"], ["GET", "/v1/health"], ["GET", "/secret/admin"]] as const) {
      const answer = await rawCall(bridge, { method, path, headers: { host: `127.0.0.1:${port(bridge)}` } });
      assert.equal(answer.status, 401, `${method} ${path}`);
      assert.match(String(answer.headers["www-authenticate"]), /^Bearer/);
      assert.match(errorOf(answer), /Missing bridge token/);
    }
  });

  it("accepts the token as an x-api-key header (Anthropic SDKs), and refuses a wrong one there with 403", async () => {
    const bridge = await startedBridge();
    const host = `127.0.0.1:${port(bridge)}`;
    const good = await rawCall(bridge, { path: "/v1/health", headers: { host, "x-api-key": bridge.token } });
    assert.equal(good.status, 200, good.text);
    const other = await startedBridge();
    const wrong = await rawCall(bridge, { path: "/v1/health", headers: { host, "x-api-key": other.token } });
    assert.equal(wrong.status, 403, wrong.text);
    // A Bearer header, when sent, is the one that counts: a right key cannot rescue a wrong bearer token.
    const mixed = await rawCall(bridge, { path: "/v1/health", headers: { host, authorization: `Bearer ${other.token}`, "x-api-key": bridge.token } });
    assert.equal(mixed.status, 403, mixed.text);
  });

  it("answers 401 for an Authorization header that is not a bearer token", async () => {
    const bridge = await startedBridge();
    const answer = await rawCall(bridge, { path: "/v1/health", headers: { host: `127.0.0.1:${port(bridge)}`, authorization: `Basic ${bridge.token}` } });
    assert.equal(answer.status, 401);
  });

  it("answers 403 for a wrong token of the same length, a shorter one, a longer one, and the token of another bridge", async () => {
    const bridge = await startedBridge();
    const other = await startedBridge();
    const sameLength = bridge.token.slice(0, -1) + (bridge.token.endsWith("A") ? "B" : "A");
    for (const wrong of [sameLength, bridge.token.slice(0, 10), `${bridge.token}x`, other.token]) {
      const answer = await rawCall(bridge, { method: "POST", path: "/v1/stream", headers: goodHeaders(bridge, { authorization: `Bearer ${wrong}` }), body: JSON.stringify(STREAM_BODY) });
      assert.equal(answer.status, 403);
      assert.match(errorOf(answer), /Invalid bridge token/);
    }
  });

  it("accepts the right token, and the bearer scheme in any case", async () => {
    const bridge = await startedBridge();
    for (const scheme of ["Bearer", "bearer"]) {
      const answer = await rawCall(bridge, { path: "/v1/health", headers: goodHeaders(bridge, { authorization: `${scheme} ${bridge.token}` }) });
      assert.equal(answer.status, 200);
    }
  });

  it("compares tokens by value whatever their lengths", () => {
    assert.equal(tokensMatch("abc", "abc"), true);
    assert.equal(tokensMatch("abd", "abc"), false);
    assert.equal(tokensMatch("ab", "abc"), false);
    assert.equal(tokensMatch("", "abc"), false);
  });
});

describe("bridge Host and Origin checks", () => {
  it("answers 403 to a foreign Host even with the right token (DNS rebinding)", async () => {
    const bridge = await startedBridge();
    const p = port(bridge);
    for (const host of [`evil.example:${p}`, "evil.example", `127.0.0.1:${p + 1}`, `localhost`, `127.0.0.1.evil.example:${p}`, `[::1]:${p}`]) {
      const answer = await rawCall(bridge, { path: "/v1/health", headers: goodHeaders(bridge, { host }) });
      assert.equal(answer.status, 403, `Host ${host}`);
      assert.match(errorOf(answer), /Forbidden host/);
    }
  });

  it("accepts Host 127.0.0.1:<port> and localhost:<port>", async () => {
    const bridge = await startedBridge();
    for (const host of [`127.0.0.1:${port(bridge)}`, `localhost:${port(bridge)}`, `LOCALHOST:${port(bridge)}`]) {
      const answer = await rawCall(bridge, { path: "/v1/health", headers: goodHeaders(bridge, { host }) });
      assert.equal(answer.status, 200, `Host ${host}`);
    }
  });

  it("answers 403 to any Origin other than the bridge itself, even with the right token (web pages)", async () => {
    const bridge = await startedBridge();
    const p = port(bridge);
    for (const origin of ["https://evil.example", "null", `http://127.0.0.1:${p + 1}`, "http://localhost:3000", `vscode-webview://abc`, `https://127.0.0.1:${p}`]) {
      const answer = await rawCall(bridge, { method: "POST", path: "/v1/stream", headers: goodHeaders(bridge, { origin }), body: JSON.stringify(STREAM_BODY) });
      assert.equal(answer.status, 403, `Origin ${origin}`);
      assert.match(errorOf(answer), /Forbidden origin/);
    }
    const own = await rawCall(bridge, { path: "/v1/health", headers: goodHeaders(bridge, { origin: `http://127.0.0.1:${p}` }) });
    assert.equal(own.status, 200);
  });

  it("never grants CORS: a preflight gets no Access-Control-Allow headers", async () => {
    const bridge = await startedBridge();
    const answer = await rawCall(bridge, {
      method: "OPTIONS",
      path: "/v1/stream",
      headers: { host: `127.0.0.1:${port(bridge)}`, origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.equal(answer.status, 403);
    assert.equal(Object.keys(answer.headers).some((name) => name.startsWith("access-control-")), false);
  });
});

describe("bridge body limit", () => {
  it("answers 413 at once to a declared Content-Length over the limit, saying what the limit is, without the stream ever being called", async () => {
    const bridge = await startedBridge();
    const callsBefore = streamCalls;
    const answer = await statusForOversizedUpload(bridge, goodHeaders(bridge, { "content-length": String(MAX_REQUEST_BODY_BYTES + 1) }), 1024);
    assert.equal(answer.status, 413);
    assert.match(errorOf(answer), new RegExp(`too large: the bridge accepts at most ${MAX_REQUEST_BODY_BYTES} bytes`));
    assert.equal(streamCalls, callsBefore);
  });

  it("answers 413 to a chunked body as soon as it crosses the limit", async () => {
    const bridge = await startedBridge({ limits: { maxBodyBytes: 4096 } });
    const callsBefore = streamCalls;
    const answer = await statusForOversizedUpload(bridge, goodHeaders(bridge, { "transfer-encoding": "chunked" }), 16 * 1024);
    assert.equal(answer.status, 413);
    assert.equal(streamCalls, callsBefore);
  });

  it("accepts a body of exactly the limit", async () => {
    const body = JSON.stringify(STREAM_BODY);
    const padded = body + " ".repeat(4096 - Buffer.byteLength(body));
    const bridge = await startedBridge({ limits: { maxBodyBytes: 4096 } });
    const answer = await rawCall(bridge, { method: "POST", path: "/v1/stream", headers: goodHeaders(bridge), body: padded });
    assert.equal(answer.status, 200);
    assert.equal((JSON.parse(answer.text.trim()) as { type: string }).type, "done");
  });
});

describe("bridge secrecy", () => {
  it("redacts the bridge token from a failing stream's error message", async () => {
    let bridgeToken = "";
    const bridge = await startedBridge({
      stream: () => {
        throw new Error(`request failed with Authorization: Bearer kiro-access-token-123456 and bridge ${bridgeToken}`);
      },
    });
    bridgeToken = bridge.token;
    const answer = await rawCall(bridge, { method: "POST", path: "/v1/stream", headers: goodHeaders(bridge), body: JSON.stringify(STREAM_BODY) });
    assert.equal(answer.status, 200);
    assert.equal(answer.text.includes(bridge.token), false);
    assert.equal(answer.text.includes("kiro-access-token-123456"), false);
    assert.match(answer.text, /\[redacted\]/);
  });

  it("redacts known secrets and any bearer value from text", () => {
    assert.equal(scrubSecrets("token s3cr3t-value here", ["s3cr3t-value"]), "token [redacted] here");
    assert.equal(scrubSecrets("Authorization: Bearer abcdefgh.ijk", []), "Authorization: Bearer [redacted]");
  });

  it("never puts a bridge token into an answer body or a log line", () => {
    // Runs last in this file: checks everything the tests above produced.
    assert.ok(answers.length > 20, "the suite made enough requests to be meaningful");
    assert.ok(logLines.some((line) => line.includes("refused")), "refusals were logged");
    for (const bridge of bridgesStarted) {
      for (const text of [...answers, ...logLines]) assert.equal(text.includes(bridge.token), false, `leaked in: ${text}`);
    }
  });
});
