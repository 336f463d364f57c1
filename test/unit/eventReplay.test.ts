// Rebuilding `partial` on the client side of the bridge: tool-call arguments show while they stream, and large writes stay linear.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventReplay } from "../../src/kiro/answer/eventReplay";

const model = { id: "claude-sonnet-4-5", api: "kiro-generate-assistant-response", provider: "kiro" };

test("a streaming tool call shows its arguments before toolcall_end", () => {
  const replay = new EventReplay(model);
  replay.apply({ type: "start" });
  replay.apply({ type: "toolcall_start", contentIndex: 0, id: "t1", name: "write" });
  const json = JSON.stringify({ path: "a.txt", content: "x".repeat(500) });
  let midwayPath: unknown;
  let checkedMidway = false;
  for (let i = 0; i < json.length; i += 7) {
    const out = replay.apply({ type: "toolcall_delta", contentIndex: 0, delta: json.slice(i, i + 7) });
    const block = out.type === "toolcall_delta" ? out.partial.content[0] : undefined;
    if (i >= json.length / 2 && !checkedMidway && block?.type === "toolCall") {
      checkedMidway = true;
      midwayPath = block.arguments.path;
    }
  }
  assert.equal(midwayPath, "a.txt", "the path is known while the content is still streaming");
  const end = replay.apply({
    type: "toolcall_end",
    contentIndex: 0,
    toolCall: { type: "toolCall", id: "t1", name: "write", arguments: JSON.parse(json) },
  });
  assert.equal(end.type === "toolcall_end" && end.partial.content[0]?.type === "toolCall" && end.partial.content[0].name, "write");
});

test("a 2 MB tool call streamed in 1-byte fragments is rebuilt with a bounded number of parses", () => {
  const replay = new EventReplay(model);
  replay.apply({ type: "toolcall_start", contentIndex: 0, id: "t1", name: "write" });
  const json = JSON.stringify({ path: "big.txt", content: "y".repeat(2 * 1024 * 1024) });
  let lastArgs: Record<string, unknown> = {};
  let argumentChanges = 0;
  for (let i = 0; i < json.length; i++) {
    const out = replay.apply({ type: "toolcall_delta", contentIndex: 0, delta: json[i]! });
    const block = out.type === "toolcall_delta" ? out.partial.content[0] : undefined;
    if (block?.type === "toolCall" && block.arguments !== lastArgs) {
      lastArgs = block.arguments;
      argumentChanges++;
    }
  }
  // Parsing only when the text doubles means about log2(2 MB / 64) re-parses, not two million.
  assert.ok(argumentChanges < 40, `arguments were re-parsed ${argumentChanges} times`);
  assert.equal(lastArgs.path, "big.txt");
});
