// Every Kiro failure kind reaches a VS Code user as a message naming the cause and the way out, with the right LanguageModelError code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeKiroFailure, kiroErrorKindOf, missingRequiredToolCall } from "../../src/vscode/chatErrors";
import {
  KiroError,
  abortedError,
  classifyHttpError,
  classifyStreamException,
  networkError,
  noTokenError,
  signInAgainError,
  timeoutError,
  withResetDate,
  type KiroErrorKind,
} from "../../src/kiro/errors";
import type { AssistantMessage } from "../../src/kiro/types";
import { emptyUsage } from "../../src/kiro/types";

const ctx = { modelId: "claude-sonnet-4-5", region: "us-east-1" };
const chat = { modelName: "Claude Sonnet 4.5" };

/** A failed answer as streamKiro ends one: the core's message and its kind on `message.kiro.error`. */
function failedMessage(error: KiroError): AssistantMessage {
  return {
    role: "assistant",
    content: [],
    api: "kiro-generate-assistant-response",
    provider: "kiro",
    model: "claude-sonnet-4-5",
    usage: emptyUsage(),
    stopReason: error.kind === "aborted" ? "aborted" : "error",
    errorMessage: error.userMessage,
    timestamp: 0,
    kiro: { error: { kind: error.kind, retryable: error.retryable } },
  };
}

/** One error per kind, made by the core's own constructors, so the text is what users would really see. */
const samples: [KiroErrorKind, KiroError][] = [
  ["no-token", noTokenError()],
  ["auth", signInAgainError(403)],
  ["auth", classifyHttpError(403, { message: "The bearer token included in the request is invalid." }, ctx)],
  ["suspended", classifyHttpError(403, { reason: "TEMPORARILY_SUSPENDED", message: "Account suspended" }, ctx)],
  ["quota", classifyHttpError(429, { reason: "MONTHLY_REQUEST_COUNT", message: "limit" }, ctx)],
  ["throttled", classifyHttpError(429, { message: "Rate exceeded" }, ctx)],
  ["capacity", classifyHttpError(429, { reason: "INSUFFICIENT_MODEL_CAPACITY" }, ctx)],
  ["invalid-model", classifyHttpError(400, { reason: "INVALID_MODEL_ID", message: "Invalid model" }, ctx)],
  ["too-long", classifyHttpError(400, { reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD", message: "Input is too long." }, ctx)],
  ["profile", classifyHttpError(400, { message: "profileArn is required for this request." }, { ...ctx, profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/P" })],
  ["bad-request", classifyHttpError(400, { message: "Improperly formed request." }, ctx)],
  ["server", classifyHttpError(503, { message: "unavailable" }, ctx)],
  ["server", classifyStreamException("InternalServerException", {}, ctx)],
  ["network", networkError(new Error("fetch failed"))],
  ["timeout", timeoutError("first-token", 90_000, "claude-sonnet-4-5")],
  ["timeout", timeoutError("idle", 120_000, "claude-sonnet-4-5")],
  ["aborted", abortedError()],
];

describe("kiroErrorKindOf", () => {
  it("reads the kind the core put on the failed message, never its wording", () => {
    for (const [kind, error] of samples) assert.equal(kiroErrorKindOf(failedMessage(error)), kind, error.userMessage);
    const reworded = { ...failedMessage(classifyHttpError(503, {}, ctx)), errorMessage: "quota exhausted, sign in again", kiro: { error: { kind: "server" as const, retryable: true } } };
    assert.equal(kiroErrorKindOf(reworded), "server", "text that sounds like another kind does not change it");
  });

  it("a message without a kind is 'aborted' when it was aborted and a stream failure otherwise", () => {
    assert.equal(kiroErrorKindOf({ stopReason: "aborted" }), "aborted");
    assert.equal(kiroErrorKindOf({ stopReason: "error" }), "stream");
  });
});

describe("describeKiroFailure", () => {
  it("asks to sign in, with the VS Code command, when not signed in or the token was refused", () => {
    for (const error of [noTokenError(), signInAgainError(403)]) {
      const failure = describeKiroFailure(failedMessage(error), chat);
      assert.equal(failure.code, "NoPermissions");
      assert.equal(failure.signInNeeded, true);
      assert.match(failure.message, /Kiro: Manage Models and Sign-in/);
    }
  });

  it("says the account is suspended, as Blocked", () => {
    const failure = describeKiroFailure(failedMessage(samples[3][1]), chat);
    assert.equal(failure.code, "Blocked");
    assert.match(failure.message, /suspended/);
  });

  it("names the quota and its reset date, as Blocked", () => {
    const error = withResetDate(classifyHttpError(402, { reason: "MONTHLY_REQUEST_COUNT" }, ctx), "2025-12-01");
    const failure = describeKiroFailure(failedMessage(error), chat);
    assert.equal(failure.kind, "quota");
    assert.equal(failure.code, "Blocked");
    assert.match(failure.message, /monthly request limit/);
    assert.match(failure.message, /2025-12-01/);
  });

  it("tells to pick another model and reloads the model list when Kiro refuses the model, as NotFound", () => {
    const failure = describeKiroFailure(failedMessage(samples[7][1]), chat);
    assert.equal(failure.code, "NotFound");
    assert.equal(failure.refreshModels, true);
    assert.match(failure.message, /pick another model/i);
  });

  it("tells how to shorten the context in VS Code terms, without pi's /compact advice", () => {
    const failure = describeKiroFailure(failedMessage(samples[8][1]), chat);
    assert.equal(failure.kind, "too-long");
    assert.match(failure.message, /too long/);
    assert.match(failure.message, /Start a new chat/);
    assert.doesNotMatch(failure.message, /\/compact/);
    assert.equal(failure.code, undefined);
  });

  it("suggests another model when Kiro has no capacity or throttles", () => {
    for (const error of [samples[5][1], samples[6][1]]) {
      const failure = describeKiroFailure(failedMessage(error), chat);
      assert.match(failure.message, /another Kiro model/i);
    }
  });

  it("keeps the core's message for server, network, timeout and malformed-request failures", () => {
    for (const [kind, error] of samples.filter(([k]) => ["server", "network", "timeout", "bad-request"].includes(k))) {
      const failure = describeKiroFailure(failedMessage(error), chat);
      assert.equal(failure.kind, kind);
      assert.equal(failure.message, error.userMessage);
    }
  });

  it("accepts a KiroError thrown directly and uses its kind", () => {
    const failure = describeKiroFailure(noTokenError(), chat);
    assert.equal(failure.kind, "no-token");
  });

  it("names the profile way out in VS Code terms: Change profile or kiro.profileArn", () => {
    const failure = describeKiroFailure(failedMessage(samples.find(([k]) => k === "profile")![1]), chat);
    assert.equal(failure.kind, "profile");
    assert.match(failure.message, /arn:aws:codewhisperer:us-east-1:1:profile\/P/);
    assert.match(failure.message, /Change profile/);
    assert.match(failure.message, /kiro\.profileArn/);
  });

  it("gives a message naming the cause when the stream failed without any text", () => {
    const msg = failedMessage(new KiroError("capacity", ""));
    const failure = describeKiroFailure(msg, chat);
    assert.match(failure.message, /no capacity for Claude Sonnet 4\.5/);
  });

  it("wraps an unexpected exception without losing its message", () => {
    const failure = describeKiroFailure(new TypeError("boom"), chat);
    assert.match(failure.message, /boom/);
  });

  it("explains a missing tool call in Required mode, naming the tools", () => {
    const failure = missingRequiredToolCall(chat, ["pick", "skip"]);
    assert.match(failure.message, /"pick", "skip"/);
    assert.match(failure.message, /Required/);
  });
});
