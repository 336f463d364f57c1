// Decides how a request asks for thinking: not at all, prompt tags in front of the system text, or native adaptive thinking.
import type { KiroModelInfo } from "./options";
import type { ThinkingBudgets, ThinkingLevel } from "./types";

export type ThinkingMode = "off" | "tags" | "native";
export type ThinkingEffort = "low" | "medium" | "high" | "max";

export interface ThinkingPlan {
  mode: ThinkingMode;
  /** The level in force (a `-thinking` alias without a level uses medium). */
  level?: ThinkingLevel;
  /** Tag mode: the `<max_thinking_length>` value. */
  budgetTokens?: number;
  /** Native mode: the `output_config.effort` value. */
  effort?: ThinkingEffort;
}

export interface AdditionalModelRequestFields {
  thinking: { type: "adaptive" };
  output_config: { effort: ThinkingEffort };
}

export const MIN_THINKING_BUDGET = 1024;
export const MAX_THINKING_BUDGET = 24576;

const DEFAULT_BUDGETS: Readonly<Record<ThinkingLevel, number>> = {
  minimal: 1024,
  low: 4096,
  medium: 10240,
  high: 16384,
  xhigh: 24576,
};

const EFFORT_BY_LEVEL: Readonly<Record<ThinkingLevel, ThinkingEffort>> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "max",
};

function clampBudget(tokens: number): number {
  if (!Number.isFinite(tokens)) return MAX_THINKING_BUDGET;
  return Math.min(MAX_THINKING_BUDGET, Math.max(MIN_THINKING_BUDGET, Math.floor(tokens)));
}

/**
 * The tag-mode budget for a level: the caller's `thinkingBudgets` first, then the defaults,
 * clamped to the 1024–24576 range the service is reported to honour, and kept below
 * `maxTokens` so thinking leaves room for the answer.
 */
export function thinkingBudgetFor(level: ThinkingLevel, budgets?: ThinkingBudgets, maxTokens?: number): number {
  const custom = level === "xhigh" ? undefined : budgets?.[level];
  let budget = custom !== undefined && custom > 0 ? custom : DEFAULT_BUDGETS[level];
  if (maxTokens !== undefined && maxTokens > 0 && budget >= maxTokens) budget = maxTokens - MIN_THINKING_BUDGET;
  return clampBudget(budget);
}

export function thinkingEffortFor(level: ThinkingLevel): ThinkingEffort {
  return EFFORT_BY_LEVEL[level];
}

export interface PlanThinkingOptions {
  reasoning?: ThinkingLevel | "off";
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
}

/**
 * A model without `reasoning` never thinks. A `-thinking` alias (`forceThinking`) thinks at
 * medium when no level is given. Native thinking only for models whose catalog entry carries
 * the schema; the service rejects the field for any other model.
 */
export function planThinking(model: KiroModelInfo, options: PlanThinkingOptions = {}): ThinkingPlan {
  if (!model.reasoning) return { mode: "off" };
  const requested = options.reasoning === "off" ? undefined : options.reasoning;
  const level: ThinkingLevel | undefined = requested ?? (model.forceThinking ? "medium" : undefined);
  if (!level) return { mode: "off" };
  if (model.nativeThinking) return { mode: "native", level, effort: thinkingEffortFor(level) };
  return { mode: "tags", level, budgetTokens: thinkingBudgetFor(level, options.thinkingBudgets, options.maxTokens) };
}

/** The text that goes in front of the system text in tag mode; empty otherwise. */
export function thinkingPromptPrefix(plan: ThinkingPlan): string {
  if (plan.mode !== "tags" || plan.budgetTokens === undefined) return "";
  return `<thinking_mode>enabled</thinking_mode><max_thinking_length>${plan.budgetTokens}</max_thinking_length>`;
}

/** The top-level `additionalModelRequestFields` in native mode; undefined otherwise. */
export function additionalModelRequestFields(plan: ThinkingPlan): AdditionalModelRequestFields | undefined {
  if (plan.mode !== "native" || !plan.effort) return undefined;
  return { thinking: { type: "adaptive" }, output_config: { effort: plan.effort } };
}
