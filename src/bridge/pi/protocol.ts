// The pi bridge protocol in one place, for both ends (this server's src/bridge/pi/ routes and src/pi/bridgeClient.ts): routes, request and answer shapes, the NDJSON event line; with where the bridge lives and the limits a request must keep.
import { withoutPartial, type StreamEventWithoutPartial } from "../../kiro/answer/eventReplay";
import type { AssistantMessage, AssistantMessageEvent, Context, Model } from "../../kiro/types";
import type { BridgeAnswerOptions } from "../server/types";

// The client reads these from this one module; they are the server's, shared by every wire format.
export { BRIDGE_HOSTNAMES, BRIDGE_LISTEN_HOST, BRIDGE_TOKEN_ENV, BRIDGE_URL_ENV, PI_EXTENSION_ENV, authorizationHeader, bridgeUrl, loopbackBridgeProblem } from "../server/address";
export { JsonStructureCounter, MAX_REQUEST_BODY_BYTES, MAX_REQUEST_JSON_NODES } from "../server/body";

/** Reported by `GET /v1/health`, so a client can refuse a bridge it does not understand. */
export const BRIDGE_PROTOCOL_VERSION = 1;

export const BRIDGE_ROUTES = {
  stream: { path: "/v1/stream", method: "POST" },
  models: { path: "/v1/models", method: "GET" },
  health: { path: "/v1/health", method: "GET" },
} as const;
export type BridgeRoute = keyof typeof BRIDGE_ROUTES;

/** What a bridge client may influence besides model and context; where and as whom the request goes stays with the extension. */
export type BridgeStreamRequestOptions = BridgeAnswerOptions;

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

/**
 * One NDJSON line: the event without `partial`, newline-terminated. `stringify` is JSON.stringify or one that gives the
 * same text more cheaply (the server's, which escapes an answer's long text once for all its closing events).
 */
export function encodeEventLine(event: AssistantMessageEvent | StreamEventWithoutPartial, stringify: (value: unknown) => string = JSON.stringify): string {
  // Most of an answer's lines are deltas: written out directly, the same text without copying the event first.
  if (event.type === "text_delta" || event.type === "thinking_delta" || event.type === "toolcall_delta") {
    return `{"type":"${event.type}","contentIndex":${JSON.stringify(event.contentIndex)},"delta":${JSON.stringify(event.delta)}}\n`;
  }
  return `${stringify(withoutPartial(event))}\n`;
}

/**
 * Sent by a client that rebuilds the closing events' text from the deltas it already holds (`text_end` and
 * `thinking_end` without `content`, the final message's text and thinking blocks without `text` / `thinking`). A server
 * that does not know the header sends the text as before, and the client takes it as sent; a client that does not send
 * it gets every closing event whole. Protocol 1 both ways: each side takes the other's lines as they come.
 */
export const CLOSING_TEXT_HEADER = "x-kiro-pi-closing-text";
export const CLOSING_TEXT_FROM_DELTAS = "from-deltas";

/**
 * The server's side of `CLOSING_TEXT_HEADER`: leaves out of a closing event each text the client already holds, the
 * deltas' own. The stream contract builds a block's text by appending its deltas (the Anthropic and OpenAI routes
 * send nothing but the deltas); what is checked here costs nothing per delta and keeps no copy of the text: the
 * closing text is exactly as long as the deltas together and ends with the last one. A text that fails that (the
 * provider changed it at the end) goes out whole, so the client ends with the provider's text either way.
 */
export class ClosingTextOmission {
  /** Per open block: the deltas' length so far and the last delta. */
  private readonly streaming = new Map<number, { length: number; last: string }>();
  /** Per ended block: the text the client was told to rebuild (the message's own string, not a copy). */
  private readonly rebuilt = new Map<number, string>();

  /** The event to encode: the same event, or a copy without the text the client already holds. */
  apply(event: AssistantMessageEvent): AssistantMessageEvent | StreamEventWithoutPartial {
    switch (event.type) {
      case "text_start":
      case "thinking_start":
        this.streaming.set(event.contentIndex, { length: 0, last: "" });
        this.rebuilt.delete(event.contentIndex);
        return event;
      case "text_delta":
      case "thinking_delta": {
        const block = this.streaming.get(event.contentIndex);
        if (block) {
          block.length += event.delta.length;
          if (event.delta.length > 0) block.last = event.delta;
        } else this.streaming.set(event.contentIndex, { length: event.delta.length, last: event.delta });
        return event;
      }
      case "text_end":
      case "thinking_end": {
        const block = this.streaming.get(event.contentIndex);
        this.streaming.delete(event.contentIndex);
        if (!block || block.length !== event.content.length || !event.content.endsWith(block.last)) return event;
        this.rebuilt.set(event.contentIndex, event.content);
        return { type: event.type, contentIndex: event.contentIndex } as unknown as StreamEventWithoutPartial;
      }
      case "done":
        return { ...event, message: this.withoutRebuiltText(event.message) };
      case "error":
        return { ...event, error: this.withoutRebuiltText(event.error) };
      default:
        return event;
    }
  }

  private withoutRebuiltText(message: AssistantMessage): AssistantMessage {
    if (this.rebuilt.size === 0) return message;
    let changed = false;
    const content = message.content.map((block, index) => {
      const rebuilt = this.rebuilt.get(index);
      if (rebuilt === undefined) return block;
      if (block.type === "text" && block.text === rebuilt) {
        changed = true;
        const { text: _text, ...rest } = block;
        return rest;
      }
      if (block.type === "thinking" && block.thinking === rebuilt) {
        changed = true;
        const { thinking: _thinking, ...rest } = block;
        return rest;
      }
      return block;
    });
    return changed ? ({ ...message, content } as AssistantMessage) : message;
  }
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

