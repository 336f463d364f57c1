// The clients the bridge bench times, run in the bench's own process or in its client process alike: streamKiro directly, pi's bridge client, an agent route's SSE reader, and a bare Node HTTP request (the machine's own floor).
import { request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { findModel, toPiModel } from "../../src/kiro/catalog/models";
import { streamKiro } from "../../src/kiro/stream";
import type { AssistantMessageEvent, Context, Model } from "../../src/kiro/types";
import { streamViaBridge, type BridgeConfig } from "../../src/pi/bridgeClient";
import { AGENT_ROUTES, streamRoute } from "./benchRoutes";

/** Where one timed answer comes from. Plain data, so the bench's process can send it to its client process. */
export type PathTarget =
  | { kind: "direct"; kiro: { accessToken: string; endpoint: string } }
  | { kind: "pi"; bridge: BridgeConfig }
  | { kind: "route"; bridge: BridgeConfig; route: string }
  /** A Node HTTP server that answers at once with one small chunk: what one loopback request costs on this machine. */
  | { kind: "bare"; url: string };

export interface Run {
  firstTokenMs: number;
  totalMs: number;
  /** Text characters streamed (bytes for the bare server). */
  textChars: number;
}

export const BENCH_PROMPT = "Say something long.";

export function benchModel(): Model {
  const info = findModel("claude-sonnet-4-5");
  if (!info) throw new Error("claude-sonnet-4-5 is not in the built-in catalog");
  return toPiModel(info);
}

export const benchContext = (): Context => ({ messages: [{ role: "user", content: BENCH_PROMPT, timestamp: 1_700_000_000_000 }] });

/** Consumes a pi event stream as pi's agent loop does, timing the first text delta and the end. */
export async function timedRun(stream: AsyncIterable<AssistantMessageEvent>): Promise<Run> {
  const started = performance.now();
  let firstTokenMs = -1;
  let textChars = 0;
  for await (const event of stream) {
    if (event.type === "text_delta") {
      if (firstTokenMs < 0) firstTokenMs = performance.now() - started;
      textChars += event.delta.length;
    }
    if (event.type === "error") throw new Error(`bench stream failed: ${event.error.errorMessage}`);
  }
  return { firstTokenMs, totalMs: performance.now() - started, textChars };
}

function bareRequest(url: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent: false }, (res) => {
      let firstTokenMs = -1;
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        if (firstTokenMs < 0) firstTokenMs = performance.now() - started;
        bytes += chunk.length;
      });
      res.on("end", () => resolve({ firstTokenMs, totalMs: performance.now() - started, textChars: bytes }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify({ prompt: BENCH_PROMPT }));
  });
}

/** One timed answer from the target, read the way its real client reads it. */
export function runTarget(target: PathTarget): Promise<Run> {
  const model = benchModel();
  switch (target.kind) {
    case "direct":
      return timedRun(streamKiro(model, benchContext(), { ...target.kiro, maxRetries: 0, env: {} }));
    case "pi":
      return timedRun(streamViaBridge(target.bridge, model, benchContext()));
    case "route": {
      const route = AGENT_ROUTES.find((candidate) => candidate.name === target.route);
      if (!route) throw new Error(`no bench route ${target.route}`);
      return streamRoute(target.bridge, route, model.id, BENCH_PROMPT);
    }
    case "bare":
      return bareRequest(target.url);
  }
}
