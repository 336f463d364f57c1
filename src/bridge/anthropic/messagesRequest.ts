// Turns an Anthropic Messages request body (POST /v1/messages, /v1/messages/count_tokens) into a pi Context and the bridge's answer options: pure, and every refusal a 400 naming the field.
// Over 300 lines: one request format's every block type (system, text, image, tool_use, tool_result, thinking) and its options, each a few lines, read together.
import { isRecord } from "../../util/json";
import type { AssistantMessage, Context, ImageContent, Message, Model, TextContent, ThinkingBudgets, ThinkingLevel, Tool, ToolCall, ToolResultMessage } from "../../kiro/types";
import { emptyUsage } from "../../kiro/types";
import { BridgeRequestError } from "../server/body";
import type { BridgeAnswerOptions } from "../server/types";
import { choosesNoTools, offeredTools } from "../toolChoice";

/** What a Messages request asks for, before the model is looked up. */
export interface ParsedMessagesRequest {
  /** The model id as the client sent it (echoed back in the answer). */
  model: string;
  stream: boolean;
  /** Builds the context for the resolved model (assistant turns name it). */
  context(model: Pick<Model, "id" | "api" | "provider">): Context;
  options: BridgeAnswerOptions;
  /** Fields the bridge accepts without acting on them (names only), for the debug log. */
  ignoredFields: string[];
}

function refuse(message: string): never {
  throw new BridgeRequestError(400, message);
}

/** Server tools are run by Anthropic's servers; Kiro has none of them behind this bridge. Custom tools have no type (or "custom"). */
function serverToolType(tool: Record<string, unknown>): string | undefined {
  return typeof tool.type === "string" && tool.type !== "custom" ? tool.type : undefined;
}

function parseTools(value: unknown): Tool[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) refuse("'tools' must be an array.");
  return value.map((tool, index): Tool => {
    if (!isRecord(tool)) refuse(`'tools[${index}]' must be an object.`);
    const type = serverToolType(tool);
    if (type) {
      const name = typeof tool.name === "string" ? ` ("${tool.name}")` : "";
      refuse(`The server tool ${type}${name} is not available through Kiro: the Kiro bridge runs no Anthropic server tools (web search, code execution). Use the agent's own tools instead.`);
    }
    if (typeof tool.name !== "string" || tool.name === "") refuse(`'tools[${index}].name' must be a non-empty string.`);
    const schema = tool.input_schema;
    if (schema !== undefined && !isRecord(schema)) refuse(`'tools[${index}].input_schema' must be a JSON Schema object.`);
    return { name: tool.name, description: typeof tool.description === "string" ? tool.description : "", parameters: (schema as Record<string, unknown> | undefined) ?? { type: "object", properties: {} } };
  });
}

/** `system` as a string or text blocks (with cache_control, which Kiro has no use for). */
function systemText(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value === "" ? [] : [value];
  if (!Array.isArray(value)) refuse(`'${where}' must be a string or an array of text blocks.`);
  return value.map((block, index) => {
    if (!isRecord(block) || block.type !== "text" || typeof block.text !== "string") refuse(`'${where}[${index}]' must be a text block.`);
    return block.text;
  }).filter((text) => text !== "");
}

function imageOf(block: Record<string, unknown>, where: string): ImageContent {
  const source = block.source;
  if (!isRecord(source)) refuse(`'${where}.source' must be an object.`);
  if (source.type !== "base64") refuse(`'${where}.source.type' ${JSON.stringify(source.type)} is not supported: the Kiro bridge takes images as base64 data, not URLs or files.`);
  if (typeof source.media_type !== "string" || typeof source.data !== "string") refuse(`'${where}.source' needs 'media_type' and 'data'.`);
  return { type: "image", mimeType: source.media_type, data: source.data };
}

/** A document block with plain text (Claude Code sends PDFs as base64 documents, which Kiro cannot read). */
function documentText(block: Record<string, unknown>, where: string): TextContent {
  const source = block.source;
  if (isRecord(source) && source.type === "text" && typeof source.data === "string") {
    const title = typeof block.title === "string" ? `${block.title}\n\n` : "";
    return { type: "text", text: `${title}${source.data}` };
  }
  refuse(`'${where}' is a ${isRecord(source) ? String(source.type) : "?"} document, which Kiro cannot read; only text documents and images go through the Kiro bridge.`);
}

/** Text and image parts of a user turn or a tool result. */
function userParts(value: unknown, where: string): (TextContent | ImageContent)[] {
  if (typeof value === "string") return value === "" ? [] : [{ type: "text", text: value }];
  if (!Array.isArray(value)) refuse(`'${where}' must be a string or an array of content blocks.`);
  const parts: (TextContent | ImageContent)[] = [];
  value.forEach((block, index) => {
    const at = `${where}[${index}]`;
    if (!isRecord(block)) refuse(`'${at}' must be a content block.`);
    if (block.type === "text") {
      if (typeof block.text !== "string") refuse(`'${at}.text' must be a string.`);
      if (block.text !== "") parts.push({ type: "text", text: block.text });
    } else if (block.type === "image") {
      parts.push(imageOf(block, at));
    } else if (block.type === "document") {
      parts.push(documentText(block, at));
    } else {
      refuse(`'${at}' has type ${JSON.stringify(block.type)}, which the Kiro bridge does not take here (text, image, document).`);
    }
  });
  return parts;
}

interface Turn {
  role: "user" | "assistant";
  content: unknown;
}

function assistantMessage(content: unknown, where: string, model: Pick<Model, "id" | "api" | "provider">, toolNames: Map<string, string>): AssistantMessage {
  const blocks = typeof content === "string" ? [{ type: "text", text: content }] : content;
  if (!Array.isArray(blocks)) refuse(`'${where}' must be a string or an array of content blocks.`);
  const parts: AssistantMessage["content"] = [];
  blocks.forEach((block: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isRecord(block)) refuse(`'${at}' must be a content block.`);
    switch (block.type) {
      case "text":
        if (typeof block.text !== "string") refuse(`'${at}.text' must be a string.`);
        if (block.text !== "") parts.push({ type: "text", text: block.text });
        return;
      case "thinking":
        if (typeof block.thinking !== "string") refuse(`'${at}.thinking' must be a string.`);
        parts.push({ type: "thinking", thinking: block.thinking, ...(typeof block.signature === "string" && block.signature !== "" ? { thinkingSignature: block.signature } : {}) });
        return;
      case "redacted_thinking":
        if (typeof block.data !== "string") refuse(`'${at}.data' must be a string.`);
        parts.push({ type: "thinking", thinking: "", thinkingSignature: block.data, redacted: true });
        return;
      case "tool_use": {
        if (typeof block.id !== "string" || typeof block.name !== "string") refuse(`'${at}' needs an 'id' and a 'name'.`);
        const input = block.input === undefined ? {} : block.input;
        if (!isRecord(input)) refuse(`'${at}.input' must be an object.`);
        toolNames.set(block.id, block.name);
        const call: ToolCall = { type: "toolCall", id: block.id, name: block.name, arguments: input };
        parts.push(call);
        return;
      }
      default:
        refuse(`'${at}' has type ${JSON.stringify(block.type)}, which the Kiro bridge does not take in an assistant turn (text, thinking, redacted_thinking, tool_use).`);
    }
  });
  return {
    role: "assistant",
    content: parts,
    api: model.api,
    provider: model.provider,
    model: model.id,
    usage: emptyUsage(),
    stopReason: parts.some((part) => part.type === "toolCall") ? "toolUse" : "stop",
    timestamp: 0,
  };
}

/** A user turn: its tool results first (each its own pi message, as pi orders them), then its text and images. */
function userMessages(content: unknown, where: string, toolNames: ReadonlyMap<string, string>): Message[] {
  if (!Array.isArray(content)) {
    const parts = userParts(content, where);
    return parts.length > 0 ? [{ role: "user", content: parts, timestamp: 0 }] : [];
  }
  const results: ToolResultMessage[] = [];
  const rest: unknown[] = [];
  content.forEach((block: unknown, index) => {
    if (!isRecord(block) || block.type !== "tool_result") {
      rest.push(block);
      return;
    }
    const at = `${where}[${index}]`;
    if (typeof block.tool_use_id !== "string") refuse(`'${at}.tool_use_id' must be a string.`);
    const parts = block.content === undefined ? [] : userParts(block.content, `${at}.content`);
    results.push({
      role: "toolResult",
      toolCallId: block.tool_use_id,
      toolName: toolNames.get(block.tool_use_id) ?? "tool",
      content: parts,
      isError: block.is_error === true,
      timestamp: 0,
    });
  });
  const parts = rest.length > 0 ? userParts(rest, where) : [];
  return [...results, ...(parts.length > 0 ? [{ role: "user" as const, content: parts, timestamp: 0 }] : [])];
}

const EFFORT_LEVELS: Readonly<Record<string, ThinkingLevel>> = { low: "low", medium: "medium", high: "high", xhigh: "xhigh", max: "xhigh" };

/** The pi level nearest to a thinking budget (its default budget, src/kiro/request/thinkingConfig.ts, at or above it). */
function levelForBudget(budget: number): Exclude<ThinkingLevel, "xhigh"> {
  if (budget <= 1024) return "minimal";
  if (budget <= 4096) return "low";
  if (budget <= 10240) return "medium";
  return "high";
}

/**
 * `thinking` and `output_config.effort` as pi's level: enabled with a budget → the level of that budget (and the budget
 * itself for tag thinking); adaptive → the effort's level (high when none is given, Anthropic's default); otherwise off.
 */
export function thinkingOptions(thinking: unknown, outputConfig: unknown): Pick<BridgeAnswerOptions, "reasoning" | "thinkingBudgets"> {
  if (thinking === undefined || thinking === null) return { reasoning: "off" };
  if (!isRecord(thinking) || typeof thinking.type !== "string") refuse("'thinking' must be an object with a 'type'.");
  const effort = isRecord(outputConfig) ? outputConfig.effort : undefined;
  if (effort !== undefined && (typeof effort !== "string" || !(effort in EFFORT_LEVELS))) refuse(`'output_config.effort' must be one of ${Object.keys(EFFORT_LEVELS).join(", ")}.`);
  switch (thinking.type) {
    case "disabled":
      return { reasoning: "off" };
    case "adaptive":
      return { reasoning: EFFORT_LEVELS[(effort as string | undefined) ?? "high"]! };
    case "enabled": {
      const budget = thinking.budget_tokens;
      if (typeof budget !== "number" || !Number.isInteger(budget) || budget < 1) refuse("'thinking.budget_tokens' must be a positive integer.");
      const level = levelForBudget(budget);
      const budgets: ThinkingBudgets = { [level]: budget };
      return { reasoning: effort !== undefined ? EFFORT_LEVELS[effort as string]! : level, thinkingBudgets: budgets };
    }
    default:
      refuse(`'thinking.type' must be adaptive, enabled or disabled, not ${JSON.stringify(thinking.type)}.`);
  }
}

/** Fields Claude Code and the Anthropic SDKs send that Kiro has no counterpart for: accepted, logged by name. */
const ACCEPTED_WITHOUT_EFFECT = ["metadata", "context_management", "tool_choice", "temperature", "top_p", "top_k", "stop_sequences", "service_tier", "container", "mcp_servers"];

/** Parses a Messages (or count_tokens) body; throws a 400 BridgeRequestError naming the first field it cannot take. */
export function parseMessagesRequest(json: unknown): ParsedMessagesRequest {
  if (!isRecord(json)) refuse("The request body must be a JSON object (an Anthropic Messages request).");
  if (typeof json.model !== "string" || json.model.trim() === "") refuse("'model' must be a model id.");
  if (!Array.isArray(json.messages)) refuse("'messages' must be an array.");
  const systemParts = systemText(json.system, "system");
  const turns: Turn[] = [];
  json.messages.forEach((message: unknown, index) => {
    if (!isRecord(message) || typeof message.role !== "string") refuse(`'messages[${index}]' must be a message with a 'role'.`);
    if (message.role === "system") {
      // Some clients put system text inside messages; it joins the system prompt in order.
      systemParts.push(...systemText(message.content, `messages[${index}].content`));
      return;
    }
    if (message.role !== "user" && message.role !== "assistant") refuse(`'messages[${index}].role' must be user, assistant or system.`);
    turns.push({ role: message.role, content: message.content });
  });
  const tools = parseTools(json.tools);
  if (json.max_tokens !== undefined && (typeof json.max_tokens !== "number" || !Number.isInteger(json.max_tokens) || json.max_tokens < 1)) {
    refuse("'max_tokens' must be a positive integer.");
  }
  const options: BridgeAnswerOptions = { ...thinkingOptions(json.thinking, json.output_config) };
  if (typeof json.max_tokens === "number") options.maxTokens = json.max_tokens;
  const model = json.model;
  return {
    model,
    stream: json.stream === true,
    options,
    // tool_choice "none" has its effect (no tools offered); auto, any and a named tool Kiro cannot be made to honour.
    ignoredFields: ACCEPTED_WITHOUT_EFFECT.filter((field) => json[field] !== undefined && !(field === "tool_choice" && choosesNoTools(json.tool_choice))),
    context(target) {
      const toolNames = new Map<string, string>();
      const messages: Message[] = [];
      turns.forEach((turn, index) => {
        const where = `messages[${index}].content`;
        if (turn.role === "assistant") messages.push(assistantMessage(turn.content, where, target, toolNames));
        else messages.push(...userMessages(turn.content, where, toolNames));
      });
      // A trailing assistant turn is a prefill, which Kiro cannot continue; the answer starts a new turn instead.
      while (messages.length > 0 && messages[messages.length - 1]!.role === "assistant") messages.pop();
      return {
        ...(systemParts.length > 0 ? { systemPrompt: systemParts.join("\n\n") } : {}),
        messages,
        ...offeredTools(tools, json.tool_choice),
      };
    },
  };
}
