// Every route of every wire format (the table of src/bridge/apis.ts, walked, not listed by hand) passes the same Host, Origin, token and size checks before its handler runs, refused in that route's own error envelope; a route added without a sample request here fails the walk.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, describe, it } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge";
import { BRIDGE_APIS } from "../../src/bridge/apis";
import type { Model } from "../../src/kiro/types";
import { kiroModel, okAnswer } from "./bridgeFixtures";

const MODEL = kiroModel("claude-sonnet-4-5");
const LIMIT = 8192;

/** Headers that make a shared path's `accepts` pick the wire format (GET /v1/models). */
const CLIENT_HEADERS: Record<string, Record<string, string>> = {
  pi: {},
  anthropic: { "anthropic-version": "2023-06-01" },
  openai: { "user-agent": "opencode/1.18 ai-sdk/openai-compatible" },
};

/** A request each route answers with 200 once it is let through. */
const SAMPLES: Record<string, unknown> = {
  "GET /v1/health": undefined,
  "GET /v1/models": undefined,
  "POST /v1/stream": { model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } },
  "POST /v1/messages": { model: MODEL.id, max_tokens: 16, messages: [{ role: "user", content: "hi" }] },
  "POST /v1/messages/count_tokens": { model: MODEL.id, messages: [{ role: "user", content: "hi" }] },
  "POST /v1/chat/completions": { model: MODEL.id, messages: [{ role: "user", content: "hi" }] },
  "POST /v1/responses": { model: MODEL.id, store: false, input: "hi" },
};

/** GET /v1/models per client: pi's `{models}` (which pi's model list reads), Anthropic's page, OpenAI's list. */
const MODEL_LISTS: Record<string, string> = {
  pi: "models:{0}",
  anthropic: "data:{0} first_id:string has_more:boolean last_id:string",
  openai: "data:{0} object:string",
};

interface Answer {
  status: number;
  json: unknown;
}

function send(bridge: BridgeServer, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: Number(new URL(bridge.url!).port), method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          // An SSE or NDJSON answer stays text.
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // After a refusal the bridge closes the connection; a body still being written may meet the reset.
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    req.end(body);
  });
}

/** The top-level keys of an error body and their types: what tells one envelope from another. */
function shapeOf(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => `${key}:${inner !== null && typeof inner === "object" ? `{${Object.keys(inner).sort().join(",")}}` : typeof inner}`)
    .sort()
    .join(" ");
}

describe("every bridge route passes the server's checks", () => {
  let handlerCalls = 0;
  const counted = <T>(value: T): T => {
    handlerCalls += 1;
    return value;
  };
  const bridgeReady = startBridgeServer({
    stream: (model: Model) => counted(okAnswer(model)),
    listModels: () => counted([MODEL]),
    limits: { maxBodyBytes: LIMIT },
  });
  after(async () => (await bridgeReady).dispose());

  const routes = BRIDGE_APIS.map((build) => build()).flatMap((api) => api.routes.map((route) => ({ api, route })));

  it("walks a table that holds every wire format's routes", () => {
    assert.deepEqual([...new Set(routes.map(({ api }) => api.name))], ["pi", "anthropic", "openai"]);
    const missing = routes.map(({ route }) => `${route.method} ${route.path}`).filter((key) => !(key in SAMPLES));
    assert.deepEqual(missing, [], "a route without a sample request in this test");
  });

  for (const { api, route } of routes) {
    const key = `${route.method} ${route.path}`;
    it(`${api.name} ${key}: refuses a foreign Host, a foreign Origin, no token, a wrong token and an oversized body in its own envelope; answers once let through`, async () => {
      const bridge = await bridgeReady;
      const port = Number(new URL(bridge.url!).port);
      const sample = SAMPLES[key];
      const body = sample === undefined ? undefined : JSON.stringify(sample);
      const good: Record<string, string> = { host: `127.0.0.1:${port}`, authorization: `Bearer ${bridge.token}`, ...CLIENT_HEADERS[api.name], ...(body ? { "content-type": "application/json" } : {}) };
      const envelope = (status: number): string => shapeOf(api.errorBody(status, "refused"));

      const refusals: [string, Record<string, string>, string | undefined, number][] = [
        ["foreign Host", { ...good, host: `evil.example:${port}` }, body, 403],
        ["foreign Origin", { ...good, origin: "https://evil.example" }, body, 403],
        ["no token", Object.fromEntries(Object.entries(good).filter(([name]) => name !== "authorization")), body, 401],
        ["wrong token", { ...good, authorization: `Bearer ${bridge.token.slice(0, -2)}xx` }, body, 403],
      ];
      if (route.method === "POST") {
        const oversized = JSON.stringify({ ...(sample as Record<string, unknown>), padding: "x".repeat(LIMIT) });
        refusals.push(["oversized body", good, oversized, 413]);
      }
      const callsBefore = handlerCalls;
      for (const [what, headers, sent, status] of refusals) {
        const answer = await send(bridge, route.method, route.path, headers, sent);
        assert.equal(answer.status, status, `${key} with a ${what}: ${JSON.stringify(answer.json)}`);
        assert.equal(shapeOf(answer.json), envelope(status), `${key} with a ${what} is refused in ${api.name}'s envelope`);
      }
      assert.equal(handlerCalls, callsBefore, `${key}: a refused request reached the window's Kiro side`);

      const through = await send(bridge, route.method, route.path, good, body);
      assert.equal(through.status, 200, `${key} let through: ${JSON.stringify(through.json)}`);
      // The shared path reached this format's handler, not another's: each lists the catalog in its own shape.
      if (key === "GET /v1/models") assert.equal(shapeOf(through.json), MODEL_LISTS[api.name], `${api.name}'s model list`);
    });
  }
});
