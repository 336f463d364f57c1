// The real opencode CLI on the window's Kiro sign-in: through the bridge's Chat Completions route to the Kiro simulator, `opencode run` answers, reads a file with its read tool in a round trip, reaches nothing off the machine, and never shows or stores the bridge token.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultSimReply, textReply } from "../sim/replies";
import type { SimRecordedRequest, SimReply } from "../sim/kiroSimulator";
import { describeRun, type AgentRunResult } from "./claudeCodeHarness";
import { currentMessageContext, filesContaining, offlineAgentSuite, toolResultTexts } from "./codexHarness";
import { runOpencode } from "./opencodeHarness";

const MODEL = "claude-sonnet-4.5";

type Json = Record<string, unknown>;

function toolNames(request: SimRecordedRequest): string[] {
  return ((currentMessageContext(request).tools ?? []) as Json[]).map((tool) => String((tool.toolSpecification as Json).name));
}

/**
 * The simulator's default answers (a `read <path>` prompt calls the read tool), except that a tool result is read
 * like a model would: opencode wraps the file in its own markup and numbers the lines, so the answer quotes the
 * line that holds the text.
 */
function readsToolOutput(request: SimRecordedRequest, models: Parameters<typeof defaultSimReply>[1]): SimReply {
  const [first] = toolResultTexts(request);
  if (first === undefined) return defaultSimReply(request, models);
  const line = first.split("\n").find((candidate) => /secret word/i.test(candidate)) ?? first.split("\n")[0] ?? "";
  return textReply(`The file says: "${line.replace(/^\s*\d+[:|]\s*/, "").trim()}"`);
}

describe("opencode through the Kiro bridge", () => {
  const suite = offlineAgentSuite("opencode", { seed: 18, defaultReply: readsToolOutput }, { "notes.txt": "The secret word is pelican.\n" });
  const opencode = async (args: string[]): Promise<AgentRunResult> => suite.record(await runOpencode(suite.window, suite.sandbox, suite.guard, MODEL, args));
  const assertKiroRulesKeptAndOffline = (): void => suite.assertKiroRulesKeptAndOffline();

  test("opencode run answers with Kiro's reply to the prompt", async () => {
    const before = suite.window.sim.generateRequests().length;
    const result = await opencode(["Say hello to the Kiro bridge."]);
    assert.equal(result.code, 0, describeRun(result));
    // opencode sends the prompt in quotes.
    assert.match(result.stdout, /You said: "?Say hello to the Kiro bridge\."?/, describeRun(result));
    const sent = suite.window.sim.generateRequests().slice(before);
    // opencode asks for a session title besides the answer; both go to Kiro with the model it was given.
    assert.ok(sent.length >= 1, "at least one Kiro request");
    for (const request of sent) assert.match(JSON.stringify(request.body), /"modelId":"claude-sonnet-4.5"/);
    assert.ok(sent.some((request) => toolNames(request).length > 0), "the answering request carries opencode's tools");
    assertKiroRulesKeptAndOffline();
  });

  test("its read tool reads the file Kiro asks for, and the answer uses the file's content", async () => {
    const before = suite.window.sim.generateRequests().length;
    const result = await opencode(["read notes.txt"]);
    assert.equal(result.code, 0, describeRun(result));
    // Only a file opencode really read puts its line into the next request, and so into the answer.
    assert.match(result.stdout, /The file says: "The secret word is pelican\."/, describeRun(result));
    const sent = suite.window.sim.generateRequests().slice(before);
    const withResult = sent.filter((request) => toolResultTexts(request).length > 0);
    assert.equal(withResult.length, 1, "one request carries the read tool's result");
    assert.match(toolResultTexts(withResult[0]!).join("\n"), /The secret word is pelican\./);
    assertKiroRulesKeptAndOffline();
  });

  test("the bridge token shows nowhere: not in opencode's output, its HOME (config, database, logs), nor the bridge log", () => {
    assert.ok(suite.runs.length >= 2);
    for (const run of suite.runs) assert.ok(!(run.stdout + run.stderr).includes(suite.window.bridge.token), "token in opencode's output");
    assert.deepEqual(filesContaining(suite.sandbox.home, suite.window.bridge.token), [], "token in a file opencode wrote");
    assert.ok(!suite.window.log.join("\n").includes(suite.window.bridge.token), "token in the bridge log");
  });
});
