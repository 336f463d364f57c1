// Answers of `POST /v1/chat/completions`: the SSE encoder (pi stream events → `chat.completion.chunk` data lines, the usage chunk, `[DONE]`) and the non-streaming `chat.completion` body.
import type { AssistantMessage, AssistantMessageEvent, StopReason, ToolCall } from "../../kiro/types";
import { answerText, refusalWords } from "../refusal";
import type { AnswerEncoder, FinalAnswerEvent } from "../server/types";
import { argumentsText, openAIErrorBody, openAIFailure, promptTokens, type OpenAIErrorBody } from "./shared";

export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/** What every chunk and the whole answer carry. */
export interface ChatAnswerIdentity {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The id the client asked for. */
  model: string;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function chatUsage(message: AssistantMessage): ChatUsage {
  const prompt = promptTokens(message.usage);
  return { prompt_tokens: prompt, completion_tokens: message.usage.output, total_tokens: prompt + message.usage.output, prompt_tokens_details: { cached_tokens: message.usage.cacheRead } };
}

export function finishReason(reason: Extract<StopReason, "stop" | "length" | "toolUse">): "stop" | "length" | "tool_calls" {
  return reason === "toolUse" ? "tool_calls" : reason;
}

function dataLine(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** Between keep-alives: well inside the 300 s of silence after which agents give a request up. */
export const KEEP_ALIVE_MS = 15_000;

export const DONE_LINE = "data: [DONE]\n\n";

/**
 * One encoder per streamed answer: the first chunk carries `role`, each tool call keeps the `index` of its order in the
 * answer with `id` and `function.name` on its first chunk and `function.arguments` fragments after, thinking goes out as
 * `reasoning_content` (what openai-compatible clients read), and a failure is a data line with OpenAI's error envelope.
 */
export function chatStreamEncoder(identity: ChatAnswerIdentity, o: { includeUsage: boolean }): AnswerEncoder {
  let started = false;
  /** Tool-call index by the pi content index, and whether its arguments were streamed. */
  const toolIndex = new Map<number, { index: number; argumentsSent: boolean }>();
  // Every chunk is the same around its delta: that text is written once per answer, not stringified per chunk.
  const chunkStart = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${JSON.stringify(identity.created)},"model":${JSON.stringify(identity.model)},"choices":[{"index":0,"delta":`;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string => `${chunkStart}${JSON.stringify(delta)},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
  const opening = (): string => {
    if (started) return "";
    started = true;
    return chunk({ role: "assistant", content: "" });
  };
  /** The finish chunk, the usage chunk when asked for, and [DONE]. */
  const ending = (finish: string, message: AssistantMessage): string =>
    chunk({}, finish) + (o.includeUsage ? dataLine({ id: identity.id, object: "chat.completion.chunk", created: identity.created, model: identity.model, choices: [], usage: chatUsage(message) }) : "") + DONE_LINE;
  const toolCallDelta = (index: number, fields: Record<string, unknown>): string => chunk({ tool_calls: [{ index, ...fields }] });

  return {
    contentType: SSE_CONTENT_TYPE,
    keepAlive: { everyMs: KEEP_ALIVE_MS, text: () => ": keep-alive\n\n" },
    // A failure before the first chunk (a refused sign-in, an overflow) is an HTTP status of its own; a refused answer
    // is an answer (finish_reason content_filter), streamed like one.
    refuse(event) {
      if (started || refusalWords(event.error) !== undefined) return undefined;
      const failure = openAIFailure(event.error);
      return { status: failure.status, body: openAIErrorBody(failure.message, failure.type, failure.code) };
    },
    encode(event: AssistantMessageEvent): string {
      // The role chunk waits for the answer's first content, so a failure before it can still be a status.
      if (event.type === "start") return "";
      const head = opening();
      switch (event.type) {
        case "text_delta":
          return event.delta ? head + chunk({ content: event.delta }) : head;
        case "thinking_delta":
          return event.delta ? head + chunk({ reasoning_content: event.delta }) : head;
        case "toolcall_start": {
          const call = event.partial.content[event.contentIndex] as ToolCall | undefined;
          const entry = { index: toolIndex.size, argumentsSent: false };
          toolIndex.set(event.contentIndex, entry);
          return head + toolCallDelta(entry.index, { id: call?.id ?? "", type: "function", function: { name: call?.name ?? "", arguments: "" } });
        }
        case "toolcall_delta": {
          const entry = toolIndex.get(event.contentIndex);
          if (!entry || !event.delta) return head;
          entry.argumentsSent = true;
          return head + toolCallDelta(entry.index, { function: { arguments: event.delta } });
        }
        case "toolcall_end": {
          // Arguments that arrived whole (no deltas) go out at the end.
          const entry = toolIndex.get(event.contentIndex);
          if (!entry || entry.argumentsSent) return head;
          return head + toolCallDelta(entry.index, { function: { arguments: argumentsText(event.toolCall.arguments) } });
        }
        case "done":
          return head + ending(finishReason(event.reason), event.message);
        case "error": {
          // Kiro's content filter: its words in the delta's `refusal`, then the content_filter finish.
          const words = refusalWords(event.error);
          if (words !== undefined) return head + chunk({ refusal: words }) + ending("content_filter", event.error);
          const failure = openAIFailure(event.error);
          return head + dataLine(openAIErrorBody(failure.message, failure.type, failure.code)) + DONE_LINE;
        }
        default:
          return head;
      }
    },
  };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: 0;
    message: { role: "assistant"; content: string | null; refusal?: string; reasoning_content?: string; tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[] };
    finish_reason: "stop" | "length" | "tool_calls" | "content_filter";
  }[];
  usage: ChatUsage;
}

/** The non-streaming answer: the status and body for a final event. */
export function chatCompletionAnswer(identity: ChatAnswerIdentity, final: FinalAnswerEvent): { status: number; body: ChatCompletion | OpenAIErrorBody } {
  if (final.type === "error") {
    const words = refusalWords(final.error);
    if (words !== undefined) return { status: 200, body: refusedCompletion(identity, final.error, words) };
    const failure = openAIFailure(final.error);
    return { status: failure.status, body: openAIErrorBody(failure.message, failure.type, failure.code) };
  }
  const message = final.message;
  const text = message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
  const thinking = message.content.flatMap((part) => (part.type === "thinking" && !part.redacted ? [part.thinking] : [])).join("");
  const calls = message.content.flatMap((part) => (part.type === "toolCall" ? [{ id: part.id, type: "function" as const, function: { name: part.name, arguments: argumentsText(part.arguments) } }] : []));
  return {
    status: 200,
    body: {
      id: identity.id,
      object: "chat.completion",
      created: identity.created,
      model: identity.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: text || (calls.length > 0 ? null : ""), ...(thinking ? { reasoning_content: thinking } : {}), ...(calls.length > 0 ? { tool_calls: calls } : {}) },
          finish_reason: finishReason(final.reason),
        },
      ],
      usage: chatUsage(message),
    },
  };
}

/** A refused answer in one piece: the text Kiro had given, Kiro's words in `message.refusal`, finish_reason content_filter. */
function refusedCompletion(identity: ChatAnswerIdentity, message: AssistantMessage, words: string): ChatCompletion {
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message: { role: "assistant", content: answerText(message) || null, refusal: words }, finish_reason: "content_filter" }],
    usage: chatUsage(message),
  };
}
