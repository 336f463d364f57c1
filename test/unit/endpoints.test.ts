// Tests for settings precedence (setting > environment > default), both host generations' URLs, and the headers every call carries.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chatBaseUrl,
  generateAssistantResponseUrl,
  kiroRequestHeaders,
  kiroUserAgent,
  listAvailableModelsUrl,
  listAvailableProfilesRequest,
  managementBaseUrl,
  originFor,
  usageLimitsUrl,
  type KiroRoute,
} from "../../src/kiro/service/endpoints";
import { apiRegionFor, profileArnRegion, resolveKiroSettings } from "../../src/kiro/settings";

const noEnv = {};
const arn = "arn:aws:codewhisperer:us-east-1:123456789012:profile/ABC";

test("nothing configured: region left to the profile or sign-in, host generation auto", () => {
  assert.deepEqual(resolveKiroSettings({}, noEnv), { regionSource: "default", api: "auto" });
});

test("an explicit setting wins over the environment, which wins over the default", () => {
  const env = { KIRO_REGION: "eu-central-1", KIRO_ENDPOINT: "http://127.0.0.1:4567/", KIRO_API: "runtime", KIRO_PROFILE_ARN: arn, KIRO_OIDC_ENDPOINT: "http://127.0.0.1:9/" };
  assert.deepEqual(resolveKiroSettings({}, env), {
    region: "eu-central-1",
    regionSource: "environment",
    endpoint: "http://127.0.0.1:4567",
    api: "runtime",
    profileArn: arn,
    oidcEndpoint: "http://127.0.0.1:9",
  });
  const explicit = resolveKiroSettings({ region: "us-east-1", endpoint: "http://127.0.0.1:1", api: "q", profileArn: "arn:aws:codewhisperer:eu-central-1:1:profile/P" }, env);
  assert.equal(explicit.region, "us-east-1");
  assert.equal(explicit.regionSource, "setting");
  assert.equal(explicit.endpoint, "http://127.0.0.1:1");
  assert.equal(explicit.api, "q");
  assert.equal(explicit.profileArn, "arn:aws:codewhisperer:eu-central-1:1:profile/P");
});

test("blank settings count as not set, and an unknown KIRO_API means auto", () => {
  const settings = resolveKiroSettings({ region: " ", endpoint: "" }, { KIRO_REGION: "eu-west-1", KIRO_API: "v3" });
  assert.equal(settings.region, "eu-central-1");
  assert.equal(settings.api, "auto");
});

test("an endpoint over http:// to another machine is refused with a report, and the next source is used", () => {
  const reports: string[] = [];
  const settings = resolveKiroSettings(
    { endpoint: "http://example.com" },
    { KIRO_ENDPOINT: "https://proxy.example.com/", KIRO_OIDC_ENDPOINT: "http://10.0.0.5:9000" },
    (message) => reports.push(message),
  );
  assert.equal(settings.endpoint, "https://proxy.example.com", "the environment's https endpoint stands in for the refused setting");
  assert.equal(settings.oidcEndpoint, undefined, "an http:// sign-in endpoint on another machine falls back to AWS");
  assert.equal(reports.length, 2, reports.join("\n"));
  assert.match(reports[0]!, /kiro\.endpoint from the options: "http:\/\/example\.com" is http:\/\/ to another machine.*using KIRO_ENDPOINT instead/);
  assert.match(reports[1]!, /kiro\.oidcEndpoint from KIRO_OIDC_ENDPOINT: .*https:\/\/.*using the default instead/);
});

test("http:// endpoints on this machine are kept: 127.0.0.1, ::1 and localhost", () => {
  for (const url of ["http://127.0.0.1:4567", "http://127.8.0.1:1", "http://[::1]:9", "http://localhost:80", "https://kiro.corp.example"]) {
    const reports: string[] = [];
    assert.equal(resolveKiroSettings({ endpoint: url, oidcEndpoint: url }, {}, (m) => reports.push(m)).endpoint, url);
    assert.deepEqual(reports, [], url);
  }
  const notUrls: string[] = [];
  resolveKiroSettings({ endpoint: "not a url", oidcEndpoint: "ftp://127.0.0.1" }, {}, (m) => notUrls.push(m));
  assert.equal(notUrls.length, 2, notUrls.join("\n"));
});

test("kiro.firstTokenTimeoutSeconds: a number setting is used, a malformed one is reported and the environment applies", () => {
  assert.equal(resolveKiroSettings({ firstTokenTimeoutSeconds: 240 }, {}).firstTokenTimeoutMs, 240_000);
  assert.equal(resolveKiroSettings({}, { KIRO_FIRST_TOKEN_TIMEOUT_SECONDS: "45" }).firstTokenTimeoutMs, 45_000);
  assert.equal(resolveKiroSettings({ firstTokenTimeoutSeconds: 0 }, {}).firstTokenTimeoutMs, undefined, "0 means automatic");
  const reports: string[] = [];
  const settings = resolveKiroSettings({ firstTokenTimeoutSeconds: "ninety" }, { KIRO_FIRST_TOKEN_TIMEOUT_SECONDS: "120" }, (m) => reports.push(m));
  assert.equal(settings.firstTokenTimeoutMs, 120_000);
  assert.match(reports.join("\n"), /kiro\.firstTokenTimeoutSeconds from the options: "ninety" is not a whole number from 0 to 3600; using KIRO_FIRST_TOKEN_TIMEOUT_SECONDS instead/);
  const badEnv: string[] = [];
  assert.equal(resolveKiroSettings({}, { KIRO_FIRST_TOKEN_TIMEOUT_SECONDS: "1.5" }, (m) => badEnv.push(m)).firstTokenTimeoutMs, undefined);
  assert.equal(badEnv.length, 1);
});

test("a malformed KIRO_API or region is reported, not silently replaced", () => {
  const reports: string[] = [];
  const settings = resolveKiroSettings({}, { KIRO_API: "v3", KIRO_REGION: "Frankfurt" }, (m) => reports.push(m));
  assert.equal(settings.api, "auto");
  assert.equal(settings.region, undefined);
  assert.equal(reports.length, 2, reports.join("\n"));
});

test("Identity Center regions map to the API region that serves them", () => {
  assert.equal(apiRegionFor("us-west-2"), "us-east-1");
  assert.equal(apiRegionFor("ap-southeast-2"), "us-east-1");
  assert.equal(apiRegionFor("ca-central-1"), "us-east-1");
  assert.equal(apiRegionFor("eu-west-1"), "eu-central-1");
  assert.equal(apiRegionFor("eu-north-1"), "eu-central-1");
  assert.equal(apiRegionFor(undefined), "us-east-1");
  assert.equal(profileArnRegion("arn:aws:codewhisperer:eu-central-1:1:profile/P"), "eu-central-1");
  assert.equal(profileArnRegion("not-an-arn"), undefined);
  // One reading for the client and the import (src/util/arn.ts): a region of AWS's shape, or none.
  assert.equal(profileArnRegion("arn:aws-us-gov:codewhisperer:us-gov-west-1:1:profile/P"), "us-gov-west-1");
  for (const bad of ["arn:aws:codewhisperer: eu-central-1 :1:profile/P", "arn:aws:codewhisperer:EU:1:profile/P", "x:aws:codewhisperer:eu-central-1:1:profile/P", "arn:aws:codewhisperer:eu-central-1"]) {
    assert.equal(profileArnRegion(bad), undefined, bad);
  }
});

test("the q generation: one host for everything, origin AI_EDITOR", () => {
  const route: KiroRoute = { generation: "q", region: "eu-central-1", profileArn: arn };
  assert.equal(chatBaseUrl(route), "https://q.eu-central-1.amazonaws.com");
  assert.equal(managementBaseUrl(route), "https://q.eu-central-1.amazonaws.com");
  assert.equal(generateAssistantResponseUrl(route), "https://q.eu-central-1.amazonaws.com/generateAssistantResponse");
  const list = new URL(listAvailableModelsUrl(route, "tok 2"));
  assert.equal(list.pathname, "/ListAvailableModels");
  assert.equal(list.searchParams.get("origin"), "AI_EDITOR");
  assert.equal(list.searchParams.get("maxResults"), "50");
  assert.equal(list.searchParams.get("profileArn"), arn);
  assert.equal(list.searchParams.get("nextToken"), "tok 2");
  const usage = new URL(usageLimitsUrl(route));
  assert.equal(usage.pathname, "/getUsageLimits");
  assert.equal(usage.searchParams.get("resourceType"), "AGENTIC_REQUEST");
  assert.equal(usage.searchParams.get("profileArn"), arn);
  const profiles = listAvailableProfilesRequest(route);
  assert.equal(profiles.url, "https://q.eu-central-1.amazonaws.com/");
  assert.equal(profiles.headers["x-amz-target"], "AmazonCodeWhispererService.ListAvailableProfiles");
  assert.equal(profiles.headers["content-type"], "application/x-amz-json-1.0");
  assert.equal(originFor("q"), "AI_EDITOR");
});

test("the runtime generation: chat on runtime.{region}.kiro.dev, the rest on management.{region}.kiro.dev, origin KIRO_CLI", () => {
  const route: KiroRoute = { generation: "runtime", region: "us-east-1", profileArn: arn };
  assert.equal(generateAssistantResponseUrl(route), "https://runtime.us-east-1.kiro.dev/generateAssistantResponse");
  const list = new URL(listAvailableModelsUrl(route));
  assert.equal(list.origin, "https://management.us-east-1.kiro.dev");
  assert.equal(list.pathname, "/List-Available-Models");
  assert.equal(list.searchParams.get("origin"), "KIRO_CLI");
  assert.equal(list.searchParams.get("profileArn"), arn);
  const usage = new URL(usageLimitsUrl(route));
  assert.equal(usage.pathname, "/Get-Usage-Limits");
  assert.equal(usage.searchParams.get("resourceType"), "CREDIT");
  assert.equal(usage.searchParams.get("origin"), "KIRO_CLI");
  assert.equal(listAvailableProfilesRequest(route).url, "https://management.us-east-1.kiro.dev/List-Available-Profiles");
  assert.equal(originFor("runtime"), "KIRO_CLI");
});

test("an endpoint override takes every call of either generation, in that generation's paths", () => {
  const q: KiroRoute = { generation: "q", region: "us-east-1", endpoint: "http://127.0.0.1:9" };
  const runtime: KiroRoute = { ...q, generation: "runtime" };
  assert.equal(generateAssistantResponseUrl(q), "http://127.0.0.1:9/generateAssistantResponse");
  assert.equal(generateAssistantResponseUrl(runtime), "http://127.0.0.1:9/generateAssistantResponse");
  assert.equal(new URL(listAvailableModelsUrl(runtime)).pathname, "/List-Available-Models");
  assert.equal(listAvailableProfilesRequest(runtime).url, "http://127.0.0.1:9/List-Available-Profiles");
  assert.equal(listAvailableProfilesRequest(q).url, "http://127.0.0.1:9/");
  assert.equal(new URL(listAvailableModelsUrl(q)).searchParams.has("profileArn"), false, "no profile: no empty parameter");
});

test("headers carry the bearer token, opt-out, agent mode, a fresh invocation id, and name kiro-pi in both user agents", () => {
  const h = kiroRequestHeaders("tok");
  assert.equal(h.authorization, "Bearer tok");
  assert.equal(h["content-type"], "application/json");
  assert.match(h["amz-sdk-invocation-id"] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(kiroRequestHeaders("tok")["amz-sdk-invocation-id"], h["amz-sdk-invocation-id"]);
  assert.equal(h["amz-sdk-request"], "attempt=1; max=3");
  assert.equal(h["x-amzn-codewhisperer-optout"], "true");
  assert.equal(h["x-amzn-kiro-agent-mode"], "vibe");
  assert.match(h["user-agent"] ?? "", /^kiro-pi\/\d+\.\d+\.\d+ ua\/2\.1 os\/\S+ lang\/js md\/nodejs#\S+ api\/codewhispererstreaming#\S+ m\/E app\/kiro-pi#\d+\.\d+\.\d+$/);
  assert.equal(h["x-amz-user-agent"], h["user-agent"]);
  assert.doesNotMatch(`${h["user-agent"]} ${h["x-amz-user-agent"]}`, /KiroIDE|AmazonQ|kiro-cli/i, "the product names itself, never another client");
  assert.equal(h["x-amzn-kiro-profile-arn"], undefined, "the profile goes in the body and query, not a header");
  assert.equal(h.tokentype, undefined);
  assert.equal(kiroRequestHeaders("tok", undefined, "EXTERNAL_IDP").tokentype, "EXTERNAL_IDP");
  assert.equal(kiroRequestHeaders("tok", { "X-Trace": "1" })["x-trace"], "1");
  assert.equal(kiroUserAgent({ platform: "linux", nodeVersion: "20.1.0" }).includes("os/linux lang/js md/nodejs#20.1.0"), true);
});
