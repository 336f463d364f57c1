// Turns decoded Kiro frames into one pi AssistantMessage and the pi stream events that build it (text, thinking, tool calls, usage).
// One class, over 300 lines: the open block (text, thinking or tool call) is state every event type reads and changes.
import { parseFramePayload, type KiroFrame } from "../wire/decoder";
import {
  classifyStreamException,
  contextWindowExceededError,
  cutAnswerError,
  OUTPUT_CAP_EXCEPTION,
  refusalError,
  type RefusalDetails,
  KiroError,
  parseServiceErrorBody,
  scrubSecrets,
  streamError,
  type ErrorContext,
} from "../errors";
import type { KiroLog } from "../log";
import { ThinkingTagSplitter, type SplitPiece } from "./thinkingSplitter";
import { ToolArgumentPreview } from "./toolArgumentPreview";
import { CHARS_PER_TOKEN } from "../request/tokenEstimate";
import type { AssistantMessage, AssistantMessageEvent, KiroMessageExtras, TextContent, ThinkingContent, ToolCall } from "../types";

export interface ResponseAssemblerOptions {
  /** The message being built; events carry it as `partial`. */
  output: AssistantMessage;
  emit: (event: AssistantMessageEvent) => void;
  /** Context window of the model, for estimating input tokens from `contextUsageEvent`. */
  contextWindow: number;
  /** Output token limit of the request; reported output at or above it means the answer hit the limit. */
  maxOutputTokens?: number;
  /** Size of the request in characters, for a last-resort input estimate. */
  requestChars?: number;
  /** Wire tool name → the caller's tool name (`KiroRequest.toolNames`); calls are reported under the caller's name. */
  toolNames?: Record<string, string>;
  errorContext: ErrorContext;
  /** Where the informational events (invalid state, output cap) are written. */
  log?: KiroLog;
}

type OpenBlock =
  | { kind: "text"; index: number; block: TextContent }
  | { kind: "tag-thinking" | "native-thinking" | "redacted"; index: number; block: ThinkingContent }
  | { kind: "tool"; index: number; block: ToolCall; args: ToolArgumentPreview };

export const REDACTED_THINKING_TEXT = "[Reasoning redacted]";

interface ReportedUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  total?: number;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Event types Kiro may send that the answer leaves out, each for the reason docs/kiro-protocol.md#ignored-events gives
 * (that list, this one and the simulator's `everyEventKindReply` agree: test/unit/eventRegistry.test.ts).
 */
export const IGNORED_EVENT_TYPES: readonly string[] = ["followupPromptEvent", "codeReferenceEvent", "citationEvent", "supplementaryWebLinksEvent", "intentsEvent"];

/**
 * Feed it frames in order with `handleFrame`, then call `finish` once the stream ended cleanly.
 * Both throw a KiroError when the answer itself reports or contains a failure.
 */
export class KiroResponseAssembler {
  private readonly output: AssistantMessage;
  private readonly emit: (event: AssistantMessageEvent) => void;
  private readonly splitter = new ThinkingTagSplitter();
  private open: OpenBlock | undefined;
  private readonly finishedToolIds = new Set<string>();
  private reported: ReportedUsage | undefined;
  private outputChars = 0;
  private contentSeen = false;
  /** The service ended the answer at its output token limit (`ContentLengthExceededException`). */
  private outputCapped = false;
  /** The tool call the output limit cut off, left out of the final message. */
  private droppedToolCall: ToolCall | undefined;
  /** One of Kiro's closing events (metadata, context usage, metering) or the output-cap exception arrived (docs/kiro-protocol.md#closing-events). */
  private closed = false;
  /** `metadataEvent.stopReason` and `stopDetails.refusal` (docs/kiro-protocol.md#stop-reasons). */
  private serviceStopReason: string | undefined;
  private refusal: RefusalDetails | undefined;

  constructor(private readonly options: ResponseAssemblerOptions) {
    this.output = options.output;
    this.emit = options.emit;
  }

  /** True once any text, thinking or tool call arrived (the answer has visibly started). */
  get hasContent(): boolean {
    return this.contentSeen;
  }

  handleFrame(frame: KiroFrame): void {
    if (frame.messageType === "exception" || frame.messageType === "error") {
      if (frame.exceptionType === OUTPUT_CAP_EXCEPTION) {
        this.capOutput();
        return;
      }
      throw this.exceptionFromFrame(frame);
    }
    switch (frame.eventType) {
      case "assistantResponseEvent": {
        const payload = parseFramePayload(frame);
        const modelTag = asString(payload.modelTag);
        if (modelTag) (this.output.kiro ??= {}).modelTag = modelTag;
        const content = asString(payload.content);
        if (content) this.handleText(content);
        return;
      }
      case "reasoningContentEvent":
        this.handleReasoning(parseFramePayload(frame));
        return;
      case "toolUseEvent":
        this.handleToolUse(parseFramePayload(frame));
        return;
      case "messageMetadataEvent": {
        const payload = parseFramePayload(frame);
        const id = asString(payload.utteranceId) ?? asString(payload.messageId) ?? asString(payload.conversationId);
        if (id) this.output.responseId = id;
        return;
      }
      case "metadataEvent":
        this.handleMetadata(parseFramePayload(frame));
        return;
      case "meteringEvent": {
        this.closed = true;
        const usage = asNumber(parseFramePayload(frame).usage);
        if (usage !== undefined) {
          const extras = (this.output.kiro ??= {});
          extras.credits = (extras.credits ?? 0) + usage;
        }
        return;
      }
      case "contextUsageEvent": {
        this.closed = true;
        const percentage = asNumber(parseFramePayload(frame).contextUsagePercentage);
        if (percentage !== undefined) (this.output.kiro ??= {}).contextUsagePercentage = percentage;
        return;
      }
      case "invalidStateEvent": {
        // Informational: the official CLI logs it and keeps reading (docs/kiro-protocol.md#invalid-state-event).
        const payload = parseFramePayload(frame);
        const detail = [asString(payload.reason), asString(payload.message)].filter(Boolean).join(": ");
        this.options.log?.warn(`Kiro reported an invalid conversation state${detail ? ` (${scrubSecrets(detail, this.options.errorContext.secrets)})` : ""}; the answer continues.`);
        return;
      }
      default:
        // IGNORED_EVENT_TYPES, and event types newer than this client: nothing of the answer (docs/kiro-protocol.md#ignored-events).
        return;
    }
  }

  /**
   * The answer reached its output limit: an ordinary end, not a failure (docs/kiro-protocol.md#output-cap). Text,
   * thinking and finished tool calls stay; a tool call still streaming cannot be completed and is left out of the final
   * message. It stays on the partial message, because events already queued for the consumer point at it (pi 1.x checks
   * that a queued `toolcall_start` finds a tool call at its index).
   */
  private capOutput(): void {
    this.closed = true;
    if (this.outputCapped) return;
    this.outputCapped = true;
    const capped: NonNullable<KiroMessageExtras["outputCapped"]> = {};
    const open = this.open;
    if (open?.kind === "tool") {
      this.open = undefined;
      this.droppedToolCall = open.block;
      capped.droppedToolCall = open.block.name || "(unnamed)";
    }
    (this.output.kiro ??= {}).outputCapped = capped;
    this.options.log?.warn(
      `Kiro: the answer reached the model's output limit and ends there (stop reason "length")${capped.droppedToolCall ? `; the unfinished call to ${capped.droppedToolCall} was dropped` : ""}.`,
    );
  }

  /** The message `done` carries: the one built so far, or a copy without a tool call the output limit cut off. */
  finalMessage(): AssistantMessage {
    const dropped = this.droppedToolCall;
    return dropped ? { ...this.output, content: this.output.content.filter((block) => block !== dropped) } : this.output;
  }

  /**
   * The stream ended: closes open blocks, settles usage, and returns the stop reason. Throws when the stream was cut
   * before Kiro's closing events, or when Kiro's stop reason says the answer failed (context window, content filter).
   * Kiro's END_TURN is not trusted on a turn with tool calls: the calls decide.
   */
  finish(): "stop" | "length" | "toolUse" {
    this.emitPieces(this.splitter.flush());
    const ctx = this.options.errorContext;
    if (!this.closed) {
      const open = this.open;
      this.settleUsage();
      // A tool call cut inside its arguments says so in its own words (how to avoid it); a complete one is still a cut answer.
      if (open?.kind === "tool") this.parseToolArguments(open, true);
      throw cutAnswerError(ctx, this.outputChars, open?.kind === "tool" ? open.block.name || "(unnamed)" : undefined);
    }
    this.closeOpenBlock(true);
    this.settleUsage();
    const serviceStop = this.serviceStopReason;
    if (serviceStop === "MODEL_CONTEXT_WINDOW_EXCEEDED") throw contextWindowExceededError(ctx);
    if (serviceStop === "CONTENT_FILTERED" || this.refusal) throw refusalError(ctx, serviceStop ?? "REFUSAL", this.refusal);
    if (this.outputCapped) return "length";
    if (this.output.content.some((block) => block.type === "toolCall")) return "toolUse";
    const limit = this.options.maxOutputTokens;
    if (limit !== undefined && this.reported?.output !== undefined && this.reported.output >= limit) return "length";
    return "stop";
  }

  /** Fills usage (reported or estimated) without closing anything; for the error path. */
  settleUsage(): void {
    const usage = this.output.usage;
    const reported = this.reported;
    if (reported && (reported.input !== undefined || reported.output !== undefined)) {
      usage.input = reported.input ?? 0;
      usage.output = reported.output ?? 0;
      usage.cacheRead = reported.cacheRead ?? 0;
      usage.cacheWrite = reported.cacheWrite ?? 0;
      usage.totalTokens = reported.total ?? usage.input + usage.output + usage.cacheRead + usage.cacheWrite;
      if (this.output.kiro) delete this.output.kiro.usageEstimated;
      return;
    }
    const output = Math.ceil(this.outputChars / CHARS_PER_TOKEN);
    const percentage = this.output.kiro?.contextUsagePercentage;
    let input: number;
    if (percentage !== undefined) input = Math.max(0, Math.round((this.options.contextWindow * percentage) / 100) - output);
    else input = Math.ceil((this.options.requestChars ?? 0) / CHARS_PER_TOKEN);
    usage.input = input;
    usage.output = output;
    usage.cacheRead = 0;
    usage.cacheWrite = 0;
    usage.totalTokens = input + output;
    (this.output.kiro ??= {}).usageEstimated = true;
  }

  private exceptionFromFrame(frame: KiroFrame): KiroError {
    const text = frame.payload.byteLength > 0 ? new TextDecoder().decode(frame.payload) : "";
    const body = parseServiceErrorBody(text);
    if (!body.message && frame.errorMessage) body.message = frame.errorMessage;
    const type = frame.exceptionType ?? frame.errorCode ?? body.type ?? "";
    return classifyStreamException(type, body, this.options.errorContext);
  }

  private handleText(delta: string): void {
    // Past the start of a plain answer the splitter returns each delta as it is; skipping it saves two allocations per delta.
    if (this.splitter.passesTextThrough) this.appendText(delta);
    else this.emitPieces(this.splitter.push(delta));
  }

  private emitPieces(pieces: SplitPiece[]): void {
    for (const piece of pieces) {
      if (piece.kind === "text") this.appendText(piece.text);
      else this.appendThinking("tag-thinking", piece.text);
    }
  }

  private appendText(text: string): void {
    let open = this.open;
    if (open?.kind !== "text") {
      this.closeOpenBlock(false);
      const block: TextContent = { type: "text", text: "" };
      this.output.content.push(block);
      open = { kind: "text", index: this.output.content.length - 1, block };
      this.open = open;
      this.emit({ type: "text_start", contentIndex: open.index, partial: this.output });
    }
    this.contentSeen = true;
    open.block.text += text;
    this.outputChars += text.length;
    this.emit({ type: "text_delta", contentIndex: open.index, delta: text, partial: this.output });
  }

  private appendThinking(kind: "tag-thinking" | "native-thinking", text: string): void {
    let open = this.open;
    if (open?.kind !== kind) {
      this.closeOpenBlock(false);
      const block: ThinkingContent = { type: "thinking", thinking: "" };
      this.output.content.push(block);
      open = { kind, index: this.output.content.length - 1, block };
      this.open = open;
      this.emit({ type: "thinking_start", contentIndex: open.index, partial: this.output });
    }
    this.contentSeen = true;
    if (text.length === 0) return;
    const block = open.block as ThinkingContent;
    block.thinking += text;
    this.outputChars += text.length;
    this.emit({ type: "thinking_delta", contentIndex: open.index, delta: text, partial: this.output });
  }

  private handleReasoning(payload: Record<string, unknown>): void {
    const text = asString(payload.text);
    const signature = asString(payload.signature);
    const redacted = asString(payload.redactedContent);
    if (text !== undefined || signature !== undefined) this.emitPieces(this.splitter.flush());
    if (text) this.appendThinking("native-thinking", text);
    if (signature) {
      let target: ThinkingContent | undefined;
      if (this.open?.kind === "native-thinking") target = this.open.block;
      else {
        for (let i = this.output.content.length - 1; i >= 0; i--) {
          const block = this.output.content[i]!;
          if (block.type === "thinking" && !block.redacted) {
            target = block;
            break;
          }
          if (block.type !== "thinking") break;
        }
      }
      if (!target) {
        this.appendThinking("native-thinking", "");
        target = (this.open as { block: ThinkingContent }).block;
      }
      target.thinkingSignature = (target.thinkingSignature ?? "") + signature;
    }
    if (redacted) {
      this.emitPieces(this.splitter.flush());
      if (this.open?.kind === "redacted") {
        this.open.block.thinkingSignature = (this.open.block.thinkingSignature ?? "") + redacted;
        return;
      }
      this.closeOpenBlock(false);
      const block: ThinkingContent = { type: "thinking", thinking: REDACTED_THINKING_TEXT, thinkingSignature: redacted, redacted: true };
      this.output.content.push(block);
      this.open = { kind: "redacted", index: this.output.content.length - 1, block };
      this.contentSeen = true;
      this.emit({ type: "thinking_start", contentIndex: this.open.index, partial: this.output });
    }
  }

  private handleToolUse(payload: Record<string, unknown>): void {
    const id = asString(payload.toolUseId);
    const wireName = asString(payload.name);
    const toolNames = this.options.toolNames;
    const name = wireName !== undefined && toolNames && Object.hasOwn(toolNames, wireName) ? toolNames[wireName] : wireName;
    const input = payload.input;
    const stop = payload.stop === true;
    if (!id) throw streamError("a toolUseEvent arrived without a toolUseId.");
    let open = this.open;
    if (open?.kind !== "tool" || open.block.id !== id) {
      if (this.finishedToolIds.has(id)) return; // a repeated stop or late fragment of a call already complete
      this.emitPieces(this.splitter.flush());
      this.closeOpenBlock(false);
      const block: ToolCall = { type: "toolCall", id, name: name ?? "", arguments: {} };
      this.output.content.push(block);
      open = { kind: "tool", index: this.output.content.length - 1, block, args: new ToolArgumentPreview() };
      this.open = open;
      this.contentSeen = true;
      this.emit({ type: "toolcall_start", contentIndex: open.index, partial: this.output });
    } else if (name && !open.block.name) {
      open.block.name = name;
    }
    let fragment: string | undefined;
    if (typeof input === "string") fragment = input;
    else if (input !== undefined && input !== null) fragment = JSON.stringify(input); // already-parsed input, seen in some proxies
    if (fragment) {
      this.outputChars += fragment.length;
      const preview = open.args.push(fragment, !stop);
      if (preview) open.block.arguments = preview;
      this.emit({ type: "toolcall_delta", contentIndex: open.index, delta: fragment, partial: this.output });
    }
    if (stop) this.closeOpenBlock(false);
  }

  private handleMetadata(payload: Record<string, unknown>): void {
    const tokenUsage = payload.tokenUsage;
    if (tokenUsage && typeof tokenUsage === "object") {
      const t = tokenUsage as Record<string, unknown>;
      const reported = (this.reported ??= {});
      reported.input = asNumber(t.uncachedInputTokens) ?? asNumber(t.inputTokens) ?? reported.input;
      reported.output = asNumber(t.outputTokens) ?? reported.output;
      reported.cacheRead = asNumber(t.cacheReadInputTokens) ?? reported.cacheRead;
      reported.cacheWrite = asNumber(t.cacheWriteInputTokens) ?? reported.cacheWrite;
      reported.total = asNumber(t.totalTokens) ?? reported.total;
    }
    const percentage = asNumber(payload.contextUsagePercentage);
    if (percentage !== undefined) (this.output.kiro ??= {}).contextUsagePercentage = percentage;
    this.closed = true;
    const stopReason = asString(payload.stopReason);
    if (stopReason) this.serviceStopReason = stopReason;
    const stopDetails = payload.stopDetails;
    const refusal = stopDetails && typeof stopDetails === "object" ? (stopDetails as Record<string, unknown>).refusal : undefined;
    if (refusal && typeof refusal === "object") {
      const r = refusal as Record<string, unknown>;
      this.refusal = { category: asString(r.category), explanation: asString(r.explanation), recommendedModel: asString(r.recommendedModel) };
    }
    // MAX_TOKENS ends the answer at its output limit, as the output-cap exception does.
    if (stopReason === "MAX_TOKENS") this.capOutput();
  }

  /** Ends the open block with its `_end` event; `streamEnded` words a broken tool call as cut off. */
  private closeOpenBlock(streamEnded: boolean): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    switch (open.kind) {
      case "text":
        this.emit({ type: "text_end", contentIndex: open.index, content: open.block.text, partial: this.output });
        return;
      case "tag-thinking":
      case "native-thinking":
      case "redacted":
        this.emit({ type: "thinking_end", contentIndex: open.index, content: open.block.thinking, partial: this.output });
        return;
      case "tool": {
        this.finishedToolIds.add(open.block.id);
        open.block.arguments = this.parseToolArguments(open, streamEnded);
        this.emit({ type: "toolcall_end", contentIndex: open.index, toolCall: open.block, partial: this.output });
        return;
      }
    }
  }

  private parseToolArguments(open: Extract<OpenBlock, { kind: "tool" }>, streamEnded: boolean): Record<string, unknown> {
    const json = open.args.text();
    if (json.trim().length === 0) return {};
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      const name = open.block.name || "(unnamed)";
      if (streamEnded) {
        throw new KiroError(
          "stream",
          `The tool call "${name}" was cut off: Kiro's answer ended after ${open.args.length} characters of its arguments, before the JSON was complete. This happens with very large tool inputs (for example writing a big file in one call); ask the model to write it in smaller pieces.`,
        );
      }
      throw new KiroError(
        "stream",
        `The tool call "${name}" came with arguments that are not valid JSON (${open.args.length} characters, starting ${JSON.stringify(json.slice(0, 60))}).`,
      );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new KiroError("stream", `The tool call "${open.block.name}" came with arguments that are not a JSON object.`);
    }
    return value as Record<string, unknown>;
  }
}
