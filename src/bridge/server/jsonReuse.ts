// JSON text for one streamed answer's events in which a long string already written (an answer's text, repeated by its closing events) reuses its escaped form instead of being escaped again, as text or as UTF-8 bytes encoded once.
import { randomBytes } from "node:crypto";
import type { EncodedEvent } from "./types";

/** Strings shorter than this are escaped as usual: only an answer's whole text is worth remembering. */
export const REUSED_STRING_CHARS = 16 * 1024;
/** How many long strings one answer remembers (its text, thinking and tool blocks end one after another). */
const REMEMBERED = 8;

interface Remembered {
  text: string;
  json?: string;
  bytes?: Uint8Array;
}

/**
 * `JSON.stringify` for the events of one answer. An answer's closing events repeat its whole text (pi's `text_end`
 * and `done` for clients that do not rebuild it; the Responses format's `output_text.done`, `content_part.done`,
 * `output_item.done` and `response.completed`), and escaping a multi-megabyte string costs about as much as the rest
 * of the answer's events together; here each long string is escaped once and its JSON text spliced into every event
 * that carries it again. `stringifyPieces` goes one step further for a format that repeats it four times: the escaped
 * text is also encoded to UTF-8 once, and each event writes those same bytes. The output is exactly
 * `JSON.stringify(value)`'s.
 */
export class ReusedJsonStrings {
  private readonly remembered: Remembered[] = [];
  /** Stands in for a long string while the rest of the value is stringified; random, so no text can hold it. */
  private readonly marker = `\u0000kiro-pi:${randomBytes(12).toString("hex")}`;
  private readonly quotedMarker = JSON.stringify(this.marker);

  private entry(text: string): Remembered {
    const known = this.remembered.find((candidate) => candidate.text === text);
    if (known) return known;
    const entry: Remembered = { text };
    this.remembered.push(entry);
    if (this.remembered.length > REMEMBERED) this.remembered.shift();
    return entry;
  }

  /** The JSON text of one string, escaped once per answer when it is long. */
  string(text: string): string {
    if (text.length < REUSED_STRING_CHARS) return JSON.stringify(text);
    const entry = this.entry(text);
    entry.json ??= JSON.stringify(text);
    return entry.json;
  }

  /** The UTF-8 bytes of one long string's JSON text, encoded once per answer (escaped text made only for them is not kept). */
  private bytes(text: string): Uint8Array {
    const entry = this.entry(text);
    entry.bytes ??= Buffer.from(entry.json ?? JSON.stringify(text), "utf8");
    return entry.bytes;
  }

  /** `JSON.stringify(value)`, with every long string inside it escaped at most once per answer. */
  stringify(value: unknown): string {
    const spliced = this.splice(value, (text) => this.string(text));
    if (typeof spliced === "string") return spliced;
    return spliced.join("");
  }

  /**
   * `JSON.stringify(value)` as pieces to write in order: the text around each long string, and that string's JSON as
   * UTF-8 bytes encoded once per answer. A value with no long string is plain text.
   */
  stringifyPieces(value: unknown): EncodedEvent {
    return this.splice(value, (text) => this.bytes(text));
  }

  private splice<T extends string | Uint8Array>(value: unknown, long: (text: string) => T): string | (string | T)[] {
    const found: string[] = [];
    const text = JSON.stringify(value, (_key, field: unknown) => {
      if (typeof field !== "string" || field.length < REUSED_STRING_CHARS) return field;
      found.push(field);
      return this.marker;
    });
    if (found.length === 0) return text;
    const pieces = text.split(this.quotedMarker);
    // Cannot happen with a random marker; if it ever did, the plain text is still right.
    if (pieces.length !== found.length + 1) return JSON.stringify(value);
    const joined: (string | T)[] = [pieces[0]!];
    for (let i = 0; i < found.length; i++) joined.push(long(found[i]!), pieces[i + 1]!);
    return joined;
  }
}

/** Pieces of several events one after another, with neighbouring text joined, so a write sees few pieces. */
export function joinEncoded(...parts: EncodedEvent[]): EncodedEvent {
  if (parts.every((part) => typeof part === "string")) return (parts as string[]).join("");
  const joined: (string | Uint8Array)[] = [];
  for (const part of parts) {
    for (const piece of typeof part === "string" ? [part] : part) {
      if (typeof piece === "string" && typeof joined.at(-1) === "string") joined[joined.length - 1] += piece;
      else if (piece !== "") joined.push(piece);
    }
  }
  return joined;
}

/** An encoded event as the text a client reads. */
export function encodedText(encoded: EncodedEvent): string {
  if (typeof encoded === "string") return encoded;
  return encoded.map((piece) => (typeof piece === "string" ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString("utf8"))).join("");
}
