// How a streamed answer reaches the socket (src/bridge/server/answerStream.ts): the events of one event-loop turn go out as one write, the first after a pause at once (no token held back), a burst of turns one write each, every byte in order, and a reader that stops reading stops the stream being pulled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, ServerResponse, type IncomingMessage } from "node:http";
import { startBridgeServer, type BridgeServer, type BridgeStreamFunction } from "../../src/bridge";
import type { AssistantMessageEvent } from "../../src/kiro/types";
import { answerMessage, kiroModel } from "./bridgeFixtures";

const model = kiroModel("claude-sonnet-4.5");

/** A text answer's events around `deltas`, each delta a `text_delta`. */
function* textEvents(deltas: Iterable<string>): Generator<AssistantMessageEvent> {
  const partial = answerMessage(model, [{ type: "text", text: "" }]);
  yield { type: "start", partial };
  yield { type: "text_start", contentIndex: 0, partial };
  for (const delta of deltas) yield { type: "text_delta", contentIndex: 0, delta, partial };
  yield { type: "text_end", contentIndex: 0, content: "", partial };
  yield { type: "done", reason: "stop", message: partial };
}

async function bridgeOver(stream: BridgeStreamFunction, o: { coalesceWrites?: boolean } = {}): Promise<BridgeServer> {
  return startBridgeServer({ stream, listModels: () => [model], ...o });
}

/** POSTs a streaming request to one of the bridge's agent routes; the response, not yet read. */
function post(bridge: BridgeServer, path: string, body: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, bridge.url),
      { method: "POST", headers: { "x-api-key": bridge.token, "anthropic-version": "2023-06-01", "content-type": "application/json" }, agent: false },
      resolve,
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** POSTs a streaming /v1/messages request; the response, not yet read. */
function postMessages(bridge: BridgeServer): Promise<IncomingMessage> {
  return post(bridge, "/v1/messages", { model: model.id, max_tokens: 1000, stream: true, messages: [{ role: "user", content: "hi" }] });
}

/** The text of every text_delta in an SSE body, in order. */
function textOf(body: string): string {
  return body
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: { type: string; text?: string } })
    .filter((data) => data.type === "content_block_delta" && data.delta?.type === "text_delta")
    .map((data) => data.delta!.text)
    .join("");
}

async function readAll(res: IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let body = "";
  for await (const chunk of res) body += chunk as string;
  return body;
}

/** Counts the bridge's `res.write` calls while `body` runs (the server and this test share the process). */
async function countingWrites<T>(body: () => Promise<T>): Promise<{ writes: number; result: T }> {
  const original = ServerResponse.prototype.write;
  let writes = 0;
  ServerResponse.prototype.write = function (this: ServerResponse, ...args: unknown[]) {
    writes += 1;
    return (original as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof original;
  try {
    const result = await body();
    return { writes, result };
  } finally {
    ServerResponse.prototype.write = original;
  }
}

const deltas = Array.from({ length: 500 }, (_, i) => `delta ${i}; `);

test("500 deltas decoded in one turn go to the socket in a handful of writes, whole and in order; without gathering, one write each", async () => {
  // An async iterable over events that are all ready at once, as streamKiro yields a network chunk's events.
  const stream: BridgeStreamFunction = () => (async function* () { yield* textEvents(deltas); })();
  for (const coalesceWrites of [true, false]) {
    const bridge = await bridgeOver(stream, { coalesceWrites });
    try {
      const { writes, result } = await countingWrites(async () => readAll(await postMessages(bridge)));
      assert.equal(textOf(result), deltas.join(""), "every delta, in order");
      assert.match(result, /event: message_stop/);
      if (coalesceWrites) assert.ok(writes <= 4, `${writes} writes for one turn's events`);
      else assert.ok(writes >= deltas.length, `${writes} writes for ${deltas.length} deltas written one by one`);
    } finally {
      await bridge.dispose();
    }
  }
});

test("a long answer on /v1/responses arrives whole and in order: its deltas, then four closing events that each carry the whole text", async () => {
  // Long enough that the closing events write the text as bytes encoded once (src/bridge/server/jsonReuse.ts).
  const pieces = Array.from({ length: 2000 }, (_, i) => `piece ${i}: "quoted" café ✓\n`);
  const text = pieces.join("");
  const stream: BridgeStreamFunction = () =>
    (async function* () {
      const events = [...textEvents(pieces)];
      const message = answerMessage(model, [{ type: "text", text }]);
      // The deltas and the closing events in one turn, so gathered deltas and the closing bytes must keep their order.
      yield* events.slice(0, -2);
      yield { type: "text_end", contentIndex: 0, content: text, partial: message } as AssistantMessageEvent;
      yield { type: "done", reason: "stop", message } as AssistantMessageEvent;
    })();
  const bridge = await bridgeOver(stream);
  try {
    const body = await readAll(await post(bridge, "/v1/responses", { model: model.id, stream: true, store: false, input: "hi" }));
    const data = body
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: string; text?: string; part?: { text: string }; item?: { content: { text: string }[] }; response?: { output: { content: { text: string }[] }[] } });
    const types = data.map((d) => d.type);
    assert.equal(data.filter((d) => d.type === "response.output_text.delta").map((d) => d.delta).join(""), text, "every delta, in order");
    assert.deepEqual(types.slice(types.lastIndexOf("response.output_text.delta") + 1), ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
    const [textDone, partDone, itemDone, completed] = data.slice(-4);
    assert.equal(textDone!.text, text);
    assert.equal(partDone!.part!.text, text);
    assert.equal(itemDone!.item!.content[0]!.text, text);
    assert.equal(completed!.response!.output[0]!.content[0]!.text, text);
  } finally {
    await bridge.dispose();
  }
});

test("a burst of network chunks, each decoded in its own turn, goes out in one write per turn, not two", async () => {
  const turns = 40;
  const perTurn = 25;
  // Kiro's backlog arriving at once: every chunk's events in one turn, the next chunk in the next turn.
  const stream: BridgeStreamFunction = () =>
    (async function* () {
      const events = [...textEvents(Array.from({ length: turns * perTurn }, (_, i) => `delta ${i}; `))];
      yield* events.slice(0, 2);
      for (let turn = 0; turn < turns; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield* events.slice(2 + turn * perTurn, 2 + (turn + 1) * perTurn);
      }
      yield* events.slice(2 + turns * perTurn);
    })();
  const bridge = await bridgeOver(stream);
  try {
    const { writes, result } = await countingWrites(async () => readAll(await postMessages(bridge)));
    assert.equal(textOf(result), Array.from({ length: turns * perTurn }, (_, i) => `delta ${i}; `).join(""), "every delta, in order");
    // Writing each turn's first event on its own as well would take two writes per turn (80 and more).
    assert.ok(writes < turns * 1.5, `${writes} writes for ${turns} turns of events`);
  } finally {
    await bridge.dispose();
  }
});

test("the first token of a turn is written at once, not held until more arrive", { timeout: 20_000 }, async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const events = [...textEvents(["first token", " and the rest"])];
  const stream: BridgeStreamFunction = () =>
    (async function* () {
      yield* events.slice(0, 3); // start, text_start, the first delta
      await released; // Kiro is slow with the rest
      yield* events.slice(3);
    })();
  const bridge = await bridgeOver(stream);
  try {
    const res = await postMessages(bridge);
    res.setEncoding("utf8");
    let body = "";
    // Without the first token on the wire, this waits for ever (and the test times out): the rest comes only after it.
    for await (const chunk of res) {
      body += chunk as string;
      if (textOf(body) === "first token") release();
    }
    assert.equal(textOf(body), "first token and the rest");
  } finally {
    release();
    await bridge.dispose();
  }
});

test("a reader that stops reading stops the answer being pulled; once it reads again, every byte arrives in order", { timeout: 60_000 }, async () => {
  const big = Array.from({ length: 4000 }, (_, i) => `${String(i).padStart(6, "0")}`.padEnd(8 * 1024, "."));
  let pulled = 0;
  const stream: BridgeStreamFunction = () =>
    (async function* () {
      for (const event of textEvents(big)) {
        if (event.type === "text_delta") {
          pulled += 1;
          // Network chunks of 16 deltas, each in a turn of its own.
          if (pulled % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        yield event;
      }
    })();
  const bridge = await bridgeOver(stream);
  try {
    const res = await postMessages(bridge);
    res.pause();
    // Wait until the server stops pulling (the socket buffers are full), however long the kernel takes to fill them.
    let last = -1;
    while (pulled !== last) {
      last = pulled;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.ok(pulled < big.length, `the server pulled all ${big.length} deltas (32 MB) with nobody reading`);
    const body = await readAll(res);
    assert.equal(textOf(body), big.join(""), "every delta, in order");
  } finally {
    await bridge.dispose();
  }
});
