// What the project knows about one Kiro model (from the catalog or the built-in list), shared by request building, decoding and the hosts.

/**
 * What a model's `additionalModelRequestFieldsSchema` lets a request say about native thinking
 * (docs/kiro-protocol.md#models), derived once from the catalog entry. Plain data, so it can travel with a model.
 */
export interface NativeThinkingShape {
  /** Where the effort goes: `output_config.effort` (Claude) or `reasoning.effort` (GPT family); absent when the schema takes none. */
  effortAt?: "output_config" | "reasoning";
  /** The effort values the schema's enum allows (only these may be sent). */
  efforts: string[];
  /** `thinking.type` to send; absent when the schema does not allow a `thinking` object. */
  thinkingType?: "adaptive" | "enabled";
  /** `thinking.budget_tokens` bounds, when `thinkingType` is "enabled" (that type needs a budget). */
  budgetTokens?: { min: number; max: number };
  /** The schema offers `thinking.display: "summarized"`, which makes the thinking visible. */
  summarizedDisplay?: boolean;
}

/** What the project knows about one Kiro model. */
export interface KiroModelInfo {
  /** The id users pick, pi style: `claude-sonnet-4-5`. */
  id: string;
  /** The id on the wire: `claude-sonnet-4.5`. */
  kiroId: string;
  name: string;
  description?: string;
  contextWindow: number;
  maxTokens: number;
  /** The model can think (either way). */
  reasoning: boolean;
  /** The catalog entry has an `additionalModelRequestFieldsSchema`: thinking goes through `additionalModelRequestFields`. */
  nativeThinking: boolean;
  /** What that schema allows; absent for the built-in guess, where the Claude shape of the family is assumed. */
  nativeThinkingShape?: NativeThinkingShape;
  input: ("text" | "image")[];
  /** Set on aliases such as `claude-sonnet-4-5-20250514-thinking`: thinking on even without a reasoning level. */
  forceThinking?: boolean;
  /** Credits one request costs relative to the base rate (the catalog's `rateMultiplier` in `rateUnit: "Credit"`). */
  creditMultiplier?: number;
  /** The effort the catalog's schema names as its `default` (Opus 4.7: `xhigh`). */
  defaultEffort?: string;
  /** The schema lets thinking be switched off (`thinking.type` lists `disabled`, or the effort enum lists `none`). */
  thinkingOptional?: boolean;
  /** The catalog says the service caches prompts for this model (`promptCaching.supportsPromptCaching`). */
  promptCaching?: boolean;
  /** Kiro ids the catalog names to retry with when this model refuses (`refusalFallbackModels`). */
  refusalFallbackModels?: string[];
}
