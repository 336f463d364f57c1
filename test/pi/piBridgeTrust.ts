// pi CLI scenarios for bridge mode's trust and timing: an impostor listening at KIRO_BRIDGE_URL gets neither the token nor the conversation, and an answer the bridge delivers in one burst still ends pi's run with it.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { createAssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { builtInModels, findModel, streamKiro, toPiModel, type AssistantMessageEvent } from "../../src/kiro/index";
import type { KiroSimulator } from "../sim/kiroSimulator";
import { textReply, toolUseReply } from "../sim/replies";
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
}

/** What a server at KIRO_BRIDGE_URL received: every request's method, path, headers and body. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server that answers every request with `answer`, and records it; for the impostor scenarios. */
export async function startRecordingServer(answer: (request: ReceivedRequest) => { status: number; body: string }): Promise<{ url: string; received: ReceivedRequest[]; close(): Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(request);
      const { status, body } = answer(request);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
