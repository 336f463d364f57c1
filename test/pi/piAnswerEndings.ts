// pi CLI scenarios for how a Kiro answer ends (docs/kiro-protocol.md#closing-events): throttling mid-answer, cut streams, metadata stop reasons and the not-valid-JSON 400, each as `pi -p` or JSON mode shows it.
import assert from "node:assert/strict";
import { test as nodeTest } from "node:test";
import type { KiroSimulator } from "../sim/kiroSimulator";
import { HIGH_TRAFFIC_MESSAGE, cutStreamReply, errorReply, krsExceptionReply, nestedInvalidJsonReply, stopReasonReply, textReply } from "../sim/replies";
import { STACK_TRACE, lastAssistantMessage, parseJsonLines, textOf, type PiJsonMessage, type PiRunResult } from "./piHarness";

export interface AnswerEndingContext {
  sim: () => KiroSimulator;
  pi: (args: string[]) => Promise<PiRunResult>;
  describeRun: (result: PiRunResult) => string;
}

const MODEL = ["--model", "kiro/claude-sonnet-4-5"];

/** The assistant messages pi ended (a retried attempt's failed message first), from JSON mode's message_end events. */
function endedAssistantMessages(result: PiRunResult): PiJsonMessage[] {
  return parseJsonLines(result.stdout).flatMap((e) => (e.type === "message_end" && e.message?.role === "assistant" ? [e.message] : []));
}

/** `pi -p` failed visibly: a non-zero exit and the reason on stderr, never silence. */
function assertFailedAloud(result: PiRunResult, words: RegExp, describeRun: (result: PiRunResult) => string): void {
  assert.notEqual(result.code, 0, describeRun(result));
  assert.match(result.stderr, words, describeRun(result));
  assert.doesNotMatch(result.stderr, STACK_TRACE);
}

/** Registers the scenarios inside a pi version's describe block; each drops the spare replies it queued for retries pi did not make. */
export function definePiAnswerEndingTests(ctx: AnswerEndingContext): void {
  const test = (name: string, body: () => Promise<void>): void => {
    nodeTest(name, async () => {
      try {
        await body();
      } finally {
        ctx.sim().clearReplies();
      }
    });
  };

  test("a throttlingError in the middle of an answer is reported as throttling in Kiro's words, so pi's own retry answers", async () => {
    ctx.sim().reply(krsExceptionReply({ text: "Half of ", retryAfterMilliseconds: 10 }));
    ctx.sim().reply(textReply("The whole answer after waiting."));
    const result = await ctx.pi([...MODEL, "--mode", "json", "Explain"]);
    assert.equal(result.code, 0, ctx.describeRun(result));
    const ended = endedAssistantMessages(result);
    const failed = ended.find((m) => m.stopReason === "error");
    assert.ok(failed?.errorMessage?.includes(HIGH_TRAFFIC_MESSAGE), `Kiro's words reach pi:\n${ctx.describeRun(result)}`);
    assert.match(failed?.errorMessage ?? "", /rate limit/);
    assert.ok(parseJsonLines(result.stdout).some((e) => e.type === "auto_retry_start"), "pi's own retry took it as a retryable failure");
    assert.equal(textOf(lastAssistantMessage(parseJsonLines(result.stdout))), "The whole answer after waiting.");
  });

  test("an answer whose stream is cut before Kiro's closing events is never passed off as complete: pi's own retry asks again", async () => {
    ctx.sim().reply(cutStreamReply("The first half of the ans"));
    ctx.sim().reply(textReply("The complete answer."));
    const result = await ctx.pi([...MODEL, "--mode", "json", "Explain"]);
    assert.equal(result.code, 0, ctx.describeRun(result));
    const [first, last] = [endedAssistantMessages(result)[0], lastAssistantMessage(parseJsonLines(result.stdout))];
    assert.equal(first?.stopReason, "error", ctx.describeRun(result));
    assert.match(first?.errorMessage ?? "", /cut off/);
    assert.ok(parseJsonLines(result.stdout).some((e) => e.type === "auto_retry_start"), "pi retried the cut answer");
    assert.equal(textOf(last), "The complete answer.");
  });

  test("an answer Kiro stopped at MAX_TOKENS ends as a length stop with its text", async () => {
    ctx.sim().reply(stopReasonReply("Text up to the output limit.", "MAX_TOKENS"));
    const result = await ctx.pi([...MODEL, "--mode", "json", "Write a lot"]);
    assert.equal(result.code, 0, ctx.describeRun(result));
    const message = lastAssistantMessage(parseJsonLines(result.stdout));
    assert.equal(message?.stopReason, "length", ctx.describeRun(result));
    assert.equal(textOf(message), "Text up to the output limit.");
  });

  test("a content-filtered answer tells the user why and which model Kiro recommends", async () => {
    const refusal = { category: "security", explanation: "The request looks like an exploit.", recommendedModel: "claude-opus-4.8" };
    ctx.sim().reply(stopReasonReply("", "CONTENT_FILTERED", { refusal }));
    const result = await ctx.pi([...MODEL, "-p", "Write an exploit"]);
    assertFailedAloud(result, /content filter/, ctx.describeRun);
    assert.match(result.stderr, /security: The request looks like an exploit\./);
    assert.match(result.stderr, /claude-opus-4\.8/);
  });

  test("a 400 'The request body is not valid JSON' on a small conversation is not called too long, and pi -p says what Kiro said", async () => {
    ctx.sim().reply(nestedInvalidJsonReply());
    const result = await ctx.pi([...MODEL, "-p", "Hello"]);
    assertFailedAloud(result, /The request body is not valid JSON/, ctx.describeRun);
    assert.doesNotMatch(result.stderr, /context window|too long|\/compact/i);
  });

  test("a first message Kiro calls too long never ends in silence with exit code 0 in pi -p (there is nothing for pi to compact)", async () => {
    for (let i = 0; i < 4; i++) ctx.sim().reply(errorReply(400, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" }));
    const result = await ctx.pi([...MODEL, "-p", "Hello"]);
    assertFailedAloud(result, /too large.*"Input is too long\."/, ctx.describeRun);
  });

  test("a first answer Kiro stopped at MODEL_CONTEXT_WINDOW_EXCEEDED never ends in silence with exit code 0 in pi -p", async () => {
    for (let i = 0; i < 4; i++) ctx.sim().reply(stopReasonReply("Par", "MODEL_CONTEXT_WINDOW_EXCEEDED"));
    const result = await ctx.pi([...MODEL, "-p", "Hello"]);
    assertFailedAloud(result, /stopped the answer.*context window/, ctx.describeRun);
  });
}
