// A December-2026 ListAvailableModels catalog in the service's own shape (docs/kiro-protocol.md#models): credit rates, 1M
// context, prompt caching, refusal fallbacks, per-model effort enums and max_tokens bounds, plus an internal id a client must hide.
import type { SimModel } from "./validation";

/** One catalog entry with the fields the 2026 service adds (the simulator passes them through as they are). */
export interface SimCatalogEntry extends SimModel {
  rateUnit?: string;
  promptCaching?: { supportsPromptCaching: boolean; maximumCacheCheckpointsPerRequest?: number; minimumTokensPerCacheCheckpoint?: number };
  refusalFallbackModels?: { modelId: string }[];
}

const CACHING = { supportsPromptCaching: true, maximumCacheCheckpointsPerRequest: 4, minimumTokensPerCacheCheckpoint: 1024 };
const NO_CACHING = { supportsPromptCaching: false };

/** The Claude schema: adaptive thinking that may be disabled, a summarized display, an effort enum, bounded max_tokens. */
function claudeSchema(efforts: readonly string[], defaultEffort: string, maxTokens: number): Record<string, unknown> {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      thinking: {
        type: "object",
        required: ["type"],
        properties: {
          type: { type: "string", enum: ["adaptive", "disabled"] },
          display: { type: "string", enum: ["summarized", "omitted"] },
        },
      },
      output_config: { type: "object", properties: { effort: { type: "string", default: defaultEffort, enum: [...efforts] } } },
      max_tokens: { type: "integer", minimum: 1024, maximum: maxTokens },
    },
  };
}

/** The GPT schema: `reasoning.effort` (with `none`) and a reasoning mode. */
function gptSchema(): Record<string, unknown> {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      reasoning: {
        type: "object",
        properties: {
          mode: { type: "string", default: "standard", enum: ["standard", "pro"] },
          effort: { type: "string", default: "high", enum: ["none", "low", "medium", "high", "xhigh", "max"] },
        },
      },
    },
  };
}

const ALL_EFFORTS = ["low", "medium", "high", "xhigh", "max"];
/** The 4.6 models lack `xhigh`. */
const EFFORTS_4_6 = ["low", "medium", "high", "max"];

function entry(
  modelId: string,
  description: string,
  limits: [maxInputTokens: number, maxOutputTokens: number],
  rateMultiplier: number,
  more: Partial<SimCatalogEntry> = {},
): SimCatalogEntry {
  return {
    modelId,
    modelName: modelId,
    description,
    supportedInputTypes: ["TEXT", "IMAGE"],
    tokenLimits: { maxInputTokens: limits[0], maxOutputTokens: limits[1] },
    promptCaching: CACHING,
    rateMultiplier,
    rateUnit: "Credit",
    ...more,
  };
}

/**
 * The catalog an account saw in December 2026. `gpt-5.6-sol` is on the 1M context some accounts got; `agi-nova-beta-1m`
 * is an internal preview the catalog lists without any marker.
 */
export function december2026SimModels(): SimCatalogEntry[] {
  return [
    entry("auto", "Models chosen by task for optimal usage and consistent quality", [1_000_000, 64_000], 1),
    entry("claude-sonnet-5", "Claude Sonnet 5 with 1M context window", [1_000_000, 64_000], 1.3, {
      additionalModelRequestFieldsSchema: claudeSchema(ALL_EFFORTS, "high", 128_000),
    }),
    entry("claude-opus-5", "Claude Opus 5 with 1M context window", [1_000_000, 128_000], 3, {
      additionalModelRequestFieldsSchema: claudeSchema(ALL_EFFORTS, "high", 128_000),
      refusalFallbackModels: [{ modelId: "claude-opus-4.8" }],
    }),
    entry("claude-opus-4.8", "Claude Opus 4.8 with 1M context window", [1_000_000, 128_000], 2.2, {
      additionalModelRequestFieldsSchema: claudeSchema(ALL_EFFORTS, "high", 128_000),
    }),
    entry("claude-opus-4.7", "Claude Opus 4.7 with 1M context window", [1_000_000, 128_000], 2.2, {
      additionalModelRequestFieldsSchema: claudeSchema(ALL_EFFORTS, "xhigh", 128_000),
    }),
    entry("claude-opus-4.6", "Claude Opus 4.6 with 1M context window", [1_000_000, 64_000], 2.2, {
      additionalModelRequestFieldsSchema: claudeSchema(EFFORTS_4_6, "high", 64_000),
    }),
    entry("claude-sonnet-4.6", "Claude Sonnet 4.6 with 1M context window", [1_000_000, 64_000], 1.3, {
      additionalModelRequestFieldsSchema: claudeSchema(EFFORTS_4_6, "high", 64_000),
    }),
    entry("gpt-5.6-sol", "OpenAI GPT 5.6 Sol with 1M context window", [1_000_000, 128_000], 2.4, { additionalModelRequestFieldsSchema: gptSchema() }),
    entry("gpt-5.6-terra", "OpenAI GPT 5.6 Terra with 272k context window", [272_000, 128_000], 1.2, { additionalModelRequestFieldsSchema: gptSchema() }),
    entry("gpt-5.6-luna", "OpenAI GPT 5.6 Luna with 272k context window", [272_000, 128_000], 0.6, { additionalModelRequestFieldsSchema: gptSchema() }),
    entry("claude-sonnet-4.5", "Claude Sonnet 4.5", [200_000, 64_000], 1.3),
    entry("claude-haiku-4.5", "The latest Claude Haiku model", [200_000, 64_000], 0.4),
    entry("minimax-m2.1", "Preview of MiniMax M2.1", [196_000, 64_000], 0.15, { promptCaching: NO_CACHING }),
    entry("qwen3-coder-next", "Preview of Qwen3 Coder Next", [256_000, 64_000], 0.05, { promptCaching: NO_CACHING, supportedInputTypes: ["TEXT"] }),
    entry("agi-nova-beta-1m", "AGI Nova SWE Beta", [1_000_000, 64_000], 0.01, { promptCaching: NO_CACHING, supportedInputTypes: ["TEXT"] }),
  ];
}
