// Estimates how many tokens a text or a chat message costs a Kiro (Claude) model, for vscode.lm's countTokens and VS Code's prompt budgeting.
// How text and images are counted (and how accurate that is) is written down in src/kiro/tokenEstimate.ts.
import { estimateImageTokens, estimateTextTokens } from "../kiro/request/tokenEstimate";
import { ChatRole, isObjectLike } from "./chatConversion";

/** Role marker and message framing. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** `toolUse` / `toolResult` JSON envelope: ids, names, keys. */
const TOOL_PART_OVERHEAD_TOKENS = 12;

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Tokens for one part of a message, told apart by shape (this file must not depend on VS Code's classes). */
function estimatePartTokens(part: unknown, depth: number): number {
  if (typeof part === "string") return estimateTextTokens(part);
  if (!isObjectLike(part) || depth > 8) return 0;
  if (typeof part.mimeType === "string" && part.data instanceof Uint8Array) {
    if (part.mimeType.toLowerCase().startsWith("image/")) return estimateImageTokens(part.data);
    if (part.mimeType === "cache_control" || part.mimeType === "stateful_marker") return 0; // VS Code's markers, never sent
    return estimateTextTokens(Buffer.from(part.data).toString("utf8"));
  }
  if (typeof part.callId === "string" && typeof part.name === "string" && "input" in part) {
    return TOOL_PART_OVERHEAD_TOKENS + estimateTextTokens(part.name) + estimateTextTokens(stringify(part.input));
  }
  if (typeof part.callId === "string" && Array.isArray(part.content)) {
    return TOOL_PART_OVERHEAD_TOKENS + part.content.reduce<number>((sum, item) => sum + estimatePartTokens(item, depth + 1), 0);
  }
  if (typeof part.value === "string") return estimateTextTokens(part.value);
  if (Array.isArray(part.value)) return estimateTextTokens(part.value.filter((v) => typeof v === "string").join(""));
  if ("value" in part) return estimateTextTokens(stringify(part.value)); // prompt-tsx JSON: its markup overcounts a little
  return 0;
}

/** A message as vscode.lm passes it to `provideTokenCount`. */
export interface CountableMessage {
  readonly role: number;
  readonly content: ReadonlyArray<unknown>;
}

/** Token estimate for a text or a whole message (text, tool calls, tool results, images, thinking). */
export function estimateTokens(input: string | CountableMessage): number {
  if (typeof input === "string") return estimateTextTokens(input);
  const parts = input.content.reduce<number>((sum, part) => sum + estimatePartTokens(part, 0), 0);
  // System text is folded into the system prompt: no per-message framing of its own.
  return parts + (input.role === ChatRole.System ? 0 : MESSAGE_OVERHEAD_TOKENS);
}
