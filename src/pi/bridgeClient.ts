// Streams through the VS Code extension's loopback bridge when pi runs in a terminal that extension opened (KIRO_BRIDGE_URL + KIRO_BRIDGE_TOKEN); the wire format is src/bridge/pi/protocol.ts.
// One file, over 300 lines: it is one request's lifecycle (URL check, body limits, NDJSON reading, replay, errors), and none of its pieces serves anything else.
import {
  BRIDGE_ROUTES,
  BRIDGE_TOKEN_ENV,
  BRIDGE_URL_ENV,
  JsonStructureCounter,
  MAX_REQUEST_BODY_BYTES,
  MAX_REQUEST_JSON_NODES,
  STREAM_CONTENT_TYPE,
  authorizationHeader,
  CLOSING_TEXT_FROM_DELTAS,
  CLOSING_TEXT_HEADER,
  decodeEventLine,
  loopbackBridgeProblem,
  type BridgeStreamRequest,
  type BridgeStreamRequestOptions,
} from "../bridge/pi/protocol";
import type { IncomingMessage } from "node:http";
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "../kiro/answer/eventStream";
import { EventReplay } from "../kiro/answer/eventReplay";
import { findModel } from "../kiro/catalog/models";
import type { KiroModelInfo } from "../kiro/catalog/modelInfo";
import type { AssistantMessage, Context, ImageContent, Message, Model, TextContent } from "../kiro/types";
import { emptyUsage } from "../kiro/types";
import { BridgeNotProvenError, ProvenConnectionLostError, proveBridge, type BridgeRequestInit, type ProvenBridge } from "./bridgeConnection";

export interface BridgeConfig {
  /** e.g. `http://127.0.0.1:51234`, without a trailing slash. */
  url: string;
  token: string;
}

/** The bridge when both variables are set; half a configuration is treated as none (direct mode). */
export function bridgeConfigFromEnv(env: Record<string, string | undefined> = process.env): BridgeConfig | undefined {
  const url = env[BRIDGE_URL_ENV]?.trim();
  const token = env[BRIDGE_TOKEN_ENV]?.trim();
  if (!url || !token) return undefined;
  return { url: url.replace(/\/+$/, ""), token };
}

/** Where the client reports what it skipped; pi gives extensions no log, so by default one line goes to stderr. */
export interface BridgeClientLog {
  warn(message: string): void;
}

export interface BridgeClientOptions extends BridgeStreamRequestOptions {
  signal?: AbortSignal;
  log?: BridgeClientLog;
}

/** Each warning once per pi process: a version mismatch would otherwise repeat it for every answer. */
const warnedOnce = new Set<string>();
const stderrLog: BridgeClientLog = {
  warn(message) {
    if (warnedOnce.has(message)) return;
    warnedOnce.add(message);
    process.stderr.write(`kiro: ${message}\n`);
  },
};

/** The bridge URL as messages show it: scheme, host and path, never a user name or password someone put in it. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Why the token must not go to this URL, if it must not: `KIRO_BRIDGE_URL` comes from the environment, which anything
 * that starts pi can set, and the bearer token would go with every request.
 */
function refusedUrl(bridge: BridgeConfig): string | undefined {
  const problem = loopbackBridgeProblem(bridge.url);
  if (!problem) return undefined;
  return (
    `${BRIDGE_URL_ENV} is "${shownUrl(bridge.url)}", which is not a Kiro bridge on this machine (${problem}). The bridge token is only sent to ` +
    `http://127.0.0.1:<port> or http://localhost:<port>, as VS Code sets it in its terminals. Open pi from a VS Code terminal, ` +
    `or unset ${BRIDGE_URL_ENV} and ${BRIDGE_TOKEN_ENV} to use Kiro directly.`
  );
}

/** What pi says when the server at the URL did not prove it is the window's bridge; nothing but a nonce went to it. */
export function notProvenMessage(url: string, reason: string): string {
  return (
    `The Kiro bridge at ${shownUrl(url)} did not prove it belongs to this VS Code window (${reason}), so pi sent it neither the bridge token nor the conversation. ` +
    `After the window was closed or reloaded, another program may listen on its old port. Open pi again from a new terminal of the VS Code window ` +
    `(or run "Kiro: Open pi in Terminal"); if that does not help, reload the window.`
  );
}

/**
 * Proves the bridge and sends one request on the proven connection (src/pi/bridgeConnection.ts). If that connection
 * closes after the proof (nothing but the nonce was sent on it), a new one is proven once. The caller closes it.
 */
async function provenRequest(bridge: BridgeConfig, path: string, init: BridgeRequestInit): Promise<{ connection: ProvenBridge; response: IncomingMessage }> {
  for (let attempt = 1; ; attempt++) {
    let connection: ProvenBridge | undefined;
    try {
      connection = await proveBridge(bridge.url, bridge.token, init.signal);
      return { connection, response: await connection.request(path, init) };
    } catch (error) {
      connection?.close();
      if (!(error instanceof ProvenConnectionLostError) || attempt >= 2) throw error;
    }
  }
}

/** The message for a request that got no answer: aborted, not proven, or nobody there. */
function unansweredMessage(error: unknown, bridge: BridgeConfig): string {
  if (error instanceof BridgeNotProvenError) return notProvenMessage(bridge.url, error.reason);
  if (error instanceof ProvenConnectionLostError) return `The connection to the Kiro bridge at ${shownUrl(bridge.url)} closed twice before the request could be sent; nothing was sent. Try again.`;
  return closedWindowMessage(bridge.url);
}

const MB = 1024 * 1024;
const megabytes = (bytes: number): string => `${Math.round(bytes / MB)} MB`;

function imageLeftOut(image: ImageContent): TextContent {
  return {
    type: "text",
    text: `[An image (${image.mimeType || "unknown type"}) was left out here to keep the conversation within the Kiro bridge's ${megabytes(MAX_REQUEST_BODY_BYTES)}; Kiro only gets the newest part of a long conversation.]`,
  };
}

/** Index of the first message of the newest turn: everything after the last assistant message (the turn Kiro must get whole). */
function newestTurnStart(messages: readonly Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "assistant") return i + 1;
  return 0;
}

/**
 * The context with images of older turns replaced by a note, oldest first, until about `excess` bytes are saved.
 * The extension trims history from the oldest end to Kiro's ~5 MB anyway, so with this limit far above that, what is
 * left out here would not have reached Kiro (pi's sessionId keeps the conversation id the same).
 */
function withoutOldestImages(context: Context, excess: number): Context | undefined {
  const messages = [...context.messages];
  const protectedFrom = newestTurnStart(messages);
  let saved = 0;
  for (let i = 0; i < protectedFrom && saved < excess; i++) {
    const message = messages[i]!;
    if (message.role === "assistant" || !Array.isArray(message.content) || !message.content.some((block) => block?.type === "image")) continue;
    const content = message.content.map((block) => {
      if (saved >= excess || block?.type !== "image") return block;
      const note = imageLeftOut(block);
      saved += Buffer.byteLength(JSON.stringify(block)) - Buffer.byteLength(JSON.stringify(note));
      return note;
    });
    messages[i] = { ...message, content } as Message;
  }
  return saved > 0 ? { ...context, messages } : undefined;
}

type EncodedRequest = { ok: true; body: Buffer } | { ok: false; problem: string };

/** The `POST /v1/stream` body within the bridge's limits, or what the user can do when it cannot be. */
function encodeStreamRequest(request: BridgeStreamRequest): EncodedRequest {
  let body = Buffer.from(JSON.stringify(request));
  if (body.length > MAX_REQUEST_BODY_BYTES) {
    const fitted = withoutOldestImages(request.context, body.length - MAX_REQUEST_BODY_BYTES);
    if (fitted) body = Buffer.from(JSON.stringify({ ...request, context: fitted }));
  }
  if (body.length > MAX_REQUEST_BODY_BYTES) {
    const messages = request.context.messages;
    const newest = Buffer.byteLength(JSON.stringify(messages.slice(newestTurnStart(messages))));
    if (newest > MAX_REQUEST_BODY_BYTES) {
      return {
        ok: false,
        problem: `The newest message is ${megabytes(newest)} with its images, more than the Kiro bridge takes (${megabytes(MAX_REQUEST_BODY_BYTES)}). Send it again with fewer or smaller images.`,
      };
    }
    return {
      ok: false,
      problem: `The conversation is ${megabytes(body.length)} even without its older images, more than the Kiro bridge takes (${megabytes(MAX_REQUEST_BODY_BYTES)}). Run /compact to shorten it, or start a new session with /new.`,
    };
  }
  const nodes = new JsonStructureCounter().push(body);
  if (nodes > MAX_REQUEST_JSON_NODES) {
    return {
      ok: false,
      problem: `The conversation has too many parts for the Kiro bridge (${nodes.toLocaleString("en-US")} JSON values; it takes at most ${MAX_REQUEST_JSON_NODES.toLocaleString("en-US")}). Run /compact to shorten it, or start a new session with /new.`,
    };
  }
  return { ok: true, body };
}

function closedWindowMessage(url: string): string {
  return (
    `Cannot reach the Kiro bridge at ${url}: the VS Code window that started this terminal was closed, or its Kiro extension stopped. ` +
    `Open a new terminal from VS Code (or run "Kiro: Open pi in Terminal"), or set KIRO_ACCESS_TOKEN to use Kiro without VS Code.`
  );
}

/** The bridge's own error text, when it sent one (`{"error": "..."}` or `{"message": "..."}`), without echoing arbitrary bodies at length. */
async function bridgeErrorDetail(response: IncomingMessage): Promise<string | undefined> {
  try {
    const text = (await readText(response, 64 * 1024)).trim();
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
      const detail = typeof parsed.error === "string" ? parsed.error : typeof parsed.message === "string" ? parsed.message : undefined;
      if (detail) return detail.slice(0, 500);
    } catch {
      // not JSON: fall through to the text itself
    }
    return text.slice(0, 300);
  } catch {
    return undefined;
  }
}

/** The body as text, at most `maxBytes` of it. */
async function readText(response: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    if (size >= maxBytes) continue;
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    size += chunk.byteLength;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
}

const isSuccess = (response: IncomingMessage): boolean => (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300;

export function httpErrorMessage(status: number, detail: string | undefined): string {
  const suffix = detail ? ` ${detail}` : "";
  if (status === 401 || status === 403) {
    return (
      `The Kiro bridge in VS Code refused this terminal (HTTP ${status}). Its token belongs to an earlier VS Code session: ` +
      `open a new terminal from VS Code so it gets the current one.${suffix}`
    );
  }
  if (status === 404) return `The Kiro bridge does not know this request (HTTP 404); the VS Code extension may be older than this pi extension.${suffix}`;
  if (status === 413) return `The conversation is too large for the Kiro bridge (HTTP 413).${suffix}`;
  if (status >= 500) return `The Kiro bridge in VS Code failed (HTTP ${status}).${suffix}`;
  return `The Kiro bridge rejected the request (HTTP ${status}).${suffix}`;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === "AbortError");
}

/**
 * Splits a byte stream into lines, across chunk boundaries: each chunk's whole lines at once, so reading an answer of
 * tens of thousands of lines costs no promise hop per line (an async generator's `yield` costs several).
 */
class LineSplitter {
  private readonly decoder = new TextDecoder();
  // Pieces of the line still being received: each chunk is searched for a newline once, so a
  // multi-megabyte line (a big `done` message) arriving in many chunks costs O(n), not O(n²).
  private pending: string[] = [];

  /** The lines this chunk completes, trimmed, without empty ones. */
  push(value: Uint8Array): string[] {
    const chunk = this.decoder.decode(value, { stream: true });
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf("\n");
    while (newline >= 0) {
      let line = chunk.slice(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = this.pending.join("");
        this.pending = [];
      }
      line = line.trim();
      if (line) lines.push(line);
      start = newline + 1;
      newline = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.pending.push(chunk.slice(start));
    return lines;
  }

  /** The last line, if the stream did not end with a newline. */
  end(): string[] {
    this.pending.push(this.decoder.decode());
    const rest = this.pending.join("").trim();
    this.pending = [];
    return rest ? [rest] : [];
  }
}

/**
 * Streams one answer through the bridge: proves the bridge (src/pi/bridgeConnection.ts), then on the proven connection
 * `POST {url}/v1/stream` with the bearer token and `{model, context, options}`, reading NDJSON events without `partial`
 * and rebuilding it. Never throws; every failure is a final `error` event that says what to do.
 */
export function streamViaBridge(bridge: BridgeConfig, model: Model, context: Context, options: BridgeClientOptions = {}): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  const replay = new EventReplay(model);
  const { signal, log = stderrLog, ...requestOptions } = options;

  const fail = (reason: "error" | "aborted", errorMessage: string): void => {
    const base: AssistantMessage = replay.current;
    const error: AssistantMessage = { ...base, usage: base.usage ?? emptyUsage(), stopReason: reason, errorMessage };
    stream.push({ type: "error", reason, error });
    stream.end();
  };

  void (async () => {
    const refused = refusedUrl(bridge);
    if (refused) return fail("error", refused);
    const encoded = encodeStreamRequest({ model, context, options: requestOptions });
    if (!encoded.ok) return fail("error", encoded.problem);
    let connection: ProvenBridge;
    let response: IncomingMessage;
    try {
      ({ connection, response } = await provenRequest(bridge, BRIDGE_ROUTES.stream.path, {
        method: BRIDGE_ROUTES.stream.method,
        headers: {
          authorization: authorizationHeader(bridge.token),
          "content-type": "application/json",
          accept: STREAM_CONTENT_TYPE,
          // The closing events' text is rebuilt by `replay` from the deltas (src/kiro/answer/eventReplay.ts).
          [CLOSING_TEXT_HEADER]: CLOSING_TEXT_FROM_DELTAS,
        },
        body: encoded.body,
        signal,
      }));
    } catch (error) {
      if (isAbort(error, signal)) fail("aborted", "Request was aborted.");
      else fail("error", unansweredMessage(error, bridge));
      return;
    }
    try {
      if (!isSuccess(response)) {
        fail("error", httpErrorMessage(response.statusCode ?? 0, await bridgeErrorDetail(response)));
        return;
      }
      /** Hands one line's event on; true once the answer is over (its final event, or a line that is not an event). */
      const answered = (line: string): boolean => {
        const decoded = decodeEventLine(line);
        if (decoded.kind === "invalid") {
          fail("error", `The Kiro bridge sent ${decoded.problem}; the VS Code extension and this pi extension may be different versions.`);
          return true;
        }
        if (decoded.kind === "unknown") {
          log.warn(`the Kiro bridge sent a stream event of type "${decoded.type}", which this pi extension does not know and skipped; the VS Code extension may be newer than this pi extension.`);
          return false;
        }
        const { event } = decoded;
        stream.push(replay.apply(event));
        if (event.type !== "done" && event.type !== "error") return false;
        stream.end();
        return true;
      };
      const lines = new LineSplitter();
      for await (const chunk of response as AsyncIterable<Uint8Array>) {
        for (const line of lines.push(chunk)) if (answered(line)) return;
      }
      for (const line of lines.end()) if (answered(line)) return;
      if (signal?.aborted) fail("aborted", "Request was aborted.");
      else fail("error", "The Kiro bridge closed the stream before the answer finished (was the VS Code window closed?).");
    } catch (error) {
      if (isAbort(error, signal)) fail("aborted", "Request was aborted.");
      else fail("error", `The connection to the Kiro bridge broke during the answer (was the VS Code window closed?).`);
    } finally {
      connection.close();
    }
  })();

  return stream;
}

/** The bridge's model catalog (`GET {url}/v1/models`, after the proof); throws with a clear message when it cannot be read. */
export async function listModelsViaBridge(bridge: BridgeConfig, options: { signal?: AbortSignal } = {}): Promise<KiroModelInfo[]> {
  const refused = refusedUrl(bridge);
  if (refused) throw new Error(refused);
  let connection: ProvenBridge;
  let response: IncomingMessage;
  try {
    ({ connection, response } = await provenRequest(bridge, BRIDGE_ROUTES.models.path, {
      method: BRIDGE_ROUTES.models.method,
      headers: { authorization: authorizationHeader(bridge.token), accept: "application/json" },
      signal: options.signal,
    }));
  } catch (error) {
    throw new Error(unansweredMessage(error, bridge));
  }
  try {
    if (!isSuccess(response)) throw new Error(httpErrorMessage(response.statusCode ?? 0, await bridgeErrorDetail(response)));
    let body: unknown;
    try {
      body = JSON.parse(await readText(response, MAX_REQUEST_BODY_BYTES)) as unknown;
    } catch {
      throw new Error("The Kiro bridge's model list is not JSON.");
    }
    const list = Array.isArray(body) ? body : (body as { models?: unknown })?.models;
    if (!Array.isArray(list)) throw new Error("The Kiro bridge's model list has no `models` array.");
    return list.map(toModelInfo).filter((info): info is KiroModelInfo => info !== undefined);
  } finally {
    connection.close();
  }
}

/** The bridge serves pi Models (or Kiro model infos); either becomes model info, with the wire id looked up when the entry lacks it. */
function toModelInfo(value: unknown): KiroModelInfo | undefined {
  if (!value || typeof value !== "object") return undefined;
  const entry = value as Partial<KiroModelInfo> & { input?: unknown };
  if (typeof entry.id !== "string" || !entry.id) return undefined;
  if (typeof entry.contextWindow !== "number" || typeof entry.maxTokens !== "number") return undefined;
  const input: ("text" | "image")[] = Array.isArray(entry.input) && entry.input.includes("image") ? ["text", "image"] : ["text"];
  return {
    id: entry.id,
    kiroId: typeof entry.kiroId === "string" && entry.kiroId ? entry.kiroId : (findModel(entry.id)?.kiroId ?? entry.id),
    name: typeof entry.name === "string" && entry.name ? entry.name : entry.id,
    contextWindow: entry.contextWindow,
    maxTokens: entry.maxTokens,
    reasoning: entry.reasoning === true,
    nativeThinking: entry.nativeThinking === true,
    input,
  };
}
