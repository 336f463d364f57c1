// Binary AWS event-stream frames for the Kiro simulator: encoding, reassembly from arbitrary network chunks, decoding, and seeded chunk cutting.
import { EventStreamCodec } from "@smithy/eventstream-codec";

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** One codec for the whole process: it is stateless apart from `feed`, which nothing here uses. */
export const frameCodec = new EventStreamCodec(
  (bytes: Uint8Array) => utf8Decoder.decode(bytes),
  (text: string) => utf8Encoder.encode(text),
);

/** Header map as the codec takes it (named through the codec so no transitive package is imported). */
type MessageHeaders = Parameters<EventStreamCodec["encode"]>[0]["headers"];

/** A decoded frame with its well-known headers pulled out and its JSON payload parsed. */
export interface DecodedFrame {
  messageType: string;
  eventType?: string;
  exceptionType?: string;
  errorCode?: string;
  contentType?: string;
  /** The payload parsed as JSON, or the raw text when it is not JSON. */
  payload: unknown;
  headers: Record<string, string>;
}

function stringHeaders(values: Record<string, string>): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(values)) headers[name] = { type: "string", value };
  return headers;
}

function encodeJsonFrame(headers: Record<string, string>, payload: unknown): Uint8Array {
  const body = utf8Encoder.encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  return frameCodec.encode({ headers: stringHeaders(headers), body });
}

/** `:message-type: event` frame, the shape of every normal Kiro stream event. */
export function encodeEventFrame(eventType: string, payload: unknown): Uint8Array {
  return encodeJsonFrame(
    { ":message-type": "event", ":event-type": eventType, ":content-type": "application/json" },
    payload,
  );
}

/** `:message-type: exception` frame: the service failing after the answer has started. */
export function encodeExceptionFrame(exceptionType: string, payload: unknown): Uint8Array {
  return encodeJsonFrame(
    { ":message-type": "exception", ":exception-type": exceptionType, ":content-type": "application/json" },
    payload,
  );
}

/** `:message-type: error` frame (`:error-code`, `:error-message`), the older AWS way of failing mid-stream. */
export function encodeErrorFrame(errorCode: string, errorMessage: string): Uint8Array {
  return frameCodec.encode({
    headers: stringHeaders({ ":message-type": "error", ":error-code": errorCode, ":error-message": errorMessage }),
    body: new Uint8Array(0),
  });
}

/** Decodes one complete frame (CRCs checked by the codec; a bad frame throws). */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const message = frameCodec.decode(frame);
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers)) headers[name] = String(header.value);
  const text = utf8Decoder.decode(message.body);
  let payload: unknown = text;
  if (text.length > 0) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text;
    }
  }
  return {
    messageType: headers[":message-type"] ?? "",
    eventType: headers[":event-type"],
    exceptionType: headers[":exception-type"],
    errorCode: headers[":error-code"],
    contentType: headers[":content-type"],
    payload,
    headers,
  };
}

/**
 * Collects network chunks and hands back complete frames, whatever byte offsets the chunks were cut at.
 * Keeps the pending chunks in a list so a 20 MB stream is not re-copied on every chunk.
 */
export class FrameSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  /** Adds one network chunk; returns the frames it completed, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.byteLength;
    }
    const frames: Uint8Array[] = [];
    while (this.pendingBytes >= 4) {
      const frameLength = this.peekUint32();
      if (frameLength < 16) throw new Error(`event-stream frame declares ${frameLength} bytes, less than the 16-byte minimum`);
      if (this.pendingBytes < frameLength) break;
      frames.push(this.take(frameLength));
    }
    return frames;
  }

  /** Bytes received that do not yet form a whole frame (non-zero at the end means a truncated stream). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private peekUint32(): number {
    const first = this.pending[0]!;
    if (first.byteLength >= 4) return new DataView(first.buffer, first.byteOffset, 4).getUint32(0, false);
    const head = this.copyPrefix(4);
    return new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
  }

  private copyPrefix(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    for (const chunk of this.pending) {
      const part = Math.min(chunk.byteLength, length - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (filled === length) break;
    }
    return out;
  }

  private take(length: number): Uint8Array {
    const first = this.pending[0]!;
    let frame: Uint8Array;
    if (first.byteLength >= length) {
      frame = first.subarray(0, length);
    } else {
      frame = this.copyPrefix(length);
    }
    let remaining = length;
    while (remaining > 0) {
      const chunk = this.pending[0]!;
      if (chunk.byteLength <= remaining) {
        remaining -= chunk.byteLength;
        this.pending.shift();
      } else {
        this.pending[0] = chunk.subarray(remaining);
        remaining = 0;
      }
    }
    this.pendingBytes -= length;
    return frame;
  }
}

/** Decodes a whole response body (all chunks joined) into frames; throws on a truncated tail. */
export function decodeFrames(bytes: Uint8Array): DecodedFrame[] {
  const splitter = new FrameSplitter();
  const frames = splitter.push(bytes).map(decodeFrame);
  if (splitter.bufferedBytes !== 0) throw new Error(`${splitter.bufferedBytes} trailing bytes do not form a whole frame`);
  return frames;
}

/** A small seeded PRNG (mulberry32) so a failing chunking can be replayed from its seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Cuts bytes into pieces at random offsets: half the cuts are tiny (1–32 bytes, so headers and preludes get split),
 * the rest up to `maxPieceBytes`, so several small frames often share one piece.
 */
export function cutAtRandomOffsets(bytes: Uint8Array, random: () => number, maxPieceBytes = 1024): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const limit = random() < 0.5 ? Math.min(32, maxPieceBytes) : maxPieceBytes;
    const size = 1 + Math.floor(random() * limit);
    pieces.push(bytes.subarray(offset, Math.min(bytes.byteLength, offset + size)));
    offset += size;
  }
  return pieces;
}

/** Joins byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
