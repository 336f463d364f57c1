// Answers of `POST /v1/responses`: the SSE encoder (pi stream events → response.created … output items … response.completed / response.incomplete / response.failed, with data keep-alives) and the non-streaming response object.
import type { AssistantMessage, AssistantMessageEvent, ThinkingContent, ToolCall } from "../../kiro/types";
import { answerText, refusalWords } from "../refusal";
import { joinEncoded, ReusedJsonStrings } from "../server/jsonReuse";
import type { AnswerEncoder, EncodedEvent, FinalAnswerEvent } from "../server/types";
import { KEEP_ALIVE_MS, SSE_CONTENT_TYPE } from "./chatAnswer";
import { encodeReasoningPayload } from "./responsesRequest";
import { argumentsText, openAIErrorBody, openAIFailure, promptTokens, type IdSource, type OpenAIErrorBody } from "./shared";

export interface ResponseIdentity {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The id the client asked for. */
  model: string;
  /** Tool names the client defined as free-form ("custom") tools: their calls go back as custom_tool_call items. */
  customTools?: ReadonlySet<string>;
}

export type OutputItem =
  | { id: string; type: "message"; status: "in_progress" | "completed"; role: "assistant"; content: ({ type: "output_text"; text: string; annotations: [] } | RefusalPart)[] }
  | { id: string; type: "reasoning"; summary: { type: "summary_text"; text: string }[]; encrypted_content?: string }
  | { id: string; type: "function_call"; status: "in_progress" | "completed"; call_id: string; name: string; arguments: string }
  | { id: string; type: "custom_tool_call"; status: "in_progress" | "completed"; call_id: string; name: string; input: string };

/** Kiro's words on why it stopped a refused answer, as the Responses format carries a model's refusal. */
export interface RefusalPart {
  type: "refusal";
  refusal: string;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  model: string;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  output: OutputItem[];
  usage: ResponseUsage | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
}

export function responseUsage(message: AssistantMessage): ResponseUsage {
  const input = promptTokens(message.usage);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: message.usage.cacheRead },
    output_tokens: message.usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + message.usage.output,
  };
}

function responseObject(identity: ResponseIdentity, status: ResponseObject["status"], output: OutputItem[], extra: Partial<ResponseObject> = {}): ResponseObject {
  return { id: identity.id, object: "response", created_at: identity.createdAt, model: identity.model, status, output, usage: null, error: null, incomplete_details: null, ...extra };
}

function event(type: string, fields: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
}

/** The output items of a finished message, for the final response and the non-streaming answer. */
function itemsOf(message: AssistantMessage, identity: ResponseIdentity, newId: IdSource): OutputItem[] {
  return message.content.map((part): OutputItem => {
    if (part.type === "text") return { id: newId("msg_"), type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: part.text, annotations: [] }] };
    if (part.type === "thinking") return reasoningItem(newId("rs_"), part);
    return toolItem(newId("fc_"), part, identity, "completed");
  });
}

function refusalItem(id: string, words: string): OutputItem {
  return { id, type: "message", status: "completed", role: "assistant", content: [{ type: "refusal", refusal: words }] };
}

function reasoningItem(id: string, part: ThinkingContent): OutputItem {
  const encrypted = encodeReasoningPayload({ signature: part.thinkingSignature, ...(part.redacted ? { redacted: true } : {}) });
  return { id, type: "reasoning", summary: part.redacted || !part.thinking ? [] : [{ type: "summary_text", text: part.thinking }], ...(encrypted ? { encrypted_content: encrypted } : {}) };
}

function toolItem(id: string, call: Pick<ToolCall, "id" | "name" | "arguments">, identity: ResponseIdentity, status: "in_progress" | "completed", streamedArguments?: string): OutputItem {
  if (identity.customTools?.has(call.name)) {
    const input = typeof call.arguments.input === "string" ? call.arguments.input : "";
    return { id, type: "custom_tool_call", status, call_id: call.id, name: call.name, input: status === "completed" ? input : "" };
  }
  return { id, type: "function_call", status, call_id: call.id, name: call.name, arguments: status === "completed" ? (streamedArguments || argumentsText(call.arguments)) : "" };
}

/** The final error of a failure: Codex compacts on `context_length_exceeded` and stops on `insufficient_quota`. */
function failureOf(message: AssistantMessage): { code: string; message: string } {
  const failure = openAIFailure(message);
  return { code: failure.code, message: failure.message };
}

/**
 * One encoder per streamed answer. Each pi content block becomes an output item (text → message, thinking → reasoning
 * with its summary streamed and its signature in `encrypted_content`, tool call → function_call with argument deltas);
 * the answer ends with exactly one of response.completed, response.incomplete (output limit) or response.failed. The
 * keep-alive is a `response.in_progress` data event, since Codex's idle timer ignores SSE comments.
 */
export function responsesStreamEncoder(identity: ResponseIdentity, newId: IdSource): AnswerEncoder {
  let started = false;
  const done: OutputItem[] = [];
  const open = new Map<number, { item: OutputItem; outputIndex: number; arguments: string; deltaStart?: string }>();
  let nextOutputIndex = 0;
  // The events that close an item or the response repeat its whole text: escaped and encoded to UTF-8 once for all four.
  const reused = new ReusedJsonStrings();
  const closing = (type: string, fields: Record<string, unknown>): EncodedEvent => joinEncoded(`event: ${type}\ndata: `, reused.stringifyPieces({ type, ...fields }), "\n\n");
  const opening = (): string => {
    if (started) return "";
    started = true;
    const response = responseObject(identity, "in_progress", []);
    return event("response.created", { response }) + event("response.in_progress", { response });
  };
  const add = (contentIndex: number, item: OutputItem): { outputIndex: number; text: string } => {
    const outputIndex = nextOutputIndex++;
    open.set(contentIndex, { item, outputIndex, arguments: "" });
    return { outputIndex, text: event("response.output_item.added", { output_index: outputIndex, item }) };
  };
  const finish = (contentIndex: number, item: OutputItem): EncodedEvent => {
    const entry = open.get(contentIndex);
    if (!entry) return "";
    open.delete(contentIndex);
    done.push(item);
    return closing("response.output_item.done", { output_index: entry.outputIndex, item });
  };

  return {
    contentType: SSE_CONTENT_TYPE,
    keepAlive: { everyMs: KEEP_ALIVE_MS, text: () => event("response.in_progress", { response: responseObject(identity, "in_progress", []) }) },
    encode(e: AssistantMessageEvent): EncodedEvent {
      const head = opening();
      switch (e.type) {
        case "text_start": {
          const added = add(e.contentIndex, { id: newId("msg_"), type: "message", status: "in_progress", role: "assistant", content: [] });
          const itemId = open.get(e.contentIndex)!.item.id;
          return head + added.text + event("response.content_part.added", { item_id: itemId, output_index: added.outputIndex, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
        }
        case "text_delta": {
          const entry = open.get(e.contentIndex);
          if (!entry || !e.delta) return head;
          // Most of an answer's events: the text around the delta is the same for the whole item, written once.
          entry.deltaStart ??= `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":${JSON.stringify(entry.item.id)},"output_index":${entry.outputIndex},"content_index":0,"delta":`;
          return `${head}${entry.deltaStart}${JSON.stringify(e.delta)}}\n\n`;
        }
        case "text_end": {
          const entry = open.get(e.contentIndex);
          if (!entry) return head;
          const part = { type: "output_text" as const, text: e.content, annotations: [] as [] };
          const fields = { item_id: entry.item.id, output_index: entry.outputIndex, content_index: 0 };
          return joinEncoded(
            head,
            closing("response.output_text.done", { ...fields, text: e.content }),
            closing("response.content_part.done", { ...fields, part }),
            finish(e.contentIndex, { id: entry.item.id, type: "message", status: "completed", role: "assistant", content: [part] }),
          );
        }
        case "thinking_start": {
          const added = add(e.contentIndex, { id: newId("rs_"), type: "reasoning", summary: [] });
          const itemId = open.get(e.contentIndex)!.item.id;
          return head + added.text + event("response.reasoning_summary_part.added", { item_id: itemId, output_index: added.outputIndex, summary_index: 0, part: { type: "summary_text", text: "" } });
        }
        case "thinking_delta": {
          const entry = open.get(e.contentIndex);
          if (!entry || !e.delta) return head;
          return head + event("response.reasoning_summary_text.delta", { item_id: entry.item.id, output_index: entry.outputIndex, summary_index: 0, delta: e.delta });
        }
        case "thinking_end": {
          const entry = open.get(e.contentIndex);
          if (!entry) return head;
          const part = (e.partial.content[e.contentIndex] as ThinkingContent | undefined) ?? { type: "thinking", thinking: e.content };
          const fields = { item_id: entry.item.id, output_index: entry.outputIndex, summary_index: 0 };
          return joinEncoded(
            head,
            closing("response.reasoning_summary_text.done", { ...fields, text: e.content }),
            closing("response.reasoning_summary_part.done", { ...fields, part: { type: "summary_text", text: e.content } }),
            finish(e.contentIndex, reasoningItem(entry.item.id, { ...part, thinking: e.content })),
          );
        }
        case "toolcall_start": {
          const call = (e.partial.content[e.contentIndex] as ToolCall | undefined) ?? { id: "", name: "", arguments: {} };
          return head + add(e.contentIndex, toolItem(newId("fc_"), call, identity, "in_progress")).text;
        }
        case "toolcall_delta": {
          const entry = open.get(e.contentIndex);
          if (!entry || !e.delta) return head;
          entry.arguments += e.delta;
          if (entry.item.type !== "function_call") return head;
          return head + event("response.function_call_arguments.delta", { item_id: entry.item.id, output_index: entry.outputIndex, delta: e.delta });
        }
        case "toolcall_end": {
          const entry = open.get(e.contentIndex);
          if (!entry) return head;
          const item = toolItem(entry.item.id, e.toolCall, identity, "completed", entry.arguments);
          const argumentsDone = item.type === "function_call" ? closing("response.function_call_arguments.done", { item_id: item.id, output_index: entry.outputIndex, arguments: item.arguments }) : "";
          return joinEncoded(head, argumentsDone, finish(e.contentIndex, item));
        }
        case "done": {
          const usage = responseUsage(e.message);
          if (e.reason === "length") return joinEncoded(head, closing("response.incomplete", { response: responseObject(identity, "incomplete", done, { usage, incomplete_details: { reason: "max_output_tokens" } }) }));
          return joinEncoded(head, closing("response.completed", { response: responseObject(identity, "completed", done, { usage }) }));
        }
        case "error": {
          // Kiro's content filter: its words as a refusal message item, and the response incomplete for content_filter.
          const words = refusalWords(e.error);
          if (words !== undefined) {
            const itemId = newId("msg_");
            const outputIndex = nextOutputIndex++;
            const part: RefusalPart = { type: "refusal", refusal: words };
            const fields = { item_id: itemId, output_index: outputIndex, content_index: 0 };
            const item = refusalItem(itemId, words);
            done.push(item);
            return joinEncoded(
              head +
                event("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", content: [] } }) +
                event("response.content_part.added", { ...fields, part: { type: "refusal", refusal: "" } }) +
                event("response.refusal.delta", { ...fields, delta: words }) +
                event("response.refusal.done", { ...fields, refusal: words }) +
                event("response.content_part.done", { ...fields, part }) +
                event("response.output_item.done", { output_index: outputIndex, item }),
              closing("response.incomplete", { response: responseObject(identity, "incomplete", done, { usage: responseUsage(e.error), incomplete_details: { reason: "content_filter" } }) }),
            );
          }
          return joinEncoded(head, closing("response.failed", { response: responseObject(identity, "failed", done, { usage: responseUsage(e.error), error: failureOf(e.error) }) }));
        }
        default:
          return head;
      }
    },
  };
}

/** The non-streaming answer: the status and body for a final event. */
export function responseAnswer(identity: ResponseIdentity, final: FinalAnswerEvent, newId: IdSource): { status: number; body: ResponseObject | OpenAIErrorBody } {
  if (final.type === "error") {
    const words = refusalWords(final.error);
    if (words !== undefined) {
      const text = answerText(final.error);
      const said: OutputItem[] = text ? [{ id: newId("msg_"), type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] }] : [];
      return { status: 200, body: responseObject(identity, "incomplete", [...said, refusalItem(newId("msg_"), words)], { usage: responseUsage(final.error), incomplete_details: { reason: "content_filter" } }) };
    }
    const failure = openAIFailure(final.error);
    return { status: failure.status, body: openAIErrorBody(failure.message, failure.type, failure.code) };
  }
  const output = itemsOf(final.message, identity, newId);
  const usage = responseUsage(final.message);
  if (final.reason === "length") return { status: 200, body: responseObject(identity, "incomplete", output, { usage, incomplete_details: { reason: "max_output_tokens" } }) };
  return { status: 200, body: responseObject(identity, "completed", output, { usage }) };
}
