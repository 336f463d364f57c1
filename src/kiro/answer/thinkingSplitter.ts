// Streaming split of tag-mode thinking (`<thinking>…</thinking>` written inside the answer text) into thinking and text pieces.
//
// The rule, chosen so that ordinary answers that merely mention the tag are never eaten:
// - Only a `<thinking>` at the very start of the answer (after optional whitespace) opens thinking.
//   Anywhere else, including after thinking has closed, `<thinking>` is plain text.
// - Inside thinking, `</thinking>` closes it unless it sits in a code fence (a line starting with ```),
//   in inline code (`…` on one line), or directly next to a quote character (`"</thinking>"`, `'</thinking>'`).
// - Whitespace right after `<thinking>` and right after `</thinking>` is dropped; tags never reach the text.
// - Only a tail that could still become a tag (at most the tag's length, plus one character of look-ahead
//   for a closing quote) is held back between deltas.

export interface SplitPiece {
  kind: "text" | "thinking";
  text: string;
}

const OPEN_TAG = "<thinking>";
const CLOSE_TAG = "</thinking>";
const FENCE = "```";

type SplitterState = "start" | "thinking-start" | "thinking" | "after-thinking" | "text";

function isWhitespace(ch: number): boolean {
  return ch === 32 || ch === 10 || ch === 13 || ch === 9;
}

function isQuote(ch: string | undefined): boolean {
  return ch === '"' || ch === "'" || ch === "\u201c" || ch === "\u201d" || ch === "\u2018" || ch === "\u2019";
}

export class ThinkingTagSplitter {
  private state: SplitterState = "start";
  /** Unemitted input: the possible-tag tail, or leading text in the `start` state. */
  private held = "";
  // Markdown state inside thinking, so a closing tag in code is not taken for real.
  private inFence = false;
  private inInlineCode = false;
  private atLineStart = true;
  private previousChar: string | undefined = undefined;

  /** True once thinking opened (so the caller knows the answer used tag-mode thinking). */
  get sawThinking(): boolean {
    return this.openedThinking;
  }
  private openedThinking = false;

  /** True once the answer is plain text for good: every later delta would come back unchanged as one text piece. */
  get passesTextThrough(): boolean {
    return this.state === "text";
  }

  /** Feeds one text delta; returns the pieces that are certain, in order. */
  push(delta: string): SplitPiece[] {
    if (this.state === "text") return delta.length > 0 ? [{ kind: "text", text: delta }] : [];
    const out: SplitPiece[] = [];
    this.consume(this.held + delta, out);
    return out;
  }

  /** The answer ended: releases whatever is held. */
  flush(): SplitPiece[] {
    const rest = this.held;
    this.held = "";
    if (rest.length === 0) return [];
    switch (this.state) {
      case "start":
        this.state = "text";
        // Only whitespace or a partial `<thinking>` can be held here; whitespace alone is not worth a text block.
        return rest.trim().length === 0 ? [] : [{ kind: "text", text: rest }];
      case "text":
        return [{ kind: "text", text: rest }];
      case "thinking":
        return [{ kind: "thinking", text: rest }];
      default:
        // Only whitespace is ever held in thinking-start / after-thinking; it is dropped on purpose.
        return [];
    }
  }

  private consume(input: string, out: SplitPiece[]): void {
    let rest = input;
    this.held = "";
    while (rest.length > 0) {
      switch (this.state) {
        case "start": {
          let i = 0;
          while (i < rest.length && isWhitespace(rest.charCodeAt(i))) i++;
          const candidate = rest.slice(i);
          if (candidate.length === 0 || (candidate.length < OPEN_TAG.length && OPEN_TAG.startsWith(candidate))) {
            this.held = rest;
            return;
          }
          if (candidate.startsWith(OPEN_TAG)) {
            this.state = "thinking-start";
            this.openedThinking = true;
            rest = candidate.slice(OPEN_TAG.length);
            continue;
          }
          this.state = "text";
          out.push({ kind: "text", text: rest });
          return;
        }
        case "thinking-start":
        case "after-thinking": {
          let i = 0;
          while (i < rest.length && isWhitespace(rest.charCodeAt(i))) i++;
          if (i === rest.length) {
            // Held so a whitespace-only delta does not decide anything; dropped if nothing else follows.
            this.held = rest;
            return;
          }
          rest = rest.slice(i);
          if (this.state === "after-thinking") {
            this.state = "text";
            out.push({ kind: "text", text: rest });
            return;
          }
          this.state = "thinking";
          continue;
        }
        case "thinking": {
          rest = this.scanThinking(rest, out);
          continue;
        }
        case "text":
          out.push({ kind: "text", text: rest });
          return;
      }
    }
  }

  /** Emits thinking up to the closing tag or the held tail; returns what follows the closing tag ("" if none). */
  private scanThinking(input: string, out: SplitPiece[]): string {
    const length = input.length;
    let i = 0;
    while (i < length) {
      const ch = input[i]!;
      if (ch === "<") {
        if (!this.inFence && !this.inInlineCode && input.startsWith(CLOSE_TAG, i)) {
          const after = i + CLOSE_TAG.length;
          if (after >= length) return this.hold(input, i, out); // need one character to rule out a closing quote
          if (!isQuote(this.previousChar) && !isQuote(input[after])) {
            if (i > 0) out.push({ kind: "thinking", text: input.slice(0, i) });
            this.state = "after-thinking";
            return input.slice(after);
          }
        } else if (length - i < CLOSE_TAG.length && CLOSE_TAG.startsWith(input.slice(i))) {
          return this.hold(input, i, out);
        }
      } else if (ch === "`") {
        if (this.atLineStart && !this.inInlineCode) {
          if (length - i < FENCE.length && FENCE.startsWith(input.slice(i))) return this.hold(input, i, out);
          if (input.startsWith(FENCE, i)) {
            this.inFence = !this.inFence;
            this.atLineStart = false;
            this.previousChar = "`";
            i += FENCE.length;
            continue;
          }
        }
        if (!this.inFence) this.inInlineCode = !this.inInlineCode;
      }
      if (ch === "\n") {
        this.atLineStart = true;
        this.inInlineCode = false;
      } else if (ch !== " " && ch !== "\t") {
        this.atLineStart = false;
      }
      this.previousChar = ch;
      i++;
    }
    out.push({ kind: "thinking", text: input });
    return "";
  }

  /** Emits input[0, at) as thinking and holds the rest for the next delta. */
  private hold(input: string, at: number, out: SplitPiece[]): string {
    if (at > 0) out.push({ kind: "thinking", text: input.slice(0, at) });
    this.held = input.slice(at);
    return "";
  }
}
