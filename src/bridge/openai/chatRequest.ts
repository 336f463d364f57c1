// A `POST /v1/chat/completions` body as a pi Context and the bridge's options: system/developer/user/assistant/tool messages, image data URLs, tool calls, tools, token limits and reasoning effort.
import type { Context, Message, TextContent, ImageContent, ToolCall, ToolResultMessage } from "../../kiro/types";
import { isRecord } from "../../util/json";
import { BridgeRequestError } from "../server/body";
import type { BridgeAnswerOptions } from "../server/types";
import { contentParts, functionTool, historyAssistant, imageFromUrl, parseArguments, positiveInteger, reasoningFromEffort, requestedModel, type HistoryModel } from "./shared";
import { offeredTools } from "../toolChoice";

export interface ChatCompletionsRequest {
  /** The id the client asked for, echoed in every answer. */
  model: string;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with `choices: []` and the usage. */
  includeUsage: boolean;
  options: BridgeAnswerOptions;
  context: Context;
}

/** Text of a content that is a string or an array of parts; image parts are refused where OpenAI does not allow them either. */
function textOf(content: unknown, where: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw new BridgeRequestError(400, `${where} must be a string or an array of content parts.`);
  return content
    .map((part, index) => {
      if (!isRecord(part) || (part.type !== "text" && part.type !== "refusal")) throw new BridgeRequestError(400, `${where}[${index}] must be a text part.`);
      const text = part.type === "text" ? part.text : part.refusal;
      return typeof text === "string" ? text : "";
    })
    .join("");
}

/** A user or tool message's content: text and `image_url` parts (data URLs only). */
function partsOf(content: unknown, where: string): (TextContent | ImageContent)[] {
  return contentParts(content, where, (part, at) => {
    if (part.type === "text") return { type: "text", text: typeof part.text === "string" ? part.text : "" };
    if (part.type === "image_url") return imageFromUrl(isRecord(part.image_url) ? part.image_url.url : part.image_url, `${at}.image_url.url`);
    return undefined;
  });
}

function toolCallsOf(value: unknown, where: string): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BridgeRequestError(400, `${where} must be an array.`);
  return value.map((call, index): ToolCall => {
    const at = `${where}[${index}]`;
    if (!isRecord(call) || !isRecord(call.function) || typeof call.id !== "string" || typeof call.function.name !== "string") {
      throw new BridgeRequestError(400, `${at} must be {id, type:"function", function:{name, arguments}}.`);
    }
    return { type: "toolCall", id: call.id, name: call.function.name, arguments: parseArguments(call.function.arguments, `${at}.function.arguments`) };
  });
}

/** The messages as pi's: system and developer text goes to the system prompt, tool results find their tool's name by call id. */
function convertMessages(messages: unknown[], model: HistoryModel): Context {
  const system: string[] = [];
  const out: Message[] = [];
  const toolNames = new Map<string, string>();
  messages.forEach((message, index) => {
    const at = `messages[${index}]`;
    if (!isRecord(message)) throw new BridgeRequestError(400, `${at} must be a message object.`);
    switch (message.role) {
      case "system":
      case "developer":
        system.push(textOf(message.content, `${at}.content`));
        return;
      case "user":
        out.push({ role: "user", content: partsOf(message.content, `${at}.content`), timestamp: 0 });
        return;
      case "assistant": {
        const text = textOf(message.content, `${at}.content`);
        const calls = toolCallsOf(message.tool_calls, `${at}.tool_calls`);
        // The legacy single `function_call` of older clients.
        if (isRecord(message.function_call) && typeof message.function_call.name === "string") {
          const name = message.function_call.name;
          calls.push({ type: "toolCall", id: `call_legacy_${index}`, name, arguments: parseArguments(message.function_call.arguments, `${at}.function_call.arguments`) });
        }
        for (const call of calls) toolNames.set(call.id, call.name);
        out.push(historyAssistant(model, [...(text ? [{ type: "text" as const, text }] : []), ...calls]));
        return;
      }
      case "tool":
      case "function": {
        const legacy = message.role === "function";
        const previous = out[out.length - 1];
        const legacyId = legacy && previous?.role === "assistant" ? [...previous.content].reverse().find((part) => part.type === "toolCall")?.id : undefined;
        const id = legacy ? legacyId : message.tool_call_id;
        if (typeof id !== "string") throw new BridgeRequestError(400, `${at}.tool_call_id must name the assistant's tool call it answers.`);
        const name = (legacy && typeof message.name === "string" ? message.name : undefined) ?? toolNames.get(id) ?? "tool";
        const result: ToolResultMessage = { role: "toolResult", toolCallId: id, toolName: name, content: partsOf(message.content, `${at}.content`), isError: false, timestamp: 0 };
        out.push(result);
        return;
      }
      default:
        throw new BridgeRequestError(400, `${at}.role must be system, developer, user, assistant or tool.`);
    }
  });
  const systemPrompt = system.filter((text) => text.length > 0).join("\n\n");
  return { ...(systemPrompt ? { systemPrompt } : {}), messages: out };
}

function convertTools(tools: unknown, functions: unknown): Context["tools"] {
  const converted = [];
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) throw new BridgeRequestError(400, "'tools' must be an array.");
    for (const [index, tool] of tools.entries()) {
      if (!isRecord(tool) || tool.type !== "function" || !isRecord(tool.function)) {
        throw new BridgeRequestError(400, `tools[${index}] must be {type:"function", function:{name, description, parameters}}; Kiro runs no other tool types.`);
      }
      converted.push(functionTool(tool.function.name, tool.function.description, tool.function.parameters, `tools[${index}].function`));
    }
  }
  if (Array.isArray(functions)) {
    for (const [index, fn] of functions.entries()) {
      if (!isRecord(fn)) throw new BridgeRequestError(400, `functions[${index}] must be an object.`);
      converted.push(functionTool(fn.name, fn.description, fn.parameters, `functions[${index}]`));
    }
  }
  return converted.length > 0 ? converted : undefined;
}

/**
 * Validates a Chat Completions body and converts it. `model` is the Kiro model the route resolved from `json.model`
 * (see requestedModel): assistant turns carry it, so Kiro treats them as its own.
 */
export function parseChatCompletionsRequest(json: unknown, model: HistoryModel): ChatCompletionsRequest {
  const requested = requestedModel(json);
  if (!isRecord(json)) throw new BridgeRequestError(400, "The request body must be a JSON object.");
  if (!Array.isArray(json.messages) || json.messages.length === 0) throw new BridgeRequestError(400, "'messages' must be a non-empty array.");
  if (json.n !== undefined && json.n !== null && json.n !== 1) throw new BridgeRequestError(400, "'n' must be 1: Kiro gives one answer per request.");
  const messages = json.messages;
  const tools = convertTools(json.tools, json.functions);
  const options: BridgeAnswerOptions = {};
  const maxTokens = positiveInteger(json.max_completion_tokens, "'max_completion_tokens'") ?? positiveInteger(json.max_tokens, "'max_tokens'");
  if (maxTokens !== undefined) options.maxTokens = maxTokens;
  const reasoning = reasoningFromEffort(json.reasoning_effort, "'reasoning_effort'");
  if (reasoning !== undefined) options.reasoning = reasoning;
  const streamOptions = isRecord(json.stream_options) ? json.stream_options : {};
  return {
    model: requested,
    stream: json.stream === true,
    includeUsage: streamOptions.include_usage === true,
    options,
    context: { ...convertMessages(messages, model), ...offeredTools(tools, json.tool_choice) },
  };
}
