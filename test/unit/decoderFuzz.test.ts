// Seeded fuzzing of the event-stream decoder and response assembler: random, bit-flipped and truncated bytes must fail cleanly, never hang.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { EventStreamDecoder, type KiroFrame } from "../../src/kiro/wire/decoder";
import { KiroError } from "../../src/kiro/errors";
import { KiroResponseAssembler } from "../../src/kiro/answer/responseAssembler";
import { emptyUsage, type AssistantMessage } from "../../src/kiro/types";

type CaseKind = "random" | "bitflip" | "truncate" | "payload";
interface CaseResult {
  index: number;
  kind: CaseKind;
  seed: number;
  /** "ok", "stream-error", or a description of an unclean failure. */
  outcome: string;
  frames: number;
  mustFail: boolean;
}

const CASES_PER_KIND = 150;
const WATCHDOG_MS = 10_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

function frame(eventType: string, body: string): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "event" },
      ":event-type": { type: "string", value: eventType },
    },
    body: new TextEncoder().encode(body),
  });
}

function validStream(random: () => number): { bytes: Uint8Array; boundaries: Set<number>; bodies: [string, string][] } {
  const bodies: [string, string][] = [];
  const count = 1 + Math.floor(random() * 12);
  for (let i = 0; i < count; i++) {
    const pick = random();
    if (pick < 0.5) bodies.push(["assistantResponseEvent", JSON.stringify({ content: "x".repeat(Math.floor(random() * 200)) })]);
    else if (pick < 0.7) bodies.push(["toolUseEvent", JSON.stringify({ toolUseId: "t" + i, name: "write", input: '{"a":1}', stop: true })]);
    else if (pick < 0.85) bodies.push(["reasoningContentEvent", JSON.stringify({ text: "hmm" })]);
    else bodies.push(["metadataEvent", JSON.stringify({ tokenUsage: { outputTokens: 3 } })]);
  }
  const parts = bodies.map(([type, body]) => frame(type, body));
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const bytes = new Uint8Array(total);
  const boundaries = new Set<number>([0]);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
    boundaries.add(at);
  }
  return { bytes, boundaries, bodies };
}

function feedRandomly(bytes: Uint8Array, random: () => number): KiroFrame[] {
  const decoder = new EventStreamDecoder();
  const frames: KiroFrame[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const size = 1 + Math.floor(random() * 64);
    frames.push(...decoder.push(bytes.subarray(at, at + size)));
    at += size;
  }
  decoder.end();
  return frames;
}

function assemble(frames: KiroFrame[]): void {
  const output: AssistantMessage = {
    role: "assistant",
    content: [],
    api: "kiro",
    provider: "kiro",
    model: "m",
    usage: emptyUsage(),
    stopReason: "stop",
    timestamp: 0,
  };
  const assembler = new KiroResponseAssembler({ output, emit: () => {}, contextWindow: 200_000, errorContext: { modelId: "m" } });
  for (const f of frames) assembler.handleFrame(f);
  assembler.finish();
}

function runCase(index: number, kind: CaseKind, seed: number): CaseResult {
  const random = rng(seed);
  let frames: KiroFrame[] = [];
  let mustFail = false;
  const run = (): void => {
    switch (kind) {
      case "random": {
        const bytes = new Uint8Array(Math.floor(random() * 400));
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
        frames = feedRandomly(bytes, random);
        assemble(frames);
        return;
      }
      case "bitflip": {
        const { bytes } = validStream(random);
        const bit = Math.floor(random() * bytes.byteLength * 8);
        bytes[bit >> 3] ^= 1 << (bit & 7);
        mustFail = true; // CRC32 catches every single-bit error
        frames = feedRandomly(bytes, random);
        return;
      }
      case "truncate": {
        const { bytes, boundaries } = validStream(random);
        const cut = Math.floor(random() * bytes.byteLength);
        mustFail = !boundaries.has(cut);
        frames = feedRandomly(bytes.subarray(0, cut), random);
        assemble(frames);
        return;
      }
      case "payload": {
        // Valid CRCs around mangled JSON: the assembler must reject it as a stream error, not crash.
        const { bodies } = validStream(random);
        const parts = bodies.map(([type, body]) => {
          const chars = body.split("");
          const edits = 1 + Math.floor(random() * 3);
          for (let e = 0; e < edits; e++) {
            const at = Math.floor(random() * chars.length);
            chars[at] = String.fromCharCode(32 + Math.floor(random() * 95));
          }
          return frame(type, chars.join(""));
        });
        const decoder = new EventStreamDecoder();
        for (const p of parts) frames.push(...decoder.push(p));
        decoder.end();
        assemble(frames);
        return;
      }
    }
  };
  let outcome = "ok";
  try {
    run();
  } catch (error) {
    if (error instanceof KiroError && error.kind === "stream") outcome = "stream-error";
    else outcome = `unclean failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  return { index, kind, seed, outcome, frames: frames.length, mustFail };
}

function caseList(): { kind: CaseKind; seed: number }[] {
  const kinds: CaseKind[] = ["random", "bitflip", "truncate", "payload"];
  const list: { kind: CaseKind; seed: number }[] = [];
  for (const kind of kinds) for (let i = 0; i < CASES_PER_KIND; i++) list.push({ kind, seed: 1000 * kinds.indexOf(kind) + i + 1 });
  return list;
}

if (!isMainThread && workerData?.fuzzDecoder) {
  // Worker side: run every case, reporting before and after each so the parent's watchdog can name a hang.
  const list = caseList();
  for (let i = 0; i < list.length; i++) {
    parentPort!.postMessage({ started: i });
    parentPort!.postMessage({ result: runCase(i, list[i]!.kind, list[i]!.seed) });
  }
  parentPort!.postMessage({ finished: true });
} else {
  describe("decoder fuzzing", () => {
    it("fails every corrupt, truncated or random input with a stream error and never hangs", async () => {
      const results: CaseResult[] = [];
      const list = caseList();
      await new Promise<void>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: { fuzzDecoder: true } });
        let current = -1;
        let watchdog: NodeJS.Timeout | undefined;
        const arm = (): void => {
          clearTimeout(watchdog);
          watchdog = setTimeout(() => {
            void worker.terminate();
            const c = list[current];
            reject(new Error(`decoder hung on case ${current} (${c?.kind}, seed ${c?.seed})`));
          }, WATCHDOG_MS);
        };
        worker.on("message", (message: { started?: number; result?: CaseResult; finished?: boolean }) => {
          if (message.started !== undefined) {
            current = message.started;
            arm();
          } else if (message.result) {
            results.push(message.result);
          } else if (message.finished) {
            clearTimeout(watchdog);
            void worker.terminate().then(() => resolve());
          }
        });
        worker.on("error", (error) => {
          clearTimeout(watchdog);
          reject(error);
        });
        arm();
      });
      assert.equal(results.length, list.length);
      const unclean = results.filter((r) => r.outcome.startsWith("unclean"));
      assert.deepEqual(unclean, [], "every failure must be a KiroError of kind stream");
      const undetected = results.filter((r) => r.mustFail && r.outcome === "ok");
      assert.deepEqual(undetected, [], "every bit flip and mid-frame truncation must be detected");
      const frameBoundaryCuts = results.filter((r) => r.kind === "truncate" && !r.mustFail);
      for (const r of frameBoundaryCuts) assert.equal(r.outcome, "ok", `a cut between frames is a shorter valid stream (case ${r.index})`);
    });
  });
}
