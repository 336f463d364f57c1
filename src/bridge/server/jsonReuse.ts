// JSON text for one streamed answer's events in which a long string already written (an answer's text, repeated by its closing events) reuses its escaped form instead of being escaped again.
import { randomBytes } from "node:crypto";

/** Strings shorter than this are escaped as usual: only an answer's whole text is worth remembering. */
export const REUSED_STRING_CHARS = 16 * 1024;
/** How many long strings one answer remembers (its text, thinking and tool blocks end one after another). */
const REMEMBERED = 8;

/**
 * `JSON.stringify` for the events of one answer. An answer's closing events repeat its whole text (pi's `text_end`
 * and `done`; the Responses format's `output_text.done`, `content_part.done`, `output_item.done` and
 * `response.completed`), and escaping a multi-megabyte string costs about as much as the rest of the answer's events
 * together; here each long string is escaped once and its JSON text spliced into every event that carries it again.
 * The output is exactly `JSON.stringify(value)`'s.
 */
export class ReusedJsonStrings {
  private readonly remembered: { text: string; json: string }[] = [];
  /** Stands in for a long string while the rest of the value is stringified; random, so no text can hold it. */
  private readonly marker = `\u0000kiro-pi:${randomBytes(12).toString("hex")}`;
  private readonly quotedMarker = JSON.stringify(this.marker);

  /** The JSON text of one string, escaped once per answer when it is long. */
  string(text: string): string {
    if (text.length < REUSED_STRING_CHARS) return JSON.stringify(text);
    const known = this.remembered.find((entry) => entry.text === text);
    if (known) return known.json;
    const json = JSON.stringify(text);
    this.remembered.push({ text, json });
    if (this.remembered.length > REMEMBERED) this.remembered.shift();
    return json;
  }

  /** `JSON.stringify(value)`, with every long string inside it escaped at most once per answer. */
  stringify(value: unknown): string {
    const long: string[] = [];
    const text = JSON.stringify(value, (_key, field: unknown) => {
      if (typeof field !== "string" || field.length < REUSED_STRING_CHARS) return field;
      long.push(this.string(field));
      return this.marker;
    });
    if (long.length === 0) return text;
    const pieces = text.split(this.quotedMarker);
    // Cannot happen with a random marker; if it ever did, the plain text is still right.
    if (pieces.length !== long.length + 1) return JSON.stringify(value);
    let joined = pieces[0]!;
    for (let i = 0; i < long.length; i++) joined += long[i]! + pieces[i + 1]!;
    return joined;
  }
}
