// Tests for endpoint resolution (regions, profile ARNs, env overrides), operation URLs and request headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  apiRegionFor,
  generateAssistantResponseUrl,
  kiroRequestHeaders,
  listAvailableModelsUrl,
  resolveEndpoint,
  usageLimitsUrl,
} from "../../src/kiro/endpoints";

const noEnv = {};

test("defaults to us-east-1 on the q host when nothing is configured", () => {
  assert.deepEqual(resolveEndpoint({ env: noEnv }), { region: "us-east-1", baseUrl: "https://q.us-east-1.amazonaws.com" });
});

test("eu-central-1 is served from its own host", () => {
  assert.equal(resolveEndpoint({ region: "eu-central-1", env: noEnv }).baseUrl, "https://q.eu-central-1.amazonaws.com");
});

test("Identity Center regions map to the API region that serves them", () => {
  assert.equal(apiRegionFor("us-west-2"), "us-east-1");
  assert.equal(apiRegionFor("ap-southeast-2"), "us-east-1");
  assert.equal(apiRegionFor("ca-central-1"), "us-east-1");
  assert.equal(apiRegionFor("eu-west-1"), "eu-central-1");
  assert.equal(apiRegionFor("eu-north-1"), "eu-central-1");
  assert.equal(apiRegionFor(undefined), "us-east-1");
  assert.equal(resolveEndpoint({ region: "eu-west-3", env: noEnv }).region, "eu-central-1");
});

test("a profile ARN's region picks the API region over the configured one", () => {
  const arn = "arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABCDEF";
  const e = resolveEndpoint({ region: "us-east-1", profileArn: arn, env: noEnv });
  assert.equal(e.region, "eu-central-1");
  assert.equal(e.baseUrl, "https://q.eu-central-1.amazonaws.com");
  assert.equal(e.profileArn, arn);
});

test("KIRO_REGION, KIRO_ENDPOINT and KIRO_PROFILE_ARN come from env when options do not give them", () => {
  const env = {
    KIRO_REGION: "eu-central-1",
    KIRO_ENDPOINT: "http://127.0.0.1:4567/",
    KIRO_PROFILE_ARN: "arn:aws:codewhisperer:eu-central-1:1:profile/P",
  };
  assert.deepEqual(resolveEndpoint({ env }), {
    region: "eu-central-1",
    baseUrl: "http://127.0.0.1:4567",
    profileArn: "arn:aws:codewhisperer:eu-central-1:1:profile/P",
  });
  const fromOptions = resolveEndpoint({ region: "us-east-1", endpoint: "http://127.0.0.1:9/base//", profileArn: "", env: { ...env, KIRO_PROFILE_ARN: undefined } });
  assert.equal(fromOptions.region, "us-east-1");
  assert.equal(fromOptions.baseUrl, "http://127.0.0.1:9/base");
  assert.equal(fromOptions.profileArn, undefined);
});

test("operation URLs carry the documented query parameters", () => {
  const e = resolveEndpoint({ endpoint: "http://127.0.0.1:1", profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/X", env: noEnv });
  assert.equal(generateAssistantResponseUrl(e), "http://127.0.0.1:1/generateAssistantResponse");
  const list = new URL(listAvailableModelsUrl(e, "tok 2"));
  assert.equal(list.pathname, "/ListAvailableModels");
  assert.equal(list.searchParams.get("origin"), "AI_EDITOR");
  assert.equal(list.searchParams.get("maxResults"), "50");
  assert.equal(list.searchParams.get("profileArn"), "arn:aws:codewhisperer:us-east-1:1:profile/X");
  assert.equal(list.searchParams.get("nextToken"), "tok 2");
  const usage = new URL(usageLimitsUrl(e));
  assert.equal(usage.pathname, "/getUsageLimits");
  assert.equal(usage.searchParams.get("resourceType"), "AGENTIC_REQUEST");
  assert.equal(usage.searchParams.get("isEmailRequired"), "true");
  assert.equal(new URL(listAvailableModelsUrl(resolveEndpoint({ env: noEnv }))).searchParams.has("profileArn"), false);
});

test("headers carry the bearer token, opt-out, agent mode, a fresh invocation id and the profile ARN when known", () => {
  const e = resolveEndpoint({ profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/X", env: noEnv });
  const h = kiroRequestHeaders("tok", e);
  assert.equal(h.authorization, "Bearer tok");
  assert.equal(h["content-type"], "application/json");
  assert.match(h["amz-sdk-invocation-id"] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(kiroRequestHeaders("tok", e)["amz-sdk-invocation-id"], h["amz-sdk-invocation-id"]);
  assert.equal(h["amz-sdk-request"], "attempt=1; max=3");
  assert.equal(h["x-amzn-codewhisperer-optout"], "true");
  assert.equal(h["x-amzn-kiro-agent-mode"], "vibe");
  assert.match(h["user-agent"] ?? "", /^kiro-pi\/\d+\.\d+\.\d+/);
  assert.equal(h["x-amzn-kiro-profile-arn"], "arn:aws:codewhisperer:us-east-1:1:profile/X");
  assert.equal(kiroRequestHeaders("tok", resolveEndpoint({ env: noEnv }))["x-amzn-kiro-profile-arn"], undefined);
  assert.equal(kiroRequestHeaders("tok", e, { "X-Trace": "1" })["x-trace"], "1");
});
