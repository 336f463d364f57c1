// Tests for the model catalog: built-in list, id/alias resolution, pi Models, and ListAvailableModels with fallback and caching.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  KIRO_API,
  KIRO_MODEL_ALIASES,
  builtInModels,
  cachedModelCatalog,
  clearModelCatalogCache,
  findModel,
  getModel,
  listAvailableModels,
  toPiModel,
  modelFromService,
} from "../../src/kiro/catalog/models";
import { KiroClient } from "../../src/kiro/client";
import type { KiroRoute } from "../../src/kiro/service/endpoints";
import { KiroError } from "../../src/kiro/errors";
import { clearRouteCache } from "../../src/kiro/service/route";
import { resolveKiroSettings } from "../../src/kiro/settings";
import { nativeThinkingSchema } from "../sim/kiroSimulator";

beforeEach(() => {
  clearModelCatalogCache();
  clearRouteCache();
});

const PROFILE = "arn:aws:codewhisperer:us-east-1:1:profile/P";

/** A q-host route to a loopback server. */
function route(url: string, profileArn?: string): KiroRoute {
  return { generation: "q", region: "us-east-1", endpoint: url, ...(profileArn ? { profileArn } : {}) };
}

/** A client whose settings name the profile, so only the catalog route is asked (no profile look-up). */
function clientFor(url: string, profileArn = PROFILE): KiroClient {
  return new KiroClient({ credentials: async () => ({ accessToken: "tok" }), settings: () => resolveKiroSettings({ endpoint: url, profileArn }, {}) });
}

test("the built-in catalog has the documented Kiro models with dotted wire ids", () => {
  const byId = new Map(builtInModels().map((m) => [m.id, m]));
  const expected: Record<string, string> = {
    "claude-sonnet-4-5": "claude-sonnet-4.5",
    "claude-haiku-4-5": "claude-haiku-4.5",
    "claude-opus-4-5": "claude-opus-4.5",
    "claude-sonnet-4": "claude-sonnet-4",
    "claude-sonnet-4-6": "claude-sonnet-4.6",
    "claude-opus-4-6": "claude-opus-4.6",
    "claude-opus-4-7": "claude-opus-4.7",
    auto: "auto",
    "deepseek-3-2": "deepseek-3.2",
    "glm-5": "glm-5",
    "minimax-m2-5": "minimax-m2.5",
    "qwen3-coder-next": "qwen3-coder-next",
  };
  for (const [id, kiroId] of Object.entries(expected)) assert.equal(byId.get(id)?.kiroId, kiroId, id);
  assert.equal(byId.get("claude-sonnet-4-5")?.contextWindow, 200_000);
  assert.equal(byId.get("claude-opus-4-6")?.contextWindow, 1_000_000);
  for (const m of builtInModels()) {
    assert.equal(m.reasoning, m.kiroId.startsWith("claude") || m.kiroId.startsWith("gpt-") || m.kiroId === "auto", `${m.id} reasoning`);
    if (m.nativeThinking) assert.ok(m.reasoning);
  }
  assert.equal(byId.get("claude-sonnet-4-5")?.nativeThinking, false);
});

test("every spelling callers use resolves to the dotted Kiro id", () => {
  const cases: Record<string, string> = {
    "claude-sonnet-4-5": "claude-sonnet-4.5",
    "claude-sonnet-4.5": "claude-sonnet-4.5",
    "claude-sonnet-4-5-20250514": "claude-sonnet-4.5",
    "claude-sonnet-4-5-20250929": "claude-sonnet-4.5",
    "claude-sonnet-4-5-latest": "claude-sonnet-4.5",
    "claude-haiku-4-5-20250514": "claude-haiku-4.5",
    "claude-opus-4-5-20250514": "claude-opus-4.5",
    CLAUDE_SONNET_4_5_20250929_V1_0: "claude-sonnet-4.5",
    CLAUDE_SONNET_4_20250514_V1_0: "claude-sonnet-4",
    CLAUDE_HAIKU_4_5_20251001_V1_0: "claude-haiku-4.5",
    CLAUDE_3_7_SONNET_20250219_V1_0: "claude-sonnet-4",
    "anthropic.claude-sonnet-4-5-20250929-v1:0": "claude-sonnet-4.5",
    "kiro/claude-opus-4.6": "claude-opus-4.6",
    "claude-sonnet-4-20250514": "claude-sonnet-4",
    "minimax-m2.5": "minimax-m2.5",
    "deepseek-3-2": "deepseek-3.2",
    auto: "auto",
  };
  for (const [id, kiroId] of Object.entries(cases)) assert.equal(findModel(id)?.kiroId, kiroId, id);
  assert.equal(findModel("gpt-4o"), undefined);
  assert.equal(findModel(""), undefined);
});

test("the -thinking alias forces thinking and keeps its id so it survives a round trip", () => {
  const m = findModel("claude-sonnet-4-5-20250514-thinking");
  assert.equal(m?.kiroId, "claude-sonnet-4.5");
  assert.equal(m?.forceThinking, true);
  assert.equal(m?.id, "claude-sonnet-4-5-20250514-thinking");
  const piModel = getModel("kiro", "claude-sonnet-4-5-20250514-thinking");
  assert.equal(findModel(piModel.id)?.forceThinking, true);
  assert.equal(findModel("claude-sonnet-4-5-20250514")?.forceThinking, undefined);
});

test("getModel returns a zero-cost pi Model for every id and alias, and names the known ids on an unknown one", () => {
  for (const id of [...builtInModels().map((m) => m.id), ...KIRO_MODEL_ALIASES, "CLAUDE_SONNET_4_5_20250929_V1_0", "claude-opus-4.7"]) {
    const m = getModel("kiro", id);
    assert.equal(m.provider, "kiro");
    assert.equal(m.api, KIRO_API);
    assert.deepEqual(m.cost, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  }
  assert.throws(() => getModel("kiro", "gpt-5"), (e: Error) => e.message.includes("gpt-5") && e.message.includes("claude-sonnet-4-5"));
});

test("toPiModel carries limits, input types and the base URL", () => {
  const info = findModel("claude-opus-4-7")!;
  const m = toPiModel(info, "http://127.0.0.1:1");
  assert.equal(m.id, "claude-opus-4-7");
  assert.equal(m.baseUrl, "http://127.0.0.1:1");
  assert.equal(m.contextWindow, 1_000_000);
  assert.deepEqual(m.input, ["text", "image"]);
  assert.equal(m.reasoning, true);
});

interface CatalogServer {
  url: string;
  requests: { url: string; authorization?: string }[];
  close(): Promise<void>;
}

async function startCatalogServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<CatalogServer> {
  const requests: CatalogServer["requests"] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

test("ListAvailableModels pages are followed by nextToken and merged with what the built-in list knows", async (t) => {
  const server = await startCatalogServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/ListAvailableModels") return sendJson(res, 404, {});
    if (!url.searchParams.get("nextToken")) {
      return sendJson(res, 200, {
        models: [
          { modelId: "claude-sonnet-4.5", modelName: "Claude Sonnet 4.5", tokenLimits: { maxInputTokens: 200000, maxOutputTokens: 64000 } },
          { modelId: "claude-opus-4.6", modelName: "Opus", description: "big", additionalModelRequestFieldsSchema: nativeThinkingSchema(), tokenLimits: { maxInputTokens: 1000000, maxOutputTokens: 128000 } },
        ],
        defaultModel: { modelId: "claude-opus-4.6" },
        nextToken: "page-2",
      });
    }
    return sendJson(res, 200, {
      models: [
        { modelId: "claude-sonnet-4.6", tokenLimits: { maxInputTokens: 1000000 } },
        { modelId: "brand-new.9", modelName: "Brand New", supportedInputTypes: ["TEXT", "IMAGE"] },
      ],
    });
  });
  t.after(() => server.close());
  const models = await listAvailableModels({ accessToken: "tok", route: route(server.url, "arn:aws:codewhisperer:us-east-1:1:profile/P") });
  assert.equal(server.requests.length, 2);
  assert.equal(server.requests[0]?.authorization, "Bearer tok");
  const first = new URL(server.requests[0]!.url, "http://x");
  assert.equal(first.searchParams.get("origin"), "AI_EDITOR");
  assert.equal(first.searchParams.get("profileArn"), "arn:aws:codewhisperer:us-east-1:1:profile/P");
  assert.equal(new URL(server.requests[1]!.url, "http://x").searchParams.get("nextToken"), "page-2");

  assert.deepEqual(models.map((m) => m.id), ["claude-opus-4-6", "claude-sonnet-4-5", "claude-sonnet-4-6", "brand-new-9"]);
  const opus = models[0]!;
  assert.equal(opus.nativeThinking, true);
  assert.deepEqual(opus.nativeThinkingShape, { effortAt: "output_config", efforts: ["low", "medium", "high", "max"], thinkingType: "adaptive" });
  assert.equal(opus.maxTokens, 128000);
  assert.equal(opus.description, "big");
  // The live catalog wins over the built-in guess: no schema, no native thinking.
  assert.equal(models.find((m) => m.id === "claude-sonnet-4-6")?.nativeThinking, false);
  const fresh = models.find((m) => m.id === "brand-new-9")!;
  assert.equal(fresh.kiroId, "brand-new.9");
  assert.equal(fresh.name, "Brand New");
  assert.deepEqual(fresh.input, ["text", "image"]);
  assert.equal(fresh.reasoning, false);
  assert.equal(findModel("brand-new-9", models)?.kiroId, "brand-new.9");
});

test("images only where the catalog says so, or, when it says nothing, for the Claude family (and auto)", () => {
  const input = (entry: Record<string, unknown>) => modelFromService(entry)?.input;
  // Non-Claude families (GPT, GLM, Qwen, DeepSeek, MiniMax) stay text-only unless their entry lists IMAGE.
  for (const modelId of ["openai-gpt-5.6", "glm-5", "qwen3-coder-next", "deepseek-3.2", "minimax-m2.5", "kimi-k3"]) {
    assert.deepEqual(input({ modelId }), ["text"], modelId);
    assert.deepEqual(input({ modelId, supportedInputTypes: ["TEXT", "IMAGE"] }), ["text", "image"], `${modelId} with IMAGE listed`);
  }
  for (const modelId of ["claude-sonnet-4.5", "claude-fable-5", "auto"]) assert.deepEqual(input({ modelId }), ["text", "image"], modelId);
  assert.deepEqual(input({ modelId: "claude-haiku-4.5", supportedInputTypes: ["TEXT"] }), ["text"], "the catalog wins over the family");
});

test("the catalog is cached per route for ten minutes, so a second lookup makes no request", async (t) => {
  const server = await startCatalogServer((_req, res) => sendJson(res, 200, { models: [{ modelId: "claude-haiku-4.5" }] }));
  t.after(() => server.close());
  const client = clientFor(server.url);
  const a = await client.catalog();
  const b = await client.catalog();
  assert.deepEqual(a.map((m) => m.id), ["claude-haiku-4-5"]);
  assert.deepEqual(b, a);
  assert.equal(server.requests.length, 1);
  assert.deepEqual(cachedModelCatalog(route(server.url, PROFILE))?.map((m) => m.kiroId), ["claude-haiku-4.5"]);
  assert.equal(cachedModelCatalog({ ...route(server.url, PROFILE), region: "eu-central-1" }), undefined, "another region has its own entry");
  assert.equal(cachedModelCatalog({ ...route(server.url, PROFILE), generation: "runtime" }), undefined, "another host generation has its own entry");
  await clientFor(server.url, "arn:aws:codewhisperer:us-east-1:1:profile/Other").catalog();
  assert.equal(server.requests.length, 2, "a different profile is a different cache entry");
});

test("the client's catalog falls back to the built-in list on HTTP errors, bad bodies, unreachable hosts and no sign-in", async (t) => {
  const builtInIds = builtInModels().map((m) => m.id);
  const failing = await startCatalogServer((_req, res) => sendJson(res, 403, { message: "The bearer token included in the request is invalid." }));
  t.after(() => failing.close());
  assert.deepEqual((await clientFor(failing.url).catalog()).map((m) => m.id), builtInIds);
  await assert.rejects(listAvailableModels({ accessToken: "tok", route: route(failing.url, PROFILE) }), (e: unknown) => e instanceof KiroError && e.kind === "auth" && e.status === 403);

  const garbage = await startCatalogServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("not json");
  });
  t.after(() => garbage.close());
  assert.deepEqual((await clientFor(garbage.url).catalog()).map((m) => m.id), builtInIds);

  const empty = await startCatalogServer((_req, res) => sendJson(res, 200, { models: [] }));
  t.after(() => empty.close());
  assert.deepEqual((await clientFor(empty.url).catalog()).map((m) => m.id), builtInIds);

  const closed = await startCatalogServer((_req, res) => sendJson(res, 200, {}));
  const closedUrl = closed.url;
  await closed.close();
  assert.deepEqual((await clientFor(closedUrl).catalog()).map((m) => m.id), builtInIds);

  const signedOut = new KiroClient({ credentials: async () => undefined, settings: () => resolveKiroSettings({}, {}) });
  assert.deepEqual((await signedOut.catalog()).map((m) => m.id), builtInIds);
});
