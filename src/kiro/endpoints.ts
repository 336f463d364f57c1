// Which Kiro host and region a request goes to, the URLs of its operations, and the headers every call carries.
import { randomUUID } from "node:crypto";
import { version as packageVersion } from "../../package.json";

export const DEFAULT_API_REGION = "us-east-1";
export const API_REGIONS = ["us-east-1", "eu-central-1"] as const;

export interface KiroEndpoint {
  /** The API region (`us-east-1` or `eu-central-1`). */
  region: string;
  /** Base URL without a trailing slash, e.g. `https://q.us-east-1.amazonaws.com` or a simulator's URL. */
  baseUrl: string;
  profileArn?: string;
}

export interface ResolveEndpointOptions {
  region?: string;
  endpoint?: string;
  profileArn?: string;
  /** Environment to read `KIRO_REGION`, `KIRO_ENDPOINT`, `KIRO_PROFILE_ARN` from; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/** What an authenticated GET to a Kiro route (ListAvailableModels, getUsageLimits) needs. */
export interface KiroServiceCallOptions extends ResolveEndpointOptions {
  accessToken: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Maps any AWS region to the Kiro API region that serves it. Kiro runs only in us-east-1 and
 * eu-central-1; Identity Center directories elsewhere are served by one of those two.
 */
export function apiRegionFor(region: string | undefined): string {
  const normalized = region?.trim().toLowerCase();
  if (!normalized) return DEFAULT_API_REGION;
  if (normalized.startsWith("eu-")) return "eu-central-1";
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

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Options win over the environment. A profile ARN's region wins over a configured region,
 * because the profile only exists in the region it was created in.
 */
export function resolveEndpoint(o: ResolveEndpointOptions = {}): KiroEndpoint {
  const env = o.env ?? process.env;
  const profileArn = nonEmpty(o.profileArn) ?? nonEmpty(env.KIRO_PROFILE_ARN);
  const configuredRegion = nonEmpty(o.region) ?? nonEmpty(env.KIRO_REGION);
  const region = apiRegionFor(profileArnRegion(profileArn) ?? configuredRegion);
  const override = nonEmpty(o.endpoint) ?? nonEmpty(env.KIRO_ENDPOINT);
  const baseUrl = override ? override.replace(/\/+$/, "") : `https://q.${region}.amazonaws.com`;
  return profileArn ? { region, baseUrl, profileArn } : { region, baseUrl };
}

export function generateAssistantResponseUrl(e: KiroEndpoint): string {
  return `${e.baseUrl}/generateAssistantResponse`;
}

export function listAvailableModelsUrl(e: KiroEndpoint, nextToken?: string): string {
  const query = new URLSearchParams({ origin: "AI_EDITOR", maxResults: "50" });
  if (e.profileArn) query.set("profileArn", e.profileArn);
  if (nextToken) query.set("nextToken", nextToken);
  return `${e.baseUrl}/ListAvailableModels?${query.toString()}`;
}

export function usageLimitsUrl(e: KiroEndpoint): string {
  const query = new URLSearchParams({
    isEmailRequired: "true",
    origin: "AI_EDITOR",
    resourceType: "AGENTIC_REQUEST",
  });
  if (e.profileArn) query.set("profileArn", e.profileArn);
  return `${e.baseUrl}/getUsageLimits?${query.toString()}`;
}

export const KIRO_PI_VERSION: string = packageVersion;
export const USER_AGENT = `kiro-pi/${KIRO_PI_VERSION}`;

/** Headers for every Kiro call; `extra` (caller headers) may add to or replace them. */
export function kiroRequestHeaders(
  accessToken: string,
  e: KiroEndpoint,
  extra?: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${accessToken}`,
    "content-type": "application/json",
    accept: "application/vnd.amazon.eventstream, application/json",
    "amz-sdk-invocation-id": randomUUID(),
    "amz-sdk-request": "attempt=1; max=3",
    "x-amzn-codewhisperer-optout": "true",
    "x-amzn-kiro-agent-mode": "vibe",
    "user-agent": USER_AGENT,
  };
  if (e.profileArn) headers["x-amzn-kiro-profile-arn"] = e.profileArn;
  if (extra) {
    for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  }
  return headers;
}
