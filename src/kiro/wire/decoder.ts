// Incremental decoding of the AWS event stream Kiro answers with: bytes in any chunking → CRC-checked frames, read by their headers.
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { streamError } from "../errors";

/** One decoded frame. `payload` is a view into the received bytes (not copied). */
export interface KiroFrame {
  /** `:message-type`: `event`, `exception` or `error`. */
  messageType: string;
  /** `:event-type`, for events. */
  eventType?: string;
  /** `:exception-type`, for exceptions. */
  exceptionType?: string;
  /** `:error-code` / `:error-message`, for `error` frames. */
  errorCode?: string;
  errorMessage?: string;
  payload: Uint8Array;
}

const PRELUDE_LENGTH = 12;
const MINIMUM_FRAME_LENGTH = 16;
/** AWS event streams cap a message at 16 MiB; a larger length prefix means the bytes are corrupt. */
export const MAX_FRAME_LENGTH = 16 * 1024 * 1024;
const MAX_HEADERS_LENGTH = 128 * 1024;

const utf8Decoder = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();

/** Longest header name or value worth remembering, and how many different ones are remembered at most. */
const HEADER_TEXT_CACHE_BYTES = 64;
const HEADER_TEXT_CACHE_ENTRIES = 64;
const headerTextCache: { bytes: Uint8Array; text: string }[] = [];

/**
 * UTF-8 text of a header name or value. Every frame repeats the same few (`:event-type`, `assistantResponseEvent`, …),
 * so they are looked up among the ones seen before instead of decoded again; a bounded list, so odd streams cannot grow it.
 */
function headerText(bytes: Uint8Array): string {
  const length = bytes.byteLength;
  if (length > HEADER_TEXT_CACHE_BYTES) return utf8Decoder.decode(bytes);
  search: for (const entry of headerTextCache) {
    const known = entry.bytes;
    if (known.byteLength !== length) continue;
    for (let i = 0; i < length; i++) if (known[i] !== bytes[i]) continue search;
    return entry.text;
  }
  const text = utf8Decoder.decode(bytes);
  if (headerTextCache.length < HEADER_TEXT_CACHE_ENTRIES) headerTextCache.push({ bytes: bytes.slice(), text });
  return text;
}

// The codec decodes only header names and string values with this function; payloads are decoded by parseFramePayload.
const codec = new EventStreamCodec(
  headerText,
  (text: string) => utf8Encoder.encode(text),
);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (ISO-HDLC) of the 8 prelude bytes, so a corrupt length is caught before waiting for bytes that never come. */
function preludeCrc(bytes: Uint8Array, offset: number): number {
  let crc = 0xffffffff;
  for (let i = offset; i < offset + 8; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/**
 * Splits a byte stream into frames. `push` accepts chunks cut at any byte and returns the complete frames;
 * `end` reports a truncated stream. Chunks are kept by reference until their frame completes, so callers
 * must not reuse a chunk's buffer after pushing it (fetch bodies never do).
 */
export class EventStreamDecoder {
  /** Bytes of an incomplete frame, in arrival order. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** Length of the incomplete frame once its prelude was read and checked; 0 while unknown. */
  private expectedLength = 0;
  private failed = false;
  private bytesSeen = 0;
  private framesDecoded = 0;

  /** Decodes every frame completed by `chunk`. Throws a `stream` KiroError on corrupt bytes. */
  push(chunk: Uint8Array): KiroFrame[] {
    if (this.failed) throw streamError("the decoder already failed");
    const frames: KiroFrame[] = [];
    let offset = 0;
    this.bytesSeen += chunk.byteLength;
    try {
      if (this.pendingLength > 0) {
        offset = this.completePending(chunk, frames);
        if (offset < 0) return frames;
      }
      // Fast path: whole frames straight from the chunk, no copying.
      while (chunk.byteLength - offset >= PRELUDE_LENGTH) {
        const length = this.checkPrelude(chunk, offset);
        if (chunk.byteLength - offset < length) break;
        frames.push(this.decodeFrame(chunk.subarray(offset, offset + length)));
        offset += length;
      }
      if (offset < chunk.byteLength) this.keep(chunk.subarray(offset));
    } catch (error) {
      this.failed = true;
      throw error;
    }
    return frames;
  }

  /** Call when the byte stream ended; throws if it ended inside a frame. */
  end(): void {
    if (this.failed) return;
    if (this.pendingLength > 0) {
      this.failed = true;
      const frameLength = this.expectedLength > 0 ? ` of ${this.expectedLength}` : "";
      throw streamError(
        `the connection ended in the middle of a frame (${this.pendingLength}${frameLength} bytes received, ${this.framesDecoded} complete frames before it).`,
      );
    }
  }

  /** Number of complete frames decoded so far. */
  get frameCount(): number {
    return this.framesDecoded;
  }

  /** Number of bytes pushed so far. */
  get byteCount(): number {
    return this.bytesSeen;
  }

  private keep(rest: Uint8Array): void {
    this.pending.push(rest);
    this.pendingLength += rest.byteLength;
    if (this.expectedLength === 0 && this.pendingLength >= PRELUDE_LENGTH) {
      const joined = this.joinPending();
      this.expectedLength = this.checkPrelude(joined, 0);
    }
  }

  /** Adds bytes from `chunk` to the pending frame; returns the offset in `chunk` after it, or -1 if still incomplete. */
  private completePending(chunk: Uint8Array, frames: KiroFrame[]): number {
    if (this.expectedLength === 0) {
      const needForPrelude = PRELUDE_LENGTH - this.pendingLength;
      if (chunk.byteLength < needForPrelude) {
        this.pending.push(chunk);
        this.pendingLength += chunk.byteLength;
        return -1;
      }
      const prelude = new Uint8Array(PRELUDE_LENGTH);
      let at = 0;
      for (const part of this.pending) {
        prelude.set(part, at);
        at += part.byteLength;
      }
      prelude.set(chunk.subarray(0, needForPrelude), at);
      this.expectedLength = this.checkPrelude(prelude, 0);
    }
    const missing = this.expectedLength - this.pendingLength;
    if (chunk.byteLength < missing) {
      this.pending.push(chunk);
      this.pendingLength += chunk.byteLength;
      return -1;
    }
    const frameBytes = new Uint8Array(this.expectedLength);
    let at = 0;
    for (const part of this.pending) {
      frameBytes.set(part, at);
      at += part.byteLength;
    }
    frameBytes.set(chunk.subarray(0, missing), at);
    this.pending = [];
    this.pendingLength = 0;
    this.expectedLength = 0;
    frames.push(this.decodeFrame(frameBytes));
    return missing;
  }

  private joinPending(): Uint8Array {
    if (this.pending.length === 1) return this.pending[0]!;
    const joined = new Uint8Array(this.pendingLength);
    let at = 0;
    for (const part of this.pending) {
      joined.set(part, at);
      at += part.byteLength;
    }
    this.pending = [joined];
    return joined;
  }

  /** Validates the 12-byte prelude at `offset` and returns the frame length. */
  private checkPrelude(bytes: Uint8Array, offset: number): number {
    const length = readUint32(bytes, offset);
    const headersLength = readUint32(bytes, offset + 4);
    const crc = readUint32(bytes, offset + 8);
    if (preludeCrc(bytes, offset) !== crc) {
      throw streamError(`frame ${this.framesDecoded + 1} has a bad prelude checksum (corrupted bytes).`);
    }
    if (length < MINIMUM_FRAME_LENGTH || length > MAX_FRAME_LENGTH || headersLength > MAX_HEADERS_LENGTH || headersLength > length - MINIMUM_FRAME_LENGTH) {
      throw streamError(`frame ${this.framesDecoded + 1} declares an impossible length (${length} bytes, headers ${headersLength}).`);
    }
    return length;
  }

  private decodeFrame(bytes: Uint8Array): KiroFrame {
    let message;
    try {
      message = codec.decode(bytes);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw streamError(`frame ${this.framesDecoded + 1} is corrupt (${detail}).`, error);
    }
    this.framesDecoded++;
    const headers = message.headers;
    const frame: KiroFrame = {
      messageType: headerString(headers[":message-type"]) ?? "event",
      payload: message.body,
    };
    const eventType = headerString(headers[":event-type"]);
    if (eventType !== undefined) frame.eventType = eventType;
    const exceptionType = headerString(headers[":exception-type"]);
    if (exceptionType !== undefined) frame.exceptionType = exceptionType;
    const errorCode = headerString(headers[":error-code"]);
    if (errorCode !== undefined) frame.errorCode = errorCode;
    const errorMessage = headerString(headers[":error-message"]);
    if (errorMessage !== undefined) frame.errorMessage = errorMessage;
    return frame;
  }
}

function headerString(value: { type: string; value: unknown } | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value.value === "string" ? value.value : String(value.value);
}

/** Decodes a frame's JSON payload; an empty payload is `{}`. Throws a `stream` KiroError on invalid JSON. */
export function parseFramePayload(frame: KiroFrame): Record<string, unknown> {
  if (frame.payload.byteLength === 0) return {};
  const text = utf8Decoder.decode(frame.payload);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const label = frame.eventType ?? frame.exceptionType ?? frame.messageType;
    throw streamError(`a ${label} frame carried invalid JSON.`, error);
  }
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : { value };
}

/** Decodes a whole byte stream (e.g. a fetch body) into frames; throws a `stream` KiroError on corruption or truncation. */
export async function* decodeEventStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<KiroFrame> {
  const decoder = new EventStreamDecoder();
  for await (const chunk of chunks) {
    for (const frame of decoder.push(chunk)) yield frame;
  }
  decoder.end();
}
