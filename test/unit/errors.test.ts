// Error classification (docs/kiro-protocol.md#errors): kinds and facts as the service writes its answers, host-neutral wording, secret scrubbing, and retry timing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  classifyHttpError,
  classifyStreamException,
  isMissingHost,
  networkError,
  noTokenError,
  parseServiceErrorBody,
  scrubSecrets,
  withResetDate,
  type ErrorContext,
} from "../../src/kiro/errors";
import { parseRetryAfter, retryDelayMs, sleep } from "../../src/kiro/service/retry";

const ctx: ErrorContext = { modelId: "claude-opus-4-5", region: "us-east-1", alternativeModelId: "claude-sonnet-4-5" };

function http(status: number, body: unknown, errorType?: string) {
  return classifyHttpError(status, parseServiceErrorBody(typeof body === "string" ? body : JSON.stringify(body), errorType), ctx);
}

describe("classifyHttpError", () => {
  it("treats 403 bearer-invalid as an auth problem that asks to sign in again, leaving the how to each host", () => {
    const error = http(403, { message: "The bearer token included in the request is invalid." });
    assert.equal(error.kind, "auth");
    assert.equal(error.retryable, false);
    assert.match(error.message, /Sign in again\.$/);
    assert.doesNotMatch(error.message, /Kiro: Sign In|KIRO_ACCESS_TOKEN|\/login/, "no host's command in the core's words");
    assert.equal(http(403, { message: "Invalid token" }).kind, "auth", "the management host's wording");
  });

  it("recognises a refused or missing profile as a profile problem, not an expired token", () => {
    const required = http(400, { message: "profileArn is required for this request.", __type: "ValidationException" });
    assert.equal(required.kind, "profile");
    const foreign = classifyHttpError(403, { message: "User is not authorized to make this call." }, { ...ctx, profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/X" });
    assert.equal(foreign.kind, "profile");
    assert.equal(foreign.profileArn, "arn:aws:codewhisperer:us-east-1:1:profile/X");
    assert.match(foreign.message, /profile arn:aws:codewhisperer:us-east-1:1:profile\/X/);
  });

  it("says plainly that a suspended account is suspended and does not retry", () => {
    const error = http(403, { message: "Your account is temporarily suspended", reason: "TEMPORARILY_SUSPENDED" });
    assert.equal(error.kind, "suspended");
    assert.equal(error.retryable, false);
    assert.match(error.message, /account is temporarily suspended/);
  });

  for (const [status, reason, words] of [
    [400, "MONTHLY_REQUEST_COUNT", /monthly request limit/],
    [402, "MONTHLY_REQUEST_COUNT", /monthly request limit/],
    [429, "DAILY_REQUEST_COUNT", /daily request limit/],
    [429, "OVERAGE_REQUEST_LIMIT_EXCEEDED", /overage limit/],
    [429, "CONVERSATION_LIMIT_EXCEEDED", /conversation limit/],
  ] as const) {
    it(`reports ${status} ${reason} as an exhausted quota without retry`, () => {
      const error = http(status, { message: "limit reached", reason });
      assert.equal(error.kind, "quota");
      assert.equal(error.retryable, false);
      assert.equal(error.reason, reason);
      assert.match(error.message, /quota exhausted/);
      assert.match(error.message, words);
    });
  }

  it("finds a quota reason anywhere in the body, whatever the status, also in nested error bodies", () => {
    assert.equal(http(400, { message: "You have reached the limit (MONTHLY_REQUEST_COUNT)." }).kind, "quota");
    assert.equal(http(403, { error: { message: "limit", reason: "DAILY_REQUEST_COUNT" } }).kind, "quota");
    assert.equal(http(500, '{"__type":"ServiceQuotaExceededException","detail":"MONTHLY_REQUEST_COUNT"}').kind, "quota");
  });

  it("reads nested {error:{message}} bodies and lets the x-amzn-errortype header win over the body's __type", () => {
    const nested = parseServiceErrorBody(JSON.stringify({ error: { message: "Model is overloaded", type: "overloaded_error" } }));
    assert.equal(nested.message, "Model is overloaded");
    assert.equal(nested.type, "overloaded_error");
    const both = parseServiceErrorBody(JSON.stringify({ __type: "com.amazon#ValidationException", message: "x" }), "ThrottlingException:http://internal");
    assert.equal(both.type, "ThrottlingException");
    assert.equal(parseServiceErrorBody(JSON.stringify({ __type: "com.amazon#ValidationException" })).type, "ValidationException");
  });

  it("adds the reset date to a quota message once known", () => {
    const error = withResetDate(http(402, { reason: "MONTHLY_REQUEST_COUNT" }), "2026-08-01");
    assert.equal(error.resetDate, "2026-08-01");
    assert.match(error.message, /It resets on 2026-08-01/);
  });

  it("retries model capacity and throttling 429s", () => {
    const capacity = http(429, { message: "busy", reason: "INSUFFICIENT_MODEL_CAPACITY" });
    assert.equal(capacity.kind, "capacity");
    assert.equal(capacity.retryable, true);
    assert.match(capacity.message, /claude-opus-4-5/);
    const throttled = http(429, { message: "Rate exceeded" }, "ThrottlingException:http://internal");
    assert.equal(throttled.kind, "throttled");
    assert.equal(throttled.retryable, true);
  });

  it("retries 5xx and 408", () => {
    for (const status of [500, 502, 503, 504, 408]) {
      const error = http(status, "<html>gateway</html>");
      assert.equal(error.kind, "server", String(status));
      assert.equal(error.retryable, true, String(status));
    }
  });

  it("names the model and suggests another for INVALID_MODEL_ID", () => {
    const error = http(400, { message: "Invalid model. Please select a different model to continue.", reason: "INVALID_MODEL_ID" });
    assert.equal(error.kind, "invalid-model");
    assert.match(error.message, /"claude-opus-4-5"/);
    assert.match(error.message, /"claude-sonnet-4-5"/);
    assert.match(error.message, /us-east-1/);
  });

  it("treats too-long answers and 'The request body is not valid JSON.' near the model's window as a context that is too long, in pi's overflow words", () => {
    const bodies = [
      { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" },
      { message: "Input is too long." },
      { message: "Prompt is too long", reason: "PROMPT_TOO_LONG" },
    ];
    const nearWindow = classifyHttpError(400, parseServiceErrorBody(JSON.stringify({ error: { message: "The request body is not valid JSON" } })), { ...ctx, estimatedInputTokens: 190_000, contextWindow: 200_000 });
    assert.equal(nearWindow.kind, "too-long");
    for (const body of bodies) {
      const error = http(400, body);
      assert.equal(error.kind, "too-long", JSON.stringify(body));
      assert.equal(error.retryable, false);
      assert.match(error.message, /exceeds the context window/);
    }
  });

  it("does not claim an improperly formed request is certainly kiro-pi's bug", () => {
    const error = http(400, { message: "Improperly formed request.", reason: null });
    assert.equal(error.kind, "bad-request");
    assert.doesNotMatch(error.message, /bug in kiro-pi/);
    assert.match(error.message, /without saying which part/);
    assert.match(error.message, /new conversation/);
    const unknown = http(400, { message: "Something new" });
    assert.equal(unknown.kind, "bad-request");
    assert.equal(unknown.message, "Kiro rejected the request (400: Something new).");
  });

  it("never repeats a token the server echoed back", () => {
    const secret = "aoaAAAAAGhZsecret-token-value";
    const error = classifyHttpError(
      400,
      parseServiceErrorBody(JSON.stringify({ message: `bad header Authorization: Bearer ${secret}` })),
      { ...ctx, secrets: [secret] },
    );
    assert.doesNotMatch(error.message, /secret-token-value/);
    assert.equal(scrubSecrets(`token=${secret}`, [secret]), "token=[redacted]");
    assert.equal(scrubSecrets("Authorization: Bearer abcdefghijklmnop"), "Authorization: Bearer [redacted]");
  });
});

describe("classifyStreamException", () => {
  it("maps the older exception frames to named errors", () => {
    assert.equal(classifyStreamException("ThrottlingException", { message: "x" }, ctx).kind, "throttled");
    assert.equal(classifyStreamException("InternalServerException", {}, ctx).kind, "server");
    assert.equal(classifyStreamException("ValidationException", { message: "Input is too long." }, ctx).kind, "too-long");
    assert.equal(classifyStreamException("ServiceQuotaExceededException", { reason: "MONTHLY_REQUEST_COUNT" }, ctx).kind, "quota");
    const unknown = classifyStreamException("WeirdException", { message: "odd" }, ctx);
    assert.equal(unknown.kind, "stream");
    assert.match(unknown.message, /WeirdException: odd/);
    assert.equal(unknown.retryable, false);
  });

  it("classifies the Kiro Runtime Service's exception names, namespaced or not, and keeps Kiro's own words", () => {
    const throttled = classifyStreamException(
      "throttlingError",
      parseServiceErrorBody(JSON.stringify({ message: "I am experiencing high traffic, please try again shortly.", reason: "USER_REQUEST_RATE_EXCEEDED", retryAfterMilliseconds: 1500, __type: "com.amazon.kiro.runtimeservice#throttlingError" })),
      ctx,
    );
    assert.equal(throttled.kind, "throttled");
    assert.equal(throttled.retryable, true);
    assert.equal(throttled.retryAfterMs, 1500);
    assert.equal(throttled.reason, "USER_REQUEST_RATE_EXCEEDED");
    assert.match(throttled.message, /I am experiencing high traffic, please try again shortly\./);
    assert.match(throttled.message, /rate limit/, "the words pi's own retry looks for");
    const fromType = classifyStreamException("", parseServiceErrorBody(JSON.stringify({ message: "slow down", __type: "com.amazon.kiro.runtimeservice#throttlingError" })), ctx);
    assert.equal(fromType.kind, "throttled", "the namespaced __type alone names it");
    const unavailable = classifyStreamException("serviceUnavailableError", { message: "Model unavailable", reason: "MODEL_TEMPORARILY_UNAVAILABLE" }, ctx);
    assert.equal(unavailable.kind, "capacity");
    assert.equal(unavailable.retryable, true);
    assert.equal(classifyStreamException("serviceUnavailableError", { message: "down" }, ctx).kind, "server");
    const invalid = classifyStreamException("validationError", { message: "Tool use mismatch", reason: "TOOL_USE_RESULT_MISMATCH" }, ctx);
    assert.equal(invalid.kind, "bad-request");
    assert.match(invalid.message, /TOOL_USE_RESULT_MISMATCH: Tool use mismatch/);
    const internal = classifyStreamException("error", { message: "Encountered an unexpected error" }, ctx);
    assert.equal(internal.kind, "server");
    assert.match(internal.message, /Encountered an unexpected error/);
    const credit = classifyStreamException("throttlingError", { message: "Credits used too fast s3cret-token-value", reason: "CREDIT_CONSUMPTION_RATE_EXCEEDED" }, { ...ctx, secrets: ["s3cret-token-value"] });
    assert.equal(credit.kind, "throttled");
    assert.doesNotMatch(credit.message, /s3cret-token-value/);
  });
});

describe("not valid JSON", () => {
  it("is Kiro's own failure, in its words, when the conversation is far below the model's window", () => {
    const error = classifyHttpError(400, parseServiceErrorBody(JSON.stringify({ error: { message: "The request body is not valid JSON" } })), { ...ctx, estimatedInputTokens: 1_200, contextWindow: 200_000 });
    assert.equal(error.kind, "bad-request");
    assert.doesNotMatch(error.message, /context window|too long/i);
    assert.match(error.message, /The request body is not valid JSON/);
    assert.match(error.message, /not a length problem/);
  });
});

describe("other errors", () => {
  it("says plainly that nobody is signed in, leaving how to sign in to the host", () => {
    const error = noTokenError();
    assert.equal(error.kind, "no-token");
    assert.equal(error.message, "Not signed in to Kiro.");
  });

  it("describes a connection failure with its code and marks it retryable", () => {
    const cause = new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
    const error = networkError(cause);
    assert.equal(error.kind, "network");
    assert.equal(error.retryable, true);
    assert.match(error.message, /ECONNRESET/);
    assert.equal(error.code, "ECONNRESET");
  });

  it("tells a missing host (DNS, 404, 410) apart from other failures, for the host-generation fallback", () => {
    const dns = networkError(new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND runtime.us-east-1.kiro.dev"), { code: "ENOTFOUND" }) }));
    assert.equal(isMissingHost(dns), true);
    assert.equal(isMissingHost(http(404, "Not Found")), true);
    assert.equal(isMissingHost(http(410, "Gone")), true);
    assert.equal(isMissingHost(http(403, { message: "Invalid token" })), false);
    assert.equal(isMissingHost(networkError(new TypeError("fetch failed", { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) }))), false);
  });
});

describe("retry timing", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    assert.equal(parseRetryAfter("3"), 3000);
    assert.equal(parseRetryAfter("0.5"), 500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now), 10_000);
    assert.equal(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it("backs off exponentially with jitter, capped, and lets Retry-After win", () => {
    const timing = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(retryDelayMs(0, { ...timing, random: () => 0 }), 50);
    assert.equal(retryDelayMs(0, { ...timing, random: () => 1 }), 100);
    assert.equal(retryDelayMs(2, { ...timing, random: () => 1 }), 400);
    assert.equal(retryDelayMs(10, { ...timing, random: () => 1 }), 1000);
    assert.equal(retryDelayMs(0, timing, 2500), 2500);
  });

  it("stops sleeping with an aborted error when the signal fires", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(pending, (error: Error & { kind?: string }) => error.kind === "aborted");
    await assert.rejects(sleep(10, AbortSignal.abort()), /aborted/);
  });
});
