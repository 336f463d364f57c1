// What the bridge reads from a client before any route sees it: the size and JSON-structure limits, the body reader that enforces them as bytes arrive, JSON parsing, and the refusal error every route throws.
import type { IncomingMessage } from "node:http";

const MB = 1024 * 1024;

/**
 * Largest request body, on every route. A text-only pi context at the largest Kiro context window (1M tokens, compacted at
 * 1M less 16K) measured 4.3 MB with pi's 50 KB tool results, 5.1 MB with 2 KB ones; images come on top (pi resizes each
 * to at most 4.5 MB of base64). Kiro itself takes a history of ~5 MB plus one message of up to ~7.6 MB
 * (docs/kiro-protocol.md#body-size), and the client leaves out the oldest images beyond this limit.
 */
export const MAX_REQUEST_BODY_BYTES = 16 * MB;

/**
 * Most JSON values (counted as `{`, `[`, `,` and `:` outside strings) a request may hold. The heavy 1M-token contexts
 * above have 29k–135k; 500k values of the costliest shape (objects with distinct keys) parse in ~0.2 s, where 16 MB of
 * tiny objects took 1.5 s and 340 MB of heap.
 */
export const MAX_REQUEST_JSON_NODES = 500_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const STRUCTURAL = new Uint8Array(256);
for (const c of "{[,:") STRUCTURAL[c.charCodeAt(0)] = 1;

/**
 * Counts a JSON text's structure (`{`, `[`, `,`, `:` outside strings) chunk by chunk as it arrives, so a body can be
 * refused before it is parsed: ~1 ms per 15 MB of string data, ~30 ms per 15 MB of tiny objects, in pieces no longer
 * than one chunk. UTF-8 multi-byte sequences never contain these ASCII bytes, so chunks may split anywhere.
 */
export class JsonStructureCounter {
  private inString = false;
  private escaped = false;
  private nodes = 0;

  get count(): number {
    return this.nodes;
  }

  /** Adds a chunk and returns the count so far. */
  push(chunk: Buffer): number {
    const end = chunk.length;
    // Next quote and backslash at or after the cursor; -1 once there is none left in this chunk. Each only moves
    // forward, so a long string full of escapes (source code) costs one pass, not one search per escape.
    let nextQuote = -2;
    let nextBackslash = -2;
    let i = 0;
    while (i < end) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        // Long strings (base64 images, file contents) are skipped with native searches rather than byte by byte.
        if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
        if (nextBackslash >= 0 && (nextQuote < 0 || nextBackslash < nextQuote)) {
          this.escaped = true;
          i = nextBackslash + 1;
        } else if (nextQuote >= 0) {
          this.inString = false;
          i = nextQuote + 1;
        } else {
          i = end;
        }
        continue;
      }
      const c = chunk[i++]!;
      if (c === QUOTE) this.inString = true;
      else this.nodes += STRUCTURAL[c]!;
    }
    return this.nodes;
  }
}

/** A request the bridge refuses: the status and a message for the client, put in the route's own error envelope by the server. */
export class BridgeRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. `retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "BridgeRequestError";
  }
}

/**
 * Bytes all requests being read may hold at once. Each body may be 16 MB, and an authenticated client can send many at
 * the same time (80 × 13 MB took the extension host to 2.5 GB): eight whole bodies at once is far more than the window's
 * own agents send, and a body beyond what is left waits for nobody, it is refused with 503 and retried by the client.
 */
export const MAX_BUFFERED_BODY_BYTES = 128 * MB;

/** The bytes every in-flight request body holds together, shared by one server's requests. */
export interface BodyBudget {
  /** Takes `bytes` from the budget; false (and nothing taken) when that would exceed it. */
  reserve(bytes: number): boolean;
  release(bytes: number): void;
  readonly limit: number;
}

export function createBodyBudget(limit: number): BodyBudget {
  let used = 0;
  return {
    limit,
    reserve(bytes) {
      if (used + bytes > limit) return false;
      used += bytes;
      return true;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
  };
}

export type BodyReadResult =
  | { ok: true; body: Buffer; /** Gives the body's bytes back to the budget; call once the body is no longer needed. */ release(): void }
  | { ok: false; status: 413 | 400 | 503; message: string };

export interface BodyLimits {
  maxBytes: number;
  /** JSON values (`{`, `[`, `,`, `:` outside strings), counted as the bytes arrive. */
  maxJsonNodes: number;
  /** Shared with the server's other requests; without one, only this body's own limit applies. */
  budget?: BodyBudget;
}

/**
 * Collects the body but stops at either limit: a declared Content-Length over the size limit is refused before
 * reading anything, a body is refused as soon as it crosses the size limit or holds more JSON values than allowed,
 * so no oversized or pathological body is ever buffered whole or handed to JSON.parse.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyReadResult> {
  const tooLarge: BodyReadResult = {
    ok: false,
    status: 413,
    message: `Request body too large: the bridge accepts at most ${limits.maxBytes} bytes.`,
  };
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limits.maxBytes) return Promise.resolve(tooLarge);
  const budget = limits.budget;
  const busy: BodyReadResult = {
    ok: false,
    status: 503,
    message: `The Kiro bridge is busy reading other requests (at most ${Math.round((budget?.limit ?? 0) / MB)} MB at once); send this one again in a moment.`,
  };
  // A declared length is taken from the budget whole before a byte is read; a chunked body chunk by chunk.
  const declaredBytes = declared === undefined ? 0 : Number(declared) || 0;
  if (budget && !budget.reserve(declaredBytes)) return Promise.resolve(busy);
  let reserved = declaredBytes;
  const release = (): void => {
    budget?.release(reserved);
    reserved = 0;
  };

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const structure = new JsonStructureCounter();
    let received = 0;
    let settled = false;
    const settle = (result: BodyReadResult): void => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      if (!result.ok) release();
      resolve(result);
    };
    const refuse = (result: BodyReadResult): void => {
      chunks.length = 0;
      req.pause();
      settle(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBytes) return refuse(tooLarge);
      if (budget && received > reserved) {
        if (!budget.reserve(received - reserved)) return refuse(busy);
        reserved = received;
      }
      if (structure.push(chunk) > limits.maxJsonNodes) {
        return refuse({
          ok: false,
          status: 413,
          message: `Request body has too many JSON values: the bridge accepts at most ${limits.maxJsonNodes} (a long conversation has well under that; compacting shortens one).`,
        });
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle({ ok: true, body: Buffer.concat(chunks, received), release });
    const onError = (): void => settle({ ok: false, status: 400, message: "The request body could not be read." });
    const onClose = (): void => {
      if (!req.complete) settle({ ok: false, status: 400, message: "The request body ended early." });
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}


export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new BridgeRequestError(400, "Empty request body: expected a JSON object.");
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BridgeRequestError(400, `Request body is not valid JSON (${detail}).`);
  }
}

