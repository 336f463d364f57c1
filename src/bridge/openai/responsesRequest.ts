// A `POST /v1/responses` body (the part Codex sends, store:false) as a pi Context and the bridge's options: instructions, input items (messages, function calls and outputs, reasoning), function tools, reasoning effort.
import type { AssistantMessage, Context, ImageContent, Message, TextContent, ThinkingContent, Tool } from "../../kiro/types";
import { isRecord } from "../../util/json";
import { BridgeRequestError } from "../server/body";
import type { BridgeAnswerOptions } from "../server/types";
import { contentParts, functionTool, historyAssistant, imageFromUrl, parseArguments, positiveInteger, reasoningFromEffort, requestedModel, type HistoryModel } from "./shared";
import { offeredTools } from "../toolChoice";

export interface ResponsesRequest {
  /** The id the client asked for, echoed in the response. */
  model: string;
  stream: boolean;
  options: BridgeAnswerOptions;
  context: Context;
  /** Tool types the client offered that Kiro cannot run (`web_search`, `local_shell`, ...), left out; names for the log. */
  droppedToolTypes: string[];
}

/**
 * What a reasoning item's `encrypted_content` holds: Kiro's thinking signature (or a redacted block's payload), so a
 * client that sends the item back (Codex does, with store:false) replays the thinking byte for byte.
 */
interface ReasoningPayload {
  signature?: string;
  redacted?: boolean;
}

const PAYLOAD_PREFIX = "kiro-pi:";

export function encodeReasoningPayload(payload: ReasoningPayload): string | undefined {
  if (payload.signature === undefined) return undefined;
  return PAYLOAD_PREFIX + Buffer.from(JSON.stringify(payload), "utf8").toString("base64");
}

function decodeReasoningPayload(value: unknown): ReasoningPayload {
  if (typeof value !== "string" || !value.startsWith(PAYLOAD_PREFIX)) return {};
  try {
    const parsed = JSON.parse(Buffer.from(value.slice(PAYLOAD_PREFIX.length), "base64").toString("utf8")) as unknown;
    if (isRecord(parsed) && typeof parsed.signature === "string") return { signature: parsed.signature, redacted: parsed.redacted === true };
  } catch {
    // Another server's payload: the thinking goes without a signature.
  }
  return {};
}

/** A message's or tool output's content: input_text / output_text (refusals count as text), and input_image where allowed. */
function partsOf(content: unknown, where: string, allowImages: boolean): (TextContent | ImageContent)[] {
  return contentParts(content, where, (part, at) => {
    if (part.type === "input_text" || part.type === "output_text" || part.type === "text") return { type: "text", text: typeof part.text === "string" ? part.text : "" };
    if (part.type === "refusal") return { type: "text", text: typeof part.refusal === "string" ? part.refusal : "" };
    if (part.type === "input_image" && allowImages) return imageFromUrl(isRecord(part.image_url) ? part.image_url.url : part.image_url, `${at}.image_url`);
    return undefined;
  });
}

function textOnly(parts: (TextContent | ImageContent)[]): string {
  return parts.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
}

function reasoningContent(item: Record<string, unknown>): ThinkingContent {
  const texts = [item.summary, item.content].flatMap((list) => (Array.isArray(list) ? list : [])).flatMap((part) => (isRecord(part) && typeof part.text === "string" ? [part.text] : []));
  const payload = decodeReasoningPayload(item.encrypted_content);
  return { type: "thinking", thinking: payload.redacted ? "" : texts.join("\n\n"), ...(payload.signature !== undefined ? { thinkingSignature: payload.signature } : {}), ...(payload.redacted ? { redacted: true } : {}) };
}

/** Input items as pi messages: consecutive assistant-side items (reasoning, assistant message, function calls) make one assistant turn. */
function convertInput(input: unknown, model: HistoryModel): { system: string[]; messages: Message[] } {
  const items = typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
  if (!Array.isArray(items)) throw new BridgeRequestError(400, "'input' must be a string or an array of input items.");
  const system: string[] = [];
  const messages: Message[] = [];
  const toolNames = new Map<string, string>();
  let assistant: AssistantMessage | undefined;
  const assistantTurn = (): AssistantMessage => {
    if (!assistant) {
      assistant = historyAssistant(model, []);
      messages.push(assistant);
    }
    return assistant;
  };
  items.forEach((item, index) => {
    const at = `input[${index}]`;
    if (!isRecord(item)) throw new BridgeRequestError(400, `${at} must be an input item object.`);
    const type = item.type ?? (typeof item.role === "string" ? "message" : undefined);
    switch (type) {
      case "message": {
        const role = item.role;
        if (role === "system" || role === "developer") {
          system.push(textOnly(partsOf(item.content, `${at}.content`, false)));
        } else if (role === "user") {
          assistant = undefined;
          messages.push({ role: "user", content: partsOf(item.content, `${at}.content`, true), timestamp: 0 });
        } else if (role === "assistant") {
          const text = textOnly(partsOf(item.content, `${at}.content`, false));
          if (text) assistantTurn().content.push({ type: "text", text });
        } else {
          throw new BridgeRequestError(400, `${at}.role must be user, assistant, system or developer.`);
        }
        return;
      }
      case "reasoning":
        assistantTurn().content.push(reasoningContent(item));
        return;
      case "function_call":
      case "custom_tool_call": {
        if (typeof item.call_id !== "string" || typeof item.name !== "string") throw new BridgeRequestError(400, `${at} must carry a call_id and a name.`);
        const args = type === "function_call" ? parseArguments(item.arguments, `${at}.arguments`) : { input: typeof item.input === "string" ? item.input : "" };
        toolNames.set(item.call_id, item.name);
        assistantTurn().content.push({ type: "toolCall", id: item.call_id, name: item.name, arguments: args });
        return;
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        if (typeof item.call_id !== "string") throw new BridgeRequestError(400, `${at}.call_id must name the call it answers.`);
        assistant = undefined;
        messages.push({
          role: "toolResult",
          toolCallId: item.call_id,
          toolName: toolNames.get(item.call_id) ?? "tool",
          content: partsOf(item.output, `${at}.output`, true),
          isError: false,
          timestamp: 0,
        });
        return;
      }
      case "item_reference":
        throw new BridgeRequestError(400, `${at}: the Kiro bridge stores no responses (send store:false and the items themselves).`);
      default:
        throw new BridgeRequestError(400, `${at}: input items of type ${JSON.stringify(type)} are not supported.`);
    }
  });
  return { system, messages };
}

/** A free-form ("custom") tool takes one string; Kiro only knows JSON tools, so it becomes one with an `input` property. */
function customTool(tool: Record<string, unknown>, where: string): Tool {
  return functionTool(tool.name, tool.description, { type: "object", properties: { input: { type: "string", description: "The tool's whole input, as free-form text." } }, required: ["input"] }, where);
}

function convertTools(tools: unknown): { tools: Tool[]; custom: Set<string>; dropped: string[] } {
  const out: Tool[] = [];
  const custom = new Set<string>();
  const dropped: string[] = [];
  if (tools === undefined || tools === null) return { tools: out, custom, dropped };
  if (!Array.isArray(tools)) throw new BridgeRequestError(400, "'tools' must be an array.");
  tools.forEach((tool, index) => {
    const at = `tools[${index}]`;
    if (!isRecord(tool)) throw new BridgeRequestError(400, `${at} must be a tool object.`);
    if (tool.type === "function") out.push(functionTool(tool.name, tool.description, tool.parameters, at));
    else if (tool.type === "custom") {
      out.push(customTool(tool, at));
      custom.add(String(tool.name));
    } else dropped.push(String(tool.type));
  });
  return { tools: out, custom, dropped };
}

/** Validates a Responses body and converts it; `model` is the Kiro model the route resolved from `json.model`. */
export function parseResponsesRequest(json: unknown, model: HistoryModel): ResponsesRequest & { customTools: ReadonlySet<string> } {
  const requested = requestedModel(json);
  const body = json as Record<string, unknown>;
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw new BridgeRequestError(400, "'previous_response_id' is not supported: the Kiro bridge stores no responses (send store:false and the whole input).");
  }
  const { system, messages } = convertInput(body.input, model);
  if (typeof body.instructions === "string" && body.instructions) system.unshift(body.instructions);
  const { tools, custom, dropped } = convertTools(body.tools);
  const options: BridgeAnswerOptions = {};
  const maxTokens = positiveInteger(body.max_output_tokens, "'max_output_tokens'");
  if (maxTokens !== undefined) options.maxTokens = maxTokens;
  const reasoning = reasoningFromEffort(isRecord(body.reasoning) ? body.reasoning.effort : undefined, "'reasoning.effort'");
  if (reasoning !== undefined) options.reasoning = reasoning;
  // Codex names its conversation here; Kiro's conversation id follows it.
  if (typeof body.prompt_cache_key === "string" && body.prompt_cache_key.length <= 512) options.sessionId = body.prompt_cache_key;
  const systemPrompt = system.filter((text) => text.length > 0).join("\n\n");
  return {
    model: requested,
    stream: body.stream === true,
    options,
    context: { ...(systemPrompt ? { systemPrompt } : {}), messages, ...offeredTools(tools, body.tool_choice) },
    droppedToolTypes: dropped,
    customTools: custom,
  };
}
