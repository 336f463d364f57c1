// Turns a stream event into one NDJSON line for the bridge protocol: the event without `partial` (the client rebuilds it with EventReplay).
import type { AssistantMessageEvent, Model } from "../kiro/types";
import { failedAnswer } from "../kiro/failedAnswer";
import { withoutPartial, type StreamEventWithoutPartial } from "../kiro/eventReplay";

/** A stream event as it travels over the bridge: without `partial`; `toolcall_start` also names the call (see eventReplay.ts, the client's half). */
export type BridgeStreamEvent = StreamEventWithoutPartial;

export function toBridgeEvent(event: AssistantMessageEvent): BridgeStreamEvent {
  return withoutPartial(event);
}

export function toNdjsonLine(event: AssistantMessageEvent): string {
  return `${JSON.stringify(toBridgeEvent(event))}\n`;
}

/** The final `error` event the bridge sends itself when the stream function broke its never-throw contract. */
export function bridgeFailureEvent(model: Pick<Model, "id" | "api" | "provider">, errorMessage: string): AssistantMessageEvent {
  return { type: "error", reason: "error", error: failedAnswer(model, errorMessage) };
}
