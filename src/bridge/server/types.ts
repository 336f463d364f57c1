// The contract between the bridge server and the wire formats it serves (src/bridge/pi/, src/bridge/anthropic/, ...): what the window gives the server, what a route gets for one request, and what a wire format gives the server.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AssistantMessageEvent, Context, Model, ThinkingBudgets, ThinkingLevel } from "../../kiro/types";

/** What a client may influence besides model and context; where and as whom the request goes stays with the extension. */
export interface BridgeAnswerOptions {
  reasoning?: ThinkingLevel | "off";
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
  sessionId?: string;
}

/** What the stream function gets besides model and context: the client's whitelisted options and the request's abort signal. */
export interface BridgeStreamOptions extends BridgeAnswerOptions {
  /** Aborted when the bridge client disconnects or the bridge is disposed. */
  signal: AbortSignal;
}

/**
 * Streams one answer. The extension's implementation closes over its current session and settings
 * (access token source, region, endpoint), so sign-in changes reach running clients at once.
 * Like pi-ai's stream functions it should never throw; the bridge copes if it does.
 */
export type BridgeStreamFunction = (model: Model, context: Context, options: BridgeStreamOptions) => AsyncIterable<AssistantMessageEvent>;

/** Structurally a VS Code LogOutputChannel, so the extension can pass its channel straight in. */
export interface BridgeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** What one bridge lets its clients cost the extension host. */
export interface BridgeServerLimits {
  /** Largest request body. */
  maxBodyBytes: number;
  /** Most JSON values in a request body, counted before it is parsed. */
  maxJsonNodes: number;
  /** Bytes all request bodies being read may hold together; a body that would go beyond is refused with 503. */
  maxBufferedBodyBytes: number;
  /** Connections whose requests passed the token check; a request that would open one more is refused with 503. */
  maxConnections: number;
  /** Connections that have not passed the token check (yet); a new one beyond evicts the oldest. */
  maxUnauthenticatedConnections: number;
  /** How long a connection that has not passed the token check may stay idle before it is closed. */
  unauthenticatedIdleMs: number;
  /** Time from connecting to the end of the request headers; a connection that sends nothing is closed after it. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not the answer, which may stream for minutes). */
  requestTimeoutMs: number;
}

export interface BridgeServerDependencies {
  stream: BridgeStreamFunction;
  /** The window's model catalog (GET /v1/models of every wire format). */
  listModels: () => Model[] | Promise<Model[]>;
  /** Maps a requested id (or alias) to the extension's model; defaults to an exact id match in `listModels()`. */
  resolveModel?: (id: string) => Model | undefined | Promise<Model | undefined>;
  /** Reported by GET /v1/health; defaults to true (the stream function owns the session). */
  isSignedIn?: () => boolean | Promise<boolean>;
  /** Reported by GET /v1/health, normally the extension's version. */
  version?: string;
  logger?: BridgeLogger;
  /** Tighter or looser limits than the defaults (tests, benchmarks). */
  limits?: Partial<BridgeServerLimits>;
  /** At most one warning per kind of refused request in this time (default src/bridge/server/refusalLog.ts). */
  refusalLogIntervalMs?: number;
  /** The wire formats served; defaults to every one in src/bridge/apis.ts. */
  apis?: readonly BridgeApiFactory[];
  /**
   * Whether a streamed answer's events of one event-loop turn go to the socket as one write (default true; the first
   * after a pause at once). Off only for the bench, which measures both in one run.
   */
  coalesceWrites?: boolean;
}

/** The window's side of every route, with the defaults filled in; models never carry headers. */
export interface BridgeServices {
  stream: BridgeStreamFunction;
  listModels(): Promise<Model[]>;
  /** The model for an id or alias, undefined when the window knows none by it. */
  resolveModel(id: string): Promise<Model | undefined>;
  isSignedIn(): Promise<boolean>;
  version: string;
}

/**
 * What an encoder writes for one event: text, or pieces of it in order where a long run is already UTF-8 (an answer's
 * whole text, which the Responses format's closing events repeat, encoded once for all of them; see
 * src/bridge/server/jsonReuse.ts).
 */
export type EncodedEvent = string | readonly (string | Uint8Array)[];

/** How one wire format writes a streamed answer; one instance per request (it may keep state, like block indices). */
export interface AnswerEncoder {
  /** The response's Content-Type. */
  contentType: string;
  /** Bytes to write for one stream event ("" writes nothing); the bridge's own failures come as `error` events too. */
  encode(event: AssistantMessageEvent): EncodedEvent;
  /** Written every `everyMs` while the answer streams, so a client's idle timer never fires while Kiro thinks. */
  keepAlive?: { everyMs: number; text(): string };
  /**
   * Answers a failure that comes before any byte was written with a status of its own instead (the 400 or 429 an
   * agent acts on); undefined streams it like any event. With it, the status waits for the encoder's first bytes.
   */
  refuse?(event: Extract<AssistantMessageEvent, { type: "error" }>): { status: number; body: unknown; headers?: Record<string, string> } | undefined;
}

/** One answer to produce for a route. */
export interface AnswerRequest {
  model: Model;
  context: Context;
  options: BridgeAnswerOptions;
}

/** The final event of an answer (`done` or `error`). */
export type FinalAnswerEvent = Extract<AssistantMessageEvent, { type: "done" | "error" }>;

/** One request as a route sees it, after the server's Host, Origin and token checks passed. */
export interface BridgeExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request URL (path and query). */
  readonly url: URL;
  readonly services: BridgeServices;
  readonly logger: BridgeLogger;
  /** Removes the bridge token (and other secrets) from text before it is logged or sent. */
  redact(text: string): string;
  /** The body as JSON, within the server's size and structure limits; throws BridgeRequestError (415, 413, 400). */
  readJson(): Promise<unknown>;
  /** A complete JSON answer. */
  sendJson(status: number, body: unknown, headers?: Record<string, string>): void;
  /**
   * Streams an answer in the encoder's format under the server's rules: abort on disconnect, stop on dispose,
   * back-pressure, keep-alives, and a final failure when the stream function throws or ends without a final event.
   */
  streamAnswer(request: AnswerRequest, encoder: AnswerEncoder): Promise<void>;
  /** Runs an answer to its end without streaming it (aborted when the client leaves or the bridge stops); never rejects. */
  completeAnswer(request: AnswerRequest): Promise<FinalAnswerEvent>;
}

export type BridgeMethod = "GET" | "POST" | "HEAD";

export interface BridgeRoute {
  method: BridgeMethod;
  /** Matched exactly against the request path; the query string is the handler's to read or ignore. */
  path: string;
  /**
   * When several wire formats serve one path (`GET /v1/models`), whether this request is theirs (an `anthropic-version`
   * header, say). Routes with a test are tried before the one without, which serves everybody else.
   */
  accepts?(req: IncomingMessage): boolean;
  handle(exchange: BridgeExchange): Promise<void>;
}

/** One wire format: its routes, and how it words an error (the server's own refusals included). */
export interface BridgeApi {
  /** For logs and the 404 listing ("pi", "anthropic", ...). */
  name: string;
  routes: readonly BridgeRoute[];
  /** The JSON body of an error answer in this format's envelope. */
  errorBody(status: number, message: string): unknown;
}

/** Builds a wire format for one server (state such as "warned once" lives in its closure). */
export type BridgeApiFactory = () => BridgeApi;
