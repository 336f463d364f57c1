// The Kiro model catalog: built-in fallback list, id/alias resolution, pi Model conversion, and the live ListAvailableModels lookup.
// Over 300 lines mostly for the built-in catalog (data); the id resolution and the live lookup that read it sit beside it.
import { isRecord, jsonValueOrText, trimmedString } from "../../util/json";
import type { KiroModelInfo, NativeThinkingShape } from "./modelInfo";
import type { Model } from "../types";
import { raceAbort } from "../../util/abort";
import { chatBaseUrl, listAvailableModelsUrl, type KiroRoute } from "../service/endpoints";
import { KiroError } from "../errors";
import { callKiroJson, type ServiceCallAuth } from "../service/serviceCall";
import { DEFAULT_API_REGION } from "../settings";
import { nativeThinkingShapeFrom } from "../request/thinkingConfig";

export const KIRO_PROVIDER = "kiro";
export const KIRO_API = "kiro-generate-assistant-response";

const CLAUDE_INPUT: ("text" | "image")[] = ["text", "image"];
const TEXT_INPUT: ("text" | "image")[] = ["text"];

/** The schema Kiro's catalog gives the Claude models of 2026 (Sonnet 5, Opus 4.7, 4.8): adaptive thinking, effort up to `max` with `xhigh`. */
const CLAUDE_2026_SHAPE: NativeThinkingShape = { effortAt: "output_config", efforts: ["low", "medium", "high", "xhigh", "max"], thinkingType: "adaptive" };

/** A 2026 Claude model as the captured catalog lists it: 1M context, native thinking that may be off, `high` by default. */
function claude2026(kiroId: string, name: string, maxTokens: number, more: Partial<KiroModelInfo>): KiroModelInfo {
  return {
    id: kiroId.replace(/\./g, "-"),
    kiroId,
    name,
    contextWindow: 1_000_000,
    maxTokens,
    reasoning: true,
    nativeThinking: true,
    nativeThinkingShape: { ...CLAUDE_2026_SHAPE, efforts: [...CLAUDE_2026_SHAPE.efforts] },
    defaultEffort: "high",
    thinkingOptional: true,
    input: CLAUDE_INPUT,
    ...more,
  };
}

/** GPT-5.6 as the captured catalog lists it: 272K context (1M on some accounts, where the live catalog says so), `reasoning.effort` with `none`. */
function gpt56(variant: string, label: string, creditMultiplier: number): KiroModelInfo {
  return {
    id: `gpt-5-6-${variant}`,
    kiroId: `gpt-5.6-${variant}`,
    creditMultiplier,
    name: `GPT-5.6 ${label}`,
    contextWindow: 272_000,
    maxTokens: 128_000,
    reasoning: true,
    nativeThinking: true,
    nativeThinkingShape: { effortAt: "reasoning", efforts: ["none", "low", "medium", "high", "xhigh", "max"] },
    defaultEffort: "high",
    thinkingOptional: true,
    input: CLAUDE_INPUT,
  };
}

/**
 * Limits are Anthropic's published ones where known; credit multipliers and the 2026 models are from a captured
 * catalog (docs/kiro-protocol.md#models). `nativeThinking` is a guess for the 4.6+
 * Sonnet/Opus generation (adaptive thinking arrived with it); the live catalog's
 * `additionalModelRequestFieldsSchema` replaces the guess whenever the catalog can be read.
 * Non-Claude models get no thinking: tag prompts are a Claude convention.
 */
const BUILT_IN: readonly KiroModelInfo[] = [
  {
    id: "claude-sonnet-4-5",
    kiroId: "claude-sonnet-4.5",
    creditMultiplier: 1.3,
    name: "Claude Sonnet 4.5",
    contextWindow: 200_000,
    maxTokens: 64_000,
    reasoning: true,
    nativeThinking: false,
    input: CLAUDE_INPUT,
  },
  {
    id: "claude-haiku-4-5",
    kiroId: "claude-haiku-4.5",
    creditMultiplier: 0.4,
    name: "Claude Haiku 4.5",
    contextWindow: 200_000,
    maxTokens: 64_000,
    reasoning: true,
    nativeThinking: false,
    input: CLAUDE_INPUT,
  },
  {
    id: "claude-opus-4-5",
    kiroId: "claude-opus-4.5",
    creditMultiplier: 2.2,
    name: "Claude Opus 4.5",
    contextWindow: 200_000,
    maxTokens: 64_000,
    reasoning: true,
    nativeThinking: false,
    input: CLAUDE_INPUT,
  },
  {
    id: "claude-sonnet-4",
    kiroId: "claude-sonnet-4",
    creditMultiplier: 1.3,
    name: "Claude Sonnet 4",
    contextWindow: 200_000,
    maxTokens: 64_000,
    reasoning: true,
    nativeThinking: false,
    input: CLAUDE_INPUT,
  },
  {
    id: "claude-sonnet-4-6",
    kiroId: "claude-sonnet-4.6",
    creditMultiplier: 1.3,
    name: "Claude Sonnet 4.6",
    contextWindow: 1_000_000,
    maxTokens: 64_000,
    reasoning: true,
    nativeThinking: true,
    input: CLAUDE_INPUT,
  },
  {
    id: "claude-opus-4-6",
    kiroId: "claude-opus-4.6",
    creditMultiplier: 2.2,
    name: "Claude Opus 4.6",
    contextWindow: 1_000_000,
    maxTokens: 64_000,
    reasoning: true,
    nativeThinking: true,
    input: CLAUDE_INPUT,
  },
  claude2026("claude-opus-4.7", "Claude Opus 4.7", 128_000, { creditMultiplier: 2.2, defaultEffort: "xhigh" }),
  claude2026("claude-opus-4.8", "Claude Opus 4.8", 128_000, { creditMultiplier: 2.2 }),
  claude2026("claude-sonnet-5", "Claude Sonnet 5", 64_000, { creditMultiplier: 1.3 }),
  // Reported (docs/kiro-protocol.md#models) but not in a captured catalog: the limits are Opus 4.8's, no credit rate is known.
  claude2026("claude-opus-5", "Claude Opus 5", 128_000, { refusalFallbackModels: ["claude-opus-4.8"] }),
  gpt56("sol", "Sol", 2.4),
  gpt56("terra", "Terra", 1.2),
  gpt56("luna", "Luna", 0.6),
  {
    id: "auto",
    kiroId: "auto",
    creditMultiplier: 1,
    name: "Auto (Kiro picks the model)",
    description: "Kiro routes each request to a Claude model it chooses.",
    contextWindow: 200_000,
    maxTokens: 32_000,
    reasoning: true,
    nativeThinking: false,
    input: CLAUDE_INPUT,
  },
  {
    id: "deepseek-3-2",
    kiroId: "deepseek-3.2",
    creditMultiplier: 0.25,
    name: "DeepSeek 3.2",
    contextWindow: 128_000,
    maxTokens: 32_000,
    reasoning: false,
    nativeThinking: false,
    input: TEXT_INPUT,
  },
  {
    id: "glm-5",
    kiroId: "glm-5",
    creditMultiplier: 0.5,
    name: "GLM-5",
    contextWindow: 200_000,
    maxTokens: 32_000,
    reasoning: false,
    nativeThinking: false,
    input: TEXT_INPUT,
  },
  {
    id: "minimax-m2-5",
    kiroId: "minimax-m2.5",
    creditMultiplier: 0.25,
    name: "MiniMax M2.5",
    contextWindow: 200_000,
    maxTokens: 32_000,
    reasoning: false,
    nativeThinking: false,
    input: TEXT_INPUT,
  },
  {
    id: "minimax-m2-1",
    kiroId: "minimax-m2.1",
    creditMultiplier: 0.15,
    name: "MiniMax M2.1",
    contextWindow: 196_000,
    maxTokens: 64_000,
    reasoning: false,
    nativeThinking: false,
    input: CLAUDE_INPUT,
  },
  {
    id: "qwen3-coder-next",
    kiroId: "qwen3-coder-next",
    creditMultiplier: 0.05,
    name: "Qwen3 Coder Next",
    contextWindow: 256_000,
    maxTokens: 32_000,
    reasoning: false,
    nativeThinking: false,
    input: TEXT_INPUT,
  },
];

/**
 * Models Kiro retired, mapped to the model that replaced them, so callers still holding an
 * old id (earlier clients used `CLAUDE_3_7_SONNET_20250219_V1_0`) keep working.
 */
const SUCCESSORS: Readonly<Record<string, string>> = {
  "claude-sonnet-3-7": "claude-sonnet-4",
  "claude-sonnet-3-5": "claude-sonnet-4",
  "claude-haiku-3-5": "claude-haiku-4-5",
  "claude-opus-4": "claude-opus-4-5",
  "claude-opus-4-1": "claude-opus-4-5",
};

/** Aliases that callers of other Kiro bridges already use; listed so pickers and `getModel` registries can offer them. */
export const KIRO_MODEL_ALIASES: readonly string[] = [
  "claude-sonnet-4-5-20250514",
  "claude-sonnet-4-5-20250514-thinking",
  "claude-haiku-4-5-20250514",
  "claude-opus-4-5-20250514",
];

export function builtInModels(): KiroModelInfo[] {
  return BUILT_IN.map((m) => ({ ...m, input: [...m.input] }));
}

interface ParsedId {
  key: string;
  forceThinking: boolean;
}

/**
 * Reduces any spelling of a model id to one comparison key: lower case, dashes for dots and
 * underscores, no provider prefix, no date, no `-latest`, no Bedrock `-v1:0` version, and the
 * family before the version (`claude-3-7-sonnet` → `claude-sonnet-3-7`).
 */
function parseModelId(raw: string): ParsedId {
  let key = raw.trim().toLowerCase();
  key = key.replace(/^kiro\//, "");
  key = key.replace(/^(?:(?:us|eu|apac|global)\.)?anthropic\./, "");
  let forceThinking = false;
  if (/[-_]thinking$/.test(key)) {
    forceThinking = true;
    key = key.replace(/[-_]thinking$/, "");
  }
  key = key.replace(/[._:]/g, "-");
  key = key.replace(/-v\d+(?:-\d+)?$/, "");
  key = key.replace(/-latest$/, "");
  key = key.replace(/-\d{8}$/, "");
  key = key.replace(/^claude-(\d+(?:-\d+)?)-(sonnet|opus|haiku)$/, "claude-$2-$1");
  return { key, forceThinking };
}

function comparisonKey(info: KiroModelInfo): string[] {
  return [parseModelId(info.id).key, parseModelId(info.kiroId).key];
}

function matchExactly(key: string, catalog: readonly KiroModelInfo[]): KiroModelInfo | undefined {
  return catalog.find((m) => comparisonKey(m).includes(key));
}

/**
 * Finds a model by pi id, Kiro dotted id, legacy uppercase id, dated or `-latest` form, or a
 * `-thinking` alias (which comes back with `forceThinking` and keeps the alias as its id, so
 * the alias survives a round trip through a pi Model).
 */
export function findModel(id: string, catalog?: readonly KiroModelInfo[]): KiroModelInfo | undefined {
  const models = catalog && catalog.length > 0 ? catalog : BUILT_IN;
  const trimmed = id.trim();
  if (!trimmed) return undefined;
  const direct = models.find((m) => m.id === trimmed || m.kiroId === trimmed);
  if (direct && !direct.forceThinking) return { ...direct, input: [...direct.input] };
  const { key, forceThinking } = parseModelId(trimmed);
  let found = matchExactly(key, models);
  const successor = SUCCESSORS[key];
  if (!found && successor) found = matchExactly(successor, models);
  if (!found) return undefined;
  if (forceThinking) {
    if (!found.reasoning) return undefined;
    return { ...found, id: trimmed, input: [...found.input], forceThinking: true };
  }
  return { ...found, input: [...found.input] };
}

/** Every id a user may pass to `getModel`: the catalog's ids and the well-known aliases. */
export function knownModelIds(catalog?: readonly KiroModelInfo[]): string[] {
  const models = catalog && catalog.length > 0 ? catalog : BUILT_IN;
  const ids = models.map((m) => m.id);
  for (const alias of KIRO_MODEL_ALIASES) if (findModel(alias, models)) ids.push(alias);
  return ids;
}

/** The base URL a pi Model names when the caller has no route of its own (pi shows it; requests go where the route says). */
const DEFAULT_BASE_URL = chatBaseUrl({ generation: "q", region: DEFAULT_API_REGION });

export function toPiModel(info: KiroModelInfo, baseUrl: string = DEFAULT_BASE_URL): Model {
  return {
    id: info.id,
    name: info.forceThinking ? `${info.name} (thinking)` : info.name,
    api: KIRO_API,
    provider: KIRO_PROVIDER,
    baseUrl,
    reasoning: info.reasoning,
    input: [...info.input],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: info.contextWindow,
    maxTokens: info.maxTokens,
  };
}

export function getModel(provider: "kiro", id: string): Model {
  if (provider !== KIRO_PROVIDER) throw new Error(`Unknown provider "${String(provider)}"; only "kiro" is served here.`);
  const info = findModel(id);
  if (!info) {
    throw new Error(`Unknown Kiro model "${id}". Known models: ${knownModelIds().join(", ")}.`);
  }
  return toPiModel(info);
}

/** A catalog call: the route (generation, region, endpoint, profile) and the token. */
export interface CatalogCallOptions extends ServiceCallAuth {
  route: KiroRoute;
}

const CATALOG_TTL_MS = 10 * 60 * 1000;
const MAX_CATALOG_PAGES = 20;

interface CachedCatalog {
  expiresAt: number;
  models: KiroModelInfo[];
}

const catalogCache = new Map<string, CachedCatalog>();
const catalogInFlight = new Map<string, Promise<KiroModelInfo[]>>();
/** Route → when a request may ask for the catalog again after the lookup failed. */
const catalogRetryAt = new Map<string, number>();

/** Forgets every cached catalog (after sign-out, or in tests). */
export function clearModelCatalogCache(): void {
  catalogCache.clear();
  catalogInFlight.clear();
  catalogRetryAt.clear();
}

interface ServiceModel {
  modelId?: unknown;
  modelName?: unknown;
  description?: unknown;
  tokenLimits?: { maxInputTokens?: unknown; maxOutputTokens?: unknown } | null;
  supportedInputTypes?: unknown;
  additionalModelRequestFieldsSchema?: unknown;
  rateMultiplier?: unknown;
  rateUnit?: unknown;
  promptCaching?: { supportsPromptCaching?: unknown } | null;
  refusalFallbackModels?: unknown;
}

/**
 * Ids the catalog lists that are not for people to pick. The catalog carries no marker for them, so this is a rule of
 * our own (docs/kiro-protocol.md#models): Amazon's AGI-lab previews (`agi-nova-beta-1m`) start with `agi-`.
 */
const INTERNAL_MODEL_ID = /^agi-/i;

/** Whether a Kiro model id is one the catalog lists for internal use only (hidden from every model list). */
export function isInternalModelId(kiroId: string): boolean {
  return INTERNAL_MODEL_ID.test(kiroId.trim());
}

function schemaProperty(root: Record<string, unknown> | undefined, ...path: string[]): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const key of path) node = isRecord(node) && isRecord(node.properties) ? node.properties[key] : undefined;
  return isRecord(node) ? node : undefined;
}

/** What the schema says beyond the thinking shape: the default effort, whether thinking may be off, the `max_tokens` ceiling. */
function schemaExtras(schema: unknown): Pick<KiroModelInfo, "defaultEffort" | "thinkingOptional"> & { maxTokensCeiling?: number } {
  const parsed = jsonValueOrText(schema);
  const root = isRecord(parsed) ? parsed : undefined;
  if (!root) return {};
  const extras: Pick<KiroModelInfo, "defaultEffort" | "thinkingOptional"> & { maxTokensCeiling?: number } = {};
  for (const field of ["output_config", "reasoning"]) {
    const effort = schemaProperty(root, field, "effort");
    if (!effort) continue;
    const values = Array.isArray(effort.enum) ? effort.enum : [];
    if (typeof effort.default === "string" && values.includes(effort.default)) extras.defaultEffort = effort.default;
    if (values.includes("none")) extras.thinkingOptional = true;
    break;
  }
  const thinkingType = schemaProperty(root, "thinking", "type");
  if (Array.isArray(thinkingType?.enum) && thinkingType.enum.includes("disabled")) extras.thinkingOptional = true;
  const ceiling = positiveInteger(schemaProperty(root, "max_tokens")?.maximum);
  if (ceiling) extras.maxTokensCeiling = ceiling;
  return extras;
}

function fallbackModelIds(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  // Seen as `[{ "modelId": "claude-opus-4.8" }]`; plain strings are accepted too.
  const ids = value.map((v) => (typeof v === "string" ? trimmedString(v) : isRecord(v) ? trimmedString(v.modelId) : undefined)).filter((v): v is string => !!v);
  return ids.length > 0 ? ids : undefined;
}

/** `rateMultiplier` when the unit is credits (or not named); a rate in some other unit is not a credit multiplier. */
function creditMultiplierOf(service: ServiceModel): number | undefined {
  const rate = service.rateMultiplier;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) return undefined;
  const unit = trimmedString(service.rateUnit);
  return !unit || unit.toLowerCase() === "credit" || unit.toLowerCase() === "credits" ? rate : undefined;
}

interface ListModelsPage {
  models?: unknown;
  nextToken?: unknown;
  defaultModel?: unknown;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
}

function inputTypes(value: unknown): ("text" | "image")[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const types = value.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
  const input: ("text" | "image")[] = ["text"];
  if (types.includes("image")) input.push("image");
  return input;
}

/** Turns one ListAvailableModels entry into model info, keeping what the built-in list knows about a known id. */
export function modelFromService(entry: unknown): KiroModelInfo | undefined {
  if (!entry || typeof entry !== "object") return undefined;
  const service = entry as ServiceModel;
  const kiroId = trimmedString(service.modelId);
  if (!kiroId) return undefined;
  const known = matchExactly(parseModelId(kiroId).key, BUILT_IN);
  // A schema that allows nothing this project can send (no effort enum, no thinking object) leaves the model on tags.
  const nativeThinkingShape = nativeThinkingShapeFrom(service.additionalModelRequestFieldsSchema);
  const nativeThinking = nativeThinkingShape !== undefined;
  const isClaude = /claude/i.test(kiroId) || kiroId === "auto";
  const maxInput = positiveInteger(service.tokenLimits?.maxInputTokens);
  const { maxTokensCeiling, ...extras } = nativeThinking ? schemaExtras(service.additionalModelRequestFieldsSchema) : {};
  const listedOutput = positiveInteger(service.tokenLimits?.maxOutputTokens);
  const maxOutput = listedOutput && maxTokensCeiling ? Math.min(listedOutput, maxTokensCeiling) : (listedOutput ?? maxTokensCeiling);
  const name = trimmedString(service.modelName);
  const description = trimmedString(service.description);
  const info: KiroModelInfo = {
    id: known?.id ?? kiroId.toLowerCase().replace(/\./g, "-"),
    kiroId,
    // The 2026 catalog repeats the id as modelName; the built-in list has the name people use.
    name: (name && name !== kiroId ? name : undefined) ?? known?.name ?? name ?? kiroId,
    contextWindow: maxInput ?? known?.contextWindow ?? 200_000,
    maxTokens: maxOutput ?? known?.maxTokens ?? 32_000,
    reasoning: known ? known.reasoning || nativeThinking : isClaude || nativeThinking,
    nativeThinking,
    ...(nativeThinkingShape ? { nativeThinkingShape } : {}),
    input: inputTypes(service.supportedInputTypes) ?? [...(known?.input ?? (isClaude ? CLAUDE_INPUT : TEXT_INPUT))],
  };
  const text = description ?? known?.description;
  if (text) info.description = text;
  const credits = creditMultiplierOf(service);
  if (credits !== undefined) info.creditMultiplier = credits;
  if (extras.defaultEffort && nativeThinkingShape?.efforts.includes(extras.defaultEffort)) info.defaultEffort = extras.defaultEffort;
  if (extras.thinkingOptional) info.thinkingOptional = true;
  if (isRecord(service.promptCaching) && typeof service.promptCaching.supportsPromptCaching === "boolean") {
    info.promptCaching = service.promptCaching.supportsPromptCaching;
  }
  const fallbacks = fallbackModelIds(service.refusalFallbackModels);
  if (fallbacks) info.refusalFallbackModels = fallbacks;
  return info;
}

function defaultModelId(value: unknown): string | undefined {
  if (typeof value === "string") return trimmedString(value);
  if (value && typeof value === "object") return trimmedString((value as { modelId?: unknown }).modelId);
  return undefined;
}

async function fetchCatalog(o: CatalogCallOptions): Promise<KiroModelInfo[]> {
  const models: KiroModelInfo[] = [];
  const seen = new Set<string>();
  let defaultId: string | undefined;
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
    const body = (await callKiroJson("model list", listAvailableModelsUrl(o.route, nextToken), { method: "GET" }, o, { modelId: "", region: o.route.region })) as ListModelsPage;
    if (!body || typeof body !== "object" || !Array.isArray(body.models)) throw new KiroError("bad-request", "Kiro's model list answer has no models list.");
    defaultId ??= defaultModelId(body.defaultModel);
    for (const entry of body.models) {
      const info = modelFromService(entry);
      if (info && !seen.has(info.kiroId) && !isInternalModelId(info.kiroId)) {
        seen.add(info.kiroId);
        models.push(info);
      }
    }
    nextToken = trimmedString(body.nextToken);
    if (!nextToken) break;
  }
  // The service's default model first, so a picker that takes the first entry takes the default.
  const defaultIndex = defaultId ? models.findIndex((m) => m.kiroId === defaultId) : -1;
  if (defaultIndex > 0) models.unshift(...models.splice(defaultIndex, 1));
  return models;
}

function cacheKeyFor(route: KiroRoute): string {
  return [route.generation, route.region, route.endpoint ?? "", route.profileArn ?? ""].join("|");
}

function copies(models: readonly KiroModelInfo[]): KiroModelInfo[] {
  return models.map((m) => ({ ...m, input: [...m.input] }));
}

/**
 * The live catalog already fetched for this route and still fresh, without any request; undefined when there is
 * none. Lets a stream resolve live-only models and the live `nativeThinking` flag synchronously.
 */
export function cachedModelCatalog(route: KiroRoute): KiroModelInfo[] | undefined {
  const cached = catalogCache.get(cacheKeyFor(route));
  if (!cached || cached.expiresAt <= Date.now()) return undefined;
  return copies(cached.models);
}

/**
 * The models this account may use on this route, from ListAvailableModels (all pages). Cached for 10 minutes per
 * route (generation, region, endpoint, profile); rejects with a KiroError when the service cannot be read.
 */
export async function listAvailableModels(o: CatalogCallOptions): Promise<KiroModelInfo[]> {
  const cacheKey = cacheKeyFor(o.route);
  const cached = catalogCache.get(cacheKey);
  if (cached && cached.expiresAt > Date.now()) return copies(cached.models);
  let pending = catalogInFlight.get(cacheKey);
  if (!pending) {
    pending = fetchCatalog(o).finally(() => catalogInFlight.delete(cacheKey));
    catalogInFlight.set(cacheKey, pending);
  }
  const models = await pending;
  catalogCache.set(cacheKey, { expiresAt: Date.now() + CATALOG_TTL_MS, models });
  return copies(models);
}

/** How long a request waits for ListAvailableModels before it goes ahead with what it knows. */
export const REQUEST_CATALOG_TIMEOUT_MS = 3000;
/** After a failed lookup, requests on that route skip the catalog this long, so a broken catalog never delays every request. */
const CATALOG_RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * The live catalog for a request about to be sent on this route: the fresh cached one, else one ListAvailableModels
 * lookup bounded by `timeoutMs` (shared with concurrent callers and cached for 10 minutes). Undefined when it cannot be
 * read in time; then requests on this route do not ask again for a minute, unless the token was refused (the caller's
 * refresh fixes that, so the next request asks again). Never rejects; `signal` ends only the caller's wait, not a
 * lookup others share.
 */
export async function catalogForRequest(o: CatalogCallOptions & { timeoutMs?: number }): Promise<KiroModelInfo[] | undefined> {
  const cacheKey = cacheKeyFor(o.route);
  const cached = catalogCache.get(cacheKey);
  if (cached && cached.expiresAt > Date.now()) return copies(cached.models);
  if ((catalogRetryAt.get(cacheKey) ?? 0) > Date.now() || o.signal?.aborted) return undefined;
  const { signal, timeoutMs = REQUEST_CATALOG_TIMEOUT_MS, ...rest } = o;
  const lookup = listAvailableModels({ ...rest, signal: AbortSignal.timeout(timeoutMs) }).then(
    (models) => {
      catalogRetryAt.delete(cacheKey);
      return models.length > 0 ? models : undefined;
    },
    (error: unknown) => {
      const status = (error as { status?: unknown } | null)?.status;
      if (status !== 401 && status !== 403) catalogRetryAt.set(cacheKey, Date.now() + CATALOG_RETRY_AFTER_FAILURE_MS);
      return undefined;
    },
  );
  return signal ? raceAbort(lookup, signal, () => new Error("aborted")).catch(() => undefined) : lookup;
}
