// Decides how a request asks for thinking: not at all, prompt tags in front of the system text, or native fields shaped by the model's schema.
//
// Native thinking (docs/kiro-protocol.md#models): a catalog entry's `additionalModelRequestFieldsSchema`
// says where the effort goes — `output_config.effort` for Claude, `reasoning.effort` for the GPT family — each with a
// strict enum under `additionalProperties: false`, and whether `thinking` (`type`, `display: "summarized"`, which makes
// the thinking visible) may be sent. A request sends only what that schema allows, with only values its enums list;
// the service rejects the whole request otherwise. Public clients derive the same from the schema
// (mikeyobrien/pi-provider-kiro `deriveKiroEffort`, d-kuro/kirocc's catalog effort enum).
import type { KiroModelInfo, NativeThinkingShape } from "../catalog/modelInfo";
import type { ThinkingBudgets, ThinkingLevel } from "../types";

export type ThinkingMode = "off" | "tags" | "native";
/** An effort value from a model's schema (`low`, `medium`, `high`, `xhigh`, `max`, …). */
export type ThinkingEffort = string;

export interface ThinkingPlan {
  mode: ThinkingMode;
  /** The level in force (a `-thinking` alias without a level uses medium). */
  level?: ThinkingLevel;
  /** Tag mode: the `<max_thinking_length>` value. */
  budgetTokens?: number;
  /** Native mode: the effort sent, when the model's schema takes one. */
  effort?: ThinkingEffort;
  /** Native mode: the top-level `additionalModelRequestFields`. */
  fields?: AdditionalModelRequestFields;
}

export interface AdditionalModelRequestFields {
  thinking?: { type: "adaptive" | "enabled"; budget_tokens?: number; display?: "summarized" };
  output_config?: { effort: ThinkingEffort };
  reasoning?: { effort: ThinkingEffort };
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

/** Effort names from least to most; "none" (GPT: no reasoning) is not on it, so no level ever maps to it. */
const EFFORT_SCALE: readonly string[] = ["minimal", "low", "medium", "high", "xhigh", "max"];

/**
 * Used when a model takes native thinking but its schema is not at hand (the built-in guess, or a model that came
 * over the bridge without it): the shape every public client sends to the 4.6+ Claude models, which the catalog
 * lists with `low`/`medium`/`high`/`max` (pi-provider-kiro, kirocc).
 */
const CLAUDE_SHAPE: NativeThinkingShape = { effortAt: "output_config", efforts: ["low", "medium", "high", "max"], thinkingType: "adaptive" };
/** The GPT-family fallback: only the efforts every reported GPT enum lists (pi-provider-kiro, kirocc). */
const GPT_SHAPE: NativeThinkingShape = { effortAt: "reasoning", efforts: ["low", "medium", "high"] };

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

/**
 * The allowed effort nearest to pi's level: the level itself when listed, else the closest listed value on
 * minimal < low < medium < high < xhigh < max, the higher one on a tie (xhigh on a low…max enum is max).
 * Undefined when the enum lists none of those names.
 */
export function effortFor(level: ThinkingLevel, allowed: readonly string[]): ThinkingEffort | undefined {
  if (allowed.includes(level)) return level;
  const target = EFFORT_SCALE.indexOf(level);
  let best: string | undefined;
  let bestRank = -1;
  let bestDistance = Infinity;
  for (const value of allowed) {
    const rank = EFFORT_SCALE.indexOf(value);
    if (rank < 0) continue;
    const distance = Math.abs(rank - target);
    if (distance < bestDistance || (distance === bestDistance && rank > bestRank)) {
      best = value;
      bestRank = rank;
      bestDistance = distance;
    }
  }
  return best;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function child(schema: unknown, ...path: string[]): JsonObject | undefined {
  let node: unknown = schema;
  for (const key of path) node = isObject(node) && Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
  return isObject(node) ? node : undefined;
}

function stringEnum(schema: JsonObject | undefined): string[] {
  const values = schema?.enum;
  return Array.isArray(values) ? [...new Set(values.filter((v): v is string => typeof v === "string" && v !== ""))] : [];
}

function finiteNumber(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * Whether `value` is valid against `schema`, for the keywords these schemas use (type, properties, required,
 * additionalProperties, enum, const, minimum, maximum). Anything else is taken as allowing the value.
 */
function fitsSchema(value: unknown, schema: unknown, depth = 0): boolean {
  if (schema === true || schema === undefined) return true;
  if (!isObject(schema) || depth > 16) return schema !== false;
  const type = schema.type;
  const types = typeof type === "string" ? [type] : Array.isArray(type) ? type : undefined;
  if (types && !types.some((t) => typeMatches(value, t))) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) return false;
  if ("const" in schema && schema.const !== value) return false;
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return false;
    if (typeof schema.maximum === "number" && value > schema.maximum) return false;
  }
  if (!isObject(value)) return true;
  const properties = isObject(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required) && schema.required.some((name) => typeof name === "string" && !(name in value))) return false;
  for (const [key, item] of Object.entries(value)) {
    const sub = Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : schema.additionalProperties;
    if (!fitsSchema(item, sub, depth + 1)) return false;
  }
  return true;
}

function typeMatches(value: unknown, type: unknown): boolean {
  switch (type) {
    case "object":
      return isObject(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "null":
      return value === null;
    default:
      return true;
  }
}

/** The fields a shape produces; undefined when it produces nothing. */
function fieldsFor(shape: NativeThinkingShape, effort: ThinkingEffort | undefined, budgetTokens: number): AdditionalModelRequestFields | undefined {
  const fields: AdditionalModelRequestFields = {};
  if (shape.thinkingType) {
    fields.thinking = { type: shape.thinkingType };
    if (shape.thinkingType === "enabled" && shape.budgetTokens) {
      fields.thinking.budget_tokens = Math.min(shape.budgetTokens.max, Math.max(shape.budgetTokens.min, budgetTokens));
    }
    if (shape.summarizedDisplay) fields.thinking.display = "summarized";
  }
  if (shape.effortAt && effort !== undefined) fields[shape.effortAt] = { effort };
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** `thinking.type` the schema allows: adaptive first; enabled only with a budget it can carry. */
function allowedThinkingType(thinking: JsonObject): Pick<NativeThinkingShape, "thinkingType" | "budgetTokens"> {
  const typeSchema = child(thinking, "properties", "type");
  const types = stringEnum(typeSchema);
  const budget = child(thinking, "properties", "budget_tokens");
  if (!typeSchema) return thinking.additionalProperties === false ? {} : { thinkingType: "adaptive" };
  if (types.length === 0 || types.includes("adaptive")) return { thinkingType: "adaptive" };
  if (types.includes("enabled") && budget) {
    const min = Math.max(MIN_THINKING_BUDGET, finiteNumber(budget.minimum, MIN_THINKING_BUDGET));
    const max = Math.max(min, finiteNumber(budget.maximum, MAX_THINKING_BUDGET));
    return { thinkingType: "enabled", budgetTokens: { min, max } };
  }
  return {};
}

/**
 * Reads a catalog entry's `additionalModelRequestFieldsSchema` (an object, or the same as JSON text). Undefined
 * when it says nothing this project can send — no effort enum and no `thinking` — so the model thinks through tags.
 * The result is checked against the schema, so every field it leads to is one the schema allows.
 */
export function nativeThinkingShapeFrom(schema: unknown): NativeThinkingShape | undefined {
  let root = schema;
  if (typeof root === "string") {
    try {
      root = JSON.parse(root) as unknown;
    } catch {
      return undefined;
    }
  }
  if (!isObject(root) || !isObject(root.properties)) return undefined;
  const shape: NativeThinkingShape = { efforts: [] };
  for (const field of ["output_config", "reasoning"] as const) {
    const efforts = stringEnum(child(root, "properties", field, "properties", "effort"));
    if (efforts.some((e) => EFFORT_SCALE.includes(e))) {
      shape.effortAt = field;
      shape.efforts = efforts;
      break;
    }
  }
  const thinking = child(root, "properties", "thinking");
  if (thinking) {
    Object.assign(shape, allowedThinkingType(thinking));
    if (stringEnum(child(thinking, "properties", "display")).includes("summarized")) shape.summarizedDisplay = true;
  } else if (shape.effortAt === "output_config" && root.additionalProperties !== false) {
    // Claude's effort alone does not turn thinking on; the schema leaves room for the adaptive switch.
    shape.thinkingType = "adaptive";
  }
  const firstEffort = shape.effortAt ? shape.efforts.find((e) => EFFORT_SCALE.includes(e)) : undefined;
  const { thinkingType: _t, budgetTokens: _b, summarizedDisplay: _s, ...effortOnly } = shape;
  const { summarizedDisplay: _d, ...withoutDisplay } = shape;
  const candidates: NativeThinkingShape[] = [shape, withoutDisplay, effortOnly];
  for (const candidate of candidates) {
    const fields = fieldsFor(candidate, firstEffort, candidate.budgetTokens?.min ?? MIN_THINKING_BUDGET);
    if (fields && fitsSchema(fields, root)) return candidate;
  }
  return undefined;
}

/** The shape for a native-thinking model whose schema is not at hand, by family. */
function familyShape(kiroId: string): NativeThinkingShape {
  return /(^|[-_./])gpt|^openai/i.test(kiroId) ? GPT_SHAPE : CLAUDE_SHAPE;
}

export interface PlanThinkingOptions {
  reasoning?: ThinkingLevel | "off";
  /** An effort value of the model's schema; used as is when the schema lists it (with `reasoning` on), else the nearest to `reasoning`. */
  effort?: ThinkingEffort;
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
}

/**
 * A model without `reasoning` never thinks. A `-thinking` alias (`forceThinking`) thinks at
 * medium when no level is given. Native thinking only for models whose catalog entry carries
 * the schema, in the shape it allows; the service rejects the fields for any other model.
 */
export function planThinking(model: KiroModelInfo, options: PlanThinkingOptions = {}): ThinkingPlan {
  if (!model.reasoning) return { mode: "off" };
  const requested = options.reasoning === "off" ? undefined : options.reasoning;
  const level: ThinkingLevel | undefined = requested ?? (model.forceThinking ? "medium" : undefined);
  if (!level) return { mode: "off" };
  const budgetTokens = thinkingBudgetFor(level, options.thinkingBudgets, options.maxTokens);
  if (model.nativeThinking) {
    const shape = model.nativeThinkingShape ?? familyShape(model.kiroId);
    const chosen = options.effort !== undefined && shape.efforts.includes(options.effort) ? options.effort : undefined;
    const effort = shape.effortAt ? (chosen ?? effortFor(level, shape.efforts)) : undefined;
    const fields = fieldsFor(shape, effort, budgetTokens);
    if (fields) return { mode: "native", level, ...(effort !== undefined ? { effort } : {}), fields };
  }
  return { mode: "tags", level, budgetTokens };
}

/** The text that goes in front of the system text in tag mode; empty otherwise. */
export function thinkingPromptPrefix(plan: ThinkingPlan): string {
  if (plan.mode !== "tags" || plan.budgetTokens === undefined) return "";
  return `<thinking_mode>enabled</thinking_mode><max_thinking_length>${plan.budgetTokens}</max_thinking_length>`;
}

/** The top-level `additionalModelRequestFields` in native mode; undefined otherwise. */
export function additionalModelRequestFields(plan: ThinkingPlan): AdditionalModelRequestFields | undefined {
  return plan.mode === "native" ? plan.fields : undefined;
}
