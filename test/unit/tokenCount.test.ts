// Token estimates for vscode.lm countTokens: text, non-ASCII text, tool parts, and images sized from their headers.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { estimateImageTokens, estimateTextTokens, imageSize } from "../../src/kiro/request/tokenEstimate";
import { estimateTokens } from "../../src/vscode/tokenCount";
import { ChatRole } from "../../src/vscode/chatConversion";
import { DataPart, TextPart, ToolCallPart, ToolResultPart, jpegHeader, message, pngHeader } from "./chatFakes";

describe("estimateTextTokens", () => {
  it("counts nothing for empty text", () => {
    assert.equal(estimateTextTokens(""), 0);
  });

  it("counts about one token per 3.5 ASCII characters", () => {
    assert.equal(estimateTextTokens("a".repeat(35)), 10);
    assert.equal(estimateTextTokens("function add(a, b) { return a + b; }"), Math.ceil(36 / 3.5));
  });

  it("counts a CJK character as a whole token, not a fraction", () => {
    assert.equal(estimateTextTokens("你好世界"), 4);
  });

  it("grows with the text, so longer prompts never look cheaper", () => {
    assert.ok(estimateTextTokens("x".repeat(7000)) > estimateTextTokens("x".repeat(3500)));
  });
});

describe("imageSize", () => {
  it("reads width and height from a PNG header", () => {
    assert.deepEqual(imageSize(pngHeader(800, 600)), { width: 800, height: 600 });
  });

  it("reads width and height from a JPEG frame header after other segments", () => {
    assert.deepEqual(imageSize(jpegHeader(1024, 768)), { width: 1024, height: 768 });
  });

  it("reads a GIF's logical screen size", () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00]);
    assert.deepEqual(imageSize(gif), { width: 320, height: 240 });
  });

  it("gives up on bytes that are no known image", () => {
    assert.equal(imageSize(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24])), undefined);
  });
});

describe("estimateImageTokens", () => {
  it("follows width × height / 750 for a small image", () => {
    assert.equal(estimateImageTokens(pngHeader(200, 200)), Math.ceil((200 * 200) / 750));
  });

  it("scales large images down and caps them near 1600 tokens", () => {
    assert.equal(estimateImageTokens(pngHeader(4000, 3000)), 1600);
    assert.equal(estimateImageTokens(pngHeader(1000, 1000)), 1334);
  });

  it("charges the maximum for an image whose size cannot be read", () => {
    assert.equal(estimateImageTokens(new Uint8Array([0, 1, 2])), 1600);
  });
});

describe("estimateTokens for messages", () => {
  it("counts a text message as its text plus framing", () => {
    const text = "Explain this function to me please.";
    assert.equal(estimateTokens(message(ChatRole.User, [new TextPart(text)])), estimateTextTokens(text) + 4);
    assert.equal(estimateTokens(text), estimateTextTokens(text));
  });

  it("counts tool calls by name and JSON input, and tool results by their content", () => {
    const input = { path: "src/index.ts", content: "x".repeat(350) };
    const call = estimateTokens(message(ChatRole.Assistant, [new ToolCallPart("c1", "write_file", input)]));
    assert.ok(call >= estimateTextTokens(JSON.stringify(input)) + 12);
    const result = estimateTokens(message(ChatRole.User, [new ToolResultPart("c1", [new TextPart("y".repeat(700))])]));
    assert.ok(result >= 200 + 12);
  });

  it("counts an attached image by its pixel size", () => {
    const withImage = estimateTokens(message(ChatRole.User, [new TextPart("what is this"), new DataPart(pngHeader(750, 100), "image/png")]));
    assert.equal(withImage, estimateTextTokens("what is this") + 100 + 4);
  });

  it("counts nothing for VS Code's cache markers", () => {
    const marked = estimateTokens(message(ChatRole.User, [new TextPart("abc"), new DataPart(new TextEncoder().encode("ephemeral"), "cache_control")]));
    assert.equal(marked, estimateTextTokens("abc") + 4);
  });
});
