// A streaming tool call's arguments, shown while they arrive: fragments are joined and re-parsed only each time the JSON has doubled, so a huge call costs O(n) parsing in total instead of O(n²).

/** Collects one tool call's argument fragments; `push` returns fresh preview arguments when it re-parsed, else undefined. */
export class ToolArgumentPreview {
  private parts: string[] = [];
  private chars = 0;
  private nextPreviewAt = 0;

  /** Characters received so far. */
  get length(): number {
    return this.chars;
  }

  /** `preview` false: only collect (the last fragment, which the caller parses in full anyway). */
  push(fragment: string, preview = true): Record<string, unknown> | undefined {
    this.parts.push(fragment);
    this.chars += fragment.length;
    if (!preview || this.chars < this.nextPreviewAt) return undefined;
    this.nextPreviewAt = Math.max(this.chars * 2, this.chars + 64);
    return parsePartialJsonObject(this.text());
  }

  /** Everything received, joined once. */
  text(): string {
    const json = this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
    this.parts = [json];
    return json;
  }
}

function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

/**
 * Best-effort arguments of an unfinished tool call, for display while it streams: the JSON so far, cut back to
 * the last complete member (or with an open string value closed) and its containers closed. Undefined when
 * nothing can be recovered. Never throws.
 */
export function parsePartialJsonObject(text: string): Record<string, unknown> | undefined {
  const closers: string[] = [];
  const expectKey: boolean[] = []; // per open container: true while an object waits for a key
  let inString = false;
  let stringIsKey = false;
  let escapeAt = -1;
  let safeEnd = -1;
  let safeClosers = "";
  const markSafe = (end: number): void => {
    safeEnd = end;
    safeClosers = closers.slice().reverse().join("");
  };
  // Inside a string only `"` and `\` matter: jump to the next of them (positions found by indexOf, each searched
  // again only once passed, so the scan stays linear) instead of stepping through long values character by character.
  let nextQuote = -1;
  let nextBackslash = -1;
  for (let i = 0; i < text.length; i++) {
    if (inString && escapeAt < 0) {
      if (nextQuote < i) nextQuote = indexOrEnd(text, '"', i);
      if (nextBackslash < i) nextBackslash = indexOrEnd(text, "\\", i);
      i = nextQuote < nextBackslash ? nextQuote : nextBackslash;
      if (i >= text.length) break;
    }
    const ch = text.charCodeAt(i);
    if (inString) {
      if (escapeAt >= 0) {
        if (i === escapeAt + 1 && ch === 117 /* u */) continue;
        if (text.charCodeAt(escapeAt + 1) !== 117 || i >= escapeAt + 5) escapeAt = -1;
        continue;
      }
      if (ch === 92 /* \ */) escapeAt = i;
      else if (ch === 34 /* " */) {
        inString = false;
        if (stringIsKey) expectKey[expectKey.length - 1] = false;
        else markSafe(i + 1);
      }
      continue;
    }
    switch (ch) {
      case 34:
        inString = true;
        stringIsKey = closers[closers.length - 1] === "}" && expectKey[expectKey.length - 1] === true;
        break;
      case 123 /* { */:
        closers.push("}");
        expectKey.push(true);
        markSafe(i + 1);
        break;
      case 91 /* [ */:
        closers.push("]");
        expectKey.push(false);
        markSafe(i + 1);
        break;
      case 125 /* } */:
      case 93 /* ] */:
        closers.pop();
        expectKey.pop();
        markSafe(i + 1);
        break;
      case 44 /* , */:
        markSafe(i);
        if (closers[closers.length - 1] === "}") expectKey[expectKey.length - 1] = true;
        break;
      default:
        break;
    }
  }
  let candidate: string;
  if (inString && !stringIsKey) {
    const end = escapeAt >= 0 ? escapeAt : text.length;
    candidate = `${text.slice(0, end)}"${closers.slice().reverse().join("")}`;
  } else if (safeEnd >= 0) {
    candidate = text.slice(0, safeEnd) + safeClosers;
  } else {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(candidate);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
