// Tag-mode thinking split: tags cut across deltas, tags in code or quotes, and answers that only mention the tag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ThinkingTagSplitter, type SplitPiece } from "../../src/kiro/answer/thinkingSplitter";

/** Runs deltas through a splitter and merges adjacent pieces of one kind. */
function split(deltas: string[]): { pieces: SplitPiece[] } {
  const splitter = new ThinkingTagSplitter();
  const raw: SplitPiece[] = [];
  for (const delta of deltas) raw.push(...splitter.push(delta));
  raw.push(...splitter.flush());
  const pieces: SplitPiece[] = [];
  for (const piece of raw) {
    const last = pieces[pieces.length - 1];
    if (last && last.kind === piece.kind) last.text += piece.text;
    else pieces.push({ ...piece });
  }
  return { pieces };
}

function everyTwoWaySplit(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe("ThinkingTagSplitter", () => {
  it("splits thinking at the start of the answer from the text, dropping tags and the whitespace around them", () => {
    const { pieces } = split(["<thinking>\nLet me think.\n</thinking>\n\nThe answer is 4."]);
    assert.deepEqual(pieces, [
      { kind: "thinking", text: "Let me think.\n" },
      { kind: "text", text: "The answer is 4." },
    ]);
  });

  it("gives the same result wherever the deltas are cut", () => {
    const whole = "  <thinking>plan: use `x`</thinking>Done. <thinking> stays text";
    const expected = split([whole]).pieces;
    assert.deepEqual(expected, [
      { kind: "thinking", text: "plan: use `x`" },
      { kind: "text", text: "Done. <thinking> stays text" },
    ]);
    for (const deltas of everyTwoWaySplit(whole)) assert.deepEqual(split(deltas).pieces, expected, JSON.stringify(deltas));
    assert.deepEqual(split(whole.split("")).pieces, expected, "one character per delta");
  });

  it("holds back no more than a closing tag's length plus one character", () => {
    const thinking = "x".repeat(5000);
    const splitter = new ThinkingTagSplitter();
    assert.deepEqual(splitter.push("<thinking>"), []);
    let fed = 0;
    let emitted = 0;
    for (const delta of [...thinking.match(/.{1,7}/g)!, "</think"]) {
      fed += delta.length;
      for (const piece of splitter.push(delta)) {
        assert.equal(piece.kind, "thinking");
        emitted += piece.text.length;
      }
      assert.ok(fed - emitted <= "</thinking>".length + 1, `held ${fed - emitted} characters`);
    }
    assert.deepEqual(splitter.push("ing>answer"), [{ kind: "text", text: "answer" }]);
    assert.equal(emitted, thinking.length);
  });

  it("leaves an answer that merely mentions <thinking> later on as text", () => {
    const text = "Use the <thinking> tag like this: <thinking>hi</thinking>.";
    assert.deepEqual(split([text]).pieces, [{ kind: "text", text }]);
  });

  it("does not close thinking at a </thinking> inside a code fence", () => {
    const input = "<thinking>The parser should match:\n```xml\n</thinking>\n```\nok</thinking>Answer";
    assert.deepEqual(split([input]).pieces, [
      { kind: "thinking", text: "The parser should match:\n```xml\n</thinking>\n```\nok" },
      { kind: "text", text: "Answer" },
    ]);
    for (const deltas of everyTwoWaySplit(input)) assert.deepEqual(split(deltas).pieces, split([input]).pieces);
  });

  it("does not close thinking at a </thinking> in inline code or quotes", () => {
    const input = "<thinking>the tag `</thinking>` and \"</thinking>\" and '</thinking>' are data</thinking>Answer";
    assert.deepEqual(split([input]).pieces, [
      { kind: "thinking", text: "the tag `</thinking>` and \"</thinking>\" and '</thinking>' are data" },
      { kind: "text", text: "Answer" },
    ]);
    for (const deltas of everyTwoWaySplit(input)) assert.deepEqual(split(deltas).pieces, split([input]).pieces);
  });

  it("ends inline code at a line break so an unbalanced backtick cannot swallow the closing tag", () => {
    const input = "<thinking>don`t worry\n</thinking>\nAnswer";
    assert.deepEqual(split([input]).pieces, [
      { kind: "thinking", text: "don`t worry\n" },
      { kind: "text", text: "Answer" },
    ]);
  });

  it("releases an unclosed thinking block as thinking when the answer ends", () => {
    assert.deepEqual(split(["<thinking>still going</thi"]).pieces, [{ kind: "thinking", text: "still going</thi" }]);
  });

  it("releases a partial opening tag as text when the answer ends", () => {
    assert.deepEqual(split(["<thin"]).pieces, [{ kind: "text", text: "<thin" }]);
    assert.deepEqual(split(["<thinx"]).pieces, [{ kind: "text", text: "<thinx" }]);
  });

  it("passes a plain answer through as it arrives, keeping its leading whitespace", () => {
    const splitter = new ThinkingTagSplitter();
    assert.deepEqual(splitter.push("\n"), []);
    assert.deepEqual(splitter.push("Hi"), [{ kind: "text", text: "\nHi" }]);
    assert.deepEqual(splitter.push(" <thinking>"), [{ kind: "text", text: " <thinking>" }]);
    assert.equal(splitter.sawThinking, false);
  });

  it("produces nothing for an answer of whitespace only", () => {
    assert.deepEqual(split(["  ", "\n"]).pieces, []);
  });
});
