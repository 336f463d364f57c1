// Where each Kiro operation goes for a route (host generation, region, endpoint override, profile), and the headers every call carries.
import { randomUUID } from "node:crypto";
import { version as packageVersion } from "../../../package.json";
import type { ApiGeneration, ApiRegion } from "../settings";

/** Everything that decides where a call goes and which profile it names; chosen by src/kiro/route.ts. */
export interface KiroRoute {
  generation: ApiGeneration;
  region: ApiRegion;
  /** Base URL replacing every host of the generation (simulator, proxy), without a trailing slash. */
  endpoint?: string;
  /** Sent with every call that needs one (docs/kiro-protocol.md#profile-arn). */
  profileArn?: string;
}

/** The `origin` each generation expects in chat bodies and catalog/usage queries (docs/kiro-protocol.md#hosts). */
export function originFor(generation: ApiGeneration): "AI_EDITOR" | "KIRO_CLI" {
  return generation === "q" ? "AI_EDITOR" : "KIRO_CLI";
}

/** Host of chat calls: `q.{region}.amazonaws.com` or `runtime.{region}.kiro.dev`. */
export function chatBaseUrl(route: Omit<KiroRoute, "profileArn">): string {
  if (route.endpoint) return route.endpoint;
  return route.generation === "q" ? `https://q.${route.region}.amazonaws.com` : `https://runtime.${route.region}.kiro.dev`;
}

/** Host of profile, catalog and usage calls: the q host itself, or `management.{region}.kiro.dev`. */
export function managementBaseUrl(route: Omit<KiroRoute, "profileArn">): string {
  if (route.endpoint) return route.endpoint;
  return route.generation === "q" ? `https://q.${route.region}.amazonaws.com` : `https://management.${route.region}.kiro.dev`;
}

export function generateAssistantResponseUrl(route: KiroRoute): string {
  return `${chatBaseUrl(route)}/generateAssistantResponse`;
}

export function listAvailableModelsUrl(route: KiroRoute, nextToken?: string): string {
  const query = new URLSearchParams({ origin: originFor(route.generation) });
  if (route.generation === "q") query.set("maxResults", "50");
  if (route.profileArn) query.set("profileArn", route.profileArn);
  if (nextToken) query.set("nextToken", nextToken);
  const path = route.generation === "q" ? "ListAvailableModels" : "List-Available-Models";
  return `${managementBaseUrl(route)}/${path}?${query.toString()}`;
}

export function usageLimitsUrl(route: KiroRoute): string {
  // isEmailRequired=true on both generations: the email names the account in the Accounts menu and the status bar.
  const query =
    route.generation === "q"
      ? new URLSearchParams({ isEmailRequired: "true", origin: "AI_EDITOR", resourceType: "AGENTIC_REQUEST" })
      : new URLSearchParams({ origin: "KIRO_CLI", resourceType: "CREDIT", isEmailRequired: "true" });
  if (route.profileArn) query.set("profileArn", route.profileArn);
  const path = route.generation === "q" ? "getUsageLimits" : "Get-Usage-Limits";
  return `${managementBaseUrl(route)}/${path}?${query.toString()}`;
}

/** ListAvailableProfiles: an AWS JSON 1.0 call on the q host, a plain JSON POST on the management host. */
export function listAvailableProfilesRequest(route: Omit<KiroRoute, "profileArn">): { url: string; headers: Record<string, string> } {
  if (route.generation === "q") {
    return {
      url: `${managementBaseUrl(route)}/`,
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonCodeWhispererService.ListAvailableProfiles" },
    };
  }
  return { url: `${managementBaseUrl(route)}/List-Available-Profiles`, headers: { "content-type": "application/json" } };
}

export const KIRO_PI_VERSION: string = packageVersion;

/**
 * The product names itself, in the AWS SDK user-agent form the service parses (docs/kiro-protocol.md#user-agent).
 * It names no Kiro IDE version, so the service caps this client's history at 198 entries; the request builder
 * keeps within that cap (src/kiro/serviceLimits.ts).
 */
export function kiroUserAgent(runtime: { platform?: string; nodeVersion?: string } = {}): string {
  const platform = runtime.platform ?? (typeof process !== "undefined" ? process.platform : "unknown");
  const node = (runtime.nodeVersion ?? (typeof process !== "undefined" ? process.versions.node : "")) || "unknown";
  return `kiro-pi/${KIRO_PI_VERSION} ua/2.1 os/${platform} lang/js md/nodejs#${node} api/codewhispererstreaming#${KIRO_PI_VERSION} m/E app/kiro-pi#${KIRO_PI_VERSION}`;
}

const USER_AGENT = kiroUserAgent();

/**
 * How the access token was issued, sent as the `TokenType` header: external identity providers' tokens
 * (docs/kiro-protocol.md#external-idp) and Kiro API keys (docs/kiro-protocol.md#api-keys) need it; other tokens send none.
 */
export type KiroTokenType = "EXTERNAL_IDP" | "API_KEY";

/** Kiro API keys (made in Kiro's settings, kiro-cli's `KIRO_API_KEY`) start with this. */
export const API_KEY_PREFIX = "ksk_";

/** True for a Kiro API key (`ksk_…`): sent with `TokenType: API_KEY`, never refreshed. */
export function isKiroApiKey(token: string | undefined): boolean {
  return token !== undefined && token.startsWith(API_KEY_PREFIX);
}

/** The `TokenType` a call with this token sends: the one the sign-in names, else `API_KEY` for a key, else none. */
export function tokenTypeFor(accessToken: string, tokenType?: KiroTokenType): KiroTokenType | undefined {
  return tokenType ?? (isKiroApiKey(accessToken) ? "API_KEY" : undefined);
}

/** GetProfile: an API key's own profile, an AWS JSON 1.0 call at the root of the management host (docs/kiro-protocol.md#get-profile). */
export function getProfileRequest(route: Omit<KiroRoute, "profileArn" | "generation">): { url: string; headers: Record<string, string> } {
  return {
    url: `${managementBaseUrl({ ...route, generation: "runtime" })}/`,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonCodeWhispererService.GetProfile" },
  };
}

/** Headers for every Kiro call; `extra` (caller headers) may add to or replace them. */
export function kiroRequestHeaders(accessToken: string, extra?: Record<string, string>, tokenType?: KiroTokenType): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${accessToken}`,
    "content-type": "application/json",
    accept: "application/vnd.amazon.eventstream, application/json",
    "amz-sdk-invocation-id": randomUUID(),
    "amz-sdk-request": "attempt=1; max=3",
    "x-amzn-codewhisperer-optout": "true",
    "x-amzn-kiro-agent-mode": "vibe",
    "user-agent": USER_AGENT,
    "x-amz-user-agent": USER_AGENT,
  };
  const type = tokenTypeFor(accessToken, tokenType);
  if (type) headers.tokentype = type;
  if (extra) {
    for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  }
  return headers;
}
