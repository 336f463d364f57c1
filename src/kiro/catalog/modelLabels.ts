// Short words for what the catalog says about a model (context size, credits per request), shared by pi's model list and VS Code's picker.
import type { KiroModelInfo } from "./modelInfo";

/** GPT-5.6 costs twice its multiplier for requests above this many input tokens (docs/kiro-protocol.md#models). */
const GPT56_DOUBLE_RATE_ABOVE = 272_000;

/** `1M`, `272K`, `200K`: the context window as people say it. */
export function contextLabel(tokens: number): string {
  if (tokens >= 1_000_000 && tokens % 1_000_000 < 50_000) return `${Math.round(tokens / 1_000_000)}M`;
  return `${Math.round(tokens / 1000)}K`;
}

/** `2.2x credits` (a request's cost against the base rate); undefined when the catalog gave no multiplier. */
export function creditsLabel(info: Pick<KiroModelInfo, "creditMultiplier" | "kiroId" | "contextWindow">): string | undefined {
  if (info.creditMultiplier === undefined) return undefined;
  const rate = `${Number(info.creditMultiplier.toFixed(2))}x credits`;
  const doubles = /^gpt-5\.6/i.test(info.kiroId) && info.contextWindow > GPT56_DOUBLE_RATE_ABOVE;
  return doubles ? `${rate}, doubled above ${contextLabel(GPT56_DOUBLE_RATE_ABOVE)}` : rate;
}

/** `1M context, 2.2x credits`: what a model list shows beside a model's name. */
export function modelFactsLabel(info: Pick<KiroModelInfo, "creditMultiplier" | "kiroId" | "contextWindow">): string {
  return [`${contextLabel(info.contextWindow)} context`, creditsLabel(info)].filter(Boolean).join(", ");
}
