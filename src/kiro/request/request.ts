// Builds the generateAssistantResponse body from a pi Context: tools, system text, thinking, history and size limits.
import { createHash } from "node:crypto";
import type { KiroModelInfo } from "../catalog/modelInfo";
import type { Context, JsonSchema, ThinkingBudgets, ThinkingLevel, Tool } from "../types";
import type { KiroHistoryEntry, KiroRequestBody, KiroToolSpec } from "../wire/wireTypes";
import { originFor } from "../service/endpoints";
import { buildConversation, escapeThinkingTags, estimateUserMessageTokens, trimHistory } from "./history";
import { applyServiceLimits, describeLimitNotes, MAX_HISTORY_ENTRIES } from "./serviceLimits";
import type { ApiGeneration } from "../settings";
import { tokensForChars } from "./tokenEstimate";
import { messageTooLongError } from "../errors";
import { KIRO_PROVIDER } from "../catalog/models";
import { additionalModelRequestFields, planThinking, thinkingPromptPrefix, type AdditionalModelRequestFields } from "./thinkingConfig";
import { toKiroToolSchema } from "./toolSchema";
import { foldHistory } from "./fold";

export interface BuildRequestOptions {
  reasoning?: ThinkingLevel | "off";
  /** An effort of the model's schema, sent as is when listed (src/kiro/request/thinkingConfig.ts `planThinking`). */
  effort?: string;
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
  conversationId?: string;
  profileArn?: string;
  /** The host generation the request goes to: its `origin`, and `agentMode` on the runtime host (default q). */
  generation?: ApiGeneration;
  /** Largest body to send; older history is dropped to fit. Default 5,000,000 bytes (bodies from ~5.9 MB were seen rejected). */
  maxBodyBytes?: number;
  /** Estimated input tokens to send at most; older history is dropped to fit. Default: `inputTokenBudget(model, maxTokens)`. */
  maxInputTokens?: number;
  /**
   * Leaves every `reasoningContent` out of the replayed history (earlier thinking is then not replayed at all): the retry
   * after the service refused a replayed signature with THINKING_SIGNATURE_INVALID (docs/kiro-protocol.md#reasoning-replay).
   */
  stripReasoning?: boolean;
}

export interface KiroRequest {
  body: KiroRequestBody;
  json: string;
  conversationId: string;
  /** History entries (user and assistant turns) dropped from the oldest end to fit `maxBodyBytes`, `maxInputTokens` and the history cap. */
  droppedTurns: number;
  /** What was changed to fit the service's limits, one sentence each, for the log. */
  notes: string[];
  /** Estimated input tokens of what is sent (text at four characters a token, images ~1600 each). */
  estimatedInputTokens: number;
  thinking: "off" | "tags" | "native";
  /** Wire tool name → the caller's tool name, for every tool name in the request; map tool calls back with it. */
  toolNames: Record<string, string>;
}

export const DEFAULT_MAX_BODY_BYTES = 5_000_000;
export const MAX_TOOL_NAME_LENGTH = 64;
/** Longer descriptions were seen rejected (~9–10k); the full text moves into the system text. */
export const MAX_TOOL_DESCRIPTION_CHARS = 9000;

const VALID_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PLACEHOLDER_DESCRIPTION = "A tool used earlier in this conversation. It is no longer available; do not call it.";
const EMPTY_SCHEMA: JsonSchema = { type: "object", properties: {} };

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * Rule tool-name (docs/kiro-protocol.md#rules): wire tool names are 1–64 characters of `[A-Za-z0-9_-]`. A name that is already valid
 * is kept; others are sanitised, and shortened with a hash of the original when too long or
 * when two originals would collide. One map per request serves tool specs and history alike.
 */
export class ToolNameMap {
  private readonly wireByOriginal = new Map<string, string>();
  private readonly originalByWire = new Map<string, string>();

  /** Names that are already valid keep themselves even when a sanitised name would otherwise take them first. */
  constructor(names: Iterable<string> = []) {
    for (const name of names) {
      if (VALID_TOOL_NAME.test(name) && !this.wireByOriginal.has(name)) {
        this.wireByOriginal.set(name, name);
        this.originalByWire.set(name, name);
      }
    }
  }

  wireName(original: string): string {
    const known = this.wireByOriginal.get(original);
    if (known !== undefined) return known;
    let candidate = VALID_TOOL_NAME.test(original) ? original : original.replace(/[^A-Za-z0-9_-]/g, "_");
    if (!candidate) candidate = "tool";
    if (candidate.length > MAX_TOOL_NAME_LENGTH || this.originalByWire.has(candidate)) {
      candidate = `${candidate.slice(0, MAX_TOOL_NAME_LENGTH - 9)}_${shortHash(original)}`;
    }
    for (let n = 2; this.originalByWire.has(candidate); n++) {
      candidate = `${candidate.slice(0, MAX_TOOL_NAME_LENGTH - 12)}_${shortHash(`${original}#${n}`).slice(0, 2)}${n}`.slice(0, MAX_TOOL_NAME_LENGTH);
    }
    this.wireByOriginal.set(original, candidate);
    this.originalByWire.set(candidate, original);
    return candidate;
  }

  /** Wire name → original name. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.originalByWire);
  }
}

interface ToolSpecs {
  specs: KiroToolSpec[];
  /** Full texts of descriptions too long to send, for the system text. */
  movedDescriptions: string[];
}

/** Tool specs from the context's tools (first definition of a name wins: the service rejects duplicates). */
export function buildToolSpecs(tools: readonly Tool[] | undefined, names: ToolNameMap): ToolSpecs {
  const specs: KiroToolSpec[] = [];
  const movedDescriptions: string[] = [];
  const seen = new Set<string>();
  for (const tool of tools ?? []) {
    if (!tool) continue;
    const name = names.wireName(String(tool.name ?? ""));
    if (seen.has(name)) continue;
    seen.add(name);
    let description = typeof tool.description === "string" && tool.description.trim() ? tool.description : `The ${name} tool.`;
    // Kiro refuses top-level unions, references and some keywords (docs/kiro-protocol.md#tool-schemas); what the reshaping cannot say in the schema goes in the description.
    const { schema, descriptionNote } = toKiroToolSchema(tool.parameters);
    if (descriptionNote) description = `${description}\n\n${descriptionNote}`;
    if (description.length > MAX_TOOL_DESCRIPTION_CHARS) {
      movedDescriptions.push(`Full description of the tool "${name}":\n${description}`);
      const note = `\n\n[Description shortened; the full text is at the start of the conversation under "Full description of the tool ${name}".]`;
      description = description.slice(0, MAX_TOOL_DESCRIPTION_CHARS - note.length) + note;
    }
    specs.push({ toolSpecification: { name, description, inputSchema: { json: schema } } });
  }
  return { specs, movedDescriptions };
}

/** Rule tools-missing-for-history (docs/kiro-protocol.md#rules): every tool name the history uses is defined, with a placeholder when the caller no longer offers it. */
export function placeholderToolSpecs(history: readonly KiroHistoryEntry[], defined: readonly KiroToolSpec[]): KiroToolSpec[] {
  const known = new Set(defined.map((s) => s.toolSpecification.name));
  const placeholders: KiroToolSpec[] = [];
  for (const entry of history) {
    if (!("assistantResponseMessage" in entry)) continue;
    for (const use of entry.assistantResponseMessage.toolUses ?? []) {
      if (known.has(use.name)) continue;
      known.add(use.name);
      placeholders.push({ toolSpecification: { name: use.name, description: PLACEHOLDER_DESCRIPTION, inputSchema: { json: EMPTY_SCHEMA } } });
    }
  }
  return placeholders;
}

function formatUuid(hex: string): string {
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A UUID that stays the same for every request of one conversation: derived from its first user message and that message's timestamp. */
export function conversationIdFor(context: Context): string {
  const first = (context.messages ?? []).find((m) => m?.role === "user");
  let seed: string;
  if (first && first.role === "user") {
    const text =
      typeof first.content === "string"
        ? first.content
        : Array.isArray(first.content)
          ? first.content.map((b) => (b?.type === "text" ? b.text : `[image ${b?.mimeType} ${b?.data?.length}]`)).join("\n")
          : "";
    seed = `user\n${first.timestamp}\n${text}`;
  } else {
    seed = `system\n${context.systemPrompt ?? ""}`;
  }
  return formatUuid(createHash("sha256").update(seed).digest("hex"));
}

/** Why history entries were left out, for the note the model reads and for the log. */
const TRIM_REASONS: Readonly<Record<"bytes" | "tokens" | "entries", string>> = {
  bytes: "Kiro's size limit",
  tokens: "the model's context window",
  entries: `Kiro's limit of ${MAX_HISTORY_ENTRIES} history entries`,
};

function droppedTurnsNote(count: number, limitedBy: "bytes" | "tokens" | "entries" | undefined): string {
  const why = TRIM_REASONS[limitedBy ?? "bytes"];
  return `[Note: ${count} earlier ${count === 1 ? "turn" : "turns"} of this conversation ${count === 1 ? "was" : "were"} dropped to keep the request within ${why}.]`;
}

/**
 * Input tokens a request may carry by default: the context window less room for the answer
 * (`maxTokens`, at most a quarter of the window). The reserve doubles as the margin for the
 * chars/4 estimate, which undercounts dense code.
 */
export function inputTokenBudget(model: Pick<KiroModelInfo, "contextWindow" | "maxTokens">, maxTokens?: number): number {
  const reserve = Math.min(maxTokens && maxTokens > 0 ? maxTokens : model.maxTokens, Math.floor(model.contextWindow / 4));
  return Math.max(1, model.contextWindow - Math.max(0, reserve));
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

/** Room for conversationId, fixed fields, profileArn, thinking fields and the note. */
const ENVELOPE_BYTES = 1024;
const PLACEHOLDER_BYTES = 256;
/** The dropped-turns note and the text around the system prompt. */
const ENVELOPE_TOKENS = 64;

export function buildKiroRequest(model: KiroModelInfo, context: Context, options: BuildRequestOptions = {}): KiroRequest {
  const plan = planThinking(model, options);
  const names = new ToolNameMap(toolNamesIn(context));
  const { specs, movedDescriptions } = buildToolSpecs(context.tools, names);

  const systemPrompt = typeof context.systemPrompt === "string" ? context.systemPrompt.trim() : "";
  const systemParts = [thinkingPromptPrefix(plan), systemPrompt, ...movedDescriptions].filter((p) => p);
  const systemText = systemParts.join("\n\n");

  const generation = options.generation ?? "q";
  const conversation = buildConversation(context.messages, {
    modelId: model.kiroId,
    origin: originFor(generation),
    acceptsImages: model.input.includes("image"),
    thinkingReplay: plan.mode === "native" ? "native" : "tags",
    stripReasoning: options.stripReasoning === true,
    provider: KIRO_PROVIDER,
    piModelId: model.id,
    wireToolName: (name) => names.wireName(name),
  });
  const notes: string[] = [];
  const limited = describeLimitNotes(applyServiceLimits(conversation.history, conversation.current));
  if (limited) notes.push(limited);

  const budget = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const historyToolNames = countHistoryToolNames(conversation.history);
  const specsJson = JSON.stringify(specs);
  const fixedBytes =
    ENVELOPE_BYTES + jsonBytes(conversation.current) + Buffer.byteLength(specsJson, "utf8") + jsonBytes(systemText) + (options.profileArn?.length ?? 0) + historyToolNames * PLACEHOLDER_BYTES;
  const mustSendTokens = ENVELOPE_TOKENS + estimateUserMessageTokens(conversation.current) + tokensForChars(specsJson.length + systemText.length);
  // Nothing can be dropped to make room: a request that certainly fails is not sent.
  if (mustSendTokens > model.contextWindow) throw messageTooLongError(mustSendTokens, model.contextWindow, model.name);
  const fixedTokens = mustSendTokens + tokensForChars(historyToolNames * PLACEHOLDER_BYTES);
  const budgetTokens = options.maxInputTokens ?? inputTokenBudget(model, options.maxTokens);
  const tokenBudget = { fixedTokens, budgetTokens };
  // The context window decides first, on token estimates alone: nothing is serialised yet, since entries that get folded
  // would be serialised for nothing (the bench's full history folds most of its entries). Then the oldest exchanges are
  // folded into fewer entries to fit the entry cap, leaving out just as many more of the oldest pairs as the
  // transcript's labels need room for in the window, and last the body size and window are checked on what is sent,
  // each entry serialised once.
  const sized = trimHistory(conversation, fixedBytes, Infinity, tokenBudget, Infinity);
  const fold = foldHistory(sized.history, conversation.current, MAX_HISTORY_ENTRIES, budgetTokens - fixedTokens);
  const capped = trimHistory({ history: fold.history, current: conversation.current }, fixedBytes, budget, tokenBudget, MAX_HISTORY_ENTRIES, { json: fold.entryJson, bytes: fold.entryBytes });
  const { history, entryJson, historyTokens } = capped;
  let droppedTurns = sized.droppedTurns + fold.droppedEntries;
  for (let i = 0; i < capped.droppedTurns; i++) droppedTurns += fold.originalEntries[i] ?? 1;
  const limitedBy = capped.droppedTurns > 0 ? capped.limitedBy : fold.droppedEntries > 0 ? "tokens" : sized.limitedBy;
  if (fold.foldedEntries > 0) notes.push(`folded the ${fold.foldedEntries} oldest history entries into ${fold.foldedPairs * 2} (Kiro's limit of ${MAX_HISTORY_ENTRIES} history entries).`);
  if (droppedTurns > 0) notes.push(`left out the ${droppedTurns} oldest history entries (${TRIM_REASONS[limitedBy ?? "bytes"]}); ${history.length} kept.`);

  const firstUser = history.length > 0 && "userInputMessage" in history[0]! ? history[0].userInputMessage : conversation.current;
  const preamble = [systemText, droppedTurns > 0 ? droppedTurnsNote(droppedTurns, limitedBy) : ""].filter((p) => p).join("\n\n");
  if (preamble) {
    firstUser.content = `${preamble}\n\n${firstUser.content}`;
    if (firstUser.userInputMessageContext?.toolResults) firstUser.content = escapeThinkingTags(firstUser.content);
  }

  const tools = [...specs, ...placeholderToolSpecs(history, specs)];
  const current = conversation.current;
  if (tools.length > 0) current.userInputMessageContext = { tools, ...current.userInputMessageContext };

  const conversationId = options.conversationId?.trim() || conversationIdFor(context);
  const body: KiroRequestBody = {
    conversationState: {
      conversationId,
      chatTriggerType: "MANUAL",
      agentTaskType: "vibe",
      currentMessage: { userInputMessage: current },
    },
  };
  if (history.length > 0) body.conversationState.history = history;
  if (options.profileArn) body.profileArn = options.profileArn;
  if (generation === "runtime") body.agentMode = "vibe";
  const thinkingFields = additionalModelRequestFields(plan);
  if (thinkingFields) body.additionalModelRequestFields = thinkingFields;

  // The first kept entry may have changed (system text, note, detached results); the others are serialised already.
  if (history.length > 0) entryJson[0] = JSON.stringify(history[0]);
  return {
    body,
    json: serializeBody(body, entryJson),
    conversationId,
    droppedTurns,
    notes,
    estimatedInputTokens: fixedTokens + historyTokens,
    thinking: plan.mode,
    toolNames: names.toRecord(),
  };
}

/** `JSON.stringify(body)` that reuses the history entries serialised while measuring them, so the history is serialised once. */
function serializeBody(body: KiroRequestBody, entryJson: readonly string[]): string {
  const { history, ...state } = body.conversationState;
  const stateJson = JSON.stringify(state);
  const historyJson = history && history.length > 0 ? `,"history":[${entryJson.join(",")}]` : "";
  const { conversationState: _state, ...rest } = body;
  const restJson = JSON.stringify(rest);
  const tail = restJson === "{}" ? "" : `,${restJson.slice(1, -1)}`;
  return `{"conversationState":${stateJson.slice(0, -1)}${historyJson}}${tail}}`;
}

function* toolNamesIn(context: Context): Generator<string> {
  for (const tool of context.tools ?? []) if (typeof tool?.name === "string") yield tool.name;
  for (const message of context.messages ?? []) {
    if (message?.role !== "assistant" || !Array.isArray(message.content)) continue;
    for (const block of message.content) if (block?.type === "toolCall" && typeof block.name === "string") yield block.name;
  }
}

function countHistoryToolNames(history: readonly KiroHistoryEntry[]): number {
  const names = new Set<string>();
  for (const entry of history) {
    if ("assistantResponseMessage" in entry) for (const use of entry.assistantResponseMessage.toolUses ?? []) names.add(use.name);
  }
  return names.size;
}
