// pi CLI scenarios for what pi replays to Kiro: sessions resumed from pi's session file (`--session`; one begun on another provider, one longer than Kiro's history cap) and the modelTag echoed within a tool loop.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { KiroSimulator, SimRecordedRequest } from "../sim/kiroSimulator";
import { textReply, toolUseReply } from "../sim/replies";
import type { PiRunResult, PiSandbox } from "./piHarness";

export interface SessionHistoryContext {
  sim: () => KiroSimulator;
  sandbox: () => PiSandbox;
  /** Runs pi with the given arguments (no `--no-session`) against the simulator. */
  piWithSession: (args: string[]) => Promise<PiRunResult>;
  describeRun: (result: PiRunResult) => string;
  assertAllValid: (sim: KiroSimulator, since: number) => void;
}

interface HistoryEntry {
  userInputMessage?: { content: string; userInputMessageContext?: { toolResults?: { toolUseId: string; content: { text: string }[] }[] } };
  assistantResponseMessage?: { content: string; toolUses?: { toolUseId: string; name: string }[] };
}

function historyOf(request: SimRecordedRequest | undefined): HistoryEntry[] {
  return (request?.body as { conversationState?: { history?: HistoryEntry[] } } | undefined)?.conversationState?.history ?? [];
}

const ZERO_USAGE = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };

/** Writes a pi session file (format version 3, as pi 0.73–1.6 read it) holding `messages`, each the child of the one before. */
function writeSessionFile(path: string, cwd: string, messages: Record<string, unknown>[]): void {
  const start = Date.parse("2026-12-01T09:00:00.000Z");
  const lines = [{ type: "session", version: 3, id: "5e551011-0000-4000-8000-000000000016", timestamp: new Date(start).toISOString(), cwd }];
  let parentId: string | null = null;
  messages.forEach((message, i) => {
    const id = (0x10000000 + i).toString(16);
    lines.push({ type: "message", id, parentId, timestamp: new Date(start + i * 1000).toISOString(), message: { ...message, timestamp: start + i * 1000 } } as never);
    parentId = id;
  });
  writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
}

/** An assistant message of another provider, as pi keeps it in a session that later switches to Kiro. */
function openAiAssistant(content: Record<string, unknown>[], stopReason: "toolUse" | "stop"): Record<string, unknown> {
  return { role: "assistant", content, api: "openai-responses", provider: "openai", model: "gpt-5.2", usage: ZERO_USAGE, stopReason };
}

/** Registers the scenarios inside a pi version's describe block. */
export function definePiSessionHistoryTests(ctx: SessionHistoryContext): void {
  test("a session begun on another provider, with OpenAI's call_…|fc_… tool-call ids, continues on Kiro: ids fit Kiro's rule, results stay with their calls, in every request alike", async () => {
    const sim = ctx.sim();
    const since = sim.requests.length;
    // OpenAI's Responses ids: `call_<24>|fc_<48>`, 77 characters with a `|`, which Kiro refuses (docs/kiro-protocol.md#rule-tool-use-id).
    const readId = `call_${"R".repeat(24)}|fc_${"0123456789abcdef".repeat(3)}`;
    const listId = `call_${"L".repeat(24)}|fc_${"fedcba9876543210".repeat(3)}`;
    assert.ok(readId.length > 64 && listId.length > 64);
    const sessionFile = join(ctx.sandbox().workDir, "openai-session.jsonl");
    writeSessionFile(sessionFile, ctx.sandbox().workDir, [
      { role: "user", content: [{ type: "text", text: "Read notes.txt and list the folder." }] },
      openAiAssistant(
        [
          { type: "toolCall", id: readId, name: "read", arguments: { path: "notes.txt" } },
          { type: "toolCall", id: listId, name: "ls", arguments: { path: "." } },
        ],
        "toolUse",
      ),
      { role: "toolResult", toolCallId: readId, toolName: "read", content: [{ type: "text", text: "The secret fruit is kumquat." }], isError: false },
      { role: "toolResult", toolCallId: listId, toolName: "ls", content: [{ type: "text", text: "notes.txt\nopenai-session.jsonl" }], isError: false },
      openAiAssistant([{ type: "text", text: "The notes name a fruit; the folder holds two files." }], "stop"),
    ]);

    sim.reply(textReply("Kumquat, read earlier."));
    const first = await ctx.piWithSession(["--session", sessionFile, "--model", "kiro/claude-sonnet-4-5", "-p", "Which fruit was it?"]);
    assert.equal(first.code, 0, ctx.describeRun(first));
    assert.equal(first.stdout.trim(), "Kumquat, read earlier.");
    sim.reply(textReply("Still kumquat."));
    const second = await ctx.piWithSession(["--session", sessionFile, "--model", "kiro/claude-sonnet-4-5", "-p", "And again?"]);
    assert.equal(second.code, 0, ctx.describeRun(second));
    assert.equal(second.stdout.trim(), "Still kumquat.");

    const requests = sim.generateRequests().slice(-2);
    assert.equal(requests.length, 2);
    ctx.assertAllValid(sim, since);
    const wireIds = requests.map((request) => {
      const history = historyOf(request);
      const callsAt = history.findIndex((entry) => (entry.assistantResponseMessage?.toolUses?.length ?? 0) > 0);
      assert.ok(callsAt >= 0, `the OpenAI tool calls reach Kiro as tool uses:\n${JSON.stringify(history).slice(0, 2000)}`);
      const uses = history[callsAt]!.assistantResponseMessage!.toolUses!;
      for (const use of uses) assert.match(use.toolUseId, /^[A-Za-z0-9_-]{1,64}$/, `wire id ${use.toolUseId}`);
      const results = history[callsAt + 1]?.userInputMessage?.userInputMessageContext?.toolResults ?? [];
      // Each result answers its own call in the very next user turn: read's text goes with read's id, ls's with ls's.
      const byName = new Map(uses.map((use) => [use.name, use.toolUseId]));
      const resultFor = (name: string) => results.find((r) => r.toolUseId === byName.get(name))?.content.map((c) => c.text).join("");
      assert.equal(resultFor("read"), "The secret fruit is kumquat.");
      assert.equal(resultFor("ls"), "notes.txt\nopenai-session.jsonl");
      return uses.map((use) => use.toolUseId);
    });
    assert.deepEqual(wireIds[1], wireIds[0], "the same call has the same wire id in both requests of the session");
  });

  test("a session longer than Kiro's 198 history entries keeps its early context: the oldest exchanges reach Kiro folded into readable text, none dropped", async () => {
    const sim = ctx.sim();
    const since = sim.requests.length;
    const exchanges = 120;
    const messages: Record<string, unknown>[] = [];
    for (let i = 0; i < exchanges; i++) {
      const id = `toolu_session_${i}`;
      messages.push(
        { role: "user", content: [{ type: "text", text: `Question ${i}: what does box ${i} hold?` }] },
        {
          role: "assistant",
          content: [{ type: "toolCall", id, name: "read", arguments: { path: `box${i}.txt` } }],
          api: "kiro-generate-assistant-response",
          provider: "kiro",
          model: "claude-sonnet-4-5",
          usage: ZERO_USAGE,
          stopReason: "toolUse",
        },
        { role: "toolResult", toolCallId: id, toolName: "read", content: [{ type: "text", text: `Box ${i} holds marble-${i * 7 + 3}.` }], isError: false },
        {
          role: "assistant",
          content: [{ type: "text", text: `Box ${i} holds marble number ${i * 7 + 3}.` }],
          api: "kiro-generate-assistant-response",
          provider: "kiro",
          model: "claude-sonnet-4-5",
          usage: ZERO_USAGE,
          stopReason: "stop",
        },
      );
    }
    const sessionFile = join(ctx.sandbox().workDir, "long-session.jsonl");
    writeSessionFile(sessionFile, ctx.sandbox().workDir, messages);
    assert.ok(readFileSync(sessionFile, "utf8").split("\n").length > 4 * exchanges);

    sim.reply(textReply("Box 0 held marble-3."));
    const result = await ctx.piWithSession(["--session", sessionFile, "--model", "kiro/claude-sonnet-4-5", "-p", "What did the very first box hold?"]);
    assert.equal(result.code, 0, ctx.describeRun(result));
    assert.equal(result.stdout.trim(), "Box 0 held marble-3.");
    const request = sim.generateRequests().at(-1);
    ctx.assertAllValid(sim, since);
    const history = historyOf(request);
    assert.ok(history.length <= 198, `history of ${history.length} entries`);
    const text = JSON.stringify(history);
    // Every exchange reaches Kiro: the first question, its tool call and result, and the answers up to the last one.
    for (const piece of ["Question 0: what does box 0 hold?", "Box 0 holds marble-3.", "box0.txt", "Box 0 holds marble number 3.", `Box ${exchanges - 1} holds marble number ${(exchanges - 1) * 7 + 3}.`]) {
      assert.ok(text.includes(piece), `"${piece}" did not reach Kiro`);
    }
    assert.doesNotMatch(text, /dropped to keep the request within/, "no exchange was dropped");
    assert.match(history[0]?.userInputMessage?.content ?? "", /Earlier part of this conversation, kept as text/, "the oldest exchanges are folded into a transcript");
  });

  test("the modelTag Kiro sends with an answer comes back on that answer when pi's tool loop asks again", async () => {
    const sim = ctx.sim();
    const since = sim.requests.length;
    sim.reply(toolUseReply([{ name: "read", input: { path: "notes.txt" } }], { text: "Reading the notes.", modelTag: "sim-tag-sonnet-4.5" }), textReply("The fruit is kumquat."));
    const result = await ctx.piWithSession(["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Read notes.txt"]);
    assert.equal(result.code, 0, ctx.describeRun(result));
    assert.equal(result.stdout.trim(), "The fruit is kumquat.");
    const requests = sim.generateRequests().slice(-2);
    ctx.assertAllValid(sim, since);
    const replayed = historyOf(requests[1]).find((entry) => entry.assistantResponseMessage?.content.includes("Reading the notes."));
    assert.equal((replayed?.assistantResponseMessage as { modelTag?: string } | undefined)?.modelTag, "sim-tag-sonnet-4.5", JSON.stringify(historyOf(requests[1])).slice(0, 1500));
  });
}
