// The answer for a request that fails before anything streams (no sign-in, an unusable conversation, a broken bridge): an error-only message and a stream that ends with it.
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "./eventStream";
import { emptyUsage, type AssistantMessage, type Model } from "./types";

export function failedAnswer(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string): AssistantMessage {
  return {
    role: "assistant",
    content: [],
    api: model.api,
    provider: model.provider,
    model: model.id,
    usage: emptyUsage(),
    stopReason: "error",
    errorMessage,
    timestamp: Date.now(),
  };
}

/** A stream whose only event is the final `error`, so such a failure reaches the caller like any other (the stream contract never throws). */
export function failedAnswerStream(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  stream.push({ type: "error", reason: "error", error: failedAnswer(model, errorMessage) });
  stream.end();
  return stream;
}
