// Chooses where a Kiro call goes: the host generation (remembered per process once one works) and the profile ARN (named, carried by the sign-in, or looked up once per token and region).
import { createHash } from "node:crypto";
import { tokenTypeFor, type KiroRoute, type KiroTokenType } from "./endpoints";
import { apiKeyProfileError, isMissingHost, KiroError } from "../errors";
import type { KiroLog } from "../log";
import { BUILDER_ID_PROFILE_ARN, getProfile, isBuilderIdRefusal, listAvailableProfiles, type KiroProfile } from "./profiles";
import { API_REGIONS, apiRegionFor, profileArnRegion, type ApiGeneration, type ApiRegion, type KiroSettings } from "../settings";

/** The token a call uses and what its sign-in knows about where it belongs. */
export interface RouteCredentials {
  accessToken: string;
  tokenType?: KiroTokenType;
  /** A profile the sign-in carries: imported from kiro-cli / the Kiro IDE, or chosen earlier and remembered with the account. */
  profileArn?: string;
  /** The sign-in's own region (e.g. an Identity Center directory in eu-west-1), which suggests the API region. */
  region?: string;
}

/** Picks one of several profiles (VS Code: a quick pick); undefined when the person made no choice. */
export type ProfileChooser = (profiles: readonly KiroProfile[], signal?: AbortSignal) => Promise<KiroProfile | undefined>;

export interface RouteOptions {
  settings: KiroSettings;
  credentials: RouteCredentials;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  chooseProfile?: ProfileChooser;
  log?: KiroLog;
}

/** What the process learnt about each endpoint (`aws` for the real hosts): the generation that answers, and whether it has answered. */
interface GenerationState {
  generation: ApiGeneration;
  confirmed: boolean;
  fellBack: boolean;
}
const generations = new Map<string, GenerationState>();
/** Profile look-ups (and the choice among several) per token, generation, region and endpoint; one in flight per key. */
const profileChoices = new Map<string, Promise<KiroProfile | undefined>>();
/** Bounds the memory a long-running window spends on tokens that were refreshed long ago. */
const MAX_REMEMBERED_TOKENS = 64;

/** Forgets what was learnt about generations and profiles (sign-out, tests). */
export function clearRouteCache(): void {
  generations.clear();
  profileChoices.clear();
}

function endpointKey(settings: KiroSettings): string {
  return settings.endpoint ?? "aws";
}

function tokenKey(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 24);
}

function other(generation: ApiGeneration): ApiGeneration {
  return generation === "q" ? "runtime" : "q";
}

/**
 * The generation to use now. `auto` starts with the q host (what most clients used so far, and the generic `AI_EDITOR`
 * origin) and keeps whichever one answered once it fell back.
 */
export function currentGeneration(settings: KiroSettings): ApiGeneration {
  if (settings.api !== "auto") return settings.api;
  return generations.get(endpointKey(settings))?.generation ?? "q";
}

/** Called after a call on `generation` succeeded: `auto` keeps it from now on. */
function confirmGeneration(settings: KiroSettings, generation: ApiGeneration): void {
  if (settings.api !== "auto") return;
  const key = endpointKey(settings);
  const state = generations.get(key);
  if (state?.generation === generation && state.confirmed) return;
  generations.set(key, { generation, confirmed: true, fellBack: state?.fellBack ?? false });
}

/**
 * After `failed`'s host was missing (no DNS name, 404, 410): with `auto`, switches to the other generation once per
 * process and returns it; otherwise (fixed choice, already switched, or the generation answered before) undefined.
 */
function fallBack(settings: KiroSettings, failed: ApiGeneration, log: KiroLog | undefined, why: KiroError): ApiGeneration | undefined {
  if (settings.api !== "auto") return undefined;
  const key = endpointKey(settings);
  const state = generations.get(key);
  if (state && (state.fellBack || (state.confirmed && state.generation === failed))) return undefined;
  const next = other(failed);
  generations.set(key, { generation: next, confirmed: false, fellBack: true });
  const what = why.status ? `answered ${why.status}` : `could not be reached (${why.code ?? why.kind})`;
  log?.info(`Kiro: the ${failed === "q" ? "q.{region}.amazonaws.com" : "runtime/management.{region}.kiro.dev"} host ${what}; using the ${next === "q" ? "q.{region}.amazonaws.com" : "runtime/management.{region}.kiro.dev"} host from now on (kiro.api / KIRO_API = auto).`);
  return next;
}

/** The region to ask for profiles first, and the other one to try when the first lists none. */
function discoveryRegions(settings: KiroSettings, credentials: RouteCredentials): ApiRegion[] {
  if (settings.region) return [settings.region];
  const first = apiRegionFor(credentials.region);
  // With an endpoint override both regions reach the same server, so a second look-up would only repeat the first.
  if (settings.endpoint) return [first];
  return [first, ...API_REGIONS.filter((region) => region !== first)];
}

/**
 * An API key's profile from GetProfile (docs/kiro-protocol.md#api-keys). A refused key, an abort or a transient failure
 * is passed on as it is (the caller refreshes nothing for a key, but retries a blip); anything else means the profile
 * must be named by the user, and the error says so.
 */
async function apiKeyProfile(o: RouteOptions): Promise<KiroProfile> {
  const { settings, credentials, log } = o;
  const region = settings.region ?? apiRegionFor(credentials.region);
  const auth = { accessToken: credentials.accessToken, tokenType: "API_KEY" as const, fetch: o.fetch, signal: o.signal };
  let profile: KiroProfile | undefined;
  try {
    profile = await getProfile({ region, endpoint: settings.endpoint }, auth);
  } catch (error) {
    if (!(error instanceof KiroError) || error.kind === "auth" || error.kind === "aborted" || error.retryable) throw error;
    throw apiKeyProfileError({ modelId: "", region }, `GetProfile: ${error.userMessage}`);
  }
  if (!profile) throw apiKeyProfileError({ modelId: "", region }, "GetProfile named no profile");
  log?.info(`Kiro: using the API key's profile ${profile.arn}${profile.name ? ` (${profile.name})` : ""}.`);
  return profile;
}

async function discoverProfile(o: RouteOptions, generation: ApiGeneration): Promise<KiroProfile | undefined> {
  const { settings, credentials, log } = o;
  if (tokenTypeFor(credentials.accessToken, credentials.tokenType) === "API_KEY") return apiKeyProfile(o);
  const auth = { accessToken: credentials.accessToken, tokenType: credentials.tokenType, fetch: o.fetch, signal: o.signal };
  let profiles: KiroProfile[] = [];
  const asked: ApiRegion[] = [];
  for (const region of discoveryRegions(settings, credentials)) {
    asked.push(region);
    try {
      profiles = await listAvailableProfiles({ generation, region, endpoint: settings.endpoint }, auth);
    } catch (error) {
      if (!isBuilderIdRefusal(error)) throw error;
      log?.info(`Kiro: AWS Builder ID accounts have no profile of their own; using Kiro's Builder ID profile ${BUILDER_ID_PROFILE_ARN}.`);
      return { arn: BUILDER_ID_PROFILE_ARN, region: "us-east-1", name: "AWS Builder ID" };
    }
    if (profiles.length > 0) break;
  }
  if (profiles.length === 0) {
    log?.warn(`Kiro: this account lists no profile in ${asked.join(" or ")}; requests go out without a profile ARN.`);
    return undefined;
  }
  if (profiles.length === 1) {
    log?.info(`Kiro: using profile ${profiles[0]!.arn}${profiles[0]!.name ? ` (${profiles[0]!.name})` : ""}.`);
    return profiles[0];
  }
  const chosen = o.chooseProfile ? await o.chooseProfile(profiles, o.signal) : undefined;
  const used = chosen ?? profiles[0]!;
  const how = chosen ? "chosen" : `the first of ${profiles.length}; set KIRO_PROFILE_ARN (or kiro.profileArn) to use another`;
  log?.info(`Kiro: using profile ${used.arn}${used.name ? ` (${used.name})` : ""}, ${how}. Profiles: ${profiles.map((p) => p.name ?? p.arn).join(", ")}.`);
  return used;
}

function routeWithProfile(settings: KiroSettings, generation: ApiGeneration, credentials: RouteCredentials, profileArn: string | undefined): KiroRoute {
  // The profile only exists in its own region, so its ARN decides the API region (docs/kiro-protocol.md#profile-arn).
  const region = apiRegionFor(profileArnRegion(profileArn) ?? settings.region ?? credentials.region);
  const route: KiroRoute = { generation, region };
  if (settings.endpoint) route.endpoint = settings.endpoint;
  if (profileArn) route.profileArn = profileArn;
  return route;
}

export interface ResolveRouteOptions {
  /** The profile the sign-in carries was refused: look the account's profiles up instead (a profile the settings name is kept). */
  ignoreCarriedProfile?: boolean;
}

/**
 * The route for the next call on `generation`. A profile named in the settings wins, then one the sign-in carries,
 * then the account's own (ListAvailableProfiles, once per token + region; several → `chooseProfile`, else the first;
 * for an API key GetProfile instead).
 */
async function routeOn(o: RouteOptions, generation: ApiGeneration, r: ResolveRouteOptions): Promise<KiroRoute> {
  const { settings, credentials } = o;
  const known = settings.profileArn ?? (r.ignoreCarriedProfile ? undefined : credentials.profileArn);
  if (known) return routeWithProfile(settings, generation, credentials, known);
  const key = [tokenKey(credentials.accessToken), generation, settings.region ?? "", settings.endpoint ?? ""].join("|");
  let choice = profileChoices.get(key);
  if (!choice) {
    if (profileChoices.size >= MAX_REMEMBERED_TOKENS) profileChoices.clear();
    choice = discoverProfile(o, generation);
    profileChoices.set(key, choice);
    // A failed look-up is not remembered: the next call asks again.
    choice.catch(() => profileChoices.delete(key));
  }
  const profile = await choice;
  return routeWithProfile(settings, generation, credentials, profile?.arn);
}

/** Forgets the profile looked up for these credentials, so the next route asks the service again. */
export function forgetProfile(o: Pick<RouteOptions, "settings" | "credentials">, generation: ApiGeneration): void {
  profileChoices.delete([tokenKey(o.credentials.accessToken), generation, o.settings.region ?? "", o.settings.endpoint ?? ""].join("|"));
}

/**
 * Runs `call` on the current route. When the host is missing (DNS, 404, 410) and `kiro.api` is `auto`, the other
 * generation is tried once, and whichever answers is kept for the rest of the process.
 */
export async function withRoute<T>(o: RouteOptions, call: (route: KiroRoute) => Promise<T>, r: ResolveRouteOptions = {}): Promise<T> {
  let generation = currentGeneration(o.settings);
  for (;;) {
    try {
      const route = await routeOn(o, generation, r);
      const result = await call(route);
      confirmGeneration(o.settings, generation);
      return result;
    } catch (error) {
      const next = isMissingHost(error) ? fallBack(o.settings, generation, o.log, error as KiroError) : undefined;
      if (!next) throw error;
      generation = next;
    }
  }
}
