// opencode's provider config for the bridge (what OPENCODE_CONFIG_CONTENT holds in a Kiro terminal): a `kiro` provider on the bridge's OpenAI-compatible Chat Completions route, the window's models, the token read from an environment variable.
import type { Model } from "../kiro/types";

/** The provider id opencode shows (`kiro/claude-sonnet-4.5`). */
export const OPENCODE_PROVIDER_ID = "kiro";

/**
 * The package opencode loads the provider with. opencode 1.18 bundles it (nothing is installed at run time for it);
 * it speaks POST {baseURL}/chat/completions with `Authorization: Bearer <apiKey>`.
 */
export const OPENCODE_PROVIDER_PACKAGE = "@ai-sdk/openai-compatible";

export interface OpencodeConfigInput {
  /** The bridge's base URL, `http://127.0.0.1:<port>` (no `/v1`). */
  bridgeUrl: string;
  /** The environment variable the terminal holds the bridge token in: the config names it, never the token itself. */
  tokenEnv: string;
  /** The window's Kiro models (the live catalog). */
  models: readonly Pick<Model, "id" | "name" | "contextWindow" | "maxTokens" | "reasoning" | "input">[];
  /** The model a new session starts with; default the first of `models`. */
  model?: string;
  /** The model for opencode's background work (session titles); default `model`. */
  smallModel?: string;
}

export interface OpencodeModelEntry {
  name: string;
  limit: { context: number; output: number };
  tool_call: true;
  reasoning: boolean;
  attachment: boolean;
  modalities: { input: ("text" | "image")[]; output: ["text"] };
}

export interface OpencodeConfig {
  provider: Record<string, { npm: string; name: string; options: { baseURL: string; apiKey: string }; models: Record<string, OpencodeModelEntry> }>;
  model?: string;
  small_model?: string;
}

/**
 * The config object; JSON.stringify it into OPENCODE_CONFIG_CONTENT, which opencode merges over the user's own config,
 * so their other providers and settings stay as they are. `{env:NAME}` is opencode's own substitution: the token
 * stays in the environment and in no file opencode writes.
 */
export function opencodeConfig(input: OpencodeConfigInput): OpencodeConfig {
  const models: Record<string, OpencodeModelEntry> = {};
  for (const model of input.models) {
    const image = model.input.includes("image");
    models[model.id] = {
      name: model.name,
      limit: { context: model.contextWindow, output: model.maxTokens },
      tool_call: true,
      reasoning: model.reasoning,
      attachment: image,
      modalities: { input: image ? ["text", "image"] : ["text"], output: ["text"] },
    };
  }
  const model = input.model ?? input.models[0]?.id;
  const smallModel = input.smallModel ?? model;
  return {
    provider: {
      [OPENCODE_PROVIDER_ID]: {
        npm: OPENCODE_PROVIDER_PACKAGE,
        name: "Kiro (kiro-pi bridge)",
        options: { baseURL: `${input.bridgeUrl.replace(/\/+$/, "")}/v1`, apiKey: `{env:${input.tokenEnv}}` },
        models,
      },
    },
    ...(model ? { model: `${OPENCODE_PROVIDER_ID}/${model}` } : {}),
    ...(smallModel ? { small_model: `${OPENCODE_PROVIDER_ID}/${smallModel}` } : {}),
  };
}
