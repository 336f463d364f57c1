// Benchmark: what the VS Code bridge costs each client — time to first token, throughput, CPU time and heap per streamed event through every streaming route (pi's /v1/stream, /v1/messages, /v1/chat/completions, /v1/responses) against streamKiro directly, and each route with gathered writes against one write per event, same simulator, same run.
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
import { AGENT_ROUTES, streamRoute } from "./benchRoutes";

const MB = 1024 * 1024;
const BIG_ANSWER_BYTES = 8 * MB;
const PIECE_CHARS = 200;
const THROUGHPUT_RUNS = 5;
const FIRST_TOKEN_RUNS = 40;
/** Events in the memory run, and the one after which the heap is first measured (start-up garbage and JIT settle before it). */
const MEMORY_EVENTS = 300_000;
const MEMORY_FIRST_CHECKPOINT = 30_000;
/** The label of a path through the bridge that writes every event on its own (`coalesceWrites: false`). */
const PER_EVENT = " (one write per event)";

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

/** Reads one answer from a bridge as a client that throws the bytes away (so only the server's share of the heap counts). */
type DiscardingClient = (bridge: { url: string; token: string }, model: Model) => Promise<void>;

/** pi's route, read raw (pi's own client would parse it; here only the server is measured). */
const discardPiStream: DiscardingClient = (bridge, model) =>
  new Promise<void>((resolve, reject) => {
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

/** Heap kept per streamed event by the answer consumed directly in this process: the baseline of every route. */
async function directMemoryPerEvent(model: Model): Promise<number> {
  const readings: number[] = [];
  for await (const _event of constantMemoryAnswer(model, readings)) {
    // consumed and dropped, as pi's agent loop does with each delta
  }
  if (readings.length !== 2) throw new Error("the direct memory run did not reach both heap readings");
  return perEvent(readings);
}

/** Heap kept per streamed event while the answer runs through one route of a bridge server. */
async function bridgeMemoryPerEvent(model: Model, client: DiscardingClient): Promise<number> {
  const readings: number[] = [];
  const bridge = await startBridgeServer({ stream: (m) => constantMemoryAnswer(m, readings), listModels: () => [model] });
  try {
    await client({ url: bridge.url!, token: bridge.token }, model);
  } finally {
    await bridge.dispose();
  }
  if (readings.length !== 2) throw new Error("the bridge memory run did not reach both heap readings");
  return perEvent(readings);
}

/** One way to get an answer: streamKiro directly, or a route of the bridge with its client. */
interface StreamPath {
  name: string;
  run(answer: Answer): Promise<Run>;
  /** Undefined for the direct path. */
  discard?: DiscardingClient;
}

async function main(): Promise<void> {
  const figures: Record<string, Figure> = {};
  const sim: KiroSimulator = await startKiroSimulator({ chunking: "random", maxWriteBytes: 64 * 1024, seed: 77 });
  let bridge: BridgeServer | undefined;
  let perEventBridge: BridgeServer | undefined;
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
    // The same bridge writing each event on its own, so what gathering a turn's events into one write gains is measured in this run.
    perEventBridge = await startBridgeServer({
      stream: (m, c, options) => streamKiro(m, c, { ...options, ...kiroOptions }),
      listModels: () => [model],
      coalesceWrites: false,
    });
    const perEventConfig = { url: perEventBridge.url!, token: perEventBridge.token };
    const prompt = "Say something long.";
    const direct: StreamFunction = (m) => streamKiro(m, context(), kiroOptions);
    const viaPi: StreamFunction = (m) => streamViaBridge(config, m, context());

    const small = textAnswer(1);
    const big = textAnswer(BIG_ANSWER_BYTES);
    const checked = (answer: Answer, result: Run): Run => {
      if (result.textChars !== answer.text.length) throw new Error(`a run streamed ${result.textChars} chars, expected ${answer.text.length}`);
      return result;
    };
    const directPath: StreamPath = { name: "direct", run: async (answer) => (sim.reply(answer.reply), checked(answer, await timedRun(direct, model))) };
    const bridgePaths: StreamPath[] = [
      { name: "/v1/stream (pi)", run: async (answer) => (sim.reply(answer.reply), checked(answer, await timedRun(viaPi, model))), discard: discardPiStream },
      ...AGENT_ROUTES.map(
        (route): StreamPath => ({
          name: route.name,
          run: async (answer) => (sim.reply(answer.reply), checked(answer, await streamRoute(config, route, model.id, prompt))),
          discard: async (server, m) => void (await streamRoute(server, route, m.id, prompt, { discard: true })),
        }),
      ),
    ];
    const perEventPaths: StreamPath[] = [
      { name: `/v1/stream (pi)${PER_EVENT}`, run: async (answer) => (sim.reply(answer.reply), checked(answer, await timedRun((m) => streamViaBridge(perEventConfig, m, context()), model))) },
      ...AGENT_ROUTES.map(
        (route): StreamPath => ({
          name: `${route.name}${PER_EVENT}`,
          run: async (answer) => (sim.reply(answer.reply), checked(answer, await streamRoute(perEventConfig, route, model.id, prompt))),
        }),
      ),
    ];
    const paths = [directPath, ...bridgePaths, ...perEventPaths];

    // Warm-up every path (JIT, sockets), then interleave so load from other processes hits them all alike.
    for (let i = 0; i < 3; i++) for (const path of paths) await path.run(small);
    const first = new Map<string, number[]>(paths.map((path) => [path.name, []]));
    for (let i = 0; i < FIRST_TOKEN_RUNS; i++) for (const path of paths) first.get(path.name)!.push((await path.run(small)).firstTokenMs);
    const total = new Map<string, number[]>(paths.map((path) => [path.name, []]));
    for (const path of paths) await path.run(big);
    // CPU time too (the simulator, bridge and client all run in this process): on a loaded machine the wall clock
    // mostly measures the share of a core this process got, the CPU time what each path costs.
    const cpu = new Map<string, number[]>(paths.map((path) => [path.name, []]));
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      for (const path of paths) {
        const before = process.cpuUsage();
        total.get(path.name)!.push((await path.run(big)).totalMs);
        const used = process.cpuUsage(before);
        cpu.get(path.name)!.push((used.user + used.system) / 1000);
      }
    }
    const cpuMs = (name: string): number => Math.min(...cpu.get(name)!);

    const ttftDirect = median(first.get("direct")!);
    const mbps = (name: string): number => big.bytes / MB / (Math.min(...total.get(name)!) / 1000);
    const deltas = big.text.length / PIECE_CHARS;
    const memoryDirect = await directMemoryPerEvent(model);
    for (const path of bridgePaths) {
      const ttft = median(first.get(path.name)!);
      const label = `bridge ${path.name}`;
      figures[`${label}: time to first token (median, small answer)`] = { value: round(ttft), unit: "ms", baseline: round(ttftDirect), ratio: round(ttft / ttftDirect, 3) };
      figures[`${label}: added time to first token`] = { value: round(ttft - ttftDirect), unit: "ms", baseline: null, ratio: null };
      const ratio = round(mbps(path.name) / mbps("direct"), 3);
      figures[`${label}: throughput (wire MB/s, fastest run)`] = { value: round(mbps(path.name)), unit: "MB/s", baseline: round(mbps("direct")), ratio };
      figures[`${label}: text deltas per second`] = { value: Math.round(deltas / (Math.min(...total.get(path.name)!) / 1000)), unit: "deltas/s", baseline: Math.round(deltas / (Math.min(...total.get("direct")!) / 1000)), ratio };
      const perEvent = `${path.name}${PER_EVENT}`;
      const perEventTtft = median(first.get(perEvent)!);
      figures[`${label}${PER_EVENT}: added time to first token`] = { value: round(perEventTtft - ttftDirect), unit: "ms", baseline: null, ratio: null };
      figures[`${label}${PER_EVENT}: throughput (wire MB/s, fastest run)`] = { value: round(mbps(perEvent)), unit: "MB/s", baseline: round(mbps("direct")), ratio: round(mbps(perEvent) / mbps("direct"), 3) };
      figures[`${label}: throughput, gathered writes vs one write per event`] = { value: round(mbps(path.name)), unit: "MB/s", baseline: round(mbps(perEvent)), ratio: round(mbps(path.name) / mbps(perEvent), 3) };
      figures[`${label}: CPU time per big answer (least of the runs)`] = { value: round(cpuMs(path.name), 0), unit: "ms", baseline: round(cpuMs("direct"), 0), ratio: round(cpuMs(path.name) / cpuMs("direct"), 3) };
      figures[`${label}: CPU time per big answer, gathered writes vs one write per event`] = { value: round(cpuMs(path.name), 0), unit: "ms", baseline: round(cpuMs(perEvent), 0), ratio: round(cpuMs(path.name) / cpuMs(perEvent), 3) };
      const memory = await bridgeMemoryPerEvent(model, path.discard!);
      // A ratio of two figures near zero says nothing; the goal is a value near the baseline's, i.e. near 0 B.
      figures[`${label}: heap kept per streamed event (server)`] = { value: round(memory, 1), unit: "B/event", baseline: round(memoryDirect, 1), ratio: null };
      figures[`${label}: heap growth over a ${MEMORY_EVENTS / 1000}k-event answer (server)`] = {
        value: round((memory * (MEMORY_EVENTS - MEMORY_FIRST_CHECKPOINT)) / MB, 1),
        unit: "MB",
        baseline: round((memoryDirect * (MEMORY_EVENTS - MEMORY_FIRST_CHECKPOINT)) / MB, 1),
        ratio: null,
      };
    }

    const rows = Object.entries(figures).map(([name, f]) => [name, `${f.value} ${f.unit}`, f.baseline === null ? "—" : `${f.baseline} ${f.unit}`, f.ratio === null ? "—" : String(f.ratio)]);
    const header = ["figure (baseline = streamKiro directly)", "value", "baseline", "ratio"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
    console.log(`\n${line(header)}`);
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(line(row));
    console.log(
      `\n- bridge path = a route's client (pi: src/pi/bridgeClient.ts; agents: an SSE reader parsing every data: line, test/bench/benchRoutes.ts) → bridge server on 127.0.0.1 → streamKiro → simulator; ` +
        `first token: median of ${FIRST_TOKEN_RUNS} interleaved runs; throughput: ${round(big.bytes / MB)} MB answer in ${Math.round(deltas)} deltas, fastest of ${THROUGHPUT_RUNS} (CPU time: the least of those runs, the whole process: simulator, bridge and client); ` +
        `memory: heap after a full collection at event ${MEMORY_FIRST_CHECKPOINT / 1000}k and ${MEMORY_EVENTS / 1000}k of one answer, bridge server per route (client discards the bytes) vs the same answer consumed directly`,
    );
  } finally {
    await bridge?.dispose();
    await perEventBridge?.dispose();
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
