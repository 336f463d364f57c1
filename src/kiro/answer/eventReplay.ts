// Rebuilds the `partial` message of stream events that travelled without it (the bridge's NDJSON lines), so a client sees pi-ai events again.
import type { AssistantMessage, AssistantMessageEvent, Model, ToolCall } from "../types";
import { emptyAssistantMessage } from "../types";
import { ToolArgumentPreview } from "./toolArgumentPreview";

/** A stream event minus `partial`; `toolcall_start` may also name the call (`id`, `name`), which `partial` carried before. */
export type StreamEventWithoutPartial = AssistantMessageEvent extends infer E
  ? E extends unknown
    ? Omit<E, "partial"> & (E extends { type: "toolcall_start" } ? { id?: string; name?: string } : unknown)
    : never
  : never;

/** Removes `partial`; keeps a starting tool call's id and name so the other side can show it before it ends. */
export function withoutPartial(event: AssistantMessageEvent | StreamEventWithoutPartial): StreamEventWithoutPartial {
  if (!("partial" in event)) return event;
  const { partial, ...rest } = event;
  if (event.type === "toolcall_start") {
    const block = partial.content[event.contentIndex];
    if (block?.type === "toolCall") return { ...rest, id: block.id, name: block.name } as StreamEventWithoutPartial;
  }
  return rest as StreamEventWithoutPartial;
}

/** A closing event's text: as sent, or (left out because the deltas already carried it) the text the deltas built. */
function sentOrStreamed(sent: unknown, streamed: string): string {
  return typeof sent === "string" ? sent : streamed;
}

/**
 * The final message with every text or thinking block the sender left without its text (it was exactly the deltas',
 * src/bridge/pi/protocol.ts `ClosingTextOmission`) given the text rebuilt here; a message sent whole is returned as is.
 */
function withStreamedText(message: AssistantMessage, rebuilt: AssistantMessage): AssistantMessage {
  if (!Array.isArray(message.content)) return message;
  let changed = false;
  const content = message.content.map((block, index) => {
    const before = rebuilt.content[index];
    if (block.type === "text" && typeof block.text !== "string") {
      changed = true;
      return { ...block, text: before?.type === "text" ? before.text : "" };
    }
    if (block.type === "thinking" && typeof block.thinking !== "string") {
      changed = true;
      return { ...block, thinking: before?.type === "thinking" ? before.thinking : "" };
    }
    return block;
  });
  return changed ? { ...message, content } : message;
}

/**
 * Applies events without `partial` to one assistant message, in order, and returns each event
 * with `partial` restored. `done` and `error` carry the authoritative final message, which
 * replaces everything rebuilt so far.
 */
export class EventReplay {
  private message: AssistantMessage;
  private readonly toolJson = new Map<number, ToolArgumentPreview>();

  constructor(model: Pick<Model, "id" | "api" | "provider">) {
    this.message = emptyAssistantMessage(model);
  }

  /** The message as rebuilt so far (the final one after `done`/`error`). */
  get current(): AssistantMessage {
    return this.message;
  }

  apply(event: StreamEventWithoutPartial): AssistantMessageEvent {
    const partial = this.message;
    switch (event.type) {
      case "start":
        return { type: "start", partial };
      case "text_start":
        partial.content[event.contentIndex] = { type: "text", text: "" };
        return { type: "text_start", contentIndex: event.contentIndex, partial };
      case "text_delta": {
        const block = partial.content[event.contentIndex];
        if (block?.type === "text") block.text += event.delta;
        else partial.content[event.contentIndex] = { type: "text", text: event.delta };
        return { type: "text_delta", contentIndex: event.contentIndex, delta: event.delta, partial };
      }
      case "text_end": {
        const block = partial.content[event.contentIndex];
        const content = sentOrStreamed(event.content, block?.type === "text" ? block.text : "");
        if (block?.type === "text") block.text = content;
        else partial.content[event.contentIndex] = { type: "text", text: content };
        return { type: "text_end", contentIndex: event.contentIndex, content, partial };
      }
      case "thinking_start":
        partial.content[event.contentIndex] = { type: "thinking", thinking: "" };
        return { type: "thinking_start", contentIndex: event.contentIndex, partial };
      case "thinking_delta": {
        const block = partial.content[event.contentIndex];
        if (block?.type === "thinking") block.thinking += event.delta;
        else partial.content[event.contentIndex] = { type: "thinking", thinking: event.delta };
        return { type: "thinking_delta", contentIndex: event.contentIndex, delta: event.delta, partial };
      }
      case "thinking_end": {
        const block = partial.content[event.contentIndex];
        const content = sentOrStreamed(event.content, block?.type === "thinking" ? block.thinking : "");
        if (block?.type === "thinking") block.thinking = content;
        else partial.content[event.contentIndex] = { type: "thinking", thinking: content };
        return { type: "thinking_end", contentIndex: event.contentIndex, content, partial };
      }
      case "toolcall_start": {
        const named = event as { id?: unknown; name?: unknown };
        partial.content[event.contentIndex] = {
          type: "toolCall",
          id: typeof named.id === "string" ? named.id : "",
          name: typeof named.name === "string" ? named.name : "",
          arguments: {},
        };
        this.toolJson.set(event.contentIndex, new ToolArgumentPreview());
        return { type: "toolcall_start", contentIndex: event.contentIndex, partial };
      }
      case "toolcall_delta": {
        let progress = this.toolJson.get(event.contentIndex);
        if (!progress) {
          progress = new ToolArgumentPreview();
          this.toolJson.set(event.contentIndex, progress);
        }
        const block = partial.content[event.contentIndex];
        const preview = progress.push(event.delta, block?.type === "toolCall");
        if (preview && block?.type === "toolCall") block.arguments = preview;
        return { type: "toolcall_delta", contentIndex: event.contentIndex, delta: event.delta, partial };
      }
      case "toolcall_end": {
        const toolCall: ToolCall = { ...event.toolCall };
        partial.content[event.contentIndex] = toolCall;
        this.toolJson.delete(event.contentIndex);
        return { type: "toolcall_end", contentIndex: event.contentIndex, toolCall: event.toolCall, partial };
      }
      case "done":
        this.message = withStreamedText(event.message, partial);
        return { ...event, message: this.message };
      case "error":
        this.message = withStreamedText(event.error, partial);
        return { ...event, error: this.message };
    }
  }
}
