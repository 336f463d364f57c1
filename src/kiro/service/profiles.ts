// ListAvailableProfiles on either host generation: the Kiro profiles (ARNs) a token may use, all pages (docs/kiro-protocol.md#profile-arn); GetProfile for an API key's own profile.
import { isRecord } from "../../util/json";
import { getProfileRequest, listAvailableProfilesRequest, type KiroRoute } from "./endpoints";
import { KiroError } from "../errors";
import { callKiroJson, type ServiceCallAuth } from "./serviceCall";
import { apiRegionFor, profileArnRegion, type ApiRegion } from "../settings";

export interface KiroProfile {
  arn: string;
  /** `profileName`, when the service gives one. */
  name?: string;
  /** The API region the profile lives in (from its ARN). */
  region: ApiRegion;
}

const MAX_PROFILE_PAGES = 10;

/**
 * AWS Builder ID sign-ins own no profile: ListAvailableProfiles answers 403 "AWS Builder ID is not supported for this
 * operation.", and Kiro's own clients then send this fixed ARN, the same for every Builder ID user
 * (docs/kiro-protocol.md#builder-id).
 */
export const BUILDER_ID_PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:638616132270:profile/AAAACCCCXXXX";

/** The answer ListAvailableProfiles gives a Builder ID token. */
export function isBuilderIdRefusal(error: unknown): boolean {
  return error instanceof KiroError && error.status === 403 && /builder id is not supported/i.test(error.serviceMessage ?? "");
}


/** Reads one answer page; entries without a usable ARN are skipped. */
export function parseProfilesPage(body: unknown): { profiles: KiroProfile[]; nextToken?: string } {
  if (!isRecord(body)) return { profiles: [] };
  const entries = Array.isArray(body.profiles) ? body.profiles.filter(isRecord) : [];
  const profiles: KiroProfile[] = [];
  for (const entry of entries) {
    const arn = typeof entry.arn === "string" ? entry.arn.trim() : "";
    if (!arn.startsWith("arn:")) continue;
    const profile: KiroProfile = { arn, region: apiRegionFor(profileArnRegion(arn)) };
    const name = typeof entry.profileName === "string" ? entry.profileName.trim() : "";
    if (name) profile.name = name;
    profiles.push(profile);
  }
  const nextToken = typeof body.nextToken === "string" && body.nextToken.trim() ? body.nextToken.trim() : undefined;
  return nextToken ? { profiles, nextToken } : { profiles };
}

/** Every profile the token may use on this route's generation and region (a route's own profile ARN is ignored). */
export async function listAvailableProfiles(route: Omit<KiroRoute, "profileArn">, auth: ServiceCallAuth): Promise<KiroProfile[]> {
  const request = listAvailableProfilesRequest(route);
  const profiles: KiroProfile[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PROFILE_PAGES; page++) {
    const body = await callKiroJson(
      "profile list",
      request.url,
      { method: "POST", headers: request.headers, body: JSON.stringify(nextToken ? { nextToken } : {}) },
      auth,
      { modelId: "", region: route.region },
    );
    const parsed = parseProfilesPage(body);
    for (const profile of parsed.profiles) {
      if (seen.has(profile.arn)) continue;
      seen.add(profile.arn);
      profiles.push(profile);
    }
    nextToken = parsed.nextToken;
    if (!nextToken) break;
  }
  return profiles;
}

/**
 * GetProfile, the one profile look-up an API key may make (ListAvailableProfiles answers it 403 "Unsupported token
 * type"): `{}` in, `{"profile": {"arn", "profileName"?}}` out (docs/kiro-protocol.md#get-profile). Undefined when the
 * answer names no usable profile.
 */
export async function getProfile(route: Pick<KiroRoute, "region" | "endpoint">, auth: ServiceCallAuth): Promise<KiroProfile | undefined> {
  const request = getProfileRequest(route);
  const body = await callKiroJson("profile", request.url, { method: "POST", headers: request.headers, body: "{}" }, auth, { modelId: "", region: route.region });
  return parseProfilesPage({ profiles: [isRecord(body) ? body.profile : undefined] }).profiles[0];
}
