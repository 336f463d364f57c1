// The real Codex CLI on the window's Kiro sign-in: through the bridge's Responses route to the Kiro simulator, `codex exec` answers, runs a shell command in a tool round trip, shows Kiro's thinking as reasoning, hears an overflow as a full context window, reaches nothing off the machine, and never shows the bridge token.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultSimReply, errorReply, reasoningReply, textReply, toolUseReply } from "../sim/replies";
import { INPUT_TOO_LONG } from "../sim/validation";
import type { SimRecordedRequest, SimReply } from "../sim/kiroSimulator";
import { describeRun, type AgentRunResult } from "./claudeCodeHarness";
import { filesContaining, offlineAgentSuite, runCodex, toolResultTexts } from "./codexHarness";

/** A Kiro id as a Codex user types it; the catalog knows it as is. */
const MODEL = "claude-sonnet-4.5";

/**
 * The simulator's default answers, except that a tool result is read like a model would read a command's output:
 * Codex puts a header (chunk id, exit code) before what the command printed, so the answer quotes its last line.
 */
function readsCommandOutput(request: SimRecordedRequest, models: Parameters<typeof defaultSimReply>[1]): SimReply {
  const [first] = toolResultTexts(request);
  if (first === undefined) return defaultSimReply(request, models);
  const lines = first.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
  return textReply(`The command printed: "${lines[lines.length - 1] ?? ""}"`);
}

describe("Codex through the Kiro bridge", () => {
  const suite = offlineAgentSuite("Codex", { seed: 17, defaultReply: readsCommandOutput }, { "notes.txt": "The secret word is pelican.\n" });
  const codex = async (args: string[]): Promise<AgentRunResult> => suite.record(await runCodex(suite.window, suite.sandbox, suite.guard, MODEL, args));
  const assertKiroRulesKeptAndOffline = (): void => suite.assertKiroRulesKeptAndOffline();

  test("codex exec answers with Kiro's reply to the prompt", async () => {
    const before = suite.window.sim.generateRequests().length;
    const result = await codex(["Say hello to the Kiro bridge."]);
    assert.equal(result.code, 0, describeRun(result));
    // `codex exec` prints the last answer alone on stdout.
    assert.match(result.stdout, /You said: Say hello to the Kiro bridge\./, describeRun(result));
    const sent = suite.window.sim.generateRequests().slice(before);
    assert.equal(sent.length, 1, "one Kiro request for one answer");
    assert.match(JSON.stringify(sent[0]!.body), /"modelId":"claude-sonnet-4.5"/);
    assertKiroRulesKeptAndOffline();
  });

  test("it runs the shell command Kiro asks for, sends its output back, and answers with it", async () => {
    const before = suite.window.sim.generateRequests().length;
    suite.window.sim.reply(toolUseReply([{ name: "exec_command", input: { cmd: "cat notes.txt" } }], { text: "I'll read notes.txt." }));
    const result = await codex(["Read notes.txt and tell me the secret word."]);
    assert.equal(result.code, 0, describeRun(result));
    // Only a command Codex really ran puts the file's line into the next request, and so into the answer.
    assert.match(result.stdout, /The command printed: "The secret word is pelican\."/, describeRun(result));
    const sent = suite.window.sim.generateRequests().slice(before);
    assert.equal(sent.length, 2, "one request for the call, one with its output");
    assert.match(toolResultTexts(sent[1]!).join("\n"), /The secret word is pelican\./);
    assert.match(result.stderr, /cat notes\.txt/, "Codex shows the command it ran");
    assertKiroRulesKeptAndOffline();
  });

  test("Kiro's thinking shows as Codex's reasoning, apart from the answer", async () => {
    suite.window.sim.reply(reasoningReply("Weighing how to greet the bridge politely.", "sig-codex-1", "Hello, bridge."));
    const result = await codex(["Think, then greet."]);
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stdout, /Hello, bridge\./, describeRun(result));
    assert.doesNotMatch(result.stdout, /Weighing how to greet/, "the reasoning is not part of the answer");
    // Codex prints reasoning summaries on stderr, before the answer it labels `codex`.
    assert.match(result.stderr, /Weighing how to greet the bridge politely\.\s*\ncodex\nHello, bridge\./, describeRun(result));
    assertKiroRulesKeptAndOffline();
  });

  test("a conversation too long for Kiro reads as a full context window, not an unknown error", async () => {
    suite.window.sim.reply(errorReply(INPUT_TOO_LONG.status, INPUT_TOO_LONG.body, { "x-amzn-errortype": "ValidationException" }));
    const result = await codex(["This conversation is far too long."]);
    assert.notEqual(result.code, 0, describeRun(result));
    // Codex's own wording for `context_length_exceeded`: it recognised the failure's code, not just some text.
    assert.match(result.stderr, /Codex ran out of room in the model's context window/, describeRun(result));
    assert.equal(suite.window.sim.pendingReplies, 0, "Codex made the one request (no retry of an overflow)");
    assertKiroRulesKeptAndOffline();
  });

  test("the bridge token shows nowhere: not in Codex's output, its CODEX_HOME, nor the bridge log", () => {
    assert.ok(suite.runs.length >= 4);
    for (const run of suite.runs) assert.ok(!(run.stdout + run.stderr).includes(suite.window.bridge.token), "token in Codex's output");
    assert.deepEqual(filesContaining(suite.sandbox.home, suite.window.bridge.token), [], "token in a file Codex wrote");
    assert.ok(!suite.window.log.join("\n").includes(suite.window.bridge.token), "token in the bridge log");
  });
});
