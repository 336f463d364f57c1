// The loopback HTTP server under every wire format the bridge speaks: Host, Origin and token checks, body limits, connection limits and timeouts once; then the route table of src/bridge/apis.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Model } from "../../kiro/types";
import { scrubSecrets } from "../../util/secrets";
import { BRIDGE_APIS } from "../apis";
import { BRIDGE_LISTEN_HOST, bridgeUrl } from "./address";
import { completeAnswer, streamAnswer, type RunningAnswer } from "./answerStream";
import { CLOSE, describeError, sendJson } from "./respond";
import { BridgeRequestError, MAX_BUFFERED_BODY_BYTES, MAX_REQUEST_BODY_BYTES, MAX_REQUEST_JSON_NODES, createBodyBudget, parseJsonBody, readBody } from "./body";
import { createConnectionGate } from "./connections";
import { createRefusalLog } from "./refusalLog";
import { BRIDGE_PROOF_NONCE_HEADER, BRIDGE_PROOF_PATH, bridgeProof, checkAuthorization, generateBridgeToken, isAllowedHost, isAllowedOrigin, isBridgeNonce } from "./security";
import type { BridgeApi, BridgeExchange, BridgeLogger, BridgeRoute, BridgeServerDependencies, BridgeServerLimits, BridgeServices } from "./types";

/**
 * Loopback clients send their headers at once and a 16 MB body in milliseconds, so seconds are plenty; Node's own
 * defaults (60 s headers, 300 s request, swept every 30 s) let 22,000 idle sockets pile up. Each client process streams one
 * answer at a time over a connection or two, so 128 connections serve dozens of agent processes in one window. Sockets
 * that have not shown the token live in a pool of their own (src/bridge/server/connections.ts), 3 s idle at most.
 */
export const DEFAULT_BRIDGE_LIMITS: Readonly<BridgeServerLimits> = {
  maxBodyBytes: MAX_REQUEST_BODY_BYTES,
  maxJsonNodes: MAX_REQUEST_JSON_NODES,
  maxBufferedBodyBytes: MAX_BUFFERED_BODY_BYTES,
  maxConnections: 128,
  maxUnauthenticatedConnections: 512,
  unauthenticatedIdleMs: 3_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
};

/** How often Node checks the header and request timeouts (its default, 30 s, would let an idle socket live 35 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export interface BridgeServer {
  /** The token clients must send; give it only to processes you trust (e.g. as KIRO_BRIDGE_TOKEN in your own terminals). */
  readonly token: string;
  /** `http://127.0.0.1:<port>` once started, undefined before. */
  readonly url: string | undefined;
  /** Answers currently being served. */
  readonly activeStreams: number;
  /** Starts listening on a random loopback port; calling it again returns the same server. */
  start(): Promise<{ url: string }>;
  /** Aborts every running answer and stops listening; the server cannot be started again. */
  dispose(): Promise<void>;
}

/** How long dispose waits for stopped streams to flush their last bytes before cutting connections. */
const DISPOSE_GRACE_MS = 2000;

const silentLogger: BridgeLogger = { info() {}, warn() {}, error() {}, debug() {} };

function withoutHeaders(model: Model): Model {
  const { headers: _headers, ...rest } = model;
  return rest;
}

/** The routes of every wire format by path, those with an `accepts` test first, so the untested one serves everyone else. */
interface RouteEntry {
  api: BridgeApi;
  route: BridgeRoute;
}

function routeTable(apis: readonly BridgeApi[]): Map<string, RouteEntry[]> {
  const table = new Map<string, RouteEntry[]>();
  for (const api of apis) {
    for (const route of api.routes) {
      const entries = table.get(route.path) ?? [];
      entries.push({ api, route });
      table.set(route.path, entries);
    }
  }
  for (const entries of table.values()) entries.sort((a, b) => Number(b.route.accepts !== undefined) - Number(a.route.accepts !== undefined));
  return table;
}

/** The route for this request, or why there is none (the 404 and 405 answers). */
function findRoute(table: Map<string, RouteEntry[]>, req: IncomingMessage, path: string): RouteEntry | { missing: "path" | "method"; allow?: string; api?: BridgeApi } {
  const entries = table.get(path);
  if (!entries) return { missing: "path" };
  const forClient = entries.filter((entry) => entry.route.accepts?.(req) ?? true);
  const matched = forClient.find((entry) => entry.route.method === req.method) ?? entries.find((entry) => !entry.route.accepts && entry.route.method === req.method);
  if (matched) return matched;
  const allow = [...new Set(entries.map((entry) => entry.route.method))].join(", ");
  return { missing: "method", allow, api: (forClient[0] ?? entries[0])!.api };
}

export function createBridgeServer(dependencies: BridgeServerDependencies): BridgeServer {
  const logger = dependencies.logger ?? silentLogger;
  const limits: BridgeServerLimits = { ...DEFAULT_BRIDGE_LIMITS, ...dependencies.limits };
  const token = generateBridgeToken();
  const budget = createBodyBudget(limits.maxBufferedBodyBytes);
  const gate = createConnectionGate(limits);
  const warnRefused = createRefusalLog(logger, dependencies.refusalLogIntervalMs);
  const redact = (text: string): string => scrubSecrets(text, [token]);
  const running = new Set<RunningAnswer>();
  const apis = (dependencies.apis ?? BRIDGE_APIS).map((build) => build());
  const table = routeTable(apis);
  const fallbackApi = apis[0]!;
  const routeList = [...table.entries()].map(([path, entries]) => `${[...new Set(entries.map((entry) => entry.route.method))].join("/")} ${path}`).join(", ");
  let server: Server | undefined;
  let port: number | undefined;
  let starting: Promise<{ url: string }> | undefined;
  let disposed = false;

  const services: BridgeServices = {
    stream: dependencies.stream,
    listModels: async () => (await dependencies.listModels()).map(withoutHeaders),
    resolveModel: async (id) => {
      const resolved = dependencies.resolveModel ? await dependencies.resolveModel(id) : undefined;
      if (resolved) return withoutHeaders(resolved);
      return (await services.listModels()).find((model) => model.id === id);
    },
    isSignedIn: async () => {
      if (!dependencies.isSignedIn) return true;
      try {
        return await dependencies.isSignedIn();
      } catch (error) {
        logger.warn(`bridge: could not tell whether Kiro is signed in: ${redact(describeError(error))}`);
        return false;
      }
    },
    version: dependencies.version ?? "unknown",
  };

  function exchangeFor(req: IncomingMessage, res: ServerResponse, url: URL): BridgeExchange {
    const setup = { res, stream: services.stream, logger, redact, running, coalesce: dependencies.coalesceWrites !== false };
    return {
      req,
      res,
      url,
      services,
      logger,
      redact,
      async readJson() {
        const contentType = req.headers["content-type"];
        if (contentType !== undefined && !/\bjson\b/i.test(contentType)) {
          throw new BridgeRequestError(415, "Unsupported Content-Type: send the request body as application/json.", CLOSE);
        }
        const read = await readBody(req, { maxBytes: limits.maxBodyBytes, maxJsonNodes: limits.maxJsonNodes, budget });
        if (!read.ok) {
          warnRefused(`body ${read.status}`, `bridge: refused a request body: ${read.message}`);
          throw new BridgeRequestError(read.status, read.message, read.status === 503 ? { ...CLOSE, "Retry-After": "1" } : CLOSE);
        }
        try {
          return parseJsonBody(read.body);
        } finally {
          read.release();
        }
      },
      sendJson: (status, body, headers) => sendJson(res, status, body, headers),
      streamAnswer: (request, encoder) => streamAnswer(setup, request, encoder),
      completeAnswer: (request) => completeAnswer(setup, request),
    };
  }

  /**
   * The proof a client asks for before it sends the token or a conversation (docs/architecture.md, the bridge): an
   * HMAC under the token over the client's nonce. It is answered on the connection the client then sends its request on.
   */
  function answerProof(req: IncomingMessage, res: ServerResponse): void {
    const nonce = req.headers[BRIDGE_PROOF_NONCE_HEADER];
    if (req.method !== "GET" || !isBridgeNonce(typeof nonce === "string" ? nonce : undefined)) {
      warnRefused("proof", "bridge: refused a malformed proof request");
      sendJson(res, 400, fallbackApi.errorBody(400, `Send GET ${BRIDGE_PROOF_PATH} with a 32-byte base64url ${BRIDGE_PROOF_NONCE_HEADER} header.`), CLOSE);
      return;
    }
    sendJson(res, 200, { proof: bridgeProof(token, nonce as string) });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let path = "(unparsable)";
    // Until a route is found, refusals speak the first format's envelope (the pi protocol's `{error}`).
    let api = fallbackApi;
    const refuse = (status: number, message: string, headers: Record<string, string> = {}): void => sendJson(res, status, api.errorBody(status, message), headers);
    try {
      let url: URL | undefined;
      try {
        url = new URL(req.url ?? "/", "http://127.0.0.1");
        path = url.pathname;
      } catch {
        url = undefined;
      }
      const found = url ? findRoute(table, req, path) : ({ missing: "path" } as const);
      if ("api" in found && found.api) api = found.api;
      if (port === undefined || !isAllowedHost(req.headers.host, port)) {
        warnRefused("host", "bridge: refused a request for a foreign Host (possible DNS rebinding)");
        refuse(403, "Forbidden host: the Kiro bridge only answers 127.0.0.1 and localhost.", CLOSE);
        return;
      }
      if (!isAllowedOrigin(req.headers.origin, port)) {
        warnRefused("origin", "bridge: refused a request with a foreign Origin (a web page?)");
        refuse(403, "Forbidden origin: the Kiro bridge does not answer web pages.", CLOSE);
        return;
      }
      if (path === BRIDGE_PROOF_PATH) {
        answerProof(req, res);
        return;
      }
      const apiKey = req.headers["x-api-key"];
      const auth = checkAuthorization(req.headers.authorization, token, Array.isArray(apiKey) ? apiKey[0] : apiKey);
      if (!auth.ok) {
        const reason = auth.status === 401 ? "no token" : "wrong token";
        warnRefused(reason, `bridge: refused a request: ${reason}`);
        const headers: Record<string, string> = { ...CLOSE };
        if (auth.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="kiro-bridge"';
        refuse(auth.status, auth.message, headers);
        return;
      }
      if (!gate.authenticate(req.socket)) {
        warnRefused("connections", `bridge: refused a request: all ${limits.maxConnections} connections are in use`);
        refuse(503, `The Kiro bridge is serving ${limits.maxConnections} connections already; try again in a moment.`, { ...CLOSE, "Retry-After": "1" });
        return;
      }
      if (!url || "missing" in found) {
        if ("missing" in found && found.missing === "method") {
          refuse(405, `Method ${req.method ?? "?"} not allowed on ${path}; use ${found.allow}.`, { ...CLOSE, Allow: found.allow ?? "" });
        } else {
          refuse(404, `Not found: ${path}. The bridge serves ${routeList}.`, CLOSE);
        }
        return;
      }
      await found.route.handle(exchangeFor(req, res, url));
    } catch (error) {
      if (error instanceof BridgeRequestError) {
        refuse(error.status, redact(error.message), { ...error.headers });
      } else {
        logger.error(`bridge: ${path} failed: ${redact(describeError(error))}`);
        refuse(500, `Kiro bridge internal error: ${redact(describeError(error))}`);
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
      created.on("connection", (socket: Socket) => gate.admit(socket));
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
