// The bridge protocol module both ends import: where a token may go, the NDJSON event line and its unknown types, the whitelisted options, and the JSON structure count that guards the server's parser.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import {
  BRIDGE_OPTION_KEYS,
  JsonStructureCounter,
  decodeEventLine,
  encodeEventLine,
  loopbackBridgeProblem,
  startBridgeServer,
  type BridgeLogger,
} from "../../src/bridge";
import type { AssistantMessage, AssistantMessageEvent } from "../../src/kiro/types";
import { answerMessage, kiroModel } from "./bridgeFixtures";

const MODEL = kiroModel("claude-sonnet-4-5");
const message = (content: AssistantMessage["content"] = []): AssistantMessage => answerMessage(MODEL, content);

describe("where the bridge token may go", () => {
  it("accepts the loopback bridge addresses VS Code sets, in any case, with or without a trailing slash", () => {
    for (const url of ["http://127.0.0.1:4000", "http://127.0.0.1:4000/", "http://localhost:51234", "http://LOCALHOST:51234"]) {
      assert.equal(loopbackBridgeProblem(url), undefined, url);
    }
  });

  it("refuses everything else, saying what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["http://192.0.2.10:8080", /host 192\.0\.2\.10 is not 127\.0\.0\.1 or localhost/],
      ["http://127.0.0.1.evil.example:4000", /host 127\.0\.0\.1\.evil\.example/],
      ["http://[::1]:4000", /host \[::1\]/],
      ["http://0.0.0.0:4000", /host 0\.0\.0\.0/],
      ["https://127.0.0.1:4000", /uses https/],
      ["file:///tmp/bridge", /uses file/],
      ["http://127.0.0.1", /names no port/],
      ["127.0.0.1:4000", /.+/],
      ["not a url", /cannot be read as a URL/],
    ];
    for (const [url, expected] of cases) assert.match(loopbackBridgeProblem(url) ?? "(accepted)", expected, url);
  });
});

describe("the NDJSON event line", () => {
  it("is the event without partial, one line, and reads back as the same event", () => {
    const partial = message([{ type: "toolCall", id: "t1", name: "read", arguments: {} }]);
    const events: AssistantMessageEvent[] = [
      { type: "text_delta", contentIndex: 0, delta: "line one\nline two", partial },
      { type: "toolcall_start", contentIndex: 0, partial },
      { type: "done", reason: "stop", message: message([{ type: "text", text: "ok" }]) },
    ];
    for (const event of events) {
      const line = encodeEventLine(event);
      assert.ok(line.endsWith("\n") && line.indexOf("\n") === line.length - 1, "exactly one newline, at the end");
      const decoded = decodeEventLine(line.trimEnd());
      assert.equal(decoded.kind, "event");
      if (decoded.kind !== "event") continue;
      assert.equal("partial" in decoded.event, false);
      assert.equal(decoded.event.type, event.type);
    }
    assert.deepEqual(decodeEventLine(encodeEventLine(events[1]!).trimEnd()), { kind: "event", event: { type: "toolcall_start", contentIndex: 0, id: "t1", name: "read" } });
  });

  it("tells an event type it does not know apart from a broken line", () => {
    assert.deepEqual(decodeEventLine('{"type":"citation_delta","contentIndex":0}'), { kind: "unknown", type: "citation_delta" });
    assert.deepEqual(decodeEventLine('{"type":"toString"}'), { kind: "unknown", type: "toString" });
    assert.equal(decodeEventLine('{"type":"text_delta","delta":"Hal').kind, "invalid");
    assert.equal(decodeEventLine("[1,2]").kind, "invalid");
    assert.equal(decodeEventLine('{"delta":"x"}').kind, "invalid");
  });

  it("the server sends an event type the protocol does not list on as is, and logs it once", async () => {
    const warnings: string[] = [];
    const logger: BridgeLogger = { info() {}, warn: (line) => warnings.push(line), error() {}, debug() {} };
    const bridge = await startBridgeServer({
      logger,
      listModels: () => [MODEL],
      stream: () =>
        (async function* (): AsyncGenerator<AssistantMessageEvent> {
          const partial = message();
          yield { type: "start", partial };
          // A newer stream contract than this bridge's.
          for (let i = 0; i < 3; i++) yield { type: "citation_delta", contentIndex: 0, partial } as unknown as AssistantMessageEvent;
          yield { type: "done", reason: "stop", message: partial };
        })(),
    });
    after(() => bridge.dispose());
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(new URL("/v1/stream", bridge.url), { method: "POST", agent: false, headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ model: MODEL.id, context: { messages: [{ role: "user", content: "hi", timestamp: 1 }] } }));
    });
    const types = text.trim().split("\n").map((line) => (JSON.parse(line) as { type: string }).type);
    assert.deepEqual(types, ["start", "citation_delta", "citation_delta", "citation_delta", "done"]);
    assert.equal(warnings.filter((line) => line.includes("citation_delta")).length, 1, warnings.join("\n"));
  });
});

describe("the request options a client may set", () => {
  it("are exactly the model-behaviour options, never where or as whom the request goes", () => {
    assert.deepEqual([...BRIDGE_OPTION_KEYS].sort(), ["maxTokens", "reasoning", "sessionId", "thinkingBudgets"]);
  });
});

/** The plain byte-by-byte definition the counter must agree with. */
function referenceCount(text: string): number {
  let inString = false;
  let escaped = false;
  let count = 0;
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ("{[,:".includes(c)) count++;
  }
  return count;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** JSON with the strings that trip a structure scanner: escaped quotes and backslashes, structural characters, multi-byte text. */
function randomJson(rand: () => number, depth = 0): unknown {
  const pick = rand();
  if (depth > 4 || pick < 0.35) {
    const pieces = ['"', "\\", "\\\\", '\\"', "{", "}", "[", "]", ",", ":", "é", "日本", "😀", "\n", "plain text ", "A".repeat(Math.floor(rand() * 3000))];
    return Array.from({ length: Math.floor(rand() * 8) }, () => pieces[Math.floor(rand() * pieces.length)]).join("");
  }
  if (pick < 0.45) return rand() < 0.5 ? Math.floor(rand() * 1e6) : rand() < 0.5;
  if (pick < 0.7) return Array.from({ length: Math.floor(rand() * 6) }, () => randomJson(rand, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 6) }, (_, i) => [`k${i}:{"[`, randomJson(rand, depth + 1)]));
}

describe("the JSON structure count", () => {
  it("agrees with the plain definition on 300 random documents split into random chunks", () => {
    const rand = seededRandom(11);
    for (let n = 0; n < 300; n++) {
      const text = JSON.stringify(randomJson(rand));
      const bytes = Buffer.from(text);
      const counter = new JsonStructureCounter();
      for (let offset = 0; offset < bytes.length; ) {
        const size = 1 + Math.floor(rand() * (rand() < 0.3 ? 4 : 2000));
        counter.push(bytes.subarray(offset, offset + size));
        offset += size;
      }
      assert.equal(counter.count, referenceCount(text), `document ${n}: ${text.slice(0, 200)}`);
    }
  });

  it("counts objects, arrays, members and elements, never what is inside strings", () => {
    // Per tool result: { + 6 keys' colons + 5 commas + [ + { + 2 colons + 1 comma = 17; the envelope `{"messages":[` is 3, the separators 999.
    const turn = { role: "toolResult", toolCallId: "toolu_1", toolName: "read", content: [{ type: "text", text: 'export const x = {"a":[1,2]};\n'.repeat(100) }], isError: false, timestamp: 1 };
    assert.equal(new JsonStructureCounter().push(Buffer.from(JSON.stringify({ messages: Array(1000).fill(turn) }))), 3 + 1000 * 17 + 999);
    assert.equal(new JsonStructureCounter().push(Buffer.from(`[${Array(1000).fill("{}").join(",")}]`)), 1000 + 999 + 1);
  });
});
