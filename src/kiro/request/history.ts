// Turns pi messages into Kiro's alternating user/assistant history plus a current user message, repaired to pass every rule the service enforces, and trims it from the oldest end.
// Over 300 lines: one pass needs every repair rule at once (alternation, tool pairing, thinking, images), and the trimming must keep those rules true.
import { createHash } from "node:crypto";
import { MAX_HISTORY_ENTRIES } from "./serviceLimits";
import { IMAGE_TOKENS, tokensForChars } from "./tokenEstimate";
import type { AssistantMessage, ImageContent, Message, TextContent } from "../types";
import type {
  KiroAssistantResponseMessage,
  KiroHistoryEntry,
  KiroImage,
  KiroImageFormat,
  KiroToolResult,
  KiroToolUse,
  KiroUserInputMessage,
} from "../wire/wireTypes";

/** Sent as the current message when the conversation ends with the assistant (the service needs a user turn last). */
export const CONTINUE_TEXT = "Continue";
/** Opens a history that would otherwise start with the assistant. */
export const CONVERSATION_START_TEXT = "(The conversation starts with an earlier reply from the assistant.)";
const TOOL_RESULTS_ONLY_TEXT = "Tool results:";
const IMAGES_ONLY_TEXT = "See the attached image.";
const TOOL_USE_ONLY_TEXT = "(using tools)";
const EMPTY_ASSISTANT_TEXT = "(no reply text)";
const EMPTY_TOOL_OUTPUT = "(no output)";
/** Texts this module fills empty entries with: not the user's or the model's words, so a folded transcript leaves them out. */
export const PLACEHOLDER_TEXTS: ReadonlySet<string> = new Set([TOOL_RESULTS_ONLY_TEXT, TOOL_USE_ONLY_TEXT, EMPTY_ASSISTANT_TEXT]);
const MISSING_RESULT_TEXT = "No result was recorded for this tool call; it was interrupted or never ran.";

export interface ConversationOptions {
  /** The Kiro model id every user message carries. */
  modelId: string;
  /** The origin every user message carries, per host generation (src/kiro/endpoints.ts originFor). */
  origin: KiroUserInputMessage["origin"];
  /** False for models that take text only: images become a short note. */
  acceptsImages: boolean;
  /**
   * "native": signed thinking from this same model is replayed as `reasoningContent`;
   * "tags": all earlier thinking goes back as `<thinking>…</thinking>` before the text.
   */
  thinkingReplay: "tags" | "native";
  /** Signed thinking that would go back as `reasoningContent` is left out instead (the THINKING_SIGNATURE_INVALID retry). */
  stripReasoning?: boolean;
  /** pi provider and model id of the current model; signatures from any other model are not replayed. */
  provider: string;
  piModelId: string;
  /** The wire name for a tool name (same mapping as the tool specs). */
  wireToolName(name: string): string;
}

export interface Conversation {
  /** Alternating, starts with a user entry and ends with an assistant entry (or is empty). */
  history: KiroHistoryEntry[];
  current: KiroUserInputMessage;
}

interface PendingResult {
  toolUseId: string;
  toolName: string;
  text: string;
  isError: boolean;
}

interface UserTurn {
  role: "user";
  texts: string[];
  images: KiroImage[];
  results: PendingResult[];
}

interface AssistantTurn {
  role: "assistant";
  content: string[];
  toolUses: KiroToolUse[];
  reasoning?: { text: string; signature: string };
  modelTag?: string;
}

type Turn = UserTurn | AssistantTurn;

const IMAGE_FORMATS: Readonly<Record<string, KiroImageFormat>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/pjpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** The Kiro image format for a MIME type, or undefined when Kiro cannot take it. */
export function imageFormatFor(mimeType: string): KiroImageFormat | undefined {
  const bare = mimeType.split(";")[0]?.trim().toLowerCase() ?? "";
  return IMAGE_FORMATS[bare];
}

/** Converts a pi image block; anything Kiro cannot take becomes a note the model can read instead. */
export function convertImage(image: ImageContent, acceptsImages: boolean): KiroImage | string {
  const mime = image.mimeType || "unknown type";
  if (!acceptsImages) return `[An image (${mime}) was attached here; this model does not accept images.]`;
  const format = imageFormatFor(mime);
  if (!format) return `[An image of type ${mime} was attached here; Kiro accepts only PNG, JPEG, GIF and WebP images.]`;
  const bytes = (image.data ?? "").replace(/^data:[^,]*;base64,/, "").trim();
  if (!bytes) return `[An empty ${mime} image was attached here.]`;
  return { format, source: { bytes } };
}

/** Removes empty-string keys at any depth, which the service rejects in tool input. */
export function cleanToolInput(value: unknown): Record<string, unknown> {
  const cleaned = cleanValue(value);
  return cleaned && typeof cleaned === "object" && !Array.isArray(cleaned) ? (cleaned as Record<string, unknown>) : {};
}

function cleanValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanValue);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (key === "" || inner === undefined) continue;
      out[key] = cleanValue(inner);
    }
    return out;
  }
  return value;
}

/** Rule thinking-with-tool-results (docs/kiro-protocol.md#rules): a message carrying tool results must not contain `<thinking>`; escaping keeps the text readable. */
export function escapeThinkingTags(text: string): string {
  return text.indexOf("<") === -1 ? text : text.replace(/<(\/?thinking)/gi, "&lt;$1");
}

function textOf(blocks: readonly (TextContent | ImageContent)[]): string {
  const texts: string[] = [];
  for (const block of blocks) if (block?.type === "text" && typeof block.text === "string" && block.text) texts.push(block.text);
  return texts.join("\n");
}

function lastTurn(turns: Turn[]): Turn | undefined {
  return turns[turns.length - 1];
}

function userTurnFor(turns: Turn[]): UserTurn {
  const last = lastTurn(turns);
  if (last?.role === "user") return last;
  const turn: UserTurn = { role: "user", texts: [], images: [], results: [] };
  turns.push(turn);
  return turn;
}

function addImage(turn: UserTurn, image: ImageContent, acceptsImages: boolean): void {
  const converted = convertImage(image, acceptsImages);
  if (typeof converted === "string") turn.texts.push(converted);
  else turn.images.push(converted);
}

/**
 * Rule tool-result-image (docs/kiro-protocol.md#rule-tool-result-image): Kiro drops images inside `toolResults` without a
 * word, so an image a tool returned goes with the message's own images and the result says so in its text.
 */
function toolResultImageText(image: ImageContent, acceptsImages: boolean, turn: UserTurn): string {
  const converted = convertImage(image, acceptsImages);
  if (typeof converted === "string") return converted;
  turn.images.push(converted);
  return `[The tool returned an image (${image.mimeType}); it is attached to this message as image ${turn.images.length}.]`;
}

function addUserMessage(turns: Turn[], content: string | (TextContent | ImageContent)[], o: ConversationOptions): void {
  if (!Array.isArray(content)) {
    // A context that crossed a process boundary may carry anything; only text survives.
    if (typeof content !== "string") return;
    if (content.trim()) userTurnFor(turns).texts.push(content);
    return;
  }
  const hasSomething = content.some((b) => (b?.type === "text" ? typeof b.text === "string" && b.text.trim() !== "" : b?.type === "image"));
  if (!hasSomething) return;
  const turn = userTurnFor(turns);
  const text = textOf(content);
  if (text.trim()) turn.texts.push(text);
  for (const block of content) if (block?.type === "image") addImage(turn, block, o.acceptsImages);
}

function thinkingTag(text: string): string {
  return `<thinking>${text}</thinking>\n\n`;
}

function addAssistantMessage(turns: Turn[], message: AssistantMessage, o: ConversationOptions): void {
  // pi never runs tools of a failed or aborted reply and drops such replies from replays; so do we.
  if (message.stopReason === "error" || message.stopReason === "aborted" || !Array.isArray(message.content)) return;
  const sameModel = message.provider === o.provider && message.model === o.piModelId;
  let content = "";
  let reasoning: AssistantTurn["reasoning"];
  const toolUses: KiroToolUse[] = [];
  for (const block of message.content) {
    if (block?.type === "thinking") {
      if (block.redacted || typeof block.thinking !== "string" || !block.thinking.trim()) continue;
      if (o.thinkingReplay === "native" && sameModel && block.thinkingSignature && o.stripReasoning) {
        continue;
      } else if (o.thinkingReplay === "native" && sameModel && block.thinkingSignature && !reasoning) {
        reasoning = { text: block.thinking, signature: block.thinkingSignature };
      } else {
        content += thinkingTag(block.thinking);
      }
    } else if (block?.type === "text") {
      if (typeof block.text !== "string" || !block.text.trim()) continue;
      if (content && !content.endsWith("\n\n")) content += "\n\n";
      content += block.text;
    } else if (block?.type === "toolCall") {
      toolUses.push({ toolUseId: String(block.id ?? ""), name: o.wireToolName(String(block.name ?? "")), input: cleanToolInput(block.arguments) });
    }
  }
  if (!content.trim() && toolUses.length === 0 && !reasoning) return;
  // Rule model-tag (docs/kiro-protocol.md#reasoning-replay): the tag Kiro gave this model's answer goes back with it, never to another model.
  const modelTag = sameModel && typeof message.kiro?.modelTag === "string" && message.kiro.modelTag ? message.kiro.modelTag : undefined;
  const last = lastTurn(turns);
  if (last?.role === "assistant") {
    if (content) last.content.push(content);
    last.toolUses.push(...toolUses);
    last.reasoning ??= reasoning;
    last.modelTag ??= modelTag;
    return;
  }
  const turn: AssistantTurn = { role: "assistant", content: content ? [content] : [], toolUses };
  if (reasoning) turn.reasoning = reasoning;
  if (modelTag) turn.modelTag = modelTag;
  turns.push(turn);
}

function collectTurns(messages: readonly Message[], o: ConversationOptions): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages ?? []) {
    if (!message) continue;
    if (message.role === "user") {
      addUserMessage(turns, message.content, o);
    } else if (message.role === "assistant") {
      addAssistantMessage(turns, message, o);
    } else if (message.role === "toolResult") {
      const turn = userTurnFor(turns);
      const blocks = Array.isArray(message.content) ? message.content : [];
      const imageTexts: string[] = [];
      for (const block of blocks) if (block?.type === "image") imageTexts.push(toolResultImageText(block, o.acceptsImages, turn));
      turn.results.push({
        toolUseId: String(message.toolCallId ?? ""),
        toolName: String(message.toolName ?? ""),
        text: [textOf(blocks), ...imageTexts].filter((t) => t).join("\n"),
        isError: message.isError,
      });
    }
  }
  return turns;
}

/** A tool result as readable text, for a result whose call is not just before it: its heading line and its text. */
export function orphanResultParts(result: { toolUseId: string; toolName: string; text: string; isError: boolean }): [heading: string, text: string] {
  const label = result.isError ? "Error from tool" : "Result of tool";
  return [`[${label} ${result.toolName || "(unnamed)"} (call ${result.toolUseId || "unknown"})]\n`, result.text.trim() ? result.text : EMPTY_TOOL_OUTPUT];
}

/** A tool result as readable text, for a result whose call is not just before it. */
export function orphanResultText(result: { toolUseId: string; toolName: string; text: string; isError: boolean }): string {
  const [heading, text] = orphanResultParts(result);
  return heading + text;
}

/** Tool-use ids Kiro takes as they are: at most 64 characters, none of them `|` (docs/kiro-protocol.md#rule-tool-use-id). */
const VALID_TOOL_USE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOOL_USE_ID_LENGTH = 64;

/**
 * Rule tool-use-id (docs/kiro-protocol.md#rule-tool-use-id): the wire id of a tool use, a pure function of its id, so the
 * same call has the same wire id in every request of a session. Ids that already fit (Kiro's own `tooluse_…`) are kept;
 * others (OpenAI's `call_…|fc_…`, over 64 characters, from a session that began on another provider) become
 * `tooluse_` and 32 hex digits of their SHA-256, which no id of Kiro's shape can equal by chance.
 */
export function wireToolUseId(id: string): string {
  if (VALID_TOOL_USE_ID.test(id)) return id;
  return `tooluse_${createHash("sha256").update(id).digest("hex").slice(0, 32)}`;
}

/** Gives every tool use an id unique across the request, renaming later duplicates deterministically. */
class ToolUseIds {
  private readonly used = new Set<string>();
  private generated = 0;

  claim(id: string): string {
    const trimmed = id.trim();
    const base = trimmed ? wireToolUseId(trimmed) : `tooluse_generated_${++this.generated}`;
    let candidate = base;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${base.slice(0, MAX_TOOL_USE_ID_LENGTH - String(n).length - 1)}_${n}`;
    this.used.add(candidate);
    return candidate;
  }
}

interface ResolvedUserTurn {
  texts: string[];
  images: KiroImage[];
  results: KiroToolResult[];
}

/**
 * Keeps only results whose call is in the assistant turn just before (each call answered
 * once); other results become text; calls left without a result get an error result, since a
 * call without its result is as malformed as the reverse.
 */
function resolveResults(turn: UserTurn, previous: AssistantTurn | undefined, ids: ToolUseIds): ResolvedUserTurn {
  const open = new Map<string, string[]>();
  const unanswered = new Map<string, KiroToolUse>();
  if (previous) {
    for (const use of previous.toolUses) {
      const original = use.toolUseId;
      use.toolUseId = ids.claim(original);
      const queue = open.get(original);
      if (queue) queue.push(use.toolUseId);
      else open.set(original, [use.toolUseId]);
      unanswered.set(use.toolUseId, use);
    }
  }
  const orphanTexts: string[] = [];
  const results: KiroToolResult[] = [];
  for (const result of turn.results) {
    const wireId = open.get(result.toolUseId)?.shift();
    if (!wireId) {
      orphanTexts.push(orphanResultText(result));
      continue;
    }
    unanswered.delete(wireId);
    results.push({
      toolUseId: wireId,
      content: [{ text: result.text.trim() ? result.text : EMPTY_TOOL_OUTPUT }],
      status: result.isError ? "error" : "success",
    });
  }
  for (const use of unanswered.values()) {
    results.push({ toolUseId: use.toolUseId, content: [{ text: MISSING_RESULT_TEXT }], status: "error" });
  }
  return { texts: [...orphanTexts, ...turn.texts], images: turn.images, results };
}

function userEntry(resolved: ResolvedUserTurn, o: Pick<ConversationOptions, "modelId" | "origin">): KiroUserInputMessage {
  const hasResults = resolved.results.length > 0;
  let content = resolved.texts.join("\n\n");
  if (!content.trim()) content = hasResults ? TOOL_RESULTS_ONLY_TEXT : resolved.images.length > 0 ? IMAGES_ONLY_TEXT : CONTINUE_TEXT;
  const message: KiroUserInputMessage = { content, modelId: o.modelId, origin: o.origin };
  if (resolved.images.length > 0) message.images = resolved.images;
  if (hasResults) {
    message.content = escapeThinkingTags(message.content);
    for (const result of resolved.results) for (const part of result.content) part.text = escapeThinkingTags(part.text);
    message.userInputMessageContext = { toolResults: resolved.results };
  }
  return message;
}

function assistantEntry(turn: AssistantTurn): KiroAssistantResponseMessage {
  let content = turn.content.join("\n\n");
  if (!content.trim()) content = turn.toolUses.length > 0 ? TOOL_USE_ONLY_TEXT : EMPTY_ASSISTANT_TEXT;
  const message: KiroAssistantResponseMessage = { content };
  if (turn.toolUses.length > 0) message.toolUses = turn.toolUses;
  if (turn.reasoning) message.reasoningContent = { reasoningText: { text: turn.reasoning.text, signature: turn.reasoning.signature } };
  if (turn.modelTag) message.modelTag = turn.modelTag;
  return message;
}

/** Builds a history and current message that pass the service's shape rules (docs/kiro-protocol.md#rules: alternation, current user turn, no empty content, matched tool results, clean tool input, no thinking beside tool results). */
export function buildConversation(messages: readonly Message[], o: ConversationOptions): Conversation {
  const turns = collectTurns(messages, o);
  if (turns[0]?.role === "assistant") turns.unshift({ role: "user", texts: [CONVERSATION_START_TEXT], images: [], results: [] });
  // Rule current-message-user (docs/kiro-protocol.md#rules): the current message is a user turn; an assistant ending stays in history and "Continue" follows.
  if (lastTurn(turns)?.role !== "user") turns.push({ role: "user", texts: [CONTINUE_TEXT], images: [], results: [] });

  const ids = new ToolUseIds();
  const history: KiroHistoryEntry[] = [];
  let current: KiroUserInputMessage | undefined;
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i]!;
    if (turn.role === "assistant") {
      history.push({ assistantResponseMessage: assistantEntry(turn) });
      continue;
    }
    const previous = turns[i - 1];
    const resolved = resolveResults(turn, previous?.role === "assistant" ? previous : undefined, ids);
    const entry = userEntry(resolved, o);
    if (i === turns.length - 1) current = entry;
    else history.push({ userInputMessage: entry });
  }
  return { history, current: current ?? userEntry({ texts: [CONTINUE_TEXT], images: [], results: [] }, o) };
}

/** After trimming: results whose calls were dropped move into the message text (a result needs its call just before it). */
export function detachToolResults(message: KiroUserInputMessage, toolNameById: (id: string) => string | undefined): void {
  const results = message.userInputMessageContext?.toolResults;
  if (!results || results.length === 0) return;
  const texts = results.map((r) =>
    orphanResultText({
      toolUseId: r.toolUseId,
      toolName: toolNameById(r.toolUseId) ?? "",
      text: r.content.map((c) => c.text).join("\n"),
      isError: r.status === "error",
    }),
  );
  const own = message.content === TOOL_RESULTS_ONLY_TEXT ? "" : message.content;
  message.content = [...texts, own].filter((t) => t.trim()).join("\n\n");
  const context = message.userInputMessageContext!;
  delete context.toolResults;
  if (Object.keys(context).length === 0) delete message.userInputMessageContext;
}

export interface TrimResult {
  history: KiroHistoryEntry[];
  /**
   * `JSON.stringify` of each kept entry as measured (the first one is stale if the caller changes it afterwards); empty
   * when `budgetBytes` was Infinity, since then nothing is serialised.
   */
  entryJson: string[];
  /** History entries (user and assistant turns) removed from the oldest end. */
  droppedTurns: number;
  /** Which limit made turns go: the body size, the context window, the history entry cap, or none. */
  limitedBy?: "bytes" | "tokens" | "entries";
  /** Estimated input tokens of the kept history (0 when no token budget was given). */
  historyTokens: number;
}

/** Input tokens the request may carry, and those that go out whatever is trimmed (current message, system text, tools). */
export interface TokenBudget {
  fixedTokens: number;
  budgetTokens: number;
}

/** Room for the header text and JSON around a result that moves into the message text. */
const DETACH_OVERHEAD_BYTES = 160;
export const DETACH_OVERHEAD_TOKENS = 40;


/** Characters of model-visible text in a user message: its text, tool results and tool specs (image bytes excluded). */
function userMessageChars(message: KiroUserInputMessage): number {
  let chars = message.content.length;
  const context = message.userInputMessageContext;
  for (const result of context?.toolResults ?? []) for (const part of result.content) chars += part.text.length;
  if (context?.tools) chars += JSON.stringify(context.tools).length;
  return chars;
}

/** Estimated input tokens of a user message: text at four characters a token, plus each image. */
export function estimateUserMessageTokens(message: KiroUserInputMessage): number {
  return tokensForChars(userMessageChars(message)) + (message.images?.length ?? 0) * IMAGE_TOKENS;
}

/** Estimated input tokens of one history entry (replayed reasoning and tool-call inputs included). */
export function estimateEntryTokens(entry: KiroHistoryEntry): number {
  if ("userInputMessage" in entry) return estimateUserMessageTokens(entry.userInputMessage);
  const message = entry.assistantResponseMessage;
  let chars = message.content.length + (message.reasoningContent?.reasoningText.text.length ?? 0);
  for (const use of message.toolUses ?? []) chars += use.name.length + JSON.stringify(use.input).length;
  return tokensForChars(chars);
}

/** A user entry that opens an exchange: what a person (or pi's steering) wrote, not the results of the tool calls before it. */
function opensExchange(entry: KiroHistoryEntry | undefined): boolean {
  return entry !== undefined && "userInputMessage" in entry && !(entry.userInputMessage.userInputMessageContext?.toolResults?.length ?? 0);
}

/**
 * Keeps the request within the body budget, the context window (when `tokens` is given) and the service's history cap
 * (`maxEntries`, 198 for this client): drops whole user/assistant pairs from the oldest end, and then keeps dropping up to
 * the start of the next exchange, so no tool call loses its result. Only when no exchange starts in the rest of the
 * history (one exchange longer than the limits) does the cut fall inside it; then the results whose calls were dropped
 * move into the first kept user message's text. Each entry is measured once, so this is linear in the history size. With
 * `budgetBytes` Infinity only the token estimates decide and no entry is serialised (a first pass before folding, whose
 * folded entries would be serialised for nothing). `measured`: entries serialised already (by the fold), with their sizes.
 */
export function trimHistory(
  conversation: Conversation,
  fixedBytes: number,
  budgetBytes: number,
  tokens?: TokenBudget,
  maxEntries = MAX_HISTORY_ENTRIES,
  measured?: { json: readonly (string | undefined)[]; bytes: readonly (number | undefined)[] },
): TrimResult {
  const { history } = conversation;
  const measureBytes = budgetBytes !== Infinity;
  const entryJson = measureBytes ? history.map((entry, i) => measured?.json[i] ?? JSON.stringify(entry)) : [];
  // +1 for the comma between entries.
  const sizes = measureBytes ? entryJson.map((json, i) => (measured?.json[i] !== undefined ? measured.bytes[i]! : Buffer.byteLength(json, "utf8")) + 1) : history.map(() => 0);
  const entryTokens = tokens ? history.map(estimateEntryTokens) : [];
  let totalBytes = fixedBytes;
  for (const size of sizes) totalBytes += size;
  let historyTokens = 0;
  for (const count of entryTokens) historyTokens += count;
  const tokenRoom = tokens ? tokens.budgetTokens - tokens.fixedTokens : Infinity;
  const fits = (start: number, bytes: number, tokenCount: number, detached: number): boolean =>
    history.length - start <= maxEntries && bytes + detached * DETACH_OVERHEAD_BYTES <= budgetBytes && tokenCount + detached * DETACH_OVERHEAD_TOKENS <= tokenRoom;
  if (fits(0, totalBytes, historyTokens, 0)) return { history, entryJson, droppedTurns: 0, historyTokens };
  const limitedBy = history.length > maxEntries ? "entries" : totalBytes > budgetBytes ? "bytes" : "tokens";
  let start = 0;
  const dropPair = (): void => {
    totalBytes -= sizes[start]! + (sizes[start + 1] ?? 0);
    historyTokens -= (entryTokens[start] ?? 0) + (entryTokens[start + 1] ?? 0);
    start += 2;
  };
  while (start < history.length) {
    dropPair();
    const detached = firstUserMessage(history, start, conversation.current).userInputMessageContext?.toolResults?.length ?? 0;
    if (fits(start, totalBytes, historyTokens, detached)) break;
  }
  start = Math.min(start, history.length);
  // Move the cut forward to where an exchange starts, if one starts in what is left; otherwise cut inside the exchange.
  let boundary = start;
  while (boundary < history.length && !opensExchange(history[boundary])) boundary += 2;
  if (boundary < history.length) while (start < boundary) dropPair();
  const droppedAssistant = history[start - 1];
  const names = new Map<string, string>();
  if (droppedAssistant && "assistantResponseMessage" in droppedAssistant) {
    for (const use of droppedAssistant.assistantResponseMessage.toolUses ?? []) names.set(use.toolUseId, use.name);
  }
  detachToolResults(firstUserMessage(history, start, conversation.current), (id) => names.get(id));
  return { history: history.slice(start), entryJson: entryJson.slice(start), droppedTurns: start, limitedBy, historyTokens: Math.max(0, historyTokens) };
}

function firstUserMessage(history: KiroHistoryEntry[], start: number, current: KiroUserInputMessage): KiroUserInputMessage {
  const entry = history[start];
  return entry && "userInputMessage" in entry ? entry.userInputMessage : current;
}
