// The loopback HTTP server that lets a pi process use the extension's Kiro session: token-gated, NDJSON stream events, abort on disconnect, bounded in what a client can make it hold.
// Over 300 lines: one request's lifecycle (limits, authorization, parsing, streaming, disconnects) that the security rules cut across; kept together so they read together.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { failedAnswer } from "../kiro/answer/failedAnswer";
import type { AssistantMessageEvent, Context, Model } from "../kiro/types";
import { scrubSecrets } from "../util/secrets";
import {
  BridgeRequestError,
  parseJsonBody,
  parseStreamRequest,
  readBody,
  type BridgeStreamOptions,
  type ParsedStreamRequest,
} from "./bridgeRequest";
import { checkAuthorization, generateBridgeToken, isAllowedHost, isAllowedOrigin } from "./bridgeSecurity";
import {
  BRIDGE_LISTEN_HOST,
  BRIDGE_PROTOCOL_VERSION,
  BRIDGE_ROUTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_REQUEST_JSON_NODES,
  STREAM_CONTENT_TYPE,
  bridgeUrl,
  encodeEventLine,
  isBridgeEventType,
  type BridgeErrorResponse,
  type BridgeHealthResponse,
  type BridgeModelsResponse,
  type BridgeRoute,
} from "./protocol";

/** What one bridge lets its clients cost the extension host. */
export interface BridgeServerLimits {
  /** Largest request body. */
  maxBodyBytes: number;
  /** Most JSON values in a request body, counted before it is parsed. */
  maxJsonNodes: number;
  /** Open connections; the ones beyond are closed at once. */
  maxConnections: number;
  /** Time from connecting to the end of the request headers; a connection that sends nothing is closed after it. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not the answer, which may stream for minutes). */
  requestTimeoutMs: number;
}

/**
 * Loopback clients send their headers at once and a 16 MB body in milliseconds, so seconds are plenty; Node's own
 * defaults (60 s headers, 300 s request, swept every 30 s) let 22,000 idle sockets pile up. Each pi process streams one
 * answer at a time over a connection or two, so 128 connections serve dozens of pi processes in one window.
 */
export const DEFAULT_BRIDGE_LIMITS: Readonly<BridgeServerLimits> = {
  maxBodyBytes: MAX_REQUEST_BODY_BYTES,
  maxJsonNodes: MAX_REQUEST_JSON_NODES,
  maxConnections: 128,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
};

/** How often Node checks the header and request timeouts (its default, 30 s, would let an idle socket live 35 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

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
  /** Tighter or looser limits than {@link DEFAULT_BRIDGE_LIMITS} (tests, benchmarks). */
  limits?: Partial<BridgeServerLimits>;
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

const ROUTES_BY_PATH: ReadonlyMap<string, { route: BridgeRoute; method: string }> = new Map(
  (Object.keys(BRIDGE_ROUTES) as BridgeRoute[]).map((route) => [BRIDGE_ROUTES[route].path, { route, method: BRIDGE_ROUTES[route].method }]),
);
const ROUTE_LIST = (Object.keys(BRIDGE_ROUTES) as BridgeRoute[]).map((route) => `${BRIDGE_ROUTES[route].method} ${BRIDGE_ROUTES[route].path}`).join(", ");

/** The final `error` event the bridge sends itself when the stream function broke its never-throw contract or was cut off. */
function bridgeFailureEvent(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string): AssistantMessageEvent {
  return { type: "error", reason: "error", error: failedAnswer(model, errorMessage) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An answer sent before the request body was read must close the connection: on a kept-alive connection Node reads
 * and discards the rest of the body (up to the client's whole upload) to reach the next request.
 */
const CLOSE = { Connection: "close" } as const;

function hasUnreadBody(req: IncomingMessage): boolean {
  return !req.complete && (req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0);
}

function sendJson(res: ServerResponse, status: number, body: BridgeErrorResponse | BridgeHealthResponse | BridgeModelsResponse, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    // Any answer (to a GET that came with a body, say) given while part of the request body is still unread.
    ...(hasUnreadBody(res.req) ? CLOSE : {}),
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
  const limits: BridgeServerLimits = { ...DEFAULT_BRIDGE_LIMITS, ...dependencies.limits };
  const token = generateBridgeToken();
  const redact = (text: string): string => scrubSecrets(text, [token]);
  const running = new Set<RunningStream>();
  /** Event types a stream produced that the protocol does not list, each logged once (the stream contract grew). */
  const unknownEventTypes = new Set<string>();
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
      sendJson(res, 415, { error: "Unsupported Content-Type: send the request body as application/json." }, CLOSE);
      return;
    }
    const read = await readBody(req, { maxBytes: limits.maxBodyBytes, maxJsonNodes: limits.maxJsonNodes });
    if (!read.ok) {
      sendJson(res, read.status, { error: read.message }, CLOSE);
      return;
    }
    const parsed = parseStreamRequest(parseJsonBody(read.body));
    if (parsed.ignoredOptionKeys.length > 0) {
      logger.debug(`bridge: ignored client options ${parsed.ignoredOptionKeys.join(", ")} (the extension decides those)`);
    }
    const model = await resolveRequestModel(parsed.model);

    const controller = new AbortController();
    /**
     * Why the loop must stop early, and the one waiter to wake when it does. Each wait gets a fresh promise and this
     * slot is overwritten: racing every `next()` against two long-lived promises instead added a reaction to each of
     * them per event, ~0.5 KB kept until the answer ended (+476 MB over a million events).
     */
    let interruption: "closed" | "stopped" | undefined;
    let wake: ((reason: "closed" | "stopped") => void) | undefined;
    const interrupt = (reason: "closed" | "stopped"): void => {
      interruption ??= reason;
      wake?.(interruption);
    };
    const finishedOrClosed = new Promise<void>((resolve) => {
      res.once("finish", resolve);
      res.once("close", resolve);
    });
    const entry: RunningStream = {
      stop: () => {
        controller.abort();
        interrupt("stopped");
      },
      settled: finishedOrClosed,
    };
    running.add(entry);
    const onClose = (): void => {
      if (!res.writableFinished && !controller.signal.aborted) {
        logger.debug(`bridge: client went away, aborting the ${model.id} request`);
        controller.abort();
      }
      // A stream that ignores its abort signal must not keep this handler waiting after the client left.
      interrupt("closed");
    };
    res.on("close", onClose);

    let finished = false;
    const write = async (event: AssistantMessageEvent): Promise<void> => {
      if (event.type === "done" || event.type === "error") finished = true;
      else if (!isBridgeEventType(event.type) && !unknownEventTypes.has(event.type)) {
        unknownEventTypes.add(event.type);
        logger.warn(`bridge: the stream produced event type "${String(event.type)}", which bridge protocol ${BRIDGE_PROTOCOL_VERSION} does not list; sent on as is`);
      }
      if (!res.write(encodeEventLine(event))) await waitForDrainOrClose(res);
    };
    const nextOrInterruption = (iterator: AsyncIterator<AssistantMessageEvent>): Promise<IteratorResult<AssistantMessageEvent> | "closed" | "stopped"> =>
      new Promise((resolve, reject) => {
        wake = resolve;
        iterator.next().then(resolve, reject);
      });
    try {
      res.writeHead(200, { ...COMMON_HEADERS, "Content-Type": `${STREAM_CONTENT_TYPE}; charset=utf-8` });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      const iterator = dependencies.stream(model, parsed.context, { ...parsed.options, signal: controller.signal })[Symbol.asyncIterator]();
      while (!finished && !res.destroyed && interruption === undefined) {
        const next = await nextOrInterruption(iterator);
        wake = undefined;
        // A stop or a departed client beats an event that became ready at the same time.
        if (interruption !== undefined || typeof next !== "object" || next.done) break;
        await write(next.value);
      }
      if (interruption === "stopped" && !finished && !res.destroyed) {
        await write(bridgeFailureEvent(model, "The Kiro bridge in VS Code stopped (window closed or extension reloaded) before the answer finished."));
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
      wake = undefined;
      if (!res.destroyed && !res.writableEnded) res.end();
      running.delete(entry);
      res.off("close", onClose);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let path = "(unparsable)";
    try {
      if (port === undefined || !isAllowedHost(req.headers.host, port)) {
        logger.warn("bridge: refused a request for a foreign Host (possible DNS rebinding)");
        sendJson(res, 403, { error: "Forbidden host: the Kiro bridge only answers 127.0.0.1 and localhost." }, CLOSE);
        return;
      }
      if (!isAllowedOrigin(req.headers.origin, port)) {
        logger.warn("bridge: refused a request with a foreign Origin (a web page?)");
        sendJson(res, 403, { error: "Forbidden origin: the Kiro bridge does not answer web pages." }, CLOSE);
        return;
      }
      const auth = checkAuthorization(req.headers.authorization, token);
      if (!auth.ok) {
        logger.warn(`bridge: refused a request: ${auth.status === 401 ? "no bearer token" : "wrong bearer token"}`);
        const headers: Record<string, string> = { ...CLOSE };
        if (auth.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="kiro-bridge"';
        sendJson(res, auth.status, { error: auth.message }, headers);
        return;
      }
      path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      const entry = ROUTES_BY_PATH.get(path);
      if (!entry) {
        sendJson(res, 404, { error: `Not found: ${path}. The bridge serves ${ROUTE_LIST}.` }, CLOSE);
        return;
      }
      if (req.method !== entry.method) {
        sendJson(res, 405, { error: `Method ${req.method ?? "?"} not allowed on ${path}; use ${entry.method}.` }, { ...CLOSE, Allow: entry.method });
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
      const created = createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
        },
        (req, res) => {
          void handle(req, res);
        },
      );
      created.maxConnections = limits.maxConnections;
      created.once("error", reject);
      created.listen(0, BRIDGE_LISTEN_HOST, () => {
        created.off("error", reject);
        created.on("error", (error) => logger.error(`bridge: server error: ${describeError(error)}`));
        server = created;
        port = (created.address() as AddressInfo).port;
        const url = bridgeUrl(port);
        logger.info(`bridge: listening on ${url}`);
        resolve({ url });
      });
    });
  }

  return {
    token,
    get url() {
      return port === undefined ? undefined : bridgeUrl(port);
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
