// Benchmark: what the VS Code bridge costs pi — time to first token, throughput and memory per streamed event through the bridge (pi's bridge client → bridge server → streamKiro) against streamKiro directly, same simulator, same run.
//
// Run by `npm run bench` after bench.ts; adds its figures to bench-results.json ({"<figure>": {value, unit, baseline, ratio}}, baseline = direct).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { findModel, toPiModel } from "../../src/kiro/catalog/models";
import { streamKiro } from "../../src/kiro/stream";
import { emptyUsage, type AssistantMessage, type AssistantMessageEvent, type Context, type Model } from "../../src/kiro/types";
import { streamViaBridge } from "../../src/pi/bridgeClient";
import { concatBytes, encodeEventFrame } from "../sim/frames";
import { startKiroSimulator, type KiroSimulator, type SimReply } from "../sim/kiroSimulator";

const MB = 1024 * 1024;
const BIG_ANSWER_BYTES = 8 * MB;
const PIECE_CHARS = 200;
const THROUGHPUT_RUNS = 5;
const FIRST_TOKEN_RUNS = 40;
/** Events in the memory run, and the one after which the heap is first measured (start-up garbage and JIT settle before it). */
const MEMORY_EVENTS = 300_000;
const MEMORY_FIRST_CHECKPOINT = 30_000;

// Heap figures need a collection right before each reading (npm run bench passes no node flags).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

interface Figure {
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
}

interface Answer {
  reply: SimReply;
  bytes: number;
  text: string;
}

/** A text answer pre-encoded once, so the simulator spends nothing on encoding while a run is timed. */
function textAnswer(targetBytes: number): Answer {
  const frames: Uint8Array[] = [encodeEventFrame("messageMetadataEvent", { conversationId: "bench-bridge", utteranceId: "bench-bridge-1" })];
  const parts: string[] = [];
  let bytes = frames[0]!.byteLength;
  for (let i = 0; i === 0 || bytes < targetBytes; i++) {
    const content = `Piece ${i}: the bridge carries every delta as one NDJSON line — "quoted", naïve café. `.padEnd(PIECE_CHARS, "x");
    const frame = encodeEventFrame("assistantResponseEvent", { content });
    parts.push(content);
    frames.push(frame);
    bytes += frame.byteLength;
  }
  frames.push(encodeEventFrame("metadataEvent", { tokenUsage: { uncachedInputTokens: 10, outputTokens: Math.round(bytes / 4), totalTokens: Math.round(bytes / 4) + 10 } }));
  const stream = concatBytes(frames);
  return { reply: { events: [{ bytes: stream }] }, bytes: stream.byteLength, text: parts.join("") };
}

const context = (): Context => ({ messages: [{ role: "user", content: "Say something long.", timestamp: 1_700_000_000_000 }] });

type StreamFunction = (model: Model) => AsyncIterable<AssistantMessageEvent>;

interface Run {
  firstTokenMs: number;
  totalMs: number;
  textChars: number;
}

async function timedRun(stream: StreamFunction, model: Model): Promise<Run> {
  const started = performance.now();
  let firstTokenMs = -1;
  let textChars = 0;
  for await (const event of stream(model)) {
    if (event.type === "text_delta") {
      if (firstTokenMs < 0) firstTokenMs = performance.now() - started;
      textChars += event.delta.length;
    }
    if (event.type === "error") throw new Error(`bench stream failed: ${event.error.errorMessage}`);
  }
  return { firstTokenMs, totalMs: performance.now() - started, textChars };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Heap in use after a full collection. */
function settledHeap(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * A long answer of small text deltas made on the fly, with one shared `partial` that does not grow, so the stream itself
 * holds no more memory at its end than at its start; whatever the heap gains while it runs is kept by its consumer.
 * Reads the heap after MEMORY_FIRST_CHECKPOINT events and again before the final event.
 */
function constantMemoryAnswer(model: Model, readings: number[]): AsyncIterable<AssistantMessageEvent> {
  const partial: AssistantMessage = { role: "assistant", content: [{ type: "text", text: "" }], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
  return (async function* () {
    yield { type: "start", partial };
    yield { type: "text_start", contentIndex: 0, partial };
    for (let i = 0; i < MEMORY_EVENTS; i++) {
      if (i === MEMORY_FIRST_CHECKPOINT) readings.push(settledHeap());
      // A real answer's deltas arrive over the network: yield to the event loop now and then as they would.
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      yield { type: "text_delta", contentIndex: 0, delta: "a few words of text ", partial };
    }
    readings.push(settledHeap());
    yield { type: "text_end", contentIndex: 0, content: "", partial };
    yield { type: "done", reason: "stop", message: partial };
  })();
}

/** Bytes the heap grew per event between the two readings. */
const perEvent = (readings: number[]): number => (readings[1]! - readings[0]!) / (MEMORY_EVENTS - MEMORY_FIRST_CHECKPOINT);

/**
 * Heap kept per streamed event while the answer runs: through the bridge server (read by a client that throws the bytes
 * away, so only the server's share is counted) against the same answer consumed directly in the same process.
 */
async function memoryPerStreamedEvent(model: Model): Promise<{ bridge: number; direct: number }> {
  const directReadings: number[] = [];
  for await (const _event of constantMemoryAnswer(model, directReadings)) {
    // consumed and dropped, as pi's agent loop does with each delta
  }
  const bridgeReadings: number[] = [];
  const bridge = await startBridgeServer({ stream: (m) => constantMemoryAnswer(m, bridgeReadings), listModels: () => [model] });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        new URL("/v1/stream", bridge.url),
        { method: "POST", headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" }, agent: false },
        (res) => {
          res.on("data", () => undefined);
          res.on("end", resolve);
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ model: model.id, context: context() }));
    });
  } finally {
    await bridge.dispose();
  }
  if (bridgeReadings.length !== 2 || directReadings.length !== 2) throw new Error("the memory run did not reach both heap readings");
  return { bridge: perEvent(bridgeReadings), direct: perEvent(directReadings) };
}

async function main(): Promise<void> {
  const figures: Record<string, Figure> = {};
  const sim: KiroSimulator = await startKiroSimulator({ chunking: "random", maxWriteBytes: 64 * 1024, seed: 77 });
  let bridge: BridgeServer | undefined;
  try {
    const info = findModel("claude-sonnet-4-5");
    if (!info) throw new Error("claude-sonnet-4-5 is not in the built-in catalog");
    const model = toPiModel(info);
    const kiroOptions = { accessToken: sim.accessToken, endpoint: sim.url, maxRetries: 0, env: {} };
    // The extension's side, as src/vscode/terminal/bridgeHost.ts sets it up: the bridge streams with streamKiro.
    bridge = await startBridgeServer({
      stream: (m, c, options) => streamKiro(m, c, { ...options, ...kiroOptions }),
      listModels: () => [model],
    });
    const config = { url: bridge.url!, token: bridge.token };
    const direct: StreamFunction = (m) => streamKiro(m, context(), kiroOptions);
    const viaBridge: StreamFunction = (m) => streamViaBridge(config, m, context());

    const small = textAnswer(1);
    const big = textAnswer(BIG_ANSWER_BYTES);
    const run = async (stream: StreamFunction, answer: Answer): Promise<Run> => {
      sim.reply(answer.reply);
      const result = await timedRun(stream, model);
      if (result.textChars !== answer.text.length) throw new Error(`a run streamed ${result.textChars} chars, expected ${answer.text.length}`);
      return result;
    };

    // Warm-up both paths (JIT, sockets), then interleave so load from other processes hits both alike.
    for (let i = 0; i < 3; i++) {
      await run(direct, small);
      await run(viaBridge, small);
    }
    const firstDirect: number[] = [];
    const firstBridge: number[] = [];
    for (let i = 0; i < FIRST_TOKEN_RUNS; i++) {
      firstDirect.push((await run(direct, small)).firstTokenMs);
      firstBridge.push((await run(viaBridge, small)).firstTokenMs);
    }
    const totalDirect: number[] = [];
    const totalBridge: number[] = [];
    await run(direct, big);
    await run(viaBridge, big);
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      totalDirect.push((await run(direct, big)).totalMs);
      totalBridge.push((await run(viaBridge, big)).totalMs);
    }

    const ttftDirect = median(firstDirect);
    const ttftBridge = median(firstBridge);
    figures["bridge: time to first token (median, small answer)"] = { value: round(ttftBridge), unit: "ms", baseline: round(ttftDirect), ratio: round(ttftBridge / ttftDirect, 3) };
    figures["bridge: added time to first token"] = { value: round(ttftBridge - ttftDirect), unit: "ms", baseline: null, ratio: null };
    const mbpsDirect = big.bytes / MB / (Math.min(...totalDirect) / 1000);
    const mbpsBridge = big.bytes / MB / (Math.min(...totalBridge) / 1000);
    figures["bridge: throughput (wire MB/s, fastest run)"] = { value: round(mbpsBridge), unit: "MB/s", baseline: round(mbpsDirect), ratio: round(mbpsBridge / mbpsDirect, 3) };
    const deltas = big.text.length / PIECE_CHARS;
    figures["bridge: text deltas per second"] = { value: Math.round(deltas / (Math.min(...totalBridge) / 1000)), unit: "deltas/s", baseline: Math.round(deltas / (Math.min(...totalDirect) / 1000)), ratio: round(mbpsBridge / mbpsDirect, 3) };
    const memory = await memoryPerStreamedEvent(model);
    // A ratio of two figures near zero says nothing; the goal is a value near the baseline's, i.e. near 0 B.
    figures["bridge: heap kept per streamed event (server)"] = { value: round(memory.bridge, 1), unit: "B/event", baseline: round(memory.direct, 1), ratio: null };
    figures[`bridge: heap growth over a ${MEMORY_EVENTS / 1000}k-event answer (server)`] = {
      value: round((memory.bridge * (MEMORY_EVENTS - MEMORY_FIRST_CHECKPOINT)) / MB, 1),
      unit: "MB",
      baseline: round((memory.direct * (MEMORY_EVENTS - MEMORY_FIRST_CHECKPOINT)) / MB, 1),
      ratio: null,
    };

    const rows = Object.entries(figures).map(([name, f]) => [name, `${f.value} ${f.unit}`, f.baseline === null ? "—" : `${f.baseline} ${f.unit}`, f.ratio === null ? "—" : String(f.ratio)]);
    const header = ["figure (baseline = streamKiro directly)", "value", "baseline", "ratio"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
    console.log(`\n${line(header)}`);
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(line(row));
    console.log(
      `\n- bridge path = pi's bridge client (src/pi/bridgeClient.ts) → bridge server on 127.0.0.1 → streamKiro → simulator; ` +
        `first token: median of ${FIRST_TOKEN_RUNS} interleaved runs; throughput: ${round(big.bytes / MB)} MB answer in ${Math.round(deltas)} deltas, fastest of ${THROUGHPUT_RUNS}; ` +
        `memory: heap after a full collection at event ${MEMORY_FIRST_CHECKPOINT / 1000}k and ${MEMORY_EVENTS / 1000}k of one answer, bridge server (client discards the bytes) vs the same answer consumed directly`,
    );
  } finally {
    await bridge?.dispose();
    await sim.close();
  }

  const file = "bench-results.json";
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, Figure>) : {};
  writeFileSync(file, `${JSON.stringify({ ...existing, ...figures }, null, 2)}\n`);
  console.log(`\nadded to: ${file}`);
}

main().catch((error: unknown) => {
  console.error(`bridge bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
