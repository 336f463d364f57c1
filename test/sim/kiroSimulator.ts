// A Kiro service on loopback for tests and demos: real HTTP, the service's validation rules, binary event-stream answers, scripted failures.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRandom, cutAtRandomOffsets, encodeErrorFrame, encodeEventFrame, encodeExceptionFrame } from "./frames";
import { defaultSimReply } from "./replies";
import { rejectionFor, validateGenerateAssistantResponseJson, type SimModel } from "./validation";

export type { SimModel } from "./validation";

export type SimEvent =
  /** A normal event frame; `type` is the `:event-type`, e.g. "assistantResponseEvent". */
  | { type: string; payload: unknown }
  /** A `:message-type: exception` frame, e.g. exception "ThrottlingException", payload {message, reason}. */
  | { exception: string; payload: unknown }
  /** A `:message-type: error` frame with `:error-code` / `:error-message`. */
  | { errorCode: string; errorMessage: string }
  /** Bytes written as they are (base64), e.g. a frame with a broken CRC or a truncated frame. */
  | { rawBase64: string }
  /** Bytes written as they are; in-process only (the bench pre-encodes its frames so serving costs no encoding). */
  | { bytes: Uint8Array }
  /** Flush what is pending and wait before the next event. */
  | { delayMs: number };

export type SimReply =
  /**
   * A 200 event-stream answer. With `stallAfterMs`, after the events the simulator sends nothing for that long and then
   * drops the connection without finishing the body (a stalled upstream); without it the body ends normally.
   */
  | { events: SimEvent[]; chunking?: "random" | "whole"; stallAfterMs?: number }
  /** A plain HTTP answer; `body` is sent as JSON unless it is a string. */
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** The connection is destroyed before the first byte of the answer. */
  | { reset: true };

export interface SimRecordedRequest {
  method: string;
  /** Path without the query, e.g. "/generateAssistantResponse". */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  bodyBytes: number;
  /** Rules of KIRO_PROTOCOL.md §2 the body broke (see validation.ts RULES); empty when it was well formed. */
  validationErrors: string[];
  /** HTTP status answered (0 when the connection was reset before any answer). */
  status: number;
}

/** One row of getUsageLimits' usageBreakdownList. */
export interface SimUsageBreakdown {
  resourceType: string;
  displayName?: string;
  unit?: string;
  currentUsage: number;
  currentUsageWithPrecision: number;
  usageLimit: number;
  usageLimitWithPrecision: number;
  /** Epoch seconds, as the service serialises timestamps. */
  nextDateReset: number;
  freeTrialInfo?: { freeTrialStatus: string; currentUsage: number; usageLimit: number; freeTrialExpiry?: number };
  bonuses?: unknown[];
}

export interface SimUsageLimits {
  usageBreakdownList: SimUsageBreakdown[];
  nextDateReset?: number;
  subscriptionInfo: { subscriptionTitle: string; type?: string };
  /** Sent only when the request asks `isEmailRequired=true`. */
  userInfo: { email: string; userId?: string };
}

export interface KiroSimulatorOptions {
  accessToken?: string;
  /** Decides which bearer tokens are valid (e.g. those an OIDC simulator issued); default: only `accessToken`. */
  acceptsToken?: (token: string) => boolean;
  models?: SimModel[];
  /** Model whose entry is returned as `defaultModel` (default "auto"). */
  defaultModelId?: string;
  usageLimits?: SimUsageLimits;
  /** How event frames are cut into network writes (default "random"). */
  chunking?: "random" | "whole";
  /** Largest random write (default 1024 bytes); the bench raises it. */
  maxWriteBytes?: number;
  /** Seed for the chunking PRNG (default 1). */
  seed?: number;
  /** Answer for generateAssistantResponse when no scripted reply is queued (default: defaultSimReply). */
  defaultReply?: (request: SimRecordedRequest, models: readonly SimModel[]) => SimReply;
  /** Port to listen on (default 0: a free one). */
  port?: number;
  /** Serves the /__sim/ control API (see cli.ts) on the same port. */
  control?: boolean;
}

export interface KiroSimulator {
  /** "http://127.0.0.1:<port>": use as KIRO_ENDPOINT / options.endpoint. */
  url: string;
  /** The bearer token accepted; any other gets 403 "bearer token invalid". */
  accessToken: string;
  setAccessToken(token: string): void;
  /** Every request, in arrival order (control API calls excluded). */
  requests: SimRecordedRequest[];
  /** Queues replies for the next generateAssistantResponse calls (FIFO); when the queue is empty, the default reply answers. */
  reply(...replies: SimReply[]): void;
  /** Replies still queued. */
  readonly pendingReplies: number;
  models: SimModel[];
  usageLimits: SimUsageLimits;
  /** generateAssistantResponse requests only. */
  generateRequests(): SimRecordedRequest[];
  close(): Promise<void>;
}

const NATIVE_THINKING_SCHEMA: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  properties: {
    thinking: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: {
        type: { type: "string", enum: ["adaptive", "enabled", "disabled"] },
        budget_tokens: { type: "integer", minimum: 1024, maximum: 128000 },
      },
    },
    output_config: {
      type: "object",
      additionalProperties: false,
      properties: { effort: { type: "string", enum: ["low", "medium", "high", "max"] } },
    },
  },
};

/** The additionalModelRequestFieldsSchema given to native-thinking models. */
export function nativeThinkingSchema(): Record<string, unknown> {
  return structuredClone(NATIVE_THINKING_SCHEMA);
}

/**
 * The catalog of KIRO_PROTOCOL.md §4. `nativeThinking` lists the model ids that get an additionalModelRequestFieldsSchema
 * (default: claude-sonnet-4.6, claude-opus-4.6, claude-opus-4.7).
 */
export function defaultSimModels(o: { nativeThinking?: readonly string[] } = {}): SimModel[] {
  const native = new Set(o.nativeThinking ?? ["claude-sonnet-4.6", "claude-opus-4.6", "claude-opus-4.7"]);
  const entry = (modelId: string, modelName: string, description: string, maxInputTokens: number, maxOutputTokens: number, image = true): SimModel => ({
    modelId,
    modelName,
    description,
    tokenLimits: { maxInputTokens, maxOutputTokens },
    supportedInputTypes: image ? ["TEXT", "IMAGE"] : ["TEXT"],
    rateMultiplier: 1,
    ...(native.has(modelId) ? { additionalModelRequestFieldsSchema: nativeThinkingSchema() } : {}),
  });
  return [
    entry("auto", "Auto", "Picks the best model for the task", 200_000, 64_000),
    entry("claude-sonnet-4.5", "Claude Sonnet 4.5", "Anthropic's Claude Sonnet 4.5", 200_000, 64_000),
    entry("claude-haiku-4.5", "Claude Haiku 4.5", "Anthropic's Claude Haiku 4.5, fast", 200_000, 64_000),
    entry("claude-opus-4.5", "Claude Opus 4.5", "Anthropic's Claude Opus 4.5", 200_000, 64_000),
    entry("claude-sonnet-4", "Claude Sonnet 4", "Anthropic's Claude Sonnet 4", 200_000, 64_000),
    entry("claude-sonnet-4.6", "Claude Sonnet 4.6", "Anthropic's Claude Sonnet 4.6, 1M context", 1_000_000, 64_000),
    entry("claude-opus-4.6", "Claude Opus 4.6", "Anthropic's Claude Opus 4.6, 1M context", 1_000_000, 64_000),
    entry("claude-opus-4.7", "Claude Opus 4.7", "Anthropic's Claude Opus 4.7, 1M context", 1_000_000, 128_000),
    entry("deepseek-3.2", "DeepSeek 3.2", "DeepSeek V3.2", 128_000, 32_000, false),
    entry("glm-5", "GLM 5", "Zhipu GLM-5", 200_000, 32_000, false),
    entry("qwen3-coder-next", "Qwen3 Coder Next", "Qwen3 Coder Next", 256_000, 64_000, false),
  ];
}

/** A free-plan usage picture: 12.5 of 50 credits used, resetting on the first of next month (UTC). */
export function defaultSimUsageLimits(): SimUsageLimits {
  const now = new Date();
  const reset = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000;
  return {
    usageBreakdownList: [
      {
        resourceType: "AGENTIC_REQUEST",
        displayName: "Credits",
        unit: "credit",
        currentUsage: 12,
        currentUsageWithPrecision: 12.5,
        usageLimit: 50,
        usageLimitWithPrecision: 50,
        nextDateReset: reset,
        bonuses: [],
      },
    ],
    nextDateReset: reset,
    subscriptionInfo: { subscriptionTitle: "KIRO FREE", type: "Q_DEVELOPER_STANDALONE_FREE" },
    userInfo: { email: "sim-user@example.com", userId: "sim-user" },
  };
}

const BEARER_INVALID = { message: "The bearer token included in the request is invalid." };
const GENERATE_TARGET = "AmazonCodeWhispererStreamingService.GenerateAssistantResponse";
/** Request bodies above this are refused before parsing (far above the service's own limits). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

export async function startKiroSimulator(o: KiroSimulatorOptions = {}): Promise<KiroSimulator> {
  const queue: SimReply[] = [];
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();
  const random = createRandom(o.seed ?? 1);
  const defaultChunking = o.chunking ?? "random";
  const maxWriteBytes = o.maxWriteBytes ?? 1024;
  const answerByDefault = o.defaultReply ?? defaultSimReply;
  let closed = false;

  const sim: KiroSimulator = {
    url: "",
    accessToken: o.accessToken ?? "sim-access-token",
    setAccessToken(token) {
      sim.accessToken = token;
    },
    requests: [],
    reply(...replies) {
      queue.push(...replies);
    },
    get pendingReplies() {
      return queue.length;
    },
    models: o.models ?? defaultSimModels(),
    usageLimits: o.usageLimits ?? defaultSimUsageLimits(),
    generateRequests() {
      return sim.requests.filter((r) => r.path === "/generateAssistantResponse" || r.headers["x-amz-target"] === GENERATE_TARGET);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const controller of inFlight) controller.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on("close", () => {
      controller.abort();
      inFlight.delete(controller);
    });
    handle(req, res, controller.signal).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { message: `simulator failure: ${(error as Error).message}` });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    if (o.control && url.pathname.startsWith("/__sim/")) return handleControl(url, req.method ?? "GET", raw, res);

    const record: SimRecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req),
      body: undefined,
      bodyBytes: raw === undefined ? -1 : raw.byteLength,
      validationErrors: [],
      status: 0,
    };
    sim.requests.push(record);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, body, headers);
    };
    if (raw === undefined) return answer(413, { message: "Request entity too large." });

    const target = record.headers["x-amz-target"];
    const isGenerate =
      (req.method === "POST" && url.pathname === "/generateAssistantResponse") ||
      (req.method === "POST" && url.pathname === "/" && target === GENERATE_TARGET);
    const isModels = req.method === "GET" && url.pathname === "/ListAvailableModels";
    const isUsage = req.method === "GET" && url.pathname === "/getUsageLimits";
    if (!isGenerate && !isModels && !isUsage) return answer(404, { message: `No route for ${req.method} ${url.pathname}` });

    const bearer = /^Bearer (.+)$/.exec(record.headers["authorization"] ?? "")?.[1];
    const accepted = o.acceptsToken ? bearer !== undefined && o.acceptsToken(bearer) : bearer === sim.accessToken;
    if (!accepted) {
      return answer(403, BEARER_INVALID, { "x-amzn-errortype": "AccessDeniedException" });
    }

    if (isModels) return answerModels(url, answer);
    if (isUsage) return answerUsage(url, answer);

    const text = raw.toString("utf8");
    const { body, errors } = validateGenerateAssistantResponseJson(text, sim.models);
    record.body = body;
    record.validationErrors = errors;
    const rejection = rejectionFor(errors);
    if (rejection) return answer(rejection.status, rejection.body, { "x-amzn-errortype": rejection.errorType });

    const reply = queue.shift() ?? answerByDefault(record, sim.models);
    if ("reset" in reply) {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    if ("status" in reply) {
      record.status = reply.status;
      sendJson(res, reply.status, reply.body, reply.headers);
      return;
    }
    record.status = 200;
    await streamEvents(res, reply, signal);
  }

  function answerModels(url: URL, answer: (status: number, body: unknown) => void): void {
    const maxResults = Number(url.searchParams.get("maxResults") ?? "50");
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
      return answer(400, { message: "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must be between 1 and 50" });
    }
    const nextToken = url.searchParams.get("nextToken");
    let start = 0;
    if (nextToken !== null) {
      const decoded = /^page-(\d+)$/.exec(Buffer.from(nextToken, "base64url").toString("utf8"));
      if (!decoded) return answer(400, { message: "Invalid nextToken." });
      start = Number(decoded[1]);
    }
    const page = sim.models.slice(start, start + maxResults);
    const end = start + page.length;
    const defaultModel = sim.models.find((m) => m.modelId === (o.defaultModelId ?? "auto")) ?? sim.models[0];
    answer(200, {
      models: page,
      defaultModel,
      ...(end < sim.models.length ? { nextToken: Buffer.from(`page-${end}`).toString("base64url") } : {}),
    });
  }

  function answerUsage(url: URL, answer: (status: number, body: unknown) => void): void {
    const { userInfo, ...rest } = sim.usageLimits;
    answer(200, url.searchParams.get("isEmailRequired") === "true" ? { ...rest, userInfo } : rest);
  }

  async function streamEvents(res: ServerResponse, reply: Extract<SimReply, { events: SimEvent[] }>, signal: AbortSignal): Promise<void> {
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": `sim-${sim.requests.length}`,
    });
    res.flushHeaders();
    const chunking = reply.chunking ?? defaultChunking;
    let pending: Uint8Array[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const bytes = Buffer.concat(pending);
      pending = [];
      const pieces = chunking === "whole" ? [bytes] : cutAtRandomOffsets(bytes, random, maxWriteBytes);
      for (const piece of pieces) {
        if (signal.aborted) return;
        if (!res.write(piece)) await drained(res, signal);
        // Yield so each piece leaves as its own network write instead of being coalesced with the next.
        else if (chunking === "random") await new Promise((resolve) => setImmediate(resolve));
      }
    };
    for (const event of reply.events) {
      if (signal.aborted) return;
      if ("delayMs" in event) {
        await flush();
        await sleep(event.delayMs, signal);
      } else {
        pending.push(frameOf(event));
        // Keep each batch bounded so a 20 MB answer is not built in memory before the first write.
        if (pending.length >= 256) await flush();
      }
    }
    await flush();
    if (signal.aborted) return;
    if (reply.stallAfterMs !== undefined) {
      await sleep(reply.stallAfterMs, signal);
      res.destroy();
      return;
    }
    res.end();
  }

  function handleControl(url: URL, method: string, raw: Buffer | undefined, res: ServerResponse): void {
    let payload: unknown;
    try {
      payload = raw && raw.byteLength > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      return sendJson(res, 400, { message: "control body is not JSON" });
    }
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "GET /__sim/health":
        return sendJson(res, 200, { ok: true, pendingReplies: queue.length, requests: sim.requests.length });
      case "POST /__sim/reply": {
        const replies = Array.isArray(payload) ? payload : [payload];
        const invalid = replies.find((r) => !isSimReply(r));
        if (invalid !== undefined) return sendJson(res, 400, { message: "not a SimReply: expected {events}, {status, body} or {reset: true}" });
        sim.reply(...(replies as SimReply[]));
        return sendJson(res, 200, { queued: replies.length, pendingReplies: queue.length });
      }
      case "GET /__sim/requests": {
        const since = Number(url.searchParams.get("since") ?? "0");
        const path = url.searchParams.get("path");
        const rows = sim.requests.slice(since).filter((r) => path === null || r.path === path);
        return sendJson(res, 200, rows);
      }
      case "DELETE /__sim/requests":
        sim.requests.length = 0;
        return sendJson(res, 200, { cleared: true });
      case "POST /__sim/token": {
        const token = (payload as { accessToken?: unknown } | undefined)?.accessToken;
        if (typeof token !== "string" || token === "") return sendJson(res, 400, { message: "expected {accessToken}" });
        sim.setAccessToken(token);
        return sendJson(res, 200, { ok: true });
      }
      case "POST /__sim/usage":
        if (!isRecord(payload) || !Array.isArray(payload.usageBreakdownList)) return sendJson(res, 400, { message: "expected a getUsageLimits body" });
        sim.usageLimits = payload as unknown as SimUsageLimits;
        return sendJson(res, 200, { ok: true });
      case "POST /__sim/models":
        if (!Array.isArray(payload)) return sendJson(res, 400, { message: "expected an array of models" });
        sim.models = payload as SimModel[];
        return sendJson(res, 200, { ok: true, models: sim.models.length });
      case "POST /__sim/reset":
        queue.length = 0;
        sim.requests.length = 0;
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, { message: `no control route ${route}` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}

function frameOf(event: Exclude<SimEvent, { delayMs: number }>): Uint8Array {
  if ("type" in event) return encodeEventFrame(event.type, event.payload);
  if ("exception" in event) return encodeExceptionFrame(event.exception, event.payload);
  if ("errorCode" in event) return encodeErrorFrame(event.errorCode, event.errorMessage);
  if ("bytes" in event) return event.bytes;
  return Buffer.from(event.rawBase64, "base64");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSimReply(value: unknown): value is SimReply {
  if (!isRecord(value)) return false;
  if (value.reset === true) return true;
  if (typeof value.status === "number") return true;
  return Array.isArray(value.events) && value.events.every((e) => isRecord(e) && ("type" in e || "exception" in e || "errorCode" in e || "rawBase64" in e || typeof e.delayMs === "number"));
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The whole request body, or undefined when it is over MAX_READ_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength;
    if (total > MAX_READ_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    function done() {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    }
    res.on("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}
