// What the OpenAI Chat Completions and Responses formats share: the error envelope and how a Kiro failure maps onto it, usage in OpenAI's terms, data-URL images, reasoning effort, and the id generator.
import { randomBytes } from "node:crypto";
import { emptyUsage, type AssistantMessage, type ImageContent, type KiroErrorKind, type ThinkingLevel, type TextContent, type Tool, type Usage } from "../../kiro/types";
import { isRecord } from "../../util/json";
import { BridgeRequestError } from "../server/body";

/** OpenAI's error envelope, on every non-2xx answer and inside a stream's error chunk. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export function openAIErrorBody(message: string, type: string, code: string | null = null): OpenAIErrorBody {
  return { error: { message, type, code, param: null } };
}

/** The envelope for the server's own refusals (Host, token, size, unknown route) and request errors, by status. */
export function openAIErrorForStatus(status: number, message: string): OpenAIErrorBody {
  if (status === 401) return openAIErrorBody(message, "authentication_error", "invalid_api_key");
  if (status === 403) return openAIErrorBody(message, "permission_error");
  if (status === 404) return openAIErrorBody(message, "invalid_request_error", "not_found");
  if (status === 413) return openAIErrorBody(message, "invalid_request_error", "request_too_large");
  if (status === 429) return openAIErrorBody(message, "rate_limit_error", "rate_limit_exceeded");
  if (status >= 500) return openAIErrorBody(message, "server_error");
  return openAIErrorBody(message, "invalid_request_error");
}

/** How a failed Kiro answer reads to an OpenAI client: the HTTP status (when nothing was streamed yet), type and code. */
export interface OpenAIFailure {
  status: number;
  type: string;
  /** The codes clients act on: Codex compacts on `context_length_exceeded` and stops on `insufficient_quota`. */
  code: string;
  message: string;
}

/**
 * Each Kiro failure kind by the status it answers with and the code it carries; the type is the status's own
 * (openAIErrorForStatus) but for an exhausted quota, which OpenAI types `insufficient_quota`.
 */
const CODES_BY_STATUS: readonly [number, Partial<Record<KiroErrorKind, string>>][] = [
  [400, { "too-long": "context_length_exceeded", "message-too-large": "context_length_exceeded", "bad-request": "invalid_request", refused: "content_filter" }],
  [401, { auth: "kiro_sign_in_refused", "no-token": "kiro_not_signed_in" }],
  [403, { suspended: "account_suspended", profile: "kiro_profile" }],
  [404, { "invalid-model": "model_not_found" }],
  [429, { quota: "insufficient_quota", throttled: "rate_limit_exceeded" }],
  [499, { aborted: "aborted" }],
  [502, { server: "server_error", network: "kiro_unreachable", stream: "server_error" }],
  [503, { capacity: "server_is_overloaded" }],
  [504, { timeout: "timeout" }],
];

/** The failure of an `error` event's message, by its `kiro.error` kind (a bridge-made failure has none: a server error). */
export function openAIFailure(message: AssistantMessage): OpenAIFailure {
  const kind = message.kiro?.error?.kind ?? (message.stopReason === "aborted" ? "aborted" : "server");
  const [status, codes] = CODES_BY_STATUS.find(([, codes]) => codes[kind] !== undefined) ?? [502, { [kind]: "server_error" }];
  const code = codes[kind] ?? "server_error";
  const type = kind === "quota" ? "insufficient_quota" : openAIErrorForStatus(status, "").error.type;
  return { status, type, code, message: message.errorMessage ?? "The Kiro answer failed." };
}

/** OpenAI's usage numbers from pi's: OpenAI counts cached prompt tokens inside the prompt. */
export function promptTokens(usage: Usage): number {
  return usage.input + usage.cacheRead + usage.cacheWrite;
}

/** `data:<mime>;base64,<data>` as pi image content; any other URL is refused, since the bridge fetches nothing. */
export function imageFromUrl(url: unknown, where: string): ImageContent {
  if (typeof url !== "string") throw new BridgeRequestError(400, `${where} must be a data: URL string.`);
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(url);
  if (!match) throw new BridgeRequestError(400, `${where}: the Kiro bridge takes images only as data:<type>;base64 URLs; it fetches nothing from the network.`);
  return { type: "image", mimeType: match[1]!, data: match[2]! };
}

const EFFORTS: Record<string, ThinkingLevel | "off"> = { none: "off", minimal: "minimal", low: "low", medium: "medium", high: "high", xhigh: "xhigh" };

/** `reasoning_effort` / `reasoning.effort` as a pi thinking level; undefined leaves the window's default. */
export function reasoningFromEffort(effort: unknown, where: string): ThinkingLevel | "off" | undefined {
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== "string" || !Object.hasOwn(EFFORTS, effort)) {
    throw new BridgeRequestError(400, `${where} must be one of ${Object.keys(EFFORTS).join(", ")}.`);
  }
  return EFFORTS[effort];
}

/** A positive integer field, or undefined when absent. */
export function positiveInteger(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw new BridgeRequestError(400, `${where} must be a positive integer.`);
  return value;
}

/** Random ids in OpenAI's style (`chatcmpl-…`, `resp_…`); tests pass a counter instead. */
export type IdSource = (prefix: string) => string;

export const randomId: IdSource = (prefix) => `${prefix}${randomBytes(12).toString("hex")}`;

/** The whole JSON text of a tool call's arguments (OpenAI sends them as a string). */
export function argumentsText(args: Record<string, unknown>): string {
  return JSON.stringify(args ?? {});
}

/**
 * A tool call's `arguments` string as the object pi keeps. Text that is not a JSON object (a model's cut-off call the
 * client sends back) becomes `{}` rather than a refusal, which would block the conversation for good.
 */
export function parseArguments(text: unknown, where: string): Record<string, unknown> {
  if (text === undefined || text === null || text === "") return {};
  if (isRecord(text)) return text;
  if (typeof text !== "string") throw new BridgeRequestError(400, `${where} must be a JSON string.`);
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

/** The model an answer in the client's history came from: the resolved Kiro model, so Kiro keeps its thinking signatures. */
export type HistoryModel = Pick<AssistantMessage, "api" | "provider" | "model">;

/** An assistant turn of the client's history as pi holds it (timestamps 0: Kiro's conversation id hangs on them). */
export function historyAssistant(model: HistoryModel, content: AssistantMessage["content"]): AssistantMessage {
  return { role: "assistant", content, api: model.api, provider: model.provider, model: model.model, usage: emptyUsage(), stopReason: content.some((part) => part.type === "toolCall") ? "toolUse" : "stop", timestamp: 0 };
}

/** A function tool's definition as pi's Tool; names and schemas are checked by the Kiro request builder. */
export function functionTool(name: unknown, description: unknown, parameters: unknown, where: string): Tool {
  if (typeof name !== "string" || name.length === 0) throw new BridgeRequestError(400, `${where}.name must be a non-empty string.`);
  return {
    name,
    description: typeof description === "string" ? description : "",
    parameters: isRecord(parameters) ? parameters : { type: "object", properties: {} },
  };
}

/** The `model` of a Chat Completions or Responses body, read before anything else so the route can resolve it. */
export function requestedModel(json: unknown): string {
  if (!isRecord(json)) throw new BridgeRequestError(400, "The request body must be a JSON object.");
  if (typeof json.model !== "string" || json.model.length === 0 || json.model.length > 256) throw new BridgeRequestError(400, "'model' must be a model id.");
  return json.model;
}

/**
 * A message content that is a string or an array of parts, as pi's text and image parts; `part` converts one part
 * object and returns undefined for a type this API does not take here (a 400 naming it).
 */
export function contentParts(content: unknown, where: string, part: (value: Record<string, unknown>, at: string) => TextContent | ImageContent | undefined): (TextContent | ImageContent)[] {
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw new BridgeRequestError(400, `${where} must be a string or an array of content parts.`);
  return content.map((value, index): TextContent | ImageContent => {
    const at = `${where}[${index}]`;
    if (!isRecord(value)) throw new BridgeRequestError(400, `${at} must be a content part object.`);
    const converted = part(value, at);
    if (!converted) throw new BridgeRequestError(400, `${at}: content parts of type ${JSON.stringify(value.type)} are not supported here.`);
    return converted;
  });
}
