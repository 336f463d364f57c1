// Runs one vscode.lm chat request against Kiro without touching VS Code itself: conversion, cancellation → abort, toolMode Required, errors.
import type { KiroRequestOptions } from "../kiro/options";
import type { AssistantMessage, AssistantMessageEvent, Context, Model } from "../kiro/types";
import {
  ChatToolMode,
  convertMessages,
  reportAssistantStream,
  type ChatPartKit,
  type ChatRequestMessageLike,
  type ChatToolLike,
} from "./chatConversion";
import { describeKiroFailure, missingRequiredToolCall, type ChatFailure } from "./chatErrors";
import type { ChatThinkingMemory } from "./chatThinkingMemory";

/** The part of VS Code's CancellationToken this needs. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** What the request needs from the window's Kiro client, injectable so tests can watch the signal and feed events. */
export interface ChatRequestBackend {
  stream(model: Model, context: Context, options?: KiroRequestOptions): AsyncIterable<AssistantMessageEvent>;
  conversationIdFor?(context: Context): string;
}

export interface ChatRequest {
  model: Model;
  /** Shown in error messages. */
  modelName: string;
  messages: readonly ChatRequestMessageLike[];
  tools?: readonly ChatToolLike[];
  toolMode?: number;
  kit: ChatPartKit;
  report(part: object): void;
  token: CancellationLike;
  /** Reasoning and the like; `signal` and `sessionId` are set here. */
  streamOptions: KiroRequestOptions;
  /** Earlier answers' thinking, put back where VS Code's history left it out, and kept for the next turn. */
  thinkingMemory?: ChatThinkingMemory;
}

/** Thrown when the request failed; `failure` says why and what to do. */
export class ChatRequestFailure extends Error {
  constructor(readonly failure: ChatFailure) {
    super(failure.message);
    this.name = "ChatRequestFailure";
  }
}

/** The nudge sent once when toolMode is Required and the model answered with text only. */
export const REQUIRED_TOOL_RETRY_PROMPT =
  "Your previous answer did not call a tool. This request requires a tool call: call one of the provided tools now.";

/**
 * Streams Kiro's answer to `request.report` and returns the final message. Cancelling the token aborts the HTTP request (the AbortSignal goes to the client)
 * and ends quietly. toolMode Required: Kiro has no tool-choice field, so the system text demands a tool call; answer text is
 * held back until a tool call arrives; an answer without one is retried once with a nudge, then fails with a clear error —
 * the held text is never shown, since the caller asked for a tool call, not prose.
 */
export async function runChatRequest(request: ChatRequest, backend: ChatRequestBackend): Promise<AssistantMessage | undefined> {
  if (request.token.isCancellationRequested) return undefined;
  const converted = convertMessages(request.messages, request.kit, {
    modelId: request.model.id,
    tools: request.tools,
    toolMode: request.toolMode,
  });
  const context = request.thinkingMemory ? request.thinkingMemory.restore(request.model.id, converted) : converted;
  const requireTool = request.toolMode === ChatToolMode.Required && (context.tools?.length ?? 0) > 0;
  const sessionId = request.streamOptions.sessionId ?? backend.conversationIdFor?.(context);

  const abort = new AbortController();
  const subscription = request.token.onCancellationRequested(() => abort.abort());
  try {
    const attempts = requireTool ? 2 : 1;
    let attemptContext = context;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const events = backend.stream(request.model, attemptContext, {
        ...request.streamOptions,
        ...(sessionId ? { sessionId } : {}),
        signal: abort.signal,
      });
      const result = await reportAssistantStream(events, request.kit, request.report, { holdText: requireTool });
      if (request.token.isCancellationRequested) return undefined;
      if (result.outcome === "error") {
        throw new ChatRequestFailure(describeKiroFailure(result.final, { modelName: request.modelName }));
      }
      if (result.outcome === "ended") {
        throw new ChatRequestFailure(
          describeKiroFailure(new Error("the answer stream ended without a final event"), { modelName: request.modelName }),
        );
      }
      if (!requireTool || result.toolCalls > 0) {
        request.thinkingMemory?.remember(request.model.id, result.final);
        return result.final;
      }
      // Required but no tool call: ask once more, showing the model what it said.
      attemptContext = {
        ...context,
        messages: [
          ...context.messages,
          ...(result.final && result.final.content.length > 0 ? [{ ...result.final, stopReason: "stop" as const }] : []),
          { role: "user" as const, content: [{ type: "text" as const, text: REQUIRED_TOOL_RETRY_PROMPT }], timestamp: context.messages.length },
        ],
      };
    }
    throw new ChatRequestFailure(
      missingRequiredToolCall(
        { modelName: request.modelName },
        (context.tools ?? []).map((t) => t.name),
      ),
    );
  } finally {
    subscription.dispose();
  }
}
