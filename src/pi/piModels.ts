// Turns the Kiro model catalog into pi's provider model list, adding the aliases other Kiro bridges use so `--model kiro/<alias>` resolves.
// The names carry the catalog's credit multiplier (pi has no field for it; its cost fields are per token), the context window is pi's own field.
import { findModel, KIRO_MODEL_ALIASES } from "../kiro/catalog/models";
import type { KiroModelInfo } from "../kiro/catalog/modelInfo";
import { creditsLabel } from "../kiro/catalog/modelLabels";
import type { PiProviderModelConfig } from "./piApi";

const ZERO_COST = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** `Claude Opus 4.8 (2.2x credits)`, `Claude Sonnet 4.5 (thinking, alias, 1.3x credits)`. */
function nameWithCredits(base: string, notes: readonly string[], info: KiroModelInfo): string {
  const all = [...notes, creditsLabel(info)].filter(Boolean);
  return all.length > 0 ? `${base} (${all.join(", ")})` : base;
}

function toPiModelConfig(info: KiroModelInfo, name: string): PiProviderModelConfig {
  return {
    id: info.id,
    name,
    reasoning: info.reasoning,
    input: info.input.includes("image") ? ["text", "image"] : ["text"],
    // Kiro bills credits per request, not tokens; the credits show in pi's status line instead.
    cost: { ...ZERO_COST },
    contextWindow: info.contextWindow,
    maxTokens: info.maxTokens,
  };
}

/**
 * Every catalog model under its pi id, then each alias that resolves in this catalog. pi matches
 * `--model` ids exactly (with fuzzy fallbacks that could pick another model), so an alias has to
 * be a registered model of its own; its name says what it stands for.
 */
export function toPiProviderModels(catalog: readonly KiroModelInfo[]): PiProviderModelConfig[] {
  const models = catalog.map((info) => toPiModelConfig(info, nameWithCredits(info.name, [], info)));
  const ids = new Set(models.map((m) => m.id));
  for (const alias of KIRO_MODEL_ALIASES) {
    if (ids.has(alias)) continue;
    const info = findModel(alias, [...catalog]);
    if (!info) continue;
    const target = catalog.find((m) => m.kiroId === info.kiroId);
    const base = target?.name ?? info.name;
    const name = nameWithCredits(base, info.forceThinking ? ["thinking", "alias"] : ["alias"], info);
    models.push(toPiModelConfig({ ...info, id: alias }, name));
    ids.add(alias);
  }
  return models;
}
