// Event-stream decoding: frames cut at every byte, many frames per chunk, corrupt CRCs and truncated streams.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { decodeEventStream, EventStreamDecoder, parseFramePayload, type KiroFrame } from "../../src/kiro/wire/decoder";
import { KiroError } from "../../src/kiro/errors";

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ":message-type": { type: "string", value: "event" },
    ":event-type": { type: "string", value: eventType },
    ":content-type": { type: "string", value: "application/json" },
  };
  return codec.encode({ headers, body: new TextEncoder().encode(JSON.stringify(payload)) });
}

function exceptionFrame(exceptionType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "exception" },
      ":exception-type": { type: "string", value: exceptionType },
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function summarize(frames: KiroFrame[]): string[] {
  return frames.map((f) => `${f.messageType}/${f.eventType ?? f.exceptionType}:${JSON.stringify(parseFramePayload(f))}`);
}

const sampleFrames = [
  eventFrame("assistantResponseEvent", { content: "Hello, " }),
  eventFrame("assistantResponseEvent", { content: "wörld ✓ 🙂" }),
  eventFrame("toolUseEvent", { toolUseId: "t1", name: "read", input: '{"path":' }),
  eventFrame("toolUseEvent", { toolUseId: "t1", name: "read", input: '"a.ts"}', stop: true }),
  exceptionFrame("ThrottlingException", { message: "slow down" }),
];
const sampleBytes = concat(sampleFrames);
const expected = summarize(new EventStreamDecoder().push(sampleBytes));

function assertStreamError(fn: () => void, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KiroError, `expected a KiroError, got ${String(error)}`);
    assert.equal(error.kind, "stream");
    assert.match(error.message, pattern);
    return true;
  });
}

describe("EventStreamDecoder", () => {
  it("reads headers to tell events and exceptions apart", () => {
    assert.deepEqual(expected, [
      'event/assistantResponseEvent:{"content":"Hello, "}',
      'event/assistantResponseEvent:{"content":"wörld ✓ 🙂"}',
      'event/toolUseEvent:{"toolUseId":"t1","name":"read","input":"{\\"path\\":"}',
      'event/toolUseEvent:{"toolUseId":"t1","name":"read","input":"\\"a.ts\\"}","stop":true}',
      'exception/ThrottlingException:{"message":"slow down"}',
    ]);
  });

  it("decodes the same frames when the bytes are split in two at every offset", () => {
    for (let cut = 0; cut <= sampleBytes.byteLength; cut++) {
      const decoder = new EventStreamDecoder();
      const frames = [...decoder.push(sampleBytes.slice(0, cut)), ...decoder.push(sampleBytes.slice(cut))];
      decoder.end();
      assert.deepEqual(summarize(frames), expected, `split at byte ${cut}`);
    }
  });

  it("decodes the same frames when fed one byte at a time", () => {
    const decoder = new EventStreamDecoder();
    const frames: KiroFrame[] = [];
    for (let i = 0; i < sampleBytes.byteLength; i++) frames.push(...decoder.push(sampleBytes.slice(i, i + 1)));
    decoder.end();
    assert.deepEqual(summarize(frames), expected);
  });

  it("decodes the same frames for three-way splits with uneven chunk sizes", () => {
    const n = sampleBytes.byteLength;
    for (let a = 1; a < n; a += 7) {
      for (let b = a; b < n; b += 11) {
        const decoder = new EventStreamDecoder();
        const frames = [
          ...decoder.push(sampleBytes.subarray(0, a)),
          ...decoder.push(sampleBytes.subarray(a, b)),
          ...decoder.push(sampleBytes.subarray(b)),
        ];
        decoder.end();
        assert.deepEqual(summarize(frames), expected, `split at ${a}/${b}`);
      }
    }
  });

  it("decodes a thousand frames delivered in one chunk", () => {
    const many = concat(Array.from({ length: 1000 }, (_, i) => eventFrame("assistantResponseEvent", { content: `part ${i}` })));
    const frames = new EventStreamDecoder().push(many);
    assert.equal(frames.length, 1000);
    assert.deepEqual(parseFramePayload(frames[999]!), { content: "part 999" });
  });

  it("reports a message CRC mismatch as a stream error", () => {
    const corrupt = sampleFrames[0]!.slice();
    corrupt[corrupt.byteLength - 6] ^= 0x01; // a payload byte
    assertStreamError(() => new EventStreamDecoder().push(corrupt), /frame 1 is corrupt.*checksum/);
  });

  it("reports a corrupted length prefix immediately instead of waiting for bytes that never come", () => {
    const corrupt = sampleFrames[1]!.slice();
    corrupt[1] ^= 0x40; // total length now huge
    const decoder = new EventStreamDecoder();
    decoder.push(sampleFrames[0]!);
    assertStreamError(() => decoder.push(corrupt.subarray(0, 12)), /frame 2 has a bad prelude checksum/);
  });

  it("reports a stream that ends in the middle of a frame", () => {
    const decoder = new EventStreamDecoder();
    const frames = decoder.push(sampleBytes.subarray(0, sampleBytes.byteLength - 3));
    assert.equal(frames.length, sampleFrames.length - 1);
    assertStreamError(() => decoder.end(), /ended in the middle of a frame/);
  });

  it("reports a stream that ends inside the 12-byte prelude", () => {
    const decoder = new EventStreamDecoder();
    decoder.push(sampleFrames[0]!.subarray(0, 5));
    assertStreamError(() => decoder.end(), /ended in the middle of a frame \(5 bytes received/);
  });

  it("accepts an empty stream and empty chunks", () => {
    const decoder = new EventStreamDecoder();
    assert.deepEqual(decoder.push(new Uint8Array(0)), []);
    decoder.end();
  });

  it("refuses more bytes after a failure", () => {
    const corrupt = sampleFrames[0]!.slice();
    corrupt[20] ^= 0xff;
    const decoder = new EventStreamDecoder();
    assert.throws(() => decoder.push(corrupt));
    assertStreamError(() => decoder.push(sampleFrames[1]!), /already failed/);
  });

  it("reports invalid JSON in a payload as a stream error naming the event", () => {
    const bad = codec.encode({
      headers: { ":message-type": { type: "string", value: "event" }, ":event-type": { type: "string", value: "toolUseEvent" } },
      body: new TextEncoder().encode("{not json"),
    });
    const [frame] = new EventStreamDecoder().push(bad);
    assertStreamError(() => parseFramePayload(frame!), /toolUseEvent frame carried invalid JSON/);
  });
});

describe("decodeEventStream", () => {
  it("yields every frame of an async byte stream and fails at truncation", async () => {
    async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
    }
    const seen: KiroFrame[] = [];
    for await (const frame of decodeEventStream(chunks(sampleBytes, 13))) seen.push(frame);
    assert.deepEqual(summarize(seen), expected);

    const truncated = sampleBytes.subarray(0, sampleBytes.byteLength - 1);
    await assert.rejects(async () => {
      for await (const frame of decodeEventStream(chunks(truncated, 13))) void frame;
    }, /ended in the middle of a frame/);
  });
});

describe("header names and values past the decoder's remembered set", () => {
  it("decodes every event type right when a stream uses far more distinct, long and non-ASCII ones than are remembered", () => {
    const types = [
      ...Array.from({ length: 150 }, (_, i) => `customEvent${i}`),
      "ereignisÄÖÜ✓",
      "x".repeat(65),
      `longEvent${"é".repeat(40)}`,
    ];
    // Twice over, so names seen before and names never remembered are both read again.
    const frames = [...types, ...types].map((type, i) => eventFrame(type, { i }));
    const decoded = new EventStreamDecoder().push(concat(frames));
    assert.deepEqual(
      decoded.map((f) => f.eventType),
      [...types, ...types],
    );
    assert.deepEqual(
      decoded.map((f) => (parseFramePayload(f) as { i: number }).i),
      frames.map((_, i) => i),
    );
  });
});
