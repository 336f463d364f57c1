// A refused answer (Kiro's content filter, `CONTENT_FILTERED` or `stopDetails.refusal`) is an answer that ended, not a failure: each wire format ends it with its own refusal stop (docs/architecture.md#bridge-refusals).
import type { AssistantMessage } from "../kiro/types";

/** The words to show for a refused answer (already scrubbed by the Kiro layer), or undefined when the message is another failure. */
export function refusalWords(message: AssistantMessage): string | undefined {
  if (message.kiro?.error?.kind !== "refused") return undefined;
  return message.errorMessage ?? "Kiro's content filter stopped the answer.";
}

/** The text the answer held before Kiro stopped it. */
export function answerText(message: AssistantMessage): string {
  return message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
}
