// Benchmark: what the VS Code bridge costs each client — time to first token, throughput, CPU time and heap per streamed event through every streaming route (pi's /v1/stream, /v1/messages, /v1/chat/completions, /v1/responses) against streamKiro directly, same simulator, same run.
// Twice: with every client in this process (as older runs measured), and with the clients in a child process (test/bench/benchClientProcess.ts), as an agent is
// a process of its own; each beside a bare Node HTTP server's time to first byte, the machine's own floor. Over 300 lines: both setups and the heap runs share
// one simulator, one bridge and one table, and splitting them would only pass those around.
//
// Run by `npm run bench` after bench.ts; adds its figures to bench-results.json ({"<figure>": {value, unit, baseline, ratio}}, baseline = direct).
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { CLOSING_TEXT_FROM_DELTAS, CLOSING_TEXT_HEADER, startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { streamKiro } from "../../src/kiro/stream";
import { emptyUsage, type AssistantMessage, type AssistantMessageEvent, type Model } from "../../src/kiro/types";
import { concatBytes, encodeEventFrame } from "../sim/frames";
import { startKiroSimulator, type KiroSimulator, type SimReply } from "../sim/kiroSimulator";
import { BENCH_PROMPT, benchContext, benchModel, runTarget, type PathTarget, type Run } from "./benchPaths";
import { AGENT_ROUTES, streamRoute } from "./benchRoutes";

const MB = 1024 * 1024;
const BIG_ANSWER_BYTES = 8 * MB;
const PIECE_CHARS = 200;
const THROUGHPUT_RUNS = 5;
/** First-token runs with the clients in this process (what older runs measured), and with them in the client process. */
const FIRST_TOKEN_RUNS = 40;
const SEPARATE_FIRST_TOKEN_RUNS = 200;
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

/** pi's route, read raw as pi's client asks for it (which would parse it; here only the server is measured). */
const discardPiStream: DiscardingClient = (bridge, model) =>
  new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      new URL("/v1/stream", bridge.url),
      { method: "POST", headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json", [CLOSING_TEXT_HEADER]: CLOSING_TEXT_FROM_DELTAS }, agent: false },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", resolve);
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ model: model.id, context: benchContext() }));
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

/** One way to get an answer: streamKiro directly, a route of the bridge with its client, or the bare server. */
interface StreamPath {
  name: string;
  target: PathTarget;
  /** Undefined for the direct path and the bare server. */
  discard?: DiscardingClient;
}

/** A timed answer and the CPU time it cost this process and, with a client process, that one. */
interface Measured {
  run: Run;
  serverCpuMs: number;
  clientCpuMs: number;
}

type Runner = (target: PathTarget) => Promise<{ run: Run; clientCpuMs: number }>;

/** The clients in this process: their CPU time is this process's, counted as the server's (clientCpuMs 0). */
const inProcess: Runner = async (target) => ({ run: await runTarget(target), clientCpuMs: 0 });

/** The client process (test/bench/benchClientProcess.ts), one answer at a time. */
function startClientProcess(): { runner: Runner; close(): void } {
  const child: ChildProcess = fork(join(__dirname, "benchClientProcess.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let nextId = 0;
  const waiting = new Map<number, { resolve(value: { run: Run; clientCpuMs: number }): void; reject(error: Error): void }>();
  child.on("message", (message: { id: number; run?: Run; cpuMs?: number; error?: string }) => {
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined || !message.run) waiter?.reject(new Error(`client process: ${message.error}`));
    else waiter?.resolve({ run: message.run, clientCpuMs: message.cpuMs ?? 0 });
  });
  child.on("exit", (code) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`the client process exited (${code}) during a run`));
    waiting.clear();
  });
  return {
    runner: (target) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        child.send({ id, target });
      }),
    close: () => {
      child.disconnect();
      child.kill();
    },
  };
}

/** A Node HTTP server with no bridge in it: reads the body, then answers one small chunk at once. */
async function startBareServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("first token\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Every path's first-token times on the small answer (interleaved, so load from other processes hits them all alike) and its big-answer runs. */
async function measurePaths(sim: KiroSimulator, paths: readonly StreamPath[], runner: Runner, firstTokenRuns: number, small: Answer, big: Answer): Promise<{ first: Map<string, number[]>; big: Map<string, Measured[]> }> {
  const once = async (path: StreamPath, answer: Answer): Promise<Measured> => {
    if (path.target.kind !== "bare") sim.reply(answer.reply);
    const before = process.cpuUsage();
    const { run, clientCpuMs } = await runner(path.target);
    const used = process.cpuUsage(before);
    if (path.target.kind !== "bare" && run.textChars !== answer.text.length) throw new Error(`${path.name} streamed ${run.textChars} chars, expected ${answer.text.length}`);
    return { run, serverCpuMs: (used.user + used.system) / 1000, clientCpuMs };
  };
  for (let i = 0; i < 3; i++) for (const path of paths) await once(path, small);
  const first = new Map<string, number[]>(paths.map((path) => [path.name, []]));
  for (let i = 0; i < firstTokenRuns; i++) for (const path of paths) first.get(path.name)!.push((await once(path, small)).run.firstTokenMs);
  const bigRuns = new Map<string, Measured[]>();
  const answered = paths.filter((path) => path.target.kind !== "bare");
  for (const path of answered) await once(path, big);
  for (const path of answered) bigRuns.set(path.name, []);
  for (let i = 0; i < THROUGHPUT_RUNS; i++) for (const path of answered) bigRuns.get(path.name)!.push(await once(path, big));
  return { first, big: bigRuns };
}

async function main(): Promise<void> {
  const figures: Record<string, Figure> = {};
  const sim: KiroSimulator = await startKiroSimulator({ chunking: "random", maxWriteBytes: 64 * 1024, seed: 77 });
  const bare = await startBareServer();
  let bridge: BridgeServer | undefined;
  let perEventBridge: BridgeServer | undefined;
  let clientProcess: ReturnType<typeof startClientProcess> | undefined;
  try {
    const model = benchModel();
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

    const small = textAnswer(1);
    const big = textAnswer(BIG_ANSWER_BYTES);
    const directPath: StreamPath = { name: "direct", target: { kind: "direct", kiro: { accessToken: sim.accessToken, endpoint: sim.url } } };
    const barePath: StreamPath = { name: "bare Node HTTP server", target: { kind: "bare", url: bare.url } };
    const bridgePaths: StreamPath[] = [
      { name: "/v1/stream (pi)", target: { kind: "pi", bridge: config }, discard: discardPiStream },
      ...AGENT_ROUTES.map(
        (route): StreamPath => ({
          name: route.name,
          target: { kind: "route", bridge: config, route: route.name },
          discard: async (server, m) => void (await streamRoute(server, route, m.id, BENCH_PROMPT, { discard: true })),
        }),
      ),
    ];
    const perEventPaths: StreamPath[] = [
      { name: `/v1/stream (pi)${PER_EVENT}`, target: { kind: "pi", bridge: perEventConfig } },
      ...AGENT_ROUTES.map((route): StreamPath => ({ name: `${route.name}${PER_EVENT}`, target: { kind: "route", bridge: perEventConfig, route: route.name } })),
    ];

    // 1. Every client in this process, as older runs measured: the client's parsing competes with the server's work.
    const together = await measurePaths(sim, [directPath, barePath, ...bridgePaths, ...perEventPaths], inProcess, FIRST_TOKEN_RUNS, small, big);
    // 2. The clients in a process of their own, as agents are.
    clientProcess = startClientProcess();
    const apart = await measurePaths(sim, [directPath, barePath, ...bridgePaths], clientProcess.runner, SEPARATE_FIRST_TOKEN_RUNS, small, big);
    clientProcess.close();
    clientProcess = undefined;

    const deltas = big.text.length / PIECE_CHARS;
    const fastest = (runs: Measured[]): number => Math.min(...runs.map((m) => m.run.totalMs));
    const mbps = (runs: Measured[]): number => big.bytes / MB / (fastest(runs) / 1000);
    const leastCpu = (runs: Measured[], side: "serverCpuMs" | "clientCpuMs"): number => Math.min(...runs.map((m) => m[side]));

    const ttftDirect = median(together.first.get("direct")!);
    figures[`bare Node HTTP server: time to first byte (median, small answer)`] = { value: round(median(together.first.get(barePath.name)!)), unit: "ms", baseline: round(ttftDirect), ratio: null };
    const directRuns = together.big.get("direct")!;
    const memoryDirect = await directMemoryPerEvent(model);
    for (const path of bridgePaths) {
      const runs = together.big.get(path.name)!;
      const ttft = median(together.first.get(path.name)!);
      const label = `bridge ${path.name}`;
      figures[`${label}: time to first token (median, small answer)`] = { value: round(ttft), unit: "ms", baseline: round(ttftDirect), ratio: round(ttft / ttftDirect, 3) };
      figures[`${label}: added time to first token`] = { value: round(ttft - ttftDirect), unit: "ms", baseline: null, ratio: null };
      const ratio = round(mbps(runs) / mbps(directRuns), 3);
      figures[`${label}: throughput (wire MB/s, fastest run)`] = { value: round(mbps(runs)), unit: "MB/s", baseline: round(mbps(directRuns)), ratio };
      figures[`${label}: text deltas per second`] = { value: Math.round(deltas / (fastest(runs) / 1000)), unit: "deltas/s", baseline: Math.round(deltas / (fastest(directRuns) / 1000)), ratio };
      const perEvent = `${path.name}${PER_EVENT}`;
      const perEventRuns = together.big.get(perEvent)!;
      figures[`${label}${PER_EVENT}: added time to first token`] = { value: round(median(together.first.get(perEvent)!) - ttftDirect), unit: "ms", baseline: null, ratio: null };
      figures[`${label}${PER_EVENT}: throughput (wire MB/s, fastest run)`] = { value: round(mbps(perEventRuns)), unit: "MB/s", baseline: round(mbps(directRuns)), ratio: round(mbps(perEventRuns) / mbps(directRuns), 3) };
      figures[`${label}: throughput, gathered writes vs one write per event`] = { value: round(mbps(runs)), unit: "MB/s", baseline: round(mbps(perEventRuns)), ratio: round(mbps(runs) / mbps(perEventRuns), 3) };
      const cpu = leastCpu(runs, "serverCpuMs");
      figures[`${label}: CPU time per big answer (least of the runs)`] = { value: round(cpu, 0), unit: "ms", baseline: round(leastCpu(directRuns, "serverCpuMs"), 0), ratio: round(cpu / leastCpu(directRuns, "serverCpuMs"), 3) };
      figures[`${label}: CPU time per big answer, gathered writes vs one write per event`] = { value: round(cpu, 0), unit: "ms", baseline: round(leastCpu(perEventRuns, "serverCpuMs"), 0), ratio: round(cpu / leastCpu(perEventRuns, "serverCpuMs"), 3) };
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

    const APART = " (client in its own process)";
    const ttftApartDirect = median(apart.first.get("direct")!);
    const apartDirect = apart.big.get("direct")!;
    figures[`bare Node HTTP server${APART}: time to first byte (median, small answer)`] = { value: round(median(apart.first.get(barePath.name)!)), unit: "ms", baseline: round(ttftApartDirect), ratio: null };
    for (const path of bridgePaths) {
      const runs = apart.big.get(path.name)!;
      const ttft = median(apart.first.get(path.name)!);
      const label = `bridge ${path.name}${APART}`;
      figures[`${label}: time to first token (median, small answer)`] = { value: round(ttft), unit: "ms", baseline: round(ttftApartDirect), ratio: round(ttft / ttftApartDirect, 3) };
      figures[`${label}: added time to first token`] = { value: round(ttft - ttftApartDirect), unit: "ms", baseline: null, ratio: null };
      figures[`${label}: throughput (wire MB/s, fastest run)`] = { value: round(mbps(runs)), unit: "MB/s", baseline: round(mbps(apartDirect)), ratio: round(mbps(runs) / mbps(apartDirect), 3) };
      // The direct path's "server" is the simulator alone and its client is streamKiro, so each side's baseline does other
      // work than the bridge path's side: shown for reference, without a ratio; the ratio that compares is both together.
      for (const [side, name] of [["serverCpuMs", "bench process: simulator + bridge + streamKiro"], ["clientCpuMs", "client process"]] as const) {
        const value = leastCpu(runs, side);
        const baseline = leastCpu(apartDirect, side);
        figures[`${label}: CPU time per big answer, ${name} (least of the runs)`] = { value: round(value, 0), unit: "ms", baseline: round(baseline, 0), ratio: null };
      }
      const total = Math.min(...runs.map((m) => m.serverCpuMs + m.clientCpuMs));
      const totalDirect = Math.min(...apartDirect.map((m) => m.serverCpuMs + m.clientCpuMs));
      figures[`${label}: CPU time per big answer, both processes (least of the runs)`] = { value: round(total, 0), unit: "ms", baseline: round(totalDirect, 0), ratio: round(total / totalDirect, 3) };
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
        `first token: median of ${FIRST_TOKEN_RUNS} interleaved runs with the clients in this process, ${SEPARATE_FIRST_TOKEN_RUNS} with them in their own process ("${APART.trim()}"), ` +
        `each beside a bare Node HTTP server's first byte (the machine's floor for one loopback request); throughput: ${round(big.bytes / MB)} MB answer in ${Math.round(deltas)} deltas, fastest of ${THROUGHPUT_RUNS} ` +
        `(CPU time: the least of those runs; with the clients in this process, the whole process: simulator, bridge and client); ` +
        `memory: heap after a full collection at event ${MEMORY_FIRST_CHECKPOINT / 1000}k and ${MEMORY_EVENTS / 1000}k of one answer, bridge server per route (client discards the bytes) vs the same answer consumed directly`,
    );
  } finally {
    clientProcess?.close();
    await bridge?.dispose();
    await perEventBridge?.dispose();
    await new Promise((resolve) => bare.server.close(resolve));
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
