// Scripted answers for the Kiro simulator: helpers that build SimReply values for every event type and failure, and the default reply demos and tool round-trip tests rely on.
import type { SimEvent, SimRecordedRequest, SimReply } from "./kiroSimulator";
import type { SimModel } from "./validation";

export interface SimUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface TrailerOptions {
  /** Sent as a metadataEvent tokenUsage. */
  usage?: SimUsage;
  /** Sent as a meteringEvent {unit:"credit", usage}. */
  credits?: number;
  /** Sent as a contextUsageEvent. */
  contextUsagePercentage?: number;
  /** Sent first as a messageMetadataEvent. */
  conversationId?: string;
  /** metadataEvent.stopReason (default END_TURN, or TOOL_USE after tool calls): MAX_TOKENS, CONTENT_FILTERED, MODEL_CONTEXT_WINDOW_EXCEEDED, … */
  stopReason?: string;
  /** metadataEvent.stopDetails, e.g. `{refusal: {category, explanation, recommendedModel}}`. */
  stopDetails?: Record<string, unknown>;
  /** false: the stream ends without any closing event, as a cut answer does (docs/kiro-protocol.md#closing-events). */
  closing?: boolean;
  /** Sent on every assistantResponseEvent, as the Kiro Runtime Service does (docs/kiro-protocol.md#reasoning-replay). */
  modelTag?: string;
}

export interface TextReplyOptions extends TrailerOptions {
  /** Characters per assistantResponseEvent (default 12). */
  pieceLength?: number;
}

/** Splits text into pieces of `pieceLength` characters (never splitting a surrogate pair). */
export function splitText(text: string, pieceLength: number): string[] {
  const characters = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < characters.length; i += pieceLength) pieces.push(characters.slice(i, i + pieceLength).join(""));
  return pieces;
}

export function textEvents(text: string, pieceLength = 12, modelTag?: string): SimEvent[] {
  return splitText(text, pieceLength).map((content) => ({ type: "assistantResponseEvent", payload: modelTag === undefined ? { content } : { content, modelTag } }));
}

function headerEvents(o: TrailerOptions): SimEvent[] {
  return o.conversationId === undefined
    ? []
    : [{ type: "messageMetadataEvent", payload: { conversationId: o.conversationId, utteranceId: `utt-${o.conversationId}` } }];
}

/**
 * The closing events a complete answer ends with, in the live service's order: metadataEvent {stopReason, tokenUsage?,
 * stopDetails?} → contextUsageEvent → meteringEvent (docs/kiro-protocol.md#closing-events). The metadataEvent is always
 * sent (as live streams do, mostly with only its stop reason); the other two when given. `closing: false` sends none.
 */
export function trailerEvents(o: TrailerOptions, toolTurn = false): SimEvent[] {
  if (o.closing === false) return [];
  const metadata: Record<string, unknown> = { stopReason: o.stopReason ?? (toolTurn ? "TOOL_USE" : "END_TURN") };
  if (o.usage) {
    const { input, output, cacheRead = 0, cacheWrite = 0 } = o.usage;
    metadata.tokenUsage = {
      uncachedInputTokens: input,
      outputTokens: output,
      totalTokens: input + output + cacheRead + cacheWrite,
      cacheReadInputTokens: cacheRead,
      cacheWriteInputTokens: cacheWrite,
    };
  }
  if (o.stopDetails) metadata.stopDetails = o.stopDetails;
  const events: SimEvent[] = [{ type: "metadataEvent", payload: metadata }];
  if (o.contextUsagePercentage !== undefined) {
    events.push({ type: "contextUsageEvent", payload: { contextUsagePercentage: o.contextUsagePercentage } });
  }
  if (o.credits !== undefined) events.push({ type: "meteringEvent", payload: { unit: "credit", usage: o.credits } });
  return events;
}

/** A plain text answer in several assistantResponseEvents. */
export function textReply(text: string, o: TextReplyOptions = {}): SimReply {
  return { events: [...headerEvents(o), ...textEvents(text, o.pieceLength, o.modelTag), ...trailerEvents(o)] };
}

/**
 * Thinking written inside the text as `<thinking>…</thinking>` (prompt-tag thinking), cut into 5-character pieces
 * so both tags are split across events.
 */
export function thinkingTagReply(thinking: string, text: string, o: TextReplyOptions = {}): SimReply {
  return { events: [...headerEvents(o), ...textEvents(`<thinking>${thinking}</thinking>\n\n${text}`, o.pieceLength ?? 5), ...trailerEvents(o)] };
}

/** Native thinking: reasoningContentEvent text pieces, then its signature, then the answer text. */
export function reasoningReply(thinking: string, signature: string, text: string, o: TextReplyOptions = {}): SimReply {
  return {
    events: [
      ...headerEvents(o),
      ...splitText(thinking, o.pieceLength ?? 12).map((piece) => ({ type: "reasoningContentEvent", payload: { text: piece } })),
      { type: "reasoningContentEvent", payload: { signature } },
      ...textEvents(text, o.pieceLength),
      ...trailerEvents(o),
    ],
  };
}

/** Redacted native thinking (an opaque blob), then the answer text. */
export function redactedReasoningReply(redactedContent: string, text: string, o: TextReplyOptions = {}): SimReply {
  return {
    events: [
      ...headerEvents(o),
      { type: "reasoningContentEvent", payload: { redactedContent } },
      ...textEvents(text, o.pieceLength),
      ...trailerEvents(o),
    ],
  };
}

export interface SimToolCall {
  name: string;
  input: Record<string, unknown>;
  /** Default: "tooluse_<n>", unique within the process. */
  id?: string;
  /** Fragments cut from this text instead of JSON.stringify(input); "" sends no fragments at all. */
  rawInput?: string;
}

export interface ToolUseReplyOptions extends TrailerOptions {
  /** Characters of argument JSON per toolUseEvent (default 10). */
  fragmentSize?: number;
  /** Leave out the `stop: true` frame (the service sometimes does for calls without arguments). */
  omitStop?: boolean;
  /** Put the last fragment into the stop frame instead of a frame of its own. */
  lastFragmentOnStop?: boolean;
  /** Text streamed before the calls. */
  text?: string;
}

let toolUseCounter = 0;

/** toolUseEvent frames for one call: `{toolUseId,name,input:""}`, then input fragments, then `{…,stop:true}`. */
export function toolUseEvents(call: SimToolCall, o: ToolUseReplyOptions = {}): SimEvent[] {
  const toolUseId = call.id ?? `tooluse_${++toolUseCounter}`;
  const name = call.name;
  const json = call.rawInput ?? JSON.stringify(call.input);
  const fragments = splitText(json, o.fragmentSize ?? 10);
  const events: SimEvent[] = [{ type: "toolUseEvent", payload: { toolUseId, name, input: "" } }];
  const onStop = o.lastFragmentOnStop && !o.omitStop ? fragments.pop() : undefined;
  for (const input of fragments) events.push({ type: "toolUseEvent", payload: { toolUseId, name, input } });
  if (!o.omitStop) {
    events.push({ type: "toolUseEvent", payload: onStop === undefined ? { toolUseId, name, stop: true } : { toolUseId, name, input: onStop, stop: true } });
  }
  return events;
}

/** One or more tool calls, each streamed as argument fragments. */
export function toolUseReply(calls: SimToolCall[], o: ToolUseReplyOptions = {}): SimReply {
  return {
    events: [
      ...headerEvents(o),
      ...(o.text ? textEvents(o.text, undefined, o.modelTag) : []),
      ...calls.flatMap((call) => toolUseEvents(call, o)),
      ...trailerEvents(o, calls.length > 0),
    ],
  };
}

/** A plain HTTP error answer. */
export function errorReply(status: number, body: unknown, headers?: Record<string, string>): SimReply {
  return { status, body, ...(headers ? { headers } : {}) };
}

/** Some text, then a `:message-type: exception` frame; `extra` adds to its body (retryAfterMilliseconds, __type, …). */
export function exceptionMidStream(text: string, exceptionType: string, message: string, reason?: string, extra: Record<string, unknown> = {}): SimReply {
  return {
    events: [...textEvents(text), { exception: exceptionType, payload: { message, ...(reason === undefined ? {} : { reason }), ...extra } }],
  };
}

/** The overload wording Kiro's throttling answers carry (docs/kiro-protocol.md#krs-reasons). */
export const HIGH_TRAFFIC_MESSAGE = "I am experiencing high traffic, please try again shortly.";

/**
 * A Kiro Runtime Service exception frame (`throttlingError`, `serviceUnavailableError`, `validationError`, `error`)
 * after `text` ("" for one before any content), with the KRS body `{message, reason, retryAfterMilliseconds?}` and
 * `__type` in its namespace (docs/kiro-protocol.md#krs-exceptions).
 */
export function krsExceptionReply(o: { text?: string; exceptionType?: string; message?: string; reason?: string; retryAfterMilliseconds?: number } = {}): SimReply {
  const exceptionType = o.exceptionType ?? "throttlingError";
  const extra: Record<string, unknown> = { __type: `com.amazon.kiro.runtimeservice#${exceptionType}` };
  if (o.retryAfterMilliseconds !== undefined) extra.retryAfterMilliseconds = o.retryAfterMilliseconds;
  return exceptionMidStream(o.text ?? "", exceptionType, o.message ?? HIGH_TRAFFIC_MESSAGE, o.reason ?? (exceptionType === "throttlingError" ? "USER_REQUEST_RATE_EXCEEDED" : undefined), extra);
}

/** Text whose stream ends without Kiro's closing events: a cut answer (docs/kiro-protocol.md#closing-events). */
export function cutStreamReply(text: string): SimReply {
  return textReply(text, { closing: false });
}

/** Text, then a metadataEvent with `stopReason` (MAX_TOKENS, CONTENT_FILTERED, MODEL_CONTEXT_WINDOW_EXCEEDED…) and its stopDetails. */
export function stopReasonReply(text: string, stopReason: string, stopDetails?: Record<string, unknown>): SimReply {
  return textReply(text, { stopReason, ...(stopDetails ? { stopDetails } : {}) });
}

/** 400 with the nested body `{"error":{"message":"The request body is not valid JSON"}}` gateways recorded (docs/kiro-protocol.md#not-valid-json). */
export function nestedInvalidJsonReply(): SimReply {
  return nestedErrorReply(400, "The request body is not valid JSON");
}

/** 429 ThrottlingException with Retry-After (seconds). */
export function throttledReply(retryAfterSeconds?: number, reason = "INSUFFICIENT_MODEL_CAPACITY"): SimReply {
  return errorReply(
    429,
    { message: "I am experiencing high traffic, please try again shortly.", reason },
    { "x-amzn-errortype": "ThrottlingException", ...(retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }) },
  );
}

/**
 * Quota exhausted: MONTHLY_REQUEST_COUNT, DAILY_REQUEST_COUNT, OVERAGE_REQUEST_LIMIT_EXCEEDED, CONVERSATION_LIMIT_EXCEEDED.
 * See monthlyLimitReply for the exact body the official CLI's own test uses.
 */
export function quotaReply(reason = "MONTHLY_REQUEST_COUNT", status = 429): SimReply {
  return errorReply(
    status,
    { message: "You have reached the limit for this month. Upgrade your plan or wait for the reset.", reason },
    { "x-amzn-errortype": "ServiceQuotaExceededException" },
  );
}

/** 403 TEMPORARILY_SUSPENDED, in the wording a kiro.rs fork recorded from the service in August 2026. */
export function suspendedReply(): SimReply {
  return errorReply(
    403,
    {
      message:
        "Your User ID is temporarily suspended. We detected unusual user activity and locked it as a security precaution. To restore access, please contact our support team to verify your identity: https://support.aws.amazon.com/#/contacts/kiro",
      reason: "TEMPORARILY_SUSPENDED",
    },
    { "x-amzn-errortype": "AccessDeniedException" },
  );
}

/**
 * MONTHLY_REQUEST_COUNT on a 400, with the body the official CLI's retry_classifier.rs test uses: `__type` in the body
 * and no x-amzn-errortype header. Clients must find the reason whatever the status.
 */
export function monthlyLimitReply(status = 400): SimReply {
  return errorReply(status, { __type: "ThrottlingException", message: "Maximum Request reached for this month.", reason: "MONTHLY_REQUEST_COUNT" });
}

/** A body of the form `{"error": {"message", …}}` (Kiro #10773 shows `code`, `param` and `type` beside the message). */
export function nestedErrorReply(status: number, message: string, extra: Record<string, unknown> = {}): SimReply {
  return errorReply(status, { error: { message, ...extra } });
}

/** 413 with the nested body Kiro #10773 quotes for a request body over the service's length limit. */
export function bodyLengthLimitReply(): SimReply {
  return nestedErrorReply(413, "Failed to buffer the request body: length limit exceeded", { code: "validation_error", param: null, type: "invalid_request_error" });
}

/** An x-amzn-errortype header naming one error and a body `__type` naming another: the header wins (Smithy's rule). */
export function errorTypeMismatchReply(o: { status: number; headerType: string; bodyType: string; message: string; reason?: string | null }): SimReply {
  return errorReply(o.status, { __type: o.bodyType, message: o.message, reason: o.reason ?? null }, { "x-amzn-errortype": o.headerType });
}

/** "The request body is not valid JSON.", which Kiro maintainers tie to oversized or corrupted conversation context (Kiro #9658, #9810). */
export function invalidJsonBodyReply(): SimReply {
  return errorReply(400, { message: "The request body is not valid JSON.", reason: null }, { "x-amzn-errortype": "ValidationException" });
}

/** 500 with a plain-string `error`, the overload body the official CLI retries (retry_classifier.rs). */
export function highLoadReply(): SimReply {
  return errorReply(500, { error: "Encountered unexpectedly high load when processing the request, please try again." });
}

export function serverErrorReply(status = 500): SimReply {
  return errorReply(status, { message: "Encountered an unexpected error when processing the request, please try again." }, { "x-amzn-errortype": "InternalServerException" });
}

/** Text, then silence for `stallMs`, then the connection drops without the body ending. */
export function stalledReply(textBefore: string, stallMs: number): SimReply {
  return { events: textEvents(textBefore), stallAfterMs: stallMs };
}

/** Silence before the first byte of the stream (headers are sent), then the text. */
export function slowFirstTokenReply(delayMs: number, text: string): SimReply {
  return { events: [{ delayMs }, ...textEvents(text), ...trailerEvents({})] };
}

/** The connection is destroyed before any answer. */
export function resetReply(): SimReply {
  return { reset: true };
}

/**
 * A reply with one of every event type of docs/kiro-protocol.md#events the client should cope with, including each of
 * docs/kiro-protocol.md#ignored-events in the shape public clients give it (citationEvent: a location target, text, link).
 */
export function everyEventKindReply(): SimReply {
  return {
    events: [
      { type: "messageMetadataEvent", payload: { conversationId: "conv-every", utteranceId: "utt-every" } },
      { type: "reasoningContentEvent", payload: { text: "Weighing the question." } },
      { type: "reasoningContentEvent", payload: { signature: "sig-every" } },
      { type: "assistantResponseEvent", payload: { content: "Answer " } },
      { type: "codeReferenceEvent", payload: { references: [{ licenseName: "MIT", repository: "example/repo" }] } },
      { type: "assistantResponseEvent", payload: { content: "text." } },
      { type: "followupPromptEvent", payload: { followupPrompt: { content: "Tell me more", userIntent: "EXPLAIN_CODE_SELECTION" } } },
      { type: "citationEvent", payload: { target: { location: 0 }, citationText: "c", citationLink: "https://example.com" } },
      { type: "supplementaryWebLinksEvent", payload: { supplementaryWebLinks: [] } },
      { type: "intentsEvent", payload: { intents: {} } },
      ...toolUseEvents({ name: "read", input: { path: "README.md" }, id: "tooluse_every" }),
      ...trailerEvents({ usage: { input: 100, output: 20, cacheRead: 5, cacheWrite: 1 }, credits: 0.05, contextUsagePercentage: 1.5 }, true),
    ],
  };
}

/** The service saying the conversation is in a bad state. */
export function invalidStateReply(message = "The conversation is in an invalid state.", reason = "INVALID_STATE"): SimReply {
  return { events: [{ type: "invalidStateEvent", payload: { reason, message } }] };
}

export interface InvalidStateMidAnswerOptions extends TextReplyOptions {
  /** The generated clients know one reason, INVALID_TASK_ASSIST_PLAN (official CLI, _invalid_state_reason.rs). */
  reason?: string;
  message?: string;
}

/**
 * An otherwise normal answer with an invalidStateEvent between two runs of text; the official CLI logs the event and
 * keeps reading (parser.rs), so a client should show all of the text.
 */
export function invalidStateMidAnswerReply(before: string, after: string, o: InvalidStateMidAnswerOptions = {}): SimReply {
  const { reason = "INVALID_TASK_ASSIST_PLAN", message = "The conversation is in an invalid state." } = o;
  return {
    events: [
      ...headerEvents(o),
      ...textEvents(before, o.pieceLength),
      { type: "invalidStateEvent", payload: { reason, message } },
      ...textEvents(after, o.pieceLength),
      ...trailerEvents(o),
    ],
  };
}

export interface OutputCapReplyOptions extends TrailerOptions {
  /** Native thinking (reasoningContentEvent) before the text. */
  thinking?: string;
  text?: string;
  /** A tool call streamed whole, with its stop frame. */
  finishedToolCall?: SimToolCall;
  /** A tool call cut off: only the first `keepChars` characters of its argument JSON arrive, and no stop frame. */
  cutToolCall?: SimToolCall & { keepChars: number };
  /** The exception's message; the service's own text is not public. */
  message?: string;
}

/**
 * An answer that hits its output token limit: what was generated, then an exception frame
 * `:exception-type ContentLengthExceededException`. Gateways end such an answer as a max-tokens stop and keep the text
 * and the finished tool calls (kiro.rs src/anthropic/stream.rs); the cut tool call is lost.
 */
export function outputCapReply(o: OutputCapReplyOptions = {}): SimReply {
  const events: SimEvent[] = [...headerEvents(o)];
  if (o.thinking) events.push(...splitText(o.thinking, 12).map((piece) => ({ type: "reasoningContentEvent", payload: { text: piece } })));
  if (o.text) events.push(...textEvents(o.text));
  if (o.finishedToolCall) events.push(...toolUseEvents(o.finishedToolCall));
  if (o.cutToolCall) {
    const { keepChars, ...call } = o.cutToolCall;
    const json = call.rawInput ?? JSON.stringify(call.input);
    events.push(...toolUseEvents({ ...call, rawInput: json.slice(0, keepChars) }, { omitStop: true }));
  }
  events.push(...trailerEvents(o));
  events.push({ exception: "ContentLengthExceededException", payload: { message: o.message ?? "The response reached the maximum output length." } });
  return { events };
}

type JsonObject = Record<string, unknown>;
const asObject = (value: unknown): JsonObject => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The text after the last blank line: clients prepend the system prompt to a user message, so this is what the user typed. */
export function lastParagraph(content: string): string {
  const paragraphs = content.trim().split(/\n\s*\n/);
  return (paragraphs[paragraphs.length - 1] ?? "").trim();
}

const PATH_PROPERTIES = ["path", "filePath", "file_path", "file", "filename", "uri"];

/** A tool named exactly "read" (pi), or else one whose name looks like read-file (VS Code's copilot_readFile, read_file). */
function findReadTool(tools: unknown[]): { name: string; schema: JsonObject } | undefined {
  const specs = tools.map((t) => asObject(asObject(t).toolSpecification));
  const spec = specs.find((s) => s.name === "read") ?? specs.find((s) => typeof s.name === "string" && /read.?file/i.test(s.name));
  return spec ? { name: spec.name as string, schema: asObject(asObject(spec.inputSchema).json) } : undefined;
}

/** Arguments for the read tool: the path in the schema's path-like property, and plausible values for its other required ones. */
function readToolInput(schema: JsonObject, path: string): Record<string, unknown> {
  const properties = asObject(schema.properties);
  const required = asArray(schema.required).filter((r): r is string => typeof r === "string");
  const pathProperty = PATH_PROPERTIES.find((p) => p in properties) ?? required[0] ?? "path";
  const input: Record<string, unknown> = { [pathProperty]: path };
  for (const name of required) {
    if (name in input) continue;
    const type = asObject(properties[name]).type;
    if (type === "integer" || type === "number") input[name] = /end|limit|count/i.test(name) ? 200 : 1;
    else if (type === "boolean") input[name] = false;
    else input[name] = path;
  }
  return input;
}

/**
 * What the simulator answers when no reply is scripted. Deterministic, so demos and out-of-process tests can rely on it:
 * 1. currentMessage carries toolResults → text `The <tool> tool returned: "<first non-empty line of the first result>"`
 *    (`failed` instead of `returned` when its status is "error").
 * 2. else, the last paragraph of the current message says `read <path>` and a read tool is defined (named "read", or
 *    matching /read.?file/i) → text `I'll read <path>.` and a call of that tool with the path.
 * 3. else → text `You said: <last paragraph of the current message>`.
 * The text streams in 8-character pieces after a messageMetadataEvent; when the request asked for native thinking
 * (additionalModelRequestFields.thinking not "disabled") reasoningContentEvents come first, and when the conversation's
 * first message holds `<thinking_mode>enabled</thinking_mode>` the text starts with `<thinking>…</thinking>`.
 * Then a metadataEvent (input ≈ body bytes / 4, output ≈ text / 4), a meteringEvent (0.01 credit per 100 output
 * tokens, at least 0.01) and a contextUsageEvent (input / the model's maxInputTokens).
 */
export function defaultSimReply(request: SimRecordedRequest, models: readonly SimModel[]): SimReply {
  const body = asObject(request.body);
  const state = asObject(body.conversationState);
  const current = asObject(asObject(state.currentMessage).userInputMessage);
  const context = asObject(current.userInputMessageContext);
  const history = asArray(state.history);
  const content = typeof current.content === "string" ? current.content : "";
  const conversationId = typeof state.conversationId === "string" ? state.conversationId : "sim-conversation";

  let text: string;
  let call: SimToolCall | undefined;
  const results = asArray(context.toolResults).map(asObject);
  if (results.length > 0) {
    const first = results[0]!;
    const lastAssistant = asObject(asObject(history[history.length - 1]).assistantResponseMessage);
    const toolUse = asArray(lastAssistant.toolUses).map(asObject).find((u) => u.toolUseId === first.toolUseId);
    const toolName = typeof toolUse?.name === "string" ? toolUse.name : "unknown";
    const firstText = asArray(first.content).map(asObject).map((c) => (typeof c.text === "string" ? c.text : JSON.stringify(c.json ?? ""))).join("\n");
    const firstLine = firstText.split("\n").map((l) => l.trim()).find((l) => l.length > 0) ?? "";
    text = `The ${toolName} tool ${first.status === "error" ? "failed" : "returned"}: "${firstLine}"`;
  } else {
    const said = lastParagraph(content);
    const readMatch = /\bread\s+(?:the\s+)?(?:file\s+)?[`'"]?([^\s`'"]+?)[`'"]?[.,!?;:]*(?:\s|$)/i.exec(said);
    const readTool = readMatch ? findReadTool(asArray(context.tools)) : undefined;
    if (readMatch && readTool) {
      const path = readMatch[1]!;
      text = `I'll read ${path}.`;
      call = { name: readTool.name, input: readToolInput(readTool.schema, path) };
    } else {
      text = `You said: ${said}`;
    }
  }

  const firstMessage = asObject(asObject(history[0]).userInputMessage).content ?? content;
  const tagThinking = typeof firstMessage === "string" && firstMessage.includes("<thinking_mode>enabled</thinking_mode>");
  const thinking = asObject(asObject(body.additionalModelRequestFields).thinking);
  const nativeThinking = thinking.type !== undefined && thinking.type !== "disabled";
  const thought = `The user wrote ${content.length} characters; answering plainly.`;

  const model = models.find((m) => m.modelId === current.modelId) ?? models.find((m) => m.modelId === "auto") ?? models[0];
  const input = Math.max(1, Math.round(Math.max(0, request.bodyBytes) / 4));
  const output = Math.max(1, Math.ceil(text.length / 4));
  const events: SimEvent[] = [...headerEvents({ conversationId })];
  if (nativeThinking) {
    events.push(...splitText(thought, 16).map((piece) => ({ type: "reasoningContentEvent", payload: { text: piece } })));
    events.push({ type: "reasoningContentEvent", payload: { signature: `sim-signature-${output}` } });
  }
  events.push(...textEvents(tagThinking ? `<thinking>${thought}</thinking>\n\n${text}` : text, 8));
  if (call) events.push(...toolUseEvents(call));
  events.push(
    ...trailerEvents(
      {
        usage: { input, output },
        credits: Math.max(0.01, Math.round(output) / 10_000),
        contextUsagePercentage: model ? Math.round((input / model.tokenLimits.maxInputTokens) * 10_000) / 100 : 0,
      },
      call !== undefined,
    ),
  );
  return { events };
}
