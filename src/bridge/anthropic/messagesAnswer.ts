// pi stream events as an Anthropic Messages answer: the SSE sequence (message_start … message_stop, pings, `event: error`) and the one-piece JSON message; pure, one encoder per request.
import type { AssistantMessage, AssistantMessageEvent, StopReason, ToolCall, Usage } from "../../kiro/types";
import type { AnthropicErrorBody } from "./errors";

export type AnthropicStopReason = "end_turn" | "max_tokens" | "tool_use" | "stop_sequence" | "refusal";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type AnthropicContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: null;
  usage: AnthropicUsage;
}

export function stopReasonOf(reason: StopReason): AnthropicStopReason {
  if (reason === "length") return "max_tokens";
  if (reason === "toolUse") return "tool_use";
  return "end_turn";
}

/** Kiro's counts when it reported them; the request's estimate stands in for input until then (Claude Code needs it for /context and auto-compact). */
export function usageOf(usage: Usage | undefined, estimatedInputTokens: number): AnthropicUsage {
  return {
    input_tokens: usage && usage.input > 0 ? usage.input : estimatedInputTokens,
    output_tokens: usage?.output ?? 0,
    cache_creation_input_tokens: usage?.cacheWrite ?? 0,
    cache_read_input_tokens: usage?.cacheRead ?? 0,
  };
}

function blockOf(part: AssistantMessage["content"][number]): AnthropicContentBlock | undefined {
  if (part.type === "text") return part.text === "" ? undefined : { type: "text", text: part.text };
  if (part.type === "thinking") {
    if (part.redacted) return { type: "redacted_thinking", data: part.thinkingSignature ?? "" };
    return { type: "thinking", thinking: part.thinking, signature: part.thinkingSignature ?? "" };
  }
  return { type: "tool_use", id: part.id, name: part.name, input: part.arguments ?? {} };
}

/** A refused answer as one Messages response: what Kiro had said, then Kiro's words on why it stopped, with stop_reason "refusal". */
export function refusalBody(message: AssistantMessage, words: string, o: { id: string; model: string; estimatedInputTokens: number }): AnthropicMessage {
  const content = message.content.filter((part) => part.type === "text").map(blockOf).filter((block): block is AnthropicContentBlock => block !== undefined);
  return { ...messageBody({ ...message, content: [] }, o), content: [...content, { type: "text", text: words }], stop_reason: "refusal" };
}

/** The whole answer as one Messages response (`stream: false`). */
export function messageBody(message: AssistantMessage, o: { id: string; model: string; estimatedInputTokens: number }): AnthropicMessage {
  return {
    id: o.id,
    type: "message",
    role: "assistant",
    model: o.model,
    content: message.content.map(blockOf).filter((block): block is AnthropicContentBlock => block !== undefined),
    stop_reason: stopReasonOf(message.stopReason),
    stop_sequence: null,
    usage: usageOf(message.usage, o.estimatedInputTokens),
  };
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const PING = sse("ping", { type: "ping" });

/**
 * Writes one answer as Anthropic's SSE. `message_start` waits for the first content (or for `open()`, which a keep-alive
 * calls), so a failure that comes first can still be answered with an HTTP status. Block indices count from 0 in the
 * order blocks open; a tool call's input goes out as one `input_json_delta` of its final arguments, so what the client
 * parses is exactly what Kiro's answer held.
 */
export class AnthropicSseEncoder {
  private opened = false;
  private nextIndex = 0;
  /** pi content index → the open Anthropic block. */
  private readonly blocks = new Map<number, { index: number; kind: "text" | "thinking" | "redacted" | "tool" }>();

  constructor(private readonly o: { id: string; model: string; estimatedInputTokens: number }) {}

  /** Whether anything has been written (after that, failures go as `event: error`). */
  get started(): boolean {
    return this.opened;
  }

  /** `message_start`, once. */
  open(): string {
    if (this.opened) return "";
    this.opened = true;
    const message: AnthropicMessage = {
      id: this.o.id,
      type: "message",
      role: "assistant",
      model: this.o.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageOf(undefined, this.o.estimatedInputTokens),
    };
    return sse("message_start", { type: "message_start", message });
  }

  /** A keep-alive: opens the message if nothing was written yet, then a ping. */
  keepAlive(): string {
    return this.open() + PING;
  }

  private start(contentIndex: number, kind: "text" | "thinking" | "redacted" | "tool", block: AnthropicContentBlock): string {
    const index = this.nextIndex++;
    this.blocks.set(contentIndex, { index, kind });
    return sse("content_block_start", { type: "content_block_start", index, content_block: block });
  }

  private delta(index: number, delta: Record<string, unknown>): string {
    return sse("content_block_delta", { type: "content_block_delta", index, delta });
  }

  private stop(contentIndex: number): string {
    const block = this.blocks.get(contentIndex);
    if (!block) return "";
    this.blocks.delete(contentIndex);
    return sse("content_block_stop", { type: "content_block_stop", index: block.index });
  }

  /** Closes blocks a final event left open (a stream that ended mid-block). */
  private stopAll(): string {
    return [...this.blocks.keys()].map((contentIndex) => this.stop(contentIndex)).join("");
  }

  encode(event: AssistantMessageEvent): string {
    switch (event.type) {
      case "start":
        return "";
      case "text_start":
        return this.open() + this.start(event.contentIndex, "text", { type: "text", text: "" });
      case "text_delta": {
        const block = this.blocks.get(event.contentIndex);
        // Most of an answer's events: written out directly, the same text as `this.delta` gives.
        return block && event.delta !== "" ? `event: content_block_delta\ndata: {"type":"content_block_delta","index":${block.index},"delta":{"type":"text_delta","text":${JSON.stringify(event.delta)}}}\n\n` : "";
      }
      case "text_end":
        return this.stop(event.contentIndex);
      case "thinking_start": {
        const part = event.partial.content[event.contentIndex];
        // Redacted thinking is one opaque block; it goes out whole when it ends.
        if (part?.type === "thinking" && part.redacted) {
          this.blocks.set(event.contentIndex, { index: -1, kind: "redacted" });
          return this.open();
        }
        return this.open() + this.start(event.contentIndex, "thinking", { type: "thinking", thinking: "", signature: "" });
      }
      case "thinking_delta": {
        const block = this.blocks.get(event.contentIndex);
        return block?.kind === "thinking" && event.delta !== "" ? this.delta(block.index, { type: "thinking_delta", thinking: event.delta }) : "";
      }
      case "thinking_end": {
        const block = this.blocks.get(event.contentIndex);
        const part = event.partial.content[event.contentIndex];
        const signature = part?.type === "thinking" ? (part.thinkingSignature ?? "") : "";
        if (block?.kind === "redacted") {
          this.blocks.delete(event.contentIndex);
          return this.start(event.contentIndex, "redacted", { type: "redacted_thinking", data: signature }) + this.stop(event.contentIndex);
        }
        if (!block) return "";
        return (signature !== "" ? this.delta(block.index, { type: "signature_delta", signature }) : "") + this.stop(event.contentIndex);
      }
      case "toolcall_start": {
        const part = event.partial.content[event.contentIndex];
        const call: Pick<ToolCall, "id" | "name"> = part?.type === "toolCall" ? part : { id: `toolu_${event.contentIndex}`, name: "" };
        return this.open() + this.start(event.contentIndex, "tool", { type: "tool_use", id: call.id, name: call.name, input: {} });
      }
      case "toolcall_delta":
        return "";
      case "toolcall_end": {
        const block = this.blocks.get(event.contentIndex);
        if (!block) return "";
        return this.delta(block.index, { type: "input_json_delta", partial_json: JSON.stringify(event.toolCall.arguments ?? {}) }) + this.stop(event.contentIndex);
      }
      case "done":
        return (
          this.open() +
          this.stopAll() +
          sse("message_delta", { type: "message_delta", delta: { stop_reason: stopReasonOf(event.reason), stop_sequence: null }, usage: usageOf(event.message.usage, this.o.estimatedInputTokens) }) +
          sse("message_stop", { type: "message_stop" })
        );
      case "error":
        // The caller words the failure (errors.ts); see `failure`.
        return "";
    }
  }

  /**
   * A refused answer (Kiro's content filter): open blocks close, Kiro's words on why go out as a last text block (the
   * Messages format has no other room for them), and the message ends with stop_reason "refusal", which Claude Code
   * tells the user as a refusal rather than retrying a broken connection.
   */
  refusal(message: AssistantMessage, words: string): string {
    const index = this.nextIndex++;
    return (
      this.open() +
      this.stopAll() +
      sse("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }) +
      this.delta(index, { type: "text_delta", text: words }) +
      sse("content_block_stop", { type: "content_block_stop", index }) +
      sse("message_delta", { type: "message_delta", delta: { stop_reason: "refusal", stop_sequence: null }, usage: usageOf(message.usage, this.o.estimatedInputTokens) }) +
      sse("message_stop", { type: "message_stop" })
    );
  }

  /** A failure after the message started: `event: error`, which Claude Code reports (and retries when the type says so). */
  failure(body: AnthropicErrorBody): string {
    return this.stopAll() + sse("error", body);
  }
}
