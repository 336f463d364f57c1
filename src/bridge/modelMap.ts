// One model map for every agent wire format: the ids Anthropic and OpenAI clients send (dated, aliased, bare family names) resolved in the window's live Kiro catalog; an unknown id is a 404 naming the ids that exist.
import { BridgeRequestError } from "./server/body";
import type { BridgeServices } from "./server/types";
import type { Model } from "../kiro/types";

export type ClaudeFamily = "sonnet" | "opus" | "haiku";

/**
 * The family a bare alias names (`sonnet`, `opus`, `haiku`, also `claude-sonnet` or `sonnet[1m]`), undefined for any
 * other id: agents use these for "the newest of its kind", with no version for the catalog to match.
 */
export function familyAlias(id: string): ClaudeFamily | undefined {
  const match = /^(?:claude-)?(sonnet|opus|haiku)(?:-latest)?(?:\[[^\]]*\])?$/i.exec(id.trim());
  return match ? (match[1]!.toLowerCase() as ClaudeFamily) : undefined;
}

/** `[major, minor]` of a Claude model id in the family (`claude-sonnet-4-5` → [4, 5]; `claude-3-5-haiku` → [3, 5]), undefined otherwise. */
function familyVersion(id: string, family: ClaudeFamily): [number, number] | undefined {
  const key = id.toLowerCase().replace(/[._]/g, "-");
  const match = new RegExp(`^claude-${family}-(\\d+)(?:-(\\d{1,2}))?(?:-|$)`).exec(key) ?? new RegExp(`^claude-(\\d+)(?:-(\\d{1,2}))?-${family}(?:-|$)`).exec(key);
  return match ? [Number(match[1]), Number(match[2] ?? 0)] : undefined;
}

/** The newest model of `family` in the catalog (highest version), undefined when the account has none. */
export function newestInFamily(family: ClaudeFamily, catalog: readonly Model[]): Model | undefined {
  let best: { model: Model; version: [number, number] } | undefined;
  for (const model of catalog) {
    const version = familyVersion(model.id, family);
    if (!version) continue;
    if (!best || version[0] > best.version[0] || (version[0] === best.version[0] && version[1] > best.version[1])) best = { model, version };
  }
  return best?.model;
}

/** The 404 message: what was asked for, and every id the account serves (so the user can pick one). */
export function unknownModelMessage(requested: string, catalog: readonly Model[]): string {
  const ids = catalog.map((model) => model.id);
  return `Unknown model "${requested}": this Kiro account serves ${ids.length > 0 ? ids.join(", ") : "no models right now"}. Dated Anthropic ids (claude-sonnet-4-5-20250929) and the aliases sonnet, opus and haiku work too.`;
}

/**
 * The window's model for an agent's id: a bare family alias is the newest of that family in the live catalog; any
 * other id goes through the window's own lookup (Kiro ids, pi ids, dated and `-latest` forms, retired models' successors,
 * src/kiro/catalog/models.ts). Throws a 404 BridgeRequestError naming the ids that exist.
 */
export async function resolveAgentModel(requested: string, services: Pick<BridgeServices, "listModels" | "resolveModel">): Promise<Model> {
  const id = requested.trim();
  const family = familyAlias(id);
  if (family) {
    const catalog = await services.listModels();
    const newest = newestInFamily(family, catalog);
    if (newest) return newest;
    throw new BridgeRequestError(404, unknownModelMessage(requested, catalog));
  }
  // "claude-sonnet-4-5[1m]": the 1M-context marker some agents add; the catalog's window applies either way.
  const resolved = id.length > 0 ? await services.resolveModel(id.replace(/\[[^\]]*\]$/, "")) : undefined;
  if (resolved) return resolved;
  throw new BridgeRequestError(404, unknownModelMessage(requested, await services.listModels()));
}
