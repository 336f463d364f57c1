// Turns a `POST /v1/stream` body (the pi protocol) into a validated model reference, context and whitelisted options.
import { isRecord } from "../../util/json";
import type { Context, Model, ThinkingBudgets, ThinkingLevel } from "../../kiro/types";
import { BridgeRequestError } from "../server/body";
import { BRIDGE_OPTION_KEYS, type BridgeStreamRequestOptions } from "./protocol";

export interface ParsedStreamRequest {
  /** A model id, or the id plus the client's description when it sent a whole Model. */
  model: { id: string; described?: Model };
  context: Context;
  options: BridgeStreamRequestOptions;
  /** Option keys the client sent that the bridge ignores on purpose (names only, never values). */
  ignoredOptionKeys: string[];
}

const THINKING_LEVELS: readonly string[] = ["off", "minimal", "low", "medium", "high", "xhigh"];
const BUDGET_LEVELS: readonly string[] = ["minimal", "low", "medium", "high"];
const MAX_SESSION_ID_LENGTH = 512;
const MAX_MODEL_ID_LENGTH = 256;

function parseModelReference(value: unknown): ParsedStreamRequest["model"] {
  if (typeof value === "string") {
    if (value.length === 0 || value.length > MAX_MODEL_ID_LENGTH) throw new BridgeRequestError(400, "'model' must be a non-empty model id.");
    return { id: value };
  }
  if (isRecord(value) && typeof value.id === "string" && value.id.length > 0 && value.id.length <= MAX_MODEL_ID_LENGTH) {
    return { id: value.id, described: value as unknown as Model };
  }
  throw new BridgeRequestError(400, "'model' must be a model id string or a Model object with an 'id'.");
}

function parseContext(value: unknown): Context {
  if (!isRecord(value)) throw new BridgeRequestError(400, "'context' must be an object with a 'messages' array.");
  if (!Array.isArray(value.messages)) throw new BridgeRequestError(400, "'context.messages' must be an array.");
  for (const [index, message] of value.messages.entries()) {
    if (!isRecord(message) || typeof message.role !== "string") {
      throw new BridgeRequestError(400, `'context.messages[${index}]' must be a message object with a 'role'.`);
    }
  }
  if (value.systemPrompt !== undefined && typeof value.systemPrompt !== "string") {
    throw new BridgeRequestError(400, "'context.systemPrompt' must be a string.");
  }
  if (value.tools !== undefined && !Array.isArray(value.tools)) throw new BridgeRequestError(400, "'context.tools' must be an array.");
  return value as unknown as Context;
}

function parseOptions(value: unknown): { options: ParsedStreamRequest["options"]; ignoredOptionKeys: string[] } {
  if (value === undefined || value === null) return { options: {}, ignoredOptionKeys: [] };
  if (!isRecord(value)) throw new BridgeRequestError(400, "'options' must be an object.");
  const options: ParsedStreamRequest["options"] = {};
  const allowed: readonly string[] = BRIDGE_OPTION_KEYS;
  const ignoredOptionKeys = Object.keys(value).filter((key) => !allowed.includes(key));

  const { reasoning, thinkingBudgets, maxTokens, sessionId } = value;
  if (reasoning !== undefined && reasoning !== null) {
    if (typeof reasoning !== "string" || !THINKING_LEVELS.includes(reasoning)) {
      throw new BridgeRequestError(400, `'options.reasoning' must be one of ${THINKING_LEVELS.join(", ")}.`);
    }
    options.reasoning = reasoning as ThinkingLevel | "off";
  }
  if (thinkingBudgets !== undefined && thinkingBudgets !== null) {
    if (!isRecord(thinkingBudgets)) throw new BridgeRequestError(400, "'options.thinkingBudgets' must be an object.");
    const budgets: ThinkingBudgets = {};
    for (const [level, budget] of Object.entries(thinkingBudgets)) {
      if (!BUDGET_LEVELS.includes(level)) continue;
      if (typeof budget !== "number" || !Number.isInteger(budget) || budget < 0) {
        throw new BridgeRequestError(400, `'options.thinkingBudgets.${level}' must be a non-negative integer.`);
      }
      budgets[level as keyof ThinkingBudgets] = budget;
    }
    options.thinkingBudgets = budgets;
  }
  if (maxTokens !== undefined && maxTokens !== null) {
    if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens <= 0) {
      throw new BridgeRequestError(400, "'options.maxTokens' must be a positive integer.");
    }
    options.maxTokens = maxTokens;
  }
  if (sessionId !== undefined && sessionId !== null) {
    if (typeof sessionId !== "string" || sessionId.length > MAX_SESSION_ID_LENGTH) {
      throw new BridgeRequestError(400, `'options.sessionId' must be a string of at most ${MAX_SESSION_ID_LENGTH} characters.`);
    }
    options.sessionId = sessionId;
  }
  return { options, ignoredOptionKeys };
}

/** Validates the shape the bridge relies on; deeper message validation is the stream function's job. */
export function parseStreamRequest(json: unknown): ParsedStreamRequest {
  if (!isRecord(json)) throw new BridgeRequestError(400, "Request body must be a JSON object {model, context, options}.");
  const model = parseModelReference(json.model);
  const context = parseContext(json.context);
  const { options, ignoredOptionKeys } = parseOptions(json.options);
  return { model, context, options, ignoredOptionKeys };
}
