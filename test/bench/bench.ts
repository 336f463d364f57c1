// Benchmarks: streamKiro's throughput on a 20+ MB answer against codec-only decoding of the same bytes, and buildKiroRequest's growth on a ~1M-token history.
//
// Over 300 lines: both benchmarks need their own fixtures (a pre-encoded 20 MB answer, a ~1M-token history) and checks
// that the measured work really happened, kept beside the measurement so the figures can be trusted.
//
// Run with `npm run bench`. Writes bench-results.json as {"<figure>": {value, unit, baseline, ratio}} and prints a table.
// `node out/test/bench/bench.js --history-only` (after `npm run compile-tests`) prints the request-build figures alone.
// The goal (reported, not asserted) is provider throughput ≥ 70 % of codec-only throughput.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { streamKiro } from "../../src/kiro/index";
import { findModel, toPiModel } from "../../src/kiro/catalog/models";
import { buildKiroRequest, inputTokenBudget } from "../../src/kiro/request/request";
import type { AssistantMessage, Context, Message } from "../../src/kiro/types";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import { startKiroSimulator, type KiroSimulator, type SimReply } from "../sim/kiroSimulator";
import { FrameSplitter, concatBytes, encodeEventFrame, frameCodec } from "../sim/frames";
import { toolUseEvents } from "../sim/replies";
import { ruleOf, validateGenerateAssistantResponse } from "../sim/validation";
import { defaultSimModels } from "../sim/kiroSimulator";

// A collection before each timed run keeps garbage from the previous run out of the figure (npm run bench passes no node flags).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const MB = 1024 * 1024;
const TARGET_STREAM_BYTES = 20 * MB;
const TEXT_PIECE_CHARS = 200;
const TOOL_CALLS = 20;
const TOOL_CONTENT_CHARS = 60_000;
/** Runs per figure; the fastest counts, because on a shared machine the slower runs measure other processes, not this code. */
const MEASURED_RUNS = 5;

interface Figure {
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
}

interface BigAnswer {
  reply: SimReply;
  bytes: number;
  frames: number;
  text: string;
  toolInputs: Record<string, unknown>[];
}

/** Prose with some multi-byte characters and code-ish punctuation, different for every piece. */
function textPiece(index: number): string {
  const base = `Piece ${index}: the quick brown fox jumps over the lazy dog — naïve café, "quoted" {braces} [x] \`code\` `;
  return (base + "lorem ipsum dolor sit amet ".repeat(10)).slice(0, TEXT_PIECE_CHARS);
}

/** A file body for a write tool call: lines with quotes, backslashes and newlines so the JSON fragments need escaping. */
function fileContent(index: number): string {
  const line = `export const value${index} = "line with \\"quotes\\" and a tab\\t"; // ${"·".repeat(8)}\n`;
  return line.repeat(Math.ceil(TOOL_CONTENT_CHARS / line.length)).slice(0, TOOL_CONTENT_CHARS);
}

/** Pre-encodes the whole answer once, so serving it costs the simulator no encoding work during the timed runs. */
function buildBigAnswer(): BigAnswer {
  const frames: Uint8Array[] = [encodeEventFrame("messageMetadataEvent", { conversationId: "bench", utteranceId: "bench-1" })];
  const textParts: string[] = [];
  const toolInputs: Record<string, unknown>[] = [];
  const toolFrames: Uint8Array[] = [];
  for (let i = 0; i < TOOL_CALLS; i++) {
    const input = { path: `src/generated/file${i}.ts`, content: fileContent(i) };
    toolInputs.push(input);
    for (const event of toolUseEvents({ name: "write", input, id: `tooluse_bench_${i}` }, { fragmentSize: TEXT_PIECE_CHARS })) {
      if ("type" in event) toolFrames.push(encodeEventFrame(event.type, event.payload));
    }
  }
  const trailer = [
    encodeEventFrame("metadataEvent", { tokenUsage: { uncachedInputTokens: 100, outputTokens: 6_000_000, totalTokens: 6_000_100, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } }),
    encodeEventFrame("meteringEvent", { unit: "credit", usage: 12.5 }),
    encodeEventFrame("contextUsageEvent", { contextUsagePercentage: 4.2 }),
  ];
  let bytes = [...frames, ...toolFrames, ...trailer].reduce((sum, f) => sum + f.byteLength, 0);
  for (let i = 0; bytes < TARGET_STREAM_BYTES; i++) {
    const content = textPiece(i);
    textParts.push(content);
    const frame = encodeEventFrame("assistantResponseEvent", { content });
    frames.push(frame);
    bytes += frame.byteLength;
  }
  const all = [...frames, ...toolFrames, ...trailer];
  const stream = concatBytes(all);
  return { reply: { events: [{ bytes: stream }] }, bytes: stream.byteLength, frames: all.length, text: textParts.join(""), toolInputs };
}

const benchContext = (): Context => ({
  systemPrompt: "You are a benchmark.",
  messages: [{ role: "user", content: "Write twenty files, please.", timestamp: 1_700_000_000_000 }],
  tools: [
    {
      name: "write",
      description: "Write a file",
      parameters: { type: "object", properties: { path: { type: "string" }, content: { type: "string" } }, required: ["path", "content"] },
    },
  ],
});

interface RunResult {
  ms: number;
  bytes: number;
  frames: number;
}

/** The baseline: fetch plus frame splitting, EventStreamCodec.decode (CRC checks) and JSON.parse of every payload, nothing else. */
async function decodeWithCodecOnly(sim: KiroSimulator, answer: BigAnswer): Promise<RunResult> {
  sim.reply(answer.reply);
  collectGarbage();
  const utf8 = new TextDecoder();
  const body = JSON.stringify({
    conversationState: {
      conversationId: "bench-codec",
      chatTriggerType: "MANUAL",
      currentMessage: { userInputMessage: { content: "Write twenty files, please.", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
    },
    profileArn: sim.profiles[0]!.arn,
  });
  const started = performance.now();
  const res = await fetch(`${sim.url}/generateAssistantResponse`, {
    method: "POST",
    headers: { authorization: `Bearer ${sim.accessToken}`, "content-type": "application/json" },
    body,
  });
  if (res.status !== 200) throw new Error(`codec run got HTTP ${res.status}`);
  const splitter = new FrameSplitter();
  let bytes = 0;
  let frames = 0;
  let textChars = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const frame of splitter.push(chunk)) {
      const message = frameCodec.decode(frame);
      const payload = JSON.parse(utf8.decode(message.body)) as { content?: string };
      if (message.headers[":event-type"]?.value === "assistantResponseEvent") textChars += payload.content?.length ?? 0;
      frames++;
    }
  }
  const ms = performance.now() - started;
  if (frames !== answer.frames || textChars !== answer.text.length) throw new Error(`codec run decoded ${frames} frames / ${textChars} chars, expected ${answer.frames} / ${answer.text.length}`);
  return { ms, bytes, frames };
}

/** The provider: streamKiro against the simulator, every stream event consumed, the final message checked. */
async function streamWithProvider(sim: KiroSimulator, answer: BigAnswer): Promise<RunResult & { streamEvents: number }> {
  sim.reply(answer.reply);
  const info = findModel("claude-sonnet-4-5");
  if (!info) throw new Error("claude-sonnet-4-5 is not in the built-in catalog");
  const model = toPiModel(info, sim.url);
  collectGarbage();
  const started = performance.now();
  const stream = streamKiro(model, benchContext(), { accessToken: sim.accessToken, endpoint: sim.url, maxRetries: 0 });
  let streamEvents = 0;
  let final: AssistantMessage | undefined;
  for await (const event of stream) {
    streamEvents++;
    if (event.type === "done") final = event.message;
    if (event.type === "error") throw new Error(`provider run failed: ${event.error.errorMessage}`);
  }
  const ms = performance.now() - started;
  if (!final) throw new Error("provider run ended without a done event");
  const text = final.content.filter((c) => c.type === "text").map((c) => (c.type === "text" ? c.text : "")).join("");
  const calls = final.content.filter((c) => c.type === "toolCall");
  if (text !== answer.text) throw new Error(`provider text differs: ${text.length} chars, expected ${answer.text.length}`);
  if (calls.length !== TOOL_CALLS || JSON.stringify(calls[TOOL_CALLS - 1]?.type === "toolCall" ? calls[TOOL_CALLS - 1].arguments : undefined) !== JSON.stringify(answer.toolInputs[TOOL_CALLS - 1])) {
    throw new Error(`provider tool calls differ: ${calls.length} calls`);
  }
  return { ms, bytes: answer.bytes, frames: answer.frames, streamEvents };
}

/** ~`totalChars` of conversation: user asks, assistant answers and reads a file, the tool result holds the file. */
function longHistory(totalChars: number): Message[] {
  const messages: Message[] = [];
  let chars = 0;
  let turn = 0;
  const timestamp = 1_700_000_000_000;
  while (chars < totalChars) {
    const ask = `Turn ${turn}: please look at module ${turn} and explain what it does. ${"Context sentence. ".repeat(40)}`;
    const reply = `Module ${turn} wires the parser to the cache. ${"Explanation sentence. ".repeat(40)}`;
    const file = `// module ${turn}\n${"export function f(a: number): number { return a * 2; }\n".repeat(120)}`;
    const id = `toolu_bench_${turn}`;
    messages.push(
      { role: "user", content: ask, timestamp: timestamp + turn * 3 },
      {
        role: "assistant",
        content: [
          { type: "text", text: reply },
          { type: "toolCall", id, name: "read", arguments: { path: `src/module${turn}.ts` } },
        ],
        api: "kiro-generate-assistant-response",
        provider: "kiro",
        model: "claude-sonnet-4-6",
        usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
        stopReason: "toolUse",
        timestamp: timestamp + turn * 3 + 1,
      },
      { role: "toolResult", toolCallId: id, toolName: "read", content: [{ type: "text", text: file }], isError: false, timestamp: timestamp + turn * 3 + 2 },
    );
    chars += ask.length + reply.length + file.length;
    turn++;
  }
  messages.push({ role: "user", content: "Summarise everything.", timestamp: timestamp + turn * 3 });
  return messages;
}

function fastest(values: number[]): number {
  return Math.min(...values);
}

interface BuildFigure {
  /** CPU milliseconds of one build, from the fastest round (see measureRequestBuilding). */
  ms: number;
  /** CPU milliseconds of the fastest single build (luckier the shorter the build; for comparison only). */
  fastestSingleMs: number;
  /** Summed CPU milliseconds of this history's builds in each round, in round order. */
  roundMs: number[];
  bodyBytes: number;
  droppedTurns: number;
  messages: number;
  validationErrors: string[];
  /** Characters of the messages' text, tool inputs and results. */
  originalChars: number;
  /** How many of those reach the request (each message's text, call path and result searched for in the body). */
  keptChars: number;
  /** Characters the model's input budget allows (estimated tokens × 4), at most the original. */
  allowedChars: number;
}

/** The model-visible pieces of a message: its texts, tool-call inputs and results. */
function piecesOf(message: Message): string[] {
  if (message.role === "user") return typeof message.content === "string" ? [message.content] : message.content.map((c) => (c.type === "text" ? c.text : ""));
  if (message.role === "toolResult") return message.content.map((c) => (c.type === "text" ? c.text : ""));
  return message.content.map((c) => (c.type === "text" ? c.text : c.type === "toolCall" ? JSON.stringify(c.arguments) : ""));
}

/** Original characters, and those whose piece is found in the body (JSON-escaped, as the body carries it). */
function charsKept(messages: readonly Message[], json: string): { originalChars: number; keptChars: number } {
  let originalChars = 0;
  let keptChars = 0;
  for (const message of messages) {
    for (const piece of piecesOf(message)) {
      if (!piece) continue;
      originalChars += piece.length;
      // The bench's pieces repeat a sentence; a unique head and tail of each stands for the whole.
      const escaped = JSON.stringify(piece).slice(1, -1);
      const found = (form: string) => json.includes(form.slice(0, 120)) && json.includes(form.slice(-60));
      // A tool input goes as JSON in a structured call, or as escaped text once folded.
      if (found(escaped) || (message.role === "assistant" && found(piece))) keptChars += piece.length;
    }
  }
  return { originalChars, keptChars };
}

/** Rounds of the interleaved build measurement; each builds the 1/4 history four times, the 1/2 twice, the full once. */
const BUILD_ROUNDS = 25;

/**
 * CPU milliseconds of one buildKiroRequest, after a collection so no earlier garbage is collected on its time. The build
 * is synchronous, so its CPU time is its cost: on a shared machine wall time also counts the time others ran.
 */
function timedBuild(info: KiroModelInfo, context: Context): { ms: number; built: ReturnType<typeof buildKiroRequest> } {
  collectGarbage();
  const started = process.cpuUsage();
  const built = buildKiroRequest(info, context, { maxBodyBytes: 8_000_000 });
  const used = process.cpuUsage(started);
  return { ms: (used.user + used.system) / 1000, built };
}

/**
 * Builds the request of each history round after round (two warm-up rounds, then BUILD_ROUNDS), each history
 * `builds` times a round, so every size does the same work a round (4 × 1/4, 2 × 1/2, 1 × full); a size's sample is the
 * summed CPU time of its builds in one round, and its figure the fastest sample divided by `builds`. Equal work makes
 * equal exposure: on a shared machine the fastest single short build is luckier than the fastest long one (it fits in
 * a quiet moment more often), which would charge other processes' noise to the long build. Interleaving puts every
 * size under the same load, so a busy minute slows all sizes alike.
 */
function measureRequestBuilding(histories: readonly { messages: Message[]; builds: number }[]): BuildFigure[] {
  const info = findModel("claude-sonnet-4-6");
  if (!info) throw new Error("claude-sonnet-4-6 is not in the built-in catalog");
  const contexts = histories.map(({ messages }): Context => ({
    systemPrompt: "You are a careful engineer.",
    messages,
    tools: [{ name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } }],
  }));
  const samples = contexts.map(() => [] as number[]);
  const singles = contexts.map(() => [] as number[]);
  const last: ReturnType<typeof buildKiroRequest>[] = [];
  for (let round = -2; round < BUILD_ROUNDS; round++) {
    contexts.forEach((context, i) => {
      let ms = 0;
      for (let n = 0; n < histories[i]!.builds; n++) {
        const timed = timedBuild(info, context);
        ms += timed.ms;
        if (round >= 0) singles[i]!.push(timed.ms);
        last[i] = timed.built;
      }
      if (round >= 0) samples[i]!.push(ms);
    });
  }
  return histories.map(({ messages, builds }, i) => {
    const built = last[i]!;
    const { originalChars, keptChars } = charsKept(messages, built.json);
    const bodyBytes = Buffer.byteLength(built.json, "utf8");
    return {
      originalChars,
      keptChars,
      allowedChars: Math.min(originalChars, inputTokenBudget(info) * 4),
      ms: fastest(samples[i]!) / builds,
      fastestSingleMs: fastest(singles[i]!),
      roundMs: samples[i]!,
      bodyBytes,
      droppedTurns: built.droppedTurns,
      messages: messages.length,
      validationErrors: validateGenerateAssistantResponse(built.body, defaultSimModels(), bodyBytes),
    };
  });
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The streaming figures: streamKiro against codec-only decoding of the same 20+ MB answer, interleaved runs. */
async function measureStreaming(figures: Record<string, Figure>, notes: string[]): Promise<void> {
  const answer = buildBigAnswer();
  const sim = await startKiroSimulator({ chunking: "random", maxWriteBytes: 64 * 1024, seed: 2024 });
  try {
    await decodeWithCodecOnly(sim, answer);
    await streamWithProvider(sim, answer);
    const codecRuns: RunResult[] = [];
    const providerRuns: (RunResult & { streamEvents: number })[] = [];
    for (let i = 0; i < MEASURED_RUNS; i++) {
      codecRuns.push(await decodeWithCodecOnly(sim, answer));
      providerRuns.push(await streamWithProvider(sim, answer));
    }
    const bad = sim.requests.filter((r) => r.validationErrors.length > 0);
    if (bad.length > 0) notes.push(`${bad.length} bench requests failed simulator validation: ${bad[0]!.validationErrors.join("; ")}`);
    const codecMs = fastest(codecRuns.map((r) => r.ms));
    const providerMs = fastest(providerRuns.map((r) => r.ms));
    const codecMbps = answer.bytes / MB / (codecMs / 1000);
    const providerMbps = answer.bytes / MB / (providerMs / 1000);
    figures["stream throughput (streamKiro vs codec only)"] = { value: round(providerMbps), unit: "MB/s", baseline: round(codecMbps), ratio: round(providerMbps / codecMbps, 3) };
    figures["stream events (wire frames per second)"] = {
      value: Math.round(answer.frames / (providerMs / 1000)),
      unit: "events/s",
      baseline: Math.round(answer.frames / (codecMs / 1000)),
      ratio: round(codecMs / providerMs, 3),
    };
    figures["stream time for the whole answer"] = { value: round(providerMs, 1), unit: "ms", baseline: round(codecMs, 1), ratio: round(providerMs / codecMs, 3) };
    notes.push(
      `answer: ${round(answer.bytes / MB)} MB, ${answer.frames} frames (${TOOL_CALLS} write calls of ${TOOL_CONTENT_CHARS} chars), random network writes up to 64 KiB; ` +
        `fastest of ${MEASURED_RUNS} interleaved runs each after one warm-up; streamKiro emitted ${providerRuns[0]!.streamEvents} stream events per run`,
    );
    notes.push(`goal: provider ≥ 70 % of codec-only throughput → ${providerMbps / codecMbps >= 0.7 ? "met" : "NOT met"} (${round((providerMbps / codecMbps) * 100, 1)} %)`);
  } finally {
    await sim.close();
  }
}

async function main(): Promise<void> {
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];

  // `--history-only`: just the request-build figures, printed and not written (for work on the history code).
  const historyOnly = process.argv.includes("--history-only");
  if (!historyOnly) await measureStreaming(figures, notes);

  const full = longHistory(3_900_000);
  // Cut on whole turns (user, assistant, tool result) and end on a user message, like the full history.
  const slice = (fraction: number) => {
    const turns = Math.floor(((full.length - 1) / 3) * fraction);
    return [...full.slice(0, turns * 3), full[full.length - 1]!];
  };
  const [quarter, half, whole] = measureRequestBuilding([
    { messages: slice(0.25), builds: 4 },
    { messages: slice(0.5), builds: 2 },
    { messages: full, builds: 1 },
  ]) as [BuildFigure, BuildFigure, BuildFigure];
  figures["buildKiroRequest, 1/4 history (~250K tokens)"] = { value: round(quarter.ms, 1), unit: "ms CPU", baseline: null, ratio: null };
  figures["buildKiroRequest, 1/2 history (~500K tokens), baseline = 2 × the 1/4 time"] = { value: round(half.ms, 1), unit: "ms CPU", baseline: round(2 * quarter.ms, 1), ratio: round(half.ms / (2 * quarter.ms), 3) };
  figures["buildKiroRequest, full history (~1M tokens, ~4 MB), baseline = 4 × the 1/4 time"] = { value: round(whole.ms, 1), unit: "ms CPU", baseline: round(4 * quarter.ms, 1), ratio: round(whole.ms / (4 * quarter.ms), 3) };
  for (const [name, built] of [["1/4", quarter], ["1/2", half], ["full", whole]] as const) {
    const verdict = built.validationErrors.length === 0 ? "passes the simulator's rules" : `breaks ${[...new Set(built.validationErrors.map(ruleOf))].join(", ")}`;
    notes.push(`${name} history: ${built.messages} messages → ${round(built.bodyBytes / MB)} MB body, ${built.droppedTurns} entries left out, ${verdict}`);
  }
  figures["full history: share of the original characters sent, baseline = the share the model's window allows"] = {
    value: round((whole.keptChars / whole.originalChars) * 100, 1),
    unit: "%",
    baseline: round((whole.allowedChars / whole.originalChars) * 100, 1),
    ratio: round(whole.keptChars / whole.allowedChars, 3),
  };
  notes.push(`full history: ${round(whole.keptChars / MB)} M of ${round(whole.originalChars / MB)} M characters reach the request; the window allows ${round(whole.allowedChars / MB)} M`);
  notes.push(`request build: CPU time of the fastest of ${BUILD_ROUNDS} interleaved rounds of equal work (4 × 1/4, 2 × 1/2, 1 × full) after two warm-up rounds, a collection before each build`);
  const roundRatios = whole.roundMs.map((ms, r) => ms / quarter.roundMs[r]!).sort((a, b) => a - b);
  const quartile = (q: number) => round(roundRatios[Math.floor((roundRatios.length - 1) * q)]!, 3);
  notes.push(`for comparison, full / 4 × quarter within each round (same load for both): median ${quartile(0.5)}, quartiles ${quartile(0.25)}–${quartile(0.75)}`);
  notes.push(`for comparison, fastest single builds: 1/4 ${round(quarter.fastestSingleMs, 1)} ms, full ${round(whole.fastestSingleMs, 1)} ms, full / 4 × quarter ${round(whole.fastestSingleMs / (4 * quarter.fastestSingleMs), 3)}`);
  notes.push(`goal: request build linear (full / 4 × quarter ≤ 1.2) → ${whole.ms / (4 * quarter.ms) <= 1.2 ? "met" : "NOT met"} (${round(whole.ms / (4 * quarter.ms), 3)})`);
  if (!historyOnly) writeFileSync("bench-results.json", `${JSON.stringify(figures, null, 2)}\n`);
  const rows = Object.entries(figures).map(([name, f]) => [name, `${f.value} ${f.unit}`, f.baseline === null ? "—" : `${f.baseline} ${f.unit}`, f.ratio === null ? "—" : String(f.ratio)]);
  const header = ["figure", "value", "baseline", "ratio"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log("");
  for (const note of notes) console.log(`- ${note}`);
  if (!historyOnly) console.log("\nwritten: bench-results.json");
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
