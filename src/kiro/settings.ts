// Every setting that shapes a Kiro call (region, endpoint, host generation, profile, sign-in endpoint) and its environment fallback, with the precedence written once.
import { trimmedString } from "../util/json";

/** The regions Kiro's API runs in; every other AWS region is served by one of these (see `apiRegionFor`). */
export const API_REGIONS = ["us-east-1", "eu-central-1"] as const;
export type ApiRegion = (typeof API_REGIONS)[number];
export const DEFAULT_API_REGION: ApiRegion = "us-east-1";

/** Kiro's two host generations (docs/kiro-protocol.md#hosts): `q.{region}.amazonaws.com` and `runtime|management.{region}.kiro.dev`. */
export type ApiGeneration = "q" | "runtime";
/** `kiro.api` / `KIRO_API`: a generation, or `auto` (try one, fall back to the other once when its host is missing). */
export type ApiChoice = "auto" | ApiGeneration;
export const API_CHOICES: readonly ApiChoice[] = ["auto", "q", "runtime"];

/** What the user set explicitly (VS Code: user settings only; pi: nothing). Empty strings count as not set. */
export interface KiroSettingValues {
  region?: string;
  endpoint?: string;
  api?: string;
  profileArn?: string;
  oidcEndpoint?: string;
}

/** Where a value came from, for log lines that explain a choice. */
export type SettingSource = "setting" | "environment" | "default";

export interface KiroSettings {
  /** The API region the user or environment asked for; undefined when neither did (then a profile or the sign-in decides). */
  region?: ApiRegion;
  regionSource: SettingSource;
  /** Base URL replacing every Kiro host (simulator, proxy), without a trailing slash. */
  endpoint?: string;
  api: ApiChoice;
  /** A profile ARN the user named; wins over any a sign-in carries or Kiro lists. */
  profileArn?: string;
  /** Base URL replacing `https://oidc.{region}.amazonaws.com` for sign-in and refresh. */
  oidcEndpoint?: string;
}

type Env = Record<string, string | undefined>;

/** The environment variable behind each setting (set by hand, by the pi terminal, or by CI). */
export const SETTING_ENVIRONMENT: Readonly<Record<keyof KiroSettingValues, string>> = {
  region: "KIRO_REGION",
  endpoint: "KIRO_ENDPOINT",
  api: "KIRO_API",
  profileArn: "KIRO_PROFILE_ARN",
  oidcEndpoint: "KIRO_OIDC_ENDPOINT",
};

/**
 * Maps any AWS region to the Kiro API region that serves it. Kiro runs only in us-east-1 and
 * eu-central-1; Identity Center directories elsewhere are served by one of those two (us-*, ap-*, … → us-east-1).
 */
export function apiRegionFor(region: string | undefined): ApiRegion {
  const normalized = region?.trim().toLowerCase();
  if (normalized?.startsWith("eu-")) return "eu-central-1";
  return DEFAULT_API_REGION;
}

/** The region inside a profile ARN (`arn:aws:codewhisperer:us-east-1:123:profile/X`), if it has one. */
export function profileArnRegion(profileArn: string | undefined): string | undefined {
  if (!profileArn) return undefined;
  const parts = profileArn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const region = parts[3]?.trim();
  return region ? region : undefined;
}

function apiChoice(value: string | undefined): ApiChoice | undefined {
  const lower = value?.toLowerCase();
  return API_CHOICES.find((choice) => choice === lower);
}

/**
 * The one place precedence is decided: an explicit setting, then the environment, then the default. A profile ARN's
 * region is applied later, where the route is chosen (src/kiro/route.ts), because the profile only exists in its region.
 */
export function resolveKiroSettings(values: KiroSettingValues = {}, env: Env = process.env): KiroSettings {
  const pick = (key: keyof KiroSettingValues): { value?: string; source: SettingSource } => {
    const explicit = trimmedString(values[key]);
    if (explicit) return { value: explicit, source: "setting" };
    const fromEnv = trimmedString(env[SETTING_ENVIRONMENT[key]]);
    return fromEnv ? { value: fromEnv, source: "environment" } : { source: "default" };
  };
  const region = pick("region");
  const endpoint = pick("endpoint").value;
  const profileArn = pick("profileArn").value;
  const oidcEndpoint = pick("oidcEndpoint").value;
  const settings: KiroSettings = {
    regionSource: region.value ? region.source : "default",
    api: apiChoice(pick("api").value) ?? "auto",
  };
  if (region.value) settings.region = apiRegionFor(region.value);
  if (endpoint) settings.endpoint = endpoint.replace(/\/+$/, "");
  if (profileArn) settings.profileArn = profileArn;
  if (oidcEndpoint) settings.oidcEndpoint = oidcEndpoint.replace(/\/+$/, "");
  return settings;
}
