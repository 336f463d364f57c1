// Keeps docs/architecture.md#where-to-add-a-stream-event true: every event type docs/kiro-protocol.md#events lists is handled by the assembler or on its ignored list, the simulator sends each ignored one, and an ignored one adds nothing to the answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { IGNORED_EVENT_TYPES, KiroResponseAssembler } from "../../src/kiro/answer/responseAssembler";
import { emptyAssistantMessage, type AssistantMessageEvent } from "../../src/kiro/types";
import type { SimEvent } from "../sim/kiroSimulator";
import { everyEventKindReply } from "../sim/replies";

/** The events of the simulator's every-kind reply. */
function everyKindEvents(): { type: string; payload: unknown }[] {
  const reply = everyEventKindReply();
  return ("events" in reply ? reply.events : []).flatMap((e: SimEvent) => ("type" in e ? [{ type: e.type, payload: e.payload }] : []));
}

const root = join(__dirname, "..", "..", "..");
const protocol = readFileSync(join(root, "docs", "kiro-protocol.md"), "utf8");
const assemblerSource = readFileSync(join(root, "src", "kiro", "answer", "responseAssembler.ts"), "utf8");

/** The `:event-type` names in the first column of docs/kiro-protocol.md's events table. */
function documentedEventTypes(): string[] {
  const table = protocol.slice(protocol.indexOf('<a id="events"></a>')).split("\n\n")[1] ?? "";
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1]!));
}

test("every documented event type is handled by the assembler or on its ignored list", () => {
  const documented = documentedEventTypes();
  assert.ok(documented.includes("assistantResponseEvent") && documented.includes("citationEvent"), `the table was not found: ${documented.join(", ")}`);
  for (const type of documented) {
    const handled = assemblerSource.includes(`case "${type}"`);
    assert.ok(handled !== IGNORED_EVENT_TYPES.includes(type), `${type}: ${handled ? "handled and also on IGNORED_EVENT_TYPES" : "neither handled in handleFrame nor on IGNORED_EVENT_TYPES"}`);
  }
  for (const type of IGNORED_EVENT_TYPES) assert.ok(documented.includes(type), `${type} is ignored but docs/kiro-protocol.md#events does not list it`);
});

test("the ignored events are named in docs/kiro-protocol.md#ignored-events, and the simulator sends each", () => {
  const start = protocol.indexOf('<a id="ignored-events"></a>');
  assert.ok(start >= 0, "docs/kiro-protocol.md has no ignored-events anchor");
  const section = protocol.slice(start, protocol.indexOf("<a id=", start + 1));
  const sent = everyKindEvents().map((e) => e.type);
  for (const type of IGNORED_EVENT_TYPES) {
    assert.ok(section.includes(`\`${type}\``), `docs/kiro-protocol.md#ignored-events does not name ${type}`);
    assert.ok(sent.includes(type), `everyEventKindReply (test/sim/replies.ts) does not send ${type}`);
  }
});

test("an ignored event, or one newer than this client, adds nothing to the answer", () => {
  for (const type of [...IGNORED_EVENT_TYPES, "someFutureEvent"]) {
    const output = emptyAssistantMessage({ id: "claude-sonnet-4-5", api: "kiro", provider: "kiro" });
    const events: AssistantMessageEvent[] = [];
    const assembler = new KiroResponseAssembler({ output, emit: (e) => events.push(e), contextWindow: 200_000, errorContext: { modelId: "m" } });
    const payload = everyKindEvents().find((e) => e.type === type)?.payload ?? { anything: true };
    assembler.handleFrame({ messageType: "event", eventType: type, payload: new TextEncoder().encode(JSON.stringify(payload)) });
    assert.deepEqual(events, [], type);
    assert.deepEqual(output.content, [], type);
    assert.equal(assembler.hasContent, false, type);
  }
});
