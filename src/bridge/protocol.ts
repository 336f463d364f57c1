// The bridge protocol in one place, for both ends: environment names, where the bridge lives, routes, request and answer shapes, the NDJSON event line, and the size limits a request must keep.
import { withoutPartial, type StreamEventWithoutPartial } from "../kiro/answer/eventReplay";
import type { AssistantMessageEvent, Context, Model, ThinkingBudgets, ThinkingLevel } from "../kiro/types";

/** Reported by `GET /v1/health`, so a client can refuse a bridge it does not understand. */
export const BRIDGE_PROTOCOL_VERSION = 1;

/** The bridge's address, set by the extension in its terminals (`http://127.0.0.1:<port>`). */
export const BRIDGE_URL_ENV = "KIRO_BRIDGE_URL";
/** The bearer token of that bridge; only ever sent to a loopback address (see {@link loopbackBridgeProblem}). */
export const BRIDGE_TOKEN_ENV = "KIRO_BRIDGE_TOKEN";
/** Where the installed pi extension is, for people who start pi themselves (`pi -e "$KIRO_PI_EXTENSION"`). */
export const PI_EXTENSION_ENV = "KIRO_PI_EXTENSION";

/** The only address the bridge listens on. */
export const BRIDGE_LISTEN_HOST = "127.0.0.1";
/** Host names a client may use for the bridge: the server accepts no other `Host`, and the client sends its token to no other host. */
export const BRIDGE_HOSTNAMES: readonly string[] = [BRIDGE_LISTEN_HOST, "localhost"];

export function bridgeUrl(port: number): string {
  return `http://${BRIDGE_LISTEN_HOST}:${port}`;
}

export const BRIDGE_ROUTES = {
  stream: { path: "/v1/stream", method: "POST" },
  models: { path: "/v1/models", method: "GET" },
  health: { path: "/v1/health", method: "GET" },
} as const;
export type BridgeRoute = keyof typeof BRIDGE_ROUTES;

export function authorizationHeader(token: string): string {
  return `Bearer ${token}`;
}

/**
 * Why `url` is not somewhere the bridge token may go, or undefined when it is: `http://127.0.0.1:<port>` or
 * `http://localhost:<port>`, nothing else. A token sent to another host would hand this window's Kiro sign-in to it.
 */
export function loopbackBridgeProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "it cannot be read as a URL";
  }
  if (parsed.protocol !== "http:") return `it uses ${parsed.protocol.replace(/:$/, "")}, and the bridge speaks plain http on loopback`;
  if (!BRIDGE_HOSTNAMES.includes(parsed.hostname.toLowerCase())) return `its host ${parsed.hostname} is not 127.0.0.1 or localhost`;
  if (!parsed.port) return "it names no port";
  return undefined;
}

/** What a bridge client may influence besides model and context; where and as whom the request goes stays with the extension. */
export interface BridgeStreamRequestOptions {
  reasoning?: ThinkingLevel | "off";
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
  sessionId?: string;
}

const OPTION_KEYS: Record<keyof BridgeStreamRequestOptions, true> = { reasoning: true, thinkingBudgets: true, maxTokens: true, sessionId: true };
/** The only option keys the bridge passes on; any other (accessToken, endpoint, headers, env, region, ...) is dropped. */
export const BRIDGE_OPTION_KEYS = Object.keys(OPTION_KEYS) as readonly (keyof BridgeStreamRequestOptions)[];

/** The body of `POST /v1/stream`. `model` is an id, or a pi Model whose description (not routing) the bridge may use. */
export interface BridgeStreamRequest {
  model: string | Model;
  context: Context;
  options?: BridgeStreamRequestOptions;
}

/** The body of `GET /v1/models`. */
export interface BridgeModelsResponse {
  models: Model[];
}

/** The body of `GET /v1/health`. */
export interface BridgeHealthResponse {
  ok: true;
  signedIn: boolean;
  version: string;
  protocol: number;
}

/** The body of every non-2xx answer. */
export interface BridgeErrorResponse {
  error: string;
}

export const STREAM_CONTENT_TYPE = "application/x-ndjson";

/** A stream event as it travels: without `partial` (the client rebuilds it); `toolcall_start` also names the call. */
export type BridgeStreamEvent = StreamEventWithoutPartial;
export type BridgeStreamEventType = AssistantMessageEvent["type"];

// A Record over the union: adding an event type to the stream contract fails to compile until it is listed here.
const EVENT_TYPES: Record<BridgeStreamEventType, true> = {
  start: true,
  text_start: true,
  text_delta: true,
  text_end: true,
  thinking_start: true,
  thinking_delta: true,
  thinking_end: true,
  toolcall_start: true,
  toolcall_delta: true,
  toolcall_end: true,
  done: true,
  error: true,
};

export function isBridgeEventType(type: unknown): type is BridgeStreamEventType {
  return typeof type === "string" && Object.hasOwn(EVENT_TYPES, type);
}

/** One NDJSON line: the event without `partial`, newline-terminated. */
export function encodeEventLine(event: AssistantMessageEvent): string {
  return `${JSON.stringify(withoutPartial(event))}\n`;
}

export type DecodedEventLine =
  | { kind: "event"; event: BridgeStreamEvent }
  /** A well-formed line of a type this side does not know (a newer peer): skip it, and say so. */
  | { kind: "unknown"; type: string }
  | { kind: "invalid"; problem: string };

/** Reads one NDJSON line (without its newline). The peer is the trusted extension, so a known type's fields are taken as sent. */
export function decodeEventLine(line: string): DecodedEventLine {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch {
    return { kind: "invalid", problem: "a line that is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "invalid", problem: "a line that is not a JSON object" };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { kind: "invalid", problem: "an event without a type" };
  if (!isBridgeEventType(type)) return { kind: "unknown", type };
  return { kind: "event", event: value as BridgeStreamEvent };
}

const MB = 1024 * 1024;

/**
 * Largest `POST /v1/stream` body. A text-only pi context at the largest Kiro context window (1M tokens, compacted at
 * 1M less 16K) measured 4.3 MB with pi's 50 KB tool results, 5.1 MB with 2 KB ones; images come on top (pi resizes each
 * to at most 4.5 MB of base64). Kiro itself takes a history of ~5 MB plus one message of up to ~7.6 MB
 * (docs/kiro-protocol.md#body-size), and the client leaves out the oldest images beyond this limit.
 */
export const MAX_REQUEST_BODY_BYTES = 16 * MB;

/**
 * Most JSON values (counted as `{`, `[`, `,` and `:` outside strings) a request may hold. The heavy 1M-token contexts
 * above have 29k–135k; 500k values of the costliest shape (objects with distinct keys) parse in ~0.2 s, where 16 MB of
 * tiny objects took 1.5 s and 340 MB of heap.
 */
export const MAX_REQUEST_JSON_NODES = 500_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const STRUCTURAL = new Uint8Array(256);
for (const c of "{[,:") STRUCTURAL[c.charCodeAt(0)] = 1;

/**
 * Counts a JSON text's structure (`{`, `[`, `,`, `:` outside strings) chunk by chunk as it arrives, so a body can be
 * refused before it is parsed: ~1 ms per 15 MB of string data, ~30 ms per 15 MB of tiny objects, in pieces no longer
 * than one chunk. UTF-8 multi-byte sequences never contain these ASCII bytes, so chunks may split anywhere.
 */
export class JsonStructureCounter {
  private inString = false;
  private escaped = false;
  private nodes = 0;

  get count(): number {
    return this.nodes;
  }

  /** Adds a chunk and returns the count so far. */
  push(chunk: Buffer): number {
    const end = chunk.length;
    // Next quote and backslash at or after the cursor; -1 once there is none left in this chunk. Each only moves
    // forward, so a long string full of escapes (source code) costs one pass, not one search per escape.
    let nextQuote = -2;
    let nextBackslash = -2;
    let i = 0;
    while (i < end) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        // Long strings (base64 images, file contents) are skipped with native searches rather than byte by byte.
        if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
        if (nextBackslash >= 0 && (nextQuote < 0 || nextBackslash < nextQuote)) {
          this.escaped = true;
          i = nextBackslash + 1;
        } else if (nextQuote >= 0) {
          this.inString = false;
          i = nextQuote + 1;
        } else {
          i = end;
        }
        continue;
      }
      const c = chunk[i++]!;
      if (c === QUOTE) this.inString = true;
      else this.nodes += STRUCTURAL[c]!;
    }
    return this.nodes;
  }
}
