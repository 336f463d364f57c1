// Pure conversion between VS Code language-model chat messages/parts and the Kiro provider's pi-style Context; takes VS Code's part classes as a parameter so it runs under plain node.
// Over 300 lines because both directions (VS Code parts → Context, stream events → parts) share the part-shape checks; split, they would be written twice.
import { randomUUID } from "node:crypto";
import type { AssistantMessage, AssistantMessageEvent, Context, ImageContent, Message, TextContent, ThinkingContent, Tool, ToolCall, ToolResultMessage } from "../kiro/types";
import { emptyUsage } from "../kiro/types";
import { KIRO_API, KIRO_PROVIDER } from "../kiro/catalog/models";

/** VS Code's numeric roles; System (3) only exists in builds with the languageModelSystem API, so it is handled by number. */
export const ChatRole = { User: 1, Assistant: 2, System: 3 } as const;

/** VS Code's LanguageModelChatToolMode values. */
export const ChatToolMode = { Auto: 1, Required: 2 } as const;

type Constructor<T> = abstract new (...args: never[]) => T;

/**
 * The VS Code part classes the conversion recognises (by `instanceof`, with a structural fallback) and creates.
 * In the extension these are `vscode.LanguageModelTextPart` etc.; unit tests pass look-alike classes.
 * Optional members are absent in VS Code builds that do not have them.
 */
export interface ChatPartKit {
  TextPart: new (value: string) => object;
  ToolCallPart: new (callId: string, name: string, input: object) => object;
  ToolResultPart: Constructor<object>;
  DataPart?: new (data: Uint8Array, mimeType: string) => object;
  PromptTsxPart?: Constructor<object>;
  ThinkingPart?: new (value: string | string[], id?: string, metadata?: { readonly [key: string]: unknown }) => object;
}

/** One message as VS Code hands it to a provider (`LanguageModelChatRequestMessage`). */
export interface ChatRequestMessageLike {
  readonly role: number;
  readonly content: ReadonlyArray<unknown>;
  readonly name?: string | undefined;
}

/** A tool as VS Code hands it to a provider (`LanguageModelChatTool`). */
export interface ChatToolLike {
  readonly name: string;
  readonly description: string;
  readonly inputSchema?: object | undefined;
}

export interface ConvertMessagesOptions {
  /** The Kiro model id stamped on rebuilt assistant messages. */
  modelId: string;
  tools?: readonly ChatToolLike[];
  toolMode?: number;
}

/** What a part of a VS Code message turned out to be. */
export type ClassifiedPart =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string; signature?: string }
  | { kind: "toolCall"; callId: string; name: string; input: Record<string, unknown> }
  | { kind: "toolResult"; callId: string; content: readonly unknown[]; isError: boolean }
  | { kind: "data"; mimeType: string; data: Uint8Array }
  | { kind: "promptTsx"; value: unknown }
  | { kind: "unknown" };

/** Any object, arrays and class instances included: VS Code's parts are class instances read by shape. */
export function isObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isInstance(part: unknown, ctor: Constructor<object> | undefined): boolean {
  return ctor !== undefined && part instanceof ctor;
}

function thinkingText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string").join("");
  return "";
}

function thinkingSignature(part: Record<string, unknown>): string | undefined {
  const metadata = part.metadata;
  if (!isObjectLike(metadata)) return undefined;
  const signature = metadata.signature ?? metadata.thinkingSignature;
  return typeof signature === "string" && signature.length > 0 ? signature : undefined;
}

function toolInput(input: unknown): Record<string, unknown> {
  if (isObjectLike(input) && !Array.isArray(input)) return input as Record<string, unknown>;
  if (typeof input === "string") {
    try {
      const parsed: unknown = JSON.parse(input);
      if (isObjectLike(parsed) && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Not JSON: keep the raw text so the model still sees what it sent.
    }
    return { input };
  }
  return {};
}

/** VS Code's LanguageModelPartAudience.Assistant: parts whose audience leaves it out are for the user or the tool's extension only. */
const AUDIENCE_ASSISTANT = 0;

function meantForTheModel(part: Record<string, unknown>): boolean {
  return !Array.isArray(part.audience) || part.audience.includes(AUDIENCE_ASSISTANT);
}

/**
 * Tells what a part is. `instanceof` decides when the class is known (thinking parts can only be told apart that way, since they
 * look like text parts); otherwise the shape decides, so parts from another copy of the API (or revived from JSON) still convert.
 */
export function classifyPart(part: unknown, kit: ChatPartKit): ClassifiedPart {
  if (!isObjectLike(part)) return typeof part === "string" ? { kind: "text", text: part } : { kind: "unknown" };
  if (!meantForTheModel(part)) return { kind: "unknown" };
  if (isInstance(part, kit.ThinkingPart)) return { kind: "thinking", text: thinkingText(part.value), signature: thinkingSignature(part) };
  if (isInstance(part, kit.TextPart) || (typeof part.value === "string" && !("callId" in part) && !("mimeType" in part))) {
    return { kind: "text", text: String(part.value) };
  }
  if (isInstance(part, kit.ToolCallPart) || (typeof part.callId === "string" && typeof part.name === "string" && "input" in part)) {
    return { kind: "toolCall", callId: String(part.callId), name: String(part.name), input: toolInput(part.input) };
  }
  if (isInstance(part, kit.ToolResultPart) || (typeof part.callId === "string" && Array.isArray(part.content))) {
    return {
      kind: "toolResult",
      callId: String(part.callId),
      content: Array.isArray(part.content) ? part.content : [],
      isError: part.isError === true,
    };
  }
  if (isInstance(part, kit.DataPart) || (typeof part.mimeType === "string" && part.data instanceof Uint8Array)) {
    const data = part.data instanceof Uint8Array ? part.data : new Uint8Array();
    return { kind: "data", mimeType: String(part.mimeType), data };
  }
  if (isInstance(part, kit.PromptTsxPart) || "value" in part) return { kind: "promptTsx", value: part.value };
  return { kind: "unknown" };
}

const IMAGE_MIME_TYPES = new Set(["image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp"]);

/** True for the image types Kiro's Claude models accept. */
export function isSupportedImageMime(mimeType: string): boolean {
  return IMAGE_MIME_TYPES.has(mimeType.toLowerCase());
}

function isTextualMime(mimeType: string): boolean {
  const lower = mimeType.toLowerCase();
  return lower.startsWith("text/") || lower === "application/json" || lower.endsWith("+json");
}

/** Collects the text leaves of a `@vscode/prompt-tsx` element JSON (text nodes carry a `text` string). */
function promptTsxText(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof value === "string") {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) promptTsxText(item, out, depth + 1);
  } else if (isObjectLike(value)) {
    if (typeof value.text === "string") out.push(value.text);
    for (const [key, child] of Object.entries(value)) {
      if (key !== "text" && typeof child === "object") promptTsxText(child, out, depth + 1);
    }
  }
  return out;
}

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

function normaliseImageMime(mimeType: string): string {
  const lower = mimeType.toLowerCase();
  return lower === "image/jpg" ? "image/jpeg" : lower;
}

/**
 * Converts a data part into model input: images become image content, textual data becomes text, and everything else
 * (VS Code's own markers such as `cache_control`, binary blobs) is dropped because the model cannot read it.
 */
function dataPartContent(part: { mimeType: string; data: Uint8Array }): TextContent | ImageContent | undefined {
  if (isSupportedImageMime(part.mimeType)) return { type: "image", data: base64(part.data), mimeType: normaliseImageMime(part.mimeType) };
  if (isTextualMime(part.mimeType)) {
    const text = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength).toString("utf8");
    return text.length > 0 ? { type: "text", text } : undefined;
  }
  return undefined;
}

/** The content of a tool result part: text parts, prompt-tsx parts (their text), data parts (images, JSON, text). */
export function convertToolResultContent(content: readonly unknown[], kit: ChatPartKit): (TextContent | ImageContent)[] {
  const converted: (TextContent | ImageContent)[] = [];
  for (const item of content) {
    const part = classifyPart(item, kit);
    if (part.kind === "text") converted.push({ type: "text", text: part.text });
    else if (part.kind === "data") {
      const c = dataPartContent(part);
      if (c) converted.push(c);
    } else if (part.kind === "promptTsx") {
      const text = promptTsxText(part.value).join("");
      if (text.length > 0) converted.push({ type: "text", text });
    }
  }
  // Merge neighbouring text so the model sees one block, as the tool produced it.
  const merged: (TextContent | ImageContent)[] = [];
  for (const c of converted) {
    const last = merged[merged.length - 1];
    if (c.type === "text" && last?.type === "text") last.text += c.text;
    else merged.push(c.type === "text" ? { ...c } : c);
  }
  return merged;
}

/** The system text that makes `toolMode: Required` binding, since Kiro's API has no tool-choice field. */
export function requiredToolInstruction(tools: readonly ChatToolLike[]): string {
  if (tools.length === 1) {
    return `You must respond by calling the tool "${tools[0].name}". Do not answer with text alone.`;
  }
  const names = tools.map((t) => `"${t.name}"`).join(", ");
  return `You must respond by calling one of the provided tools (${names}). Do not answer with text alone.`;
}

/** VS Code tools → pi tools; a tool without a schema takes an empty object. */
export function convertTools(tools: readonly ChatToolLike[] | undefined): Tool[] {
  return (tools ?? []).map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: isObjectLike(tool.inputSchema) ? (tool.inputSchema as Record<string, unknown>) : { type: "object", properties: {} },
  }));
}

function assistantMessage(content: AssistantMessage["content"], modelId: string, timestamp: number): AssistantMessage {
  return {
    role: "assistant",
    content,
    api: KIRO_API,
    provider: KIRO_PROVIDER,
    model: modelId,
    usage: emptyUsage(),
    stopReason: content.some((c) => c.type === "toolCall") ? "toolUse" : "stop",
    timestamp,
  };
}

/**
 * VS Code messages → the provider's Context.
 *
 * - System-role messages (role 3) become the system prompt, in order.
 * - A user message's tool result parts become `toolResult` messages placed first (they answer the preceding assistant turn);
 *   its text and images follow as one user message.
 * - Assistant thinking parts are kept (with their signature when VS Code carried one back); the request builder decides
 *   whether Kiro needs them.
 * - Timestamps are the message index, not the clock, so the conversation id derived from the first user message stays the same
 *   across the requests of one chat.
 */
export function convertMessages(
  messages: readonly ChatRequestMessageLike[],
  kit: ChatPartKit,
  options: ConvertMessagesOptions,
): Context {
  const systemTexts: string[] = [];
  const out: Message[] = [];
  const toolNames = new Map<string, string>();

  messages.forEach((message, index) => {
    const timestamp = index;
    const parts = message.content.map((p) => classifyPart(p, kit));
    if (message.role === ChatRole.System) {
      const text = parts
        .filter((p): p is Extract<ClassifiedPart, { kind: "text" }> => p.kind === "text")
        .map((p) => p.text)
        .join("");
      if (text.trim().length > 0) systemTexts.push(text);
      return;
    }
    if (message.role === ChatRole.Assistant) {
      const content: (TextContent | ThinkingContent | ToolCall)[] = [];
      for (const part of parts) {
        if (part.kind === "text") {
          const last = content[content.length - 1];
          if (last?.type === "text") last.text += part.text;
          else if (part.text.length > 0) content.push({ type: "text", text: part.text });
        } else if (part.kind === "thinking") {
          const last = content[content.length - 1];
          if (last?.type === "thinking" && !last.thinkingSignature) {
            last.thinking += part.text;
            if (part.signature) last.thinkingSignature = part.signature;
          } else if (part.text.length > 0 || part.signature) {
            content.push({ type: "thinking", thinking: part.text, ...(part.signature ? { thinkingSignature: part.signature } : {}) });
          }
        } else if (part.kind === "toolCall") {
          toolNames.set(part.callId, part.name);
          content.push({ type: "toolCall", id: part.callId, name: part.name, arguments: part.input });
        }
      }
      if (content.length > 0) out.push(assistantMessage(content, options.modelId, timestamp));
      return;
    }
    // User (and any unknown role, which VS Code documents as user-like input).
    const userContent: (TextContent | ImageContent)[] = [];
    for (const part of parts) {
      if (part.kind === "toolResult") {
        const result: ToolResultMessage = {
          role: "toolResult",
          toolCallId: part.callId,
          toolName: toolNames.get(part.callId) ?? "unknown_tool",
          content: convertToolResultContent(part.content, kit),
          isError: part.isError,
          timestamp,
        };
        out.push(result);
      } else if (part.kind === "text") {
        const last = userContent[userContent.length - 1];
        if (last?.type === "text") last.text += part.text;
        else if (part.text.length > 0) userContent.push({ type: "text", text: part.text });
      } else if (part.kind === "data") {
        const c = dataPartContent(part);
        if (c) userContent.push(c);
      } else if (part.kind === "promptTsx") {
        const text = promptTsxText(part.value).join("");
        if (text.length > 0) userContent.push({ type: "text", text });
      }
    }
    if (userContent.some((c) => c.type === "image" || c.text.trim().length > 0)) {
      out.push({ role: "user", content: userContent, timestamp });
    }
  });

  const tools = convertTools(options.tools);
  if (options.toolMode === ChatToolMode.Required && tools.length > 0) systemTexts.push(requiredToolInstruction(tools));

  const context: Context = { messages: out };
  if (systemTexts.length > 0) context.systemPrompt = systemTexts.join("\n\n");
  if (tools.length > 0) context.tools = tools;
  return context;
}

export interface ReportStreamOptions {
  /**
   * Hold answer text back instead of reporting it (toolMode Required): it is released before the first tool call, or left to the
   * caller in `heldText` when the model answered without one.
   */
  holdText?: boolean;
}

export interface ReportedStream {
  /** The final message: from `done`, or the failed message from `error`. */
  final: AssistantMessage | undefined;
  outcome: "done" | "error" | "ended";
  toolCalls: number;
  /** Text not reported because `holdText` was set and no tool call came. */
  heldText: string;
}

/**
 * Feeds one Kiro event stream to VS Code's progress: answer text as text parts the moment it arrives, thinking as thinking parts
 * (only when the running VS Code has that class; otherwise thinking is dropped, never mixed into the answer), tool calls as
 * tool call parts once their input is complete (`toolcall_end`), with parsed input.
 */
export async function reportAssistantStream(
  events: AsyncIterable<AssistantMessageEvent>,
  kit: ChatPartKit,
  report: (part: object) => void,
  options: ReportStreamOptions = {},
): Promise<ReportedStream> {
  let held: string[] | undefined = options.holdText ? [] : undefined;
  let toolCalls = 0;
  // One id per thinking block of this answer, the same on each of its parts.
  const answerId = randomUUID();
  const thinkingId = (contentIndex: number): string => `kiro-thinking-${answerId}-${contentIndex}`;
  for await (const event of events) {
    switch (event.type) {
      case "text_delta":
        if (event.delta.length === 0) break;
        if (held) held.push(event.delta);
        else report(new kit.TextPart(event.delta));
        break;
      case "thinking_delta":
        if (kit.ThinkingPart && event.delta.length > 0) report(new kit.ThinkingPart(event.delta, thinkingId(event.contentIndex)));
        break;
      case "thinking_end": {
        const block = event.partial.content[event.contentIndex];
        const signature = block?.type === "thinking" ? block.thinkingSignature : undefined;
        // The signature travels back with the thinking in later requests (VS Code keeps thinking parts in the history), on
        // the block's own id: Copilot Chat keeps a thinking part's id as `id || ""` and joins the parts of one id.
        if (kit.ThinkingPart && signature) report(new kit.ThinkingPart("", thinkingId(event.contentIndex), { signature }));
        break;
      }
      case "toolcall_end":
        if (held) {
          if (held.length > 0) report(new kit.TextPart(held.join("")));
          held = undefined;
        }
        toolCalls++;
        report(new kit.ToolCallPart(event.toolCall.id, event.toolCall.name, event.toolCall.arguments ?? {}));
        break;
      case "done":
        return { final: event.message, outcome: "done", toolCalls, heldText: held?.join("") ?? "" };
      case "error":
        return { final: event.error, outcome: "error", toolCalls, heldText: held?.join("") ?? "" };
      default:
        break;
    }
  }
  return { final: undefined, outcome: "ended", toolCalls, heldText: held?.join("") ?? "" };
}
