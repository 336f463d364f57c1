// pi CLI scenarios for bridge mode's trust and timing: an impostor listening at KIRO_BRIDGE_URL gets neither the token nor the conversation, and an answer the bridge delivers in one burst still ends pi's run with it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { builtInModels, findModel, streamKiro, toPiModel, type AssistantMessageEvent } from "../../src/kiro/index";
import type { KiroSimulator } from "../sim/kiroSimulator";
import { textReply, toolUseReply } from "../sim/replies";
import { sendJson, startRecordingServer } from "./fakeBridge";
import { STACK_TRACE, lastAssistantMessage, parseJsonLines, textOf, type PiRunResult } from "./piHarness";

/**
 * The VS Code side of bridge mode, in-process: a bridge streaming from the simulator with the extension's own token.
 * `allAtOnce` holds each answer back until it is complete and then hands the bridge every event in one go, so pi reads
 * the whole answer in one burst, as it does on a loaded machine.
 */
export function startSimBridge(sim: KiroSimulator, options: { allAtOnce?: boolean } = {}): Promise<BridgeServer> {
  return startBridgeServer({
    stream: (model, context, streamOptions) => {
      const answer = streamKiro(model, context, { ...streamOptions, accessToken: sim.accessToken, endpoint: sim.url, env: {} });
      if (!options.allAtOnce) return answer;
      const burst = createAssistantMessageEventStream();
      void (async () => {
        const events: AssistantMessageEvent[] = [];
        for await (const event of answer) events.push(event);
        for (const event of events) burst.push(event);
        burst.end();
      })();
      return burst;
    },
    listModels: () => builtInModels().map((info) => toPiModel(info)),
    resolveModel: (id) => {
      const info = findModel(id);
      return info ? toPiModel(info) : undefined;
    },
  });
}

export interface BridgeTrustContext {
  sim: () => KiroSimulator;
  /** pi in the sandbox whose notes.txt holds `secretLine`, with exactly these variables. */
  pi: (args: string[], env: Record<string, string>) => Promise<PiRunResult>;
  describeRun: (result: PiRunResult) => string;
  secretLine: string;
}

const TOOL_ROUND_TRIP = ["--model", "kiro/claude-sonnet-4-5", "--mode", "json", "Please read notes.txt"];

/** Registers the scenarios inside a pi version's describe block; each starts and stops its own servers. */
export function definePiBridgeTrustTests(ctx: BridgeTrustContext): void {
  test("a tool round trip whose answers reach pi in one burst each (a loaded machine) still ends with the final answer, without an extension error", async () => {
    const sim = ctx.sim();
    const bridge = await startSimBridge(sim, { allAtOnce: true });
    try {
      // Hundreds of deltas per answer: pi reads them all in one go, ahead of its own event queue.
      sim.reply(
        toolUseReply([{ name: "read", input: { path: "notes.txt" }, id: "tooluse_burst_1" }], { text: "I'll read notes.txt." }),
        textReply(`The notes say: ${ctx.secretLine} ${"That is all the file holds. ".repeat(12)}`, { pieceLength: 2 }),
      );
      const result = await ctx.pi(TOOL_ROUND_TRIP, { KIRO_BRIDGE_URL: bridge.url!, KIRO_BRIDGE_TOKEN: bridge.token });
      assert.equal(result.code, 0, ctx.describeRun(result));
      const events = parseJsonLines(result.stdout);
      assert.equal(events.find((e) => e.type === "tool_execution_end")?.toolName, "read", ctx.describeRun(result));
      assert.match(textOf(lastAssistantMessage(events)), /kumquat/, `the final answer is the run's last message\n${ctx.describeRun(result)}`);
      assert.doesNotMatch(result.stderr, /Extension error|stale/, ctx.describeRun(result));
    } finally {
      sim.clearReplies();
      await bridge.dispose();
    }
  });

  test("with KIRO_BRIDGE_URL at a server that is not the window's bridge (it took the port after a reload), pi says so and the server gets neither the token nor the prompt", async () => {
    const token = "terminal-token-from-before-the-reload-0123456789";
    // It plays the bridge as far as it can without the token: a made-up proof, a model list, and a bash call as the answer.
    const impostor = await startRecordingServer((request, res) => {
      if (request.path.startsWith("/v1/bridge-proof")) return sendJson(res, 200, { proof: "A".repeat(43) });
      if (request.path.startsWith("/v1/models")) return sendJson(res, 200, { models: [] });
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end(`${JSON.stringify({ type: "toolcall_start", contentIndex: 0, id: "t1", name: "bash" })}\n`);
    });
    try {
      const result = await ctx.pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Summarise secret-plans.md"], { KIRO_BRIDGE_URL: impostor.url, KIRO_BRIDGE_TOKEN: token });
      assert.notEqual(result.code, 0, ctx.describeRun(result));
      const output = result.stdout + result.stderr;
      assert.match(output, /The Kiro bridge at http:\/\/127\.0\.0\.1:\d+ did not prove it belongs to this VS Code window/, ctx.describeRun(result));
      assert.match(output, /neither the bridge token nor the conversation/);
      assert.match(output, /new terminal/);
      assert.doesNotMatch(output, STACK_TRACE);
      assert.doesNotMatch(output, new RegExp(token), "the token never shows");
      assert.ok(impostor.received.length > 0, "pi asked the server for the proof");
      for (const request of impostor.received) {
        assert.equal(request.path, "/v1/bridge-proof", `pi sent nothing but proof requests, got ${request.method} ${request.path}`);
        assert.doesNotMatch(JSON.stringify(request.headers), new RegExp(token), "the token is in no header");
        assert.equal(request.body, "", "no body, so no prompt");
      }
    } finally {
      await impostor.close();
    }
  });
}
