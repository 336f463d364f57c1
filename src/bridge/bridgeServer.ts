// The loopback HTTP server that lets a pi process use the extension's Kiro session: token-gated, NDJSON stream events, abort on disconnect.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AssistantMessageEvent, Context, Model } from "../kiro/types";
import {
  BridgeRequestError,
  parseJsonBody,
  parseStreamRequest,
  readBody,
  type BridgeStreamOptions,
  type ParsedStreamRequest,
} from "./bridgeRequest";
import { checkAuthorization, generateBridgeToken, isAllowedHost, isAllowedOrigin } from "./bridgeSecurity";
import { scrubSecrets } from "../util/secrets";
import { bridgeFailureEvent, toNdjsonLine } from "./streamEventLine";

/** The version of the wire protocol in DESIGN.md, reported by /v1/health so clients can refuse a bridge they do not understand. */
export const BRIDGE_PROTOCOL_VERSION = 1;
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Structurally a VS Code LogOutputChannel, so the extension can pass its channel straight in. */
export interface BridgeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/**
 * Streams one answer. The extension's implementation closes over its current session and settings
 * (access token source, region, endpoint), so sign-in changes reach running pi processes at once.
 * Like pi-ai's stream functions it should never throw; the bridge copes if it does.
 */
export type BridgeStreamFunction = (model: Model, context: Context, options: BridgeStreamOptions) => AsyncIterable<AssistantMessageEvent>;

export interface BridgeServerDependencies {
  stream: BridgeStreamFunction;
  /** The catalog served by GET /v1/models. */
  listModels: () => Model[] | Promise<Model[]>;
  /** Maps a requested id (or alias) to the extension's model; defaults to an exact id match in `listModels()`. */
  resolveModel?: (id: string) => Model | undefined | Promise<Model | undefined>;
  /** Reported by GET /v1/health; defaults to true (the stream function owns the session). */
  isSignedIn?: () => boolean | Promise<boolean>;
  /** Reported by GET /v1/health, normally the extension's version. */
  version?: string;
  logger?: BridgeLogger;
  /** Largest accepted request body; default 32 MB (big contexts with images). */
  maxBodyBytes?: number;
}

export interface BridgeServer {
  /** The bearer token clients must send; give it only to processes you trust (e.g. as KIRO_BRIDGE_TOKEN in your own terminals). */
  readonly token: string;
  /** `http://127.0.0.1:<port>` once started, undefined before. */
  readonly url: string | undefined;
  /** Streams currently being served. */
  readonly activeStreams: number;
  /** Starts listening on a random loopback port; calling it again returns the same server. */
  start(): Promise<{ url: string }>;
  /** Aborts every running stream and stops listening; the server cannot be started again. */
  dispose(): Promise<void>;
}

interface RunningStream {
  /** Aborts the provider request and ends the response with a final error line. */
  stop(): void;
  /** Resolves once the response is fully handed to the socket or the connection closed. */
  settled: Promise<void>;
}

/** How long dispose waits for stopped streams to flush their last line before cutting connections. */
const DISPOSE_GRACE_MS = 2000;

const silentLogger: BridgeLogger = { info() {}, warn() {}, error() {}, debug() {} };

const COMMON_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
} as const;

type Route = "stream" | "models" | "health";
const ROUTES: Record<string, { route: Route; method: "GET" | "POST" }> = {
  "/v1/stream": { route: "stream", method: "POST" },
  "/v1/models": { route: "models", method: "GET" },
  "/v1/health": { route: "health", method: "GET" },
};

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function waitForDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Only the description fields of a client-sent Model survive; where the request goes (baseUrl, headers) is never the client's choice. */
function describedModelWithoutRouting(described: Model, template: Model): Model {
  const positive = (value: unknown, fallback: number): number =>
    typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
  const input = Array.isArray(described.input) ? described.input.filter((kind) => kind === "text" || kind === "image") : [];
  return {
    id: described.id,
    name: typeof described.name === "string" ? described.name : described.id,
    api: template.api,
    provider: template.provider,
    baseUrl: template.baseUrl,
    reasoning: typeof described.reasoning === "boolean" ? described.reasoning : false,
    input: input.length > 0 ? input : ["text"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: positive(described.contextWindow, template.contextWindow),
    maxTokens: positive(described.maxTokens, template.maxTokens),
  };
}

function withoutHeaders(model: Model): Model {
  const { headers: _headers, ...rest } = model;
  return rest;
}

export function createBridgeServer(dependencies: BridgeServerDependencies): BridgeServer {
  const logger = dependencies.logger ?? silentLogger;
  const maxBodyBytes = dependencies.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const token = generateBridgeToken();
  const redact = (text: string): string => scrubSecrets(text, [token]);
  const running = new Set<RunningStream>();
  let server: Server | undefined;
  let port: number | undefined;
  let starting: Promise<{ url: string }> | undefined;
  let disposed = false;

  async function listModels(): Promise<Model[]> {
    return (await dependencies.listModels()).map(withoutHeaders);
  }

  async function resolveRequestModel(reference: ParsedStreamRequest["model"]): Promise<Model> {
    const resolved = dependencies.resolveModel ? await dependencies.resolveModel(reference.id) : undefined;
    if (resolved) return withoutHeaders(resolved);
    const catalog = await listModels();
    const known = catalog.find((model) => model.id === reference.id);
    if (known) return known;
    const template = catalog[0];
    if (reference.described && template) return describedModelWithoutRouting(reference.described, template);
    const ids = catalog.map((model) => model.id);
    const shown = ids.length > 20 ? `${ids.slice(0, 20).join(", ")}, ...` : ids.join(", ");
    throw new BridgeRequestError(400, `Unknown Kiro model "${reference.id}". Known models: ${shown || "(none)"}.`);
  }

  async function serveHealth(res: ServerResponse): Promise<void> {
    let signedIn = true;
    if (dependencies.isSignedIn) {
      try {
        signedIn = await dependencies.isSignedIn();
      } catch (error) {
        logger.warn(`bridge: could not tell whether Kiro is signed in: ${redact(describeError(error))}`);
        signedIn = false;
      }
    }
    sendJson(res, 200, { ok: true, signedIn, version: dependencies.version ?? "unknown", protocol: BRIDGE_PROTOCOL_VERSION });
  }

  async function serveModels(res: ServerResponse): Promise<void> {
    sendJson(res, 200, { models: await listModels() });
  }

  async function serveStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const contentType = req.headers["content-type"];
    if (contentType !== undefined && !/\bjson\b/i.test(contentType)) {
      sendJson(res, 415, { error: "Unsupported Content-Type: send the request body as application/json." }, { Connection: "close" });
      return;
    }
    const read = await readBody(req, maxBodyBytes);
    if (!read.ok) {
      // The rest of an oversized body is never read: the connection closes after this answer.
      sendJson(res, read.status, { error: read.message }, { Connection: "close" });
      return;
    }
    const parsed = parseStreamRequest(parseJsonBody(read.body));
    if (parsed.ignoredOptionKeys.length > 0) {
      logger.debug(`bridge: ignored client options ${parsed.ignoredOptionKeys.join(", ")} (the extension decides those)`);
    }
    const model = await resolveRequestModel(parsed.model);

    const controller = new AbortController();
    let requestStop!: () => void;
    const stopRequested = new Promise<"stopped">((resolve) => (requestStop = () => resolve("stopped")));
    // A stream that ignores its abort signal must not keep this handler waiting after the client left.
    const clientGone = new Promise<"closed">((resolve) => res.once("close", () => resolve("closed")));
    const finishedOrClosed = new Promise<void>((resolve) => {
      res.once("finish", resolve);
      res.once("close", resolve);
    });
    const entry: RunningStream = {
      stop: () => {
        controller.abort();
        requestStop();
      },
      settled: finishedOrClosed,
    };
    running.add(entry);
    const abortIfUnfinished = (): void => {
      if (!res.writableFinished && !controller.signal.aborted) {
        logger.debug(`bridge: client went away, aborting the ${model.id} request`);
        controller.abort();
      }
    };
    res.on("close", abortIfUnfinished);

    let finished = false;
    const write = async (event: AssistantMessageEvent): Promise<void> => {
      if (event.type === "done" || event.type === "error") finished = true;
      if (!res.write(toNdjsonLine(event))) await waitForDrainOrClose(res);
    };
    try {
      res.writeHead(200, { ...COMMON_HEADERS, "Content-Type": "application/x-ndjson; charset=utf-8" });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      const iterator = dependencies.stream(model, parsed.context, { ...parsed.options, signal: controller.signal })[Symbol.asyncIterator]();
      while (!finished && !res.destroyed) {
        // Earlier entries win when several have settled: a stop or a departed client beats a ready event.
        const next = await Promise.race([clientGone, stopRequested, iterator.next()]);
        if (next === "closed" || (typeof next === "object" && next.done)) break;
        if (next === "stopped") {
          await write(bridgeFailureEvent(model, "The Kiro bridge in VS Code stopped (window closed or extension reloaded) before the answer finished."));
          break;
        }
        await write(next.value);
      }
      if (!finished) void iterator.return?.()?.catch(() => undefined);
      if (!finished && !res.destroyed) {
        await write(bridgeFailureEvent(model, "The Kiro stream ended without a final event (bridge)."));
      }
    } catch (error) {
      const message = redact(describeError(error));
      logger.error(`bridge: stream for ${model.id} failed: ${message}`);
      if (!finished && !res.destroyed) await write(bridgeFailureEvent(model, `Kiro bridge error: ${message}`));
    } finally {
      if (!res.destroyed && !res.writableEnded) res.end();
      running.delete(entry);
      res.off("close", abortIfUnfinished);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let path = "(unparsable)";
    try {
      if (port === undefined || !isAllowedHost(req.headers.host, port)) {
        logger.warn("bridge: refused a request for a foreign Host (possible DNS rebinding)");
        sendJson(res, 403, { error: "Forbidden host: the Kiro bridge only answers 127.0.0.1 and localhost." }, { Connection: "close" });
        return;
      }
      if (!isAllowedOrigin(req.headers.origin, port)) {
        logger.warn("bridge: refused a request with a foreign Origin (a web page?)");
        sendJson(res, 403, { error: "Forbidden origin: the Kiro bridge does not answer web pages." }, { Connection: "close" });
        return;
      }
      const auth = checkAuthorization(req.headers.authorization, token);
      if (!auth.ok) {
        logger.warn(`bridge: refused a request: ${auth.status === 401 ? "no bearer token" : "wrong bearer token"}`);
        const headers: Record<string, string> = { Connection: "close" };
        if (auth.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="kiro-bridge"';
        sendJson(res, auth.status, { error: auth.message }, headers);
        return;
      }
      path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      const entry = ROUTES[path];
      if (!entry) {
        sendJson(res, 404, { error: `Not found: ${path}. The bridge serves POST /v1/stream, GET /v1/models, GET /v1/health.` });
        return;
      }
      if (req.method !== entry.method) {
        sendJson(res, 405, { error: `Method ${req.method ?? "?"} not allowed on ${path}; use ${entry.method}.` }, { Allow: entry.method });
        return;
      }
      if (entry.route === "health") await serveHealth(res);
      else if (entry.route === "models") await serveModels(res);
      else await serveStream(req, res);
    } catch (error) {
      if (error instanceof BridgeRequestError) {
        sendJson(res, error.status, { error: redact(error.message) });
      } else {
        logger.error(`bridge: ${path} failed: ${redact(describeError(error))}`);
        sendJson(res, 500, { error: `Kiro bridge internal error: ${redact(describeError(error))}` });
      }
    } finally {
      logger.debug(`bridge: ${req.method ?? "?"} ${path} ${res.statusCode} in ${Date.now() - started} ms`);
    }
  }

  function listen(): Promise<{ url: string }> {
    return new Promise((resolve, reject) => {
      const created = createServer((req, res) => {
        void handle(req, res);
      });
      created.once("error", reject);
      created.listen(0, "127.0.0.1", () => {
        created.off("error", reject);
        created.on("error", (error) => logger.error(`bridge: server error: ${describeError(error)}`));
        server = created;
        port = (created.address() as AddressInfo).port;
        const url = `http://127.0.0.1:${port}`;
        logger.info(`bridge: listening on ${url}`);
        resolve({ url });
      });
    });
  }

  return {
    token,
    get url() {
      return port === undefined ? undefined : `http://127.0.0.1:${port}`;
    },
    get activeStreams() {
      return running.size;
    },
    start() {
      if (disposed) return Promise.reject(new Error("The Kiro bridge has been disposed."));
      starting ??= listen().catch((error: unknown) => {
        starting = undefined;
        throw error;
      });
      return starting;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const stopping = [...running];
      for (const stream of stopping) stream.stop();
      const pending = starting;
      if (pending) await pending.catch(() => undefined);
      const current = server;
      if (!current) return;
      const closed = new Promise<void>((resolve) => current.close(() => resolve()));
      current.closeIdleConnections();
      // Let each cut-off client read why; a client that stopped reading must not hold dispose up.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(stopping.map((stream) => stream.settled)),
        new Promise<void>((resolve) => (grace = setTimeout(resolve, DISPOSE_GRACE_MS))),
      ]);
      clearTimeout(grace);
      current.closeAllConnections();
      await closed;
      logger.info("bridge: stopped");
    },
  };
}

/** Creates and starts a bridge in one go (scripts, benchmarks, tests). */
export async function startBridgeServer(dependencies: BridgeServerDependencies): Promise<BridgeServer> {
  const bridge = createBridgeServer(dependencies);
  await bridge.start();
  return bridge;
}
