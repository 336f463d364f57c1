// Turns a stream event into one NDJSON line for the bridge protocol: the event without `partial` (the client rebuilds it).
import type { AssistantMessage, AssistantMessageEvent, Model } from "../kiro/types";
import { emptyUsage } from "../kiro/types";

/** A stream event as it travels over the bridge: every field of the event except `partial`. */
export type BridgeStreamEvent = AssistantMessageEvent extends infer E ? (E extends unknown ? Omit<E, "partial"> : never) : never;

export function toBridgeEvent(event: AssistantMessageEvent): BridgeStreamEvent {
  if ("partial" in event) {
    const { partial: _partial, ...rest } = event;
    return rest as BridgeStreamEvent;
  }
  return event;
}

export function toNdjsonLine(event: AssistantMessageEvent): string {
  return `${JSON.stringify(toBridgeEvent(event))}\n`;
}

/** The final `error` event the bridge sends itself when the stream function broke its never-throw contract. */
export function bridgeFailureEvent(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string): AssistantMessageEvent {
  const error: AssistantMessage = {
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
  return { type: "error", reason: "error", error };
}
