// The answer for a request that fails before anything streams (no sign-in, an unusable conversation, a broken bridge): an error-only message and a stream that ends with it.
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "./eventStream";
import { emptyAssistantMessage, type AssistantMessage, type KiroErrorKind, type Model } from "../types";

/** `kind` lets each host word its own way out (src/vscode/chatErrors.ts, src/pi/piErrors.ts), as for any other failure. */
export function failedAnswer(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string, kind: KiroErrorKind = "stream"): AssistantMessage {
  return { ...emptyAssistantMessage(model, "error"), errorMessage, kiro: { error: { kind, retryable: false } } };
}

/** A stream whose only event is the final `error`, so such a failure reaches the caller like any other (the stream contract never throws). */
export function failedAnswerStream(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string, kind: KiroErrorKind = "stream"): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  stream.push({ type: "error", reason: "error", error: failedAnswer(model, errorMessage, kind) });
  stream.end();
  return stream;
}
