// pi-ai's message, model and stream-event types, kept structurally identical so nothing at run time needs a pi package.

export type Api = string;
export type Provider = string;

export type ThinkingLevel = "minimal" | "low" | "medium" | "high" | "xhigh";

export interface ThinkingBudgets {
  minimal?: number;
  low?: number;
  medium?: number;
  high?: number;
}

export interface TextContent {
  type: "text";
  text: string;
  textSignature?: string;
}

export interface ThinkingContent {
  type: "thinking";
  thinking: string;
  thinkingSignature?: string;
  /** The thinking was redacted; the opaque payload is in `thinkingSignature`. */
  redacted?: boolean;
}

export interface ImageContent {
  type: "image";
  /** base64, no data: prefix */
  data: string;
  mimeType: string;
}

export interface ToolCall {
  type: "toolCall";
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  thoughtSignature?: string;
}

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  cost: {
    input: number;
    output: number;
    cacheRead: number;
    cacheWrite: number;
    total: number;
  };
}

export type StopReason = "stop" | "length" | "toolUse" | "error" | "aborted";

export interface UserMessage {
  role: "user";
  content: string | (TextContent | ImageContent)[];
  timestamp: number;
}

/** Kiro-only extras carried on an assistant message (pi ignores unknown fields). */
export interface KiroMessageExtras {
  /** Credits charged for this turn, from `meteringEvent`. */
  credits?: number;
  /** How full the context window was, from `contextUsageEvent` (percent). */
  contextUsagePercentage?: number;
  /** True when usage was estimated rather than reported by the service. */
  usageEstimated?: boolean;
  /** The answer hit its output token limit (`ContentLengthExceededException`); a tool call cut off by it was dropped. */
  outputCapped?: { droppedToolCall?: string };
  /** The `modelTag` Kiro's `assistantResponseEvent`s carried; the replayed message echoes it (docs/kiro-protocol.md#reasoning-replay). */
  modelTag?: string;
  /** On a failed or aborted answer: what went wrong, for callers that act on the kind rather than the text. */
  error?: KiroErrorInfo;
}

/** What went wrong, by name (src/kiro/errors.ts classifies; each host words the way out). */
export type KiroErrorKind =
  /** The token was refused (403/401), also after one refresh. */
  | "auth"
  | "suspended"
  | "quota"
  | "throttled"
  | "capacity"
  | "invalid-model"
  /** The conversation is larger than the service takes; compacting or trimming it helps. */
  | "too-long"
  /** The current message by itself is larger than the model's context window; compacting the history cannot help. */
  | "message-too-large"
  /** The service wants a profile ARN this client could not find, or refused the one it sent. */
  | "profile"
  | "bad-request"
  /** Kiro's content filter stopped the answer, or the model refused it (`CONTENT_FILTERED`, `stopDetails.refusal`). */
  | "refused"
  | "server"
  | "network"
  | "timeout"
  | "aborted"
  | "stream"
  | "no-token";

/** The facts of a failure, as the error carries them and as the failed message's `kiro.error` hands them to hosts. */
export interface KiroErrorFacts {
  /** HTTP status of the answer that failed, when there was one. */
  status?: number;
  /** The service's reason code, e.g. `MONTHLY_REQUEST_COUNT`, `INSUFFICIENT_MODEL_CAPACITY`. */
  reason?: string;
  /** When an exhausted quota resets (YYYY-MM-DD), from the usage call. */
  resetDate?: string;
  /** How long the service asked to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** The model the request named (pi id). */
  modelId?: string;
  /** Another model the account has, for hosts that suggest one. */
  alternativeModelId?: string;
  /** The API region the request went to. */
  region?: string;
  /** The profile the request named. */
  profileArn?: string;
}

/** The structured side of a failure; `errorMessage` stays the text the user reads. */
export interface KiroErrorInfo extends KiroErrorFacts {
  kind: KiroErrorKind;
  /** Trying the same request again later may succeed (throttling, capacity, server, network). */
  retryable: boolean;
}

export interface AssistantMessage {
  role: "assistant";
  content: (TextContent | ThinkingContent | ToolCall)[];
  api: Api;
  provider: Provider;
  model: string;
  responseModel?: string;
  responseId?: string;
  usage: Usage;
  stopReason: StopReason;
  errorMessage?: string;
  timestamp: number;
  kiro?: KiroMessageExtras;
}

export interface ToolResultMessage<TDetails = unknown> {
  role: "toolResult";
  toolCallId: string;
  toolName: string;
  content: (TextContent | ImageContent)[];
  details?: TDetails;
  isError: boolean;
  timestamp: number;
}

export type Message = UserMessage | AssistantMessage | ToolResultMessage;

/** A JSON Schema object (pi uses TypeBox schemas, which are plain JSON Schema at run time). */
export type JsonSchema = Record<string, unknown>;

export interface Tool {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export interface Context {
  systemPrompt?: string;
  messages: Message[];
  tools?: Tool[];
}

export interface Model<TApi extends Api = Api> {
  id: string;
  name: string;
  api: TApi;
  provider: Provider;
  baseUrl: string;
  reasoning: boolean;
  input: ("text" | "image")[];
  cost: {
    input: number;
    output: number;
    cacheRead: number;
    cacheWrite: number;
  };
  contextWindow: number;
  maxTokens: number;
  headers?: Record<string, string>;
}

export type AssistantMessageEvent =
  | { type: "start"; partial: AssistantMessage }
  | { type: "text_start"; contentIndex: number; partial: AssistantMessage }
  | { type: "text_delta"; contentIndex: number; delta: string; partial: AssistantMessage }
  | { type: "text_end"; contentIndex: number; content: string; partial: AssistantMessage }
  | { type: "thinking_start"; contentIndex: number; partial: AssistantMessage }
  | { type: "thinking_delta"; contentIndex: number; delta: string; partial: AssistantMessage }
  | { type: "thinking_end"; contentIndex: number; content: string; partial: AssistantMessage }
  | { type: "toolcall_start"; contentIndex: number; partial: AssistantMessage }
  | { type: "toolcall_delta"; contentIndex: number; delta: string; partial: AssistantMessage }
  | { type: "toolcall_end"; contentIndex: number; toolCall: ToolCall; partial: AssistantMessage }
  | { type: "done"; reason: Extract<StopReason, "stop" | "length" | "toolUse">; message: AssistantMessage }
  | { type: "error"; reason: Extract<StopReason, "aborted" | "error">; error: AssistantMessage };

export function emptyUsage(): Usage {
  return {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    totalTokens: 0,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  };
}

/** An assistant message with nothing in it yet, for `model`: what a stream starts building, or a failure's message. */
export function emptyAssistantMessage(model: Pick<Model, "id" | "api" | "provider">, stopReason: StopReason = "stop"): AssistantMessage {
  return {
    role: "assistant",
    content: [],
    api: model.api,
    provider: model.provider,
    model: model.id,
    usage: emptyUsage(),
    stopReason,
    timestamp: Date.now(),
  };
}
