// What an answer used, as VS Code's chat reads it: a data part of mime `usage` after the answer (fills the Chat view's context indicator).
import type { AssistantMessage } from "../kiro/types";

/** The mime type Copilot Chat reads an extension model's usage from (docs/vscode-chat.md#usage). */
export const USAGE_MIME = "usage";

/** The usage object in the OpenAI shape Copilot Chat checks for (numeric prompt, completion and total tokens). */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/**
 * The usage of a finished answer: Kiro's token counts where it reported them, else the input estimated from its
 * context-usage percentage (src/kiro/answer/responseAssembler.ts). Undefined when the answer carries no usage at all.
 */
export function chatUsage(final: Pick<AssistantMessage, "usage"> | undefined): ChatUsage | undefined {
  const usage = final?.usage;
  if (!usage) return undefined;
  const prompt = usage.input + usage.cacheRead + usage.cacheWrite;
  const completion = usage.output;
  if (prompt + completion <= 0) return undefined;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: usage.cacheRead } };
}

/** The bytes of a usage data part. */
export function usageBytes(usage: ChatUsage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(usage));
}

/** One line for the log: tokens, the share of the context window and the credits Kiro charged, where known. */
export function describeUsage(final: AssistantMessage | undefined, usage: ChatUsage | undefined): string {
  const parts: string[] = [];
  if (usage) parts.push(`${usage.prompt_tokens} prompt + ${usage.completion_tokens} output tokens${final?.kiro?.usageEstimated ? " (estimated)" : ""}`);
  if (final?.kiro?.contextUsagePercentage !== undefined) parts.push(`${final.kiro.contextUsagePercentage}% of the context window`);
  if (final?.kiro?.credits !== undefined) parts.push(`${final.kiro.credits} credits`);
  return parts.join(", ");
}
