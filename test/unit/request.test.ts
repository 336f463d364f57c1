// Tests for buildKiroRequest: each request rule of docs/kiro-protocol.md#rules repaired, tools, system text, thinking, trimming, conversation ids, and a seeded fuzz against the simulator's validator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildKiroRequest, conversationIdFor, type KiroRequest } from "../../src/kiro/request/request";
import type { KiroUserInputMessage } from "../../src/kiro/wire/wireTypes";
import { MAX_IMAGE_BASE64_CHARS, MAX_IMAGES_PER_REQUEST, MAX_TOOL_RESULT_CHARS, MAX_USER_MESSAGE_CHARS, truncateWithMarker } from "../../src/kiro/request/serviceLimits";
import { findModel } from "../../src/kiro/catalog/models";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import type { AssistantMessage, Context, ImageContent, Message, TextContent, ThinkingContent, Tool, ToolCall, ToolResultMessage, UserMessage } from "../../src/kiro/types";
import { validateGenerateAssistantResponseJson } from "../sim/validation";
import { defaultSimModels } from "../sim/kiroSimulator";

const SIM_MODELS = defaultSimModels();
const sonnet = model("claude-sonnet-4-5");
const opusNative = model("claude-opus-4-6");

function model(id: string): KiroModelInfo {
  const found = findModel(id);
  assert.ok(found, id);
  return found;
}

let clock = 1_700_000_000_000;
function user(content: string | (TextContent | ImageContent)[]): UserMessage {
  return { role: "user", content, timestamp: clock++ };
}
function assistant(content: AssistantMessage["content"], extra: Partial<AssistantMessage> = {}): AssistantMessage {
  return {
    role: "assistant",
    content,
    api: "kiro-generate-assistant-response",
    provider: "kiro",
    model: "claude-sonnet-4-5",
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
    stopReason: content.some((c) => c.type === "toolCall") ? "toolUse" : "stop",
    timestamp: clock++,
    ...extra,
  };
}
function text(t: string): TextContent {
  return { type: "text", text: t };
}
function thinking(t: string, signature?: string): ThinkingContent {
  return signature ? { type: "thinking", thinking: t, thinkingSignature: signature } : { type: "thinking", thinking: t };
}
function call(id: string, name: string, args: Record<string, unknown> = {}): ToolCall {
  return { type: "toolCall", id, name, arguments: args };
}
function result(toolCallId: string, toolName: string, output: string | (TextContent | ImageContent)[], isError = false): ToolResultMessage {
  return { role: "toolResult", toolCallId, toolName, content: typeof output === "string" ? [text(output)] : output, isError, timestamp: clock++ };
}
function tool(name: string, description = `does ${name}`): Tool {
  return { name, description, parameters: { type: "object", properties: { path: { type: "string" } } } };
}
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function errorsOf(req: KiroRequest): string[] {
  return validateGenerateAssistantResponseJson(req.json, SIM_MODELS).errors;
}
function assertValid(req: KiroRequest): void {
  assert.deepEqual(errorsOf(req), [], "the simulator's validator accepts the body");
  assert.equal(req.json, JSON.stringify(req.body), "json is exactly the serialised body");
}
function build(context: Context, m: KiroModelInfo = sonnet, options = {}): KiroRequest {
  const req = buildKiroRequest(m, context, options);
  assertValid(req);
  return req;
}
function historyOf(req: KiroRequest) {
  return req.body.conversationState.history ?? [];
}
function current(req: KiroRequest): KiroUserInputMessage {
  return req.body.conversationState.currentMessage.userInputMessage;
}
function roles(req: KiroRequest): string[] {
  return historyOf(req).map((e) => ("userInputMessage" in e ? "user" : "assistant"));
}

test("fixed fields: model id, origin, trigger type, agent task type, profile ARN", () => {
  const req = build({ messages: [user("hi")] }, sonnet, { profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/P" });
  const state = req.body.conversationState;
  assert.equal(state.chatTriggerType, "MANUAL");
  assert.equal(state.agentTaskType, "vibe");
  assert.equal(current(req).modelId, "claude-sonnet-4.5");
  assert.equal(current(req).origin, "AI_EDITOR");
  assert.equal(current(req).content, "hi");
  assert.equal(req.body.profileArn, "arn:aws:codewhisperer:us-east-1:1:profile/P");
  assert.equal(state.history, undefined);
  assert.equal(build({ messages: [user("hi")] }).body.profileArn, undefined);
});

test("no system role: the system prompt is prepended to the first user message", () => {
  const req = build({ systemPrompt: "You are terse.", messages: [user("one"), assistant([text("a")]), user("two")] });
  const first = historyOf(req)[0]!;
  assert.ok("userInputMessage" in first);
  assert.equal(first.userInputMessage.content, "You are terse.\n\none");
  assert.equal(current(req).content, "two");
  assert.ok(!req.json.includes('"system'));
  assert.equal(current(build({ systemPrompt: "Sys", messages: [user("only")] })).content, "Sys\n\nonly");
});

test("roles-alternate: a history that starts with the assistant gets a user turn in front", () => {
  const req = build({ messages: [assistant([text("Hello! How can I help?")]), user("fix it")] });
  assert.deepEqual(roles(req), ["user", "assistant"]);
  assert.equal(current(req).content, "fix it");
});

test("roles-alternate: consecutive messages of one role are merged so roles strictly alternate", () => {
  const req = build({ messages: [user("a"), user("b"), assistant([text("x")]), assistant([text("y")]), user("c")] });
  assert.deepEqual(roles(req), ["user", "assistant"]);
  const [u, a] = historyOf(req);
  assert.ok(u && "userInputMessage" in u && a && "assistantResponseMessage" in a);
  assert.equal(u.userInputMessage.content, "a\n\nb");
  assert.equal(a.assistantResponseMessage.content, "x\n\ny");
});

test("current-message-user: a conversation ending with the assistant moves it into history and sends Continue", () => {
  const req = build({ messages: [user("write a poem"), assistant([text("Roses are")])] });
  assert.deepEqual(roles(req), ["user", "assistant"]);
  assert.equal(current(req).content, "Continue");
});

test("current-message-user: ending with unanswered tool calls still gives a user turn that answers every call", () => {
  const req = build({ messages: [user("go"), assistant([call("t1", "read", { path: "a" })])], tools: [tool("read")] });
  assert.equal(current(req).content, "Continue");
  assert.deepEqual(current(req).userInputMessageContext?.toolResults?.map((r) => [r.toolUseId, r.status]), [["t1", "error"]]);
});

test("empty-content: no empty content anywhere (empty messages dropped, tool-only turns get text)", () => {
  const req = build({
    messages: [user(""), user("start"), assistant([text(""), call("t1", "read")]), result("t1", "read", ""), user([text("  ")])],
    tools: [tool("read")],
  });
  for (const entry of historyOf(req)) {
    const content = "userInputMessage" in entry ? entry.userInputMessage.content : entry.assistantResponseMessage.content;
    assert.ok(content.trim().length > 0);
  }
  assert.ok(current(req).content.trim().length > 0);
  assert.equal(current(req).userInputMessageContext?.toolResults?.[0]?.content[0]?.text, "(no output)");
  assert.ok(current(build({ messages: [] })).content.trim().length > 0);
});

test("tool-result-unmatched: a tool result without a matching tool use in the turn before becomes text, never a toolResult", () => {
  const req = build({
    messages: [user("go"), assistant([call("t1", "read")]), result("t1", "read", "ok"), result("ghost", "write", "orphan output")],
    tools: [tool("read"), tool("write")],
  });
  const results = current(req).userInputMessageContext?.toolResults ?? [];
  assert.deepEqual(results.map((r) => r.toolUseId), ["t1"]);
  assert.match(current(req).content, /write \(call ghost\)\]\norphan output/);
});

test("tool-result-unmatched: results that come after a plain assistant reply are turned into text", () => {
  const req = build({ messages: [user("go"), assistant([text("done")]), result("t9", "read", "late")], tools: [tool("read")] });
  assert.equal(current(req).userInputMessageContext?.toolResults, undefined);
  assert.match(current(req).content, /late/);
});

test("tool-result-unmatched: duplicate toolUseIds are renamed, and each result follows its own call", () => {
  const req = build({
    messages: [
      user("go"),
      assistant([call("call_0", "read", { path: "a" })]),
      result("call_0", "read", "A"),
      assistant([call("call_0", "read", { path: "b" }), call("call_0", "read", { path: "c" })]),
      result("call_0", "read", "B"),
      result("call_0", "read", "C"),
    ],
    tools: [tool("read")],
  });
  const ids = historyOf(req).flatMap((e) => ("assistantResponseMessage" in e ? (e.assistantResponseMessage.toolUses ?? []).map((u) => u.toolUseId) : []));
  assert.equal(new Set(ids).size, ids.length);
  const last = historyOf(req).at(-1)!;
  assert.ok("assistantResponseMessage" in last);
  const uses = last.assistantResponseMessage.toolUses!;
  const results = current(req).userInputMessageContext!.toolResults!;
  assert.deepEqual(results.map((r) => r.toolUseId), uses.map((u) => u.toolUseId));
  assert.deepEqual(results.map((r) => r.content[0]!.text), ["B", "C"]);
});

test("tool-result-unmatched: an assistant turn without tool calls has no toolUses array at all", () => {
  const req = build({ messages: [user("hi"), assistant([text("hello")]), user("bye")] });
  const a = historyOf(req)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal("toolUses" in a.assistantResponseMessage, false);
});

test("tools-missing-for-history: tools used in history but no longer offered get placeholder specs", () => {
  const req = build({ messages: [user("go"), assistant([call("t1", "old_tool")]), result("t1", "old_tool", "x"), user("next")] });
  const names = current(req).userInputMessageContext?.tools?.map((t) => t.toolSpecification.name);
  assert.deepEqual(names, ["old_tool"]);
  const withTools = build({ messages: [user("go"), assistant([call("t1", "old_tool")]), result("t1", "old_tool", "x")], tools: [tool("new_tool")] });
  assert.deepEqual(current(withTools).userInputMessageContext?.tools?.map((t) => t.toolSpecification.name), ["new_tool", "old_tool"]);
});

test("tool-name: tool names are sanitised and shortened the same way in specs and history, and mapped back", () => {
  const longName = `mcp__${"very_long_server_name_".repeat(4)}__read_file`;
  const req = build({
    messages: [user("go"), assistant([call("t1", longName), call("t2", "fs.read"), call("t3", "")]), result("t1", longName, "1"), result("t2", "fs.read", "2"), result("t3", "", "3")],
    tools: [tool(longName), tool("fs.read"), tool("fs_read")],
  });
  const specNames = current(req).userInputMessageContext!.tools!.map((t) => t.toolSpecification.name);
  const a = historyOf(req)[1]!;
  assert.ok("assistantResponseMessage" in a);
  const useNames = a.assistantResponseMessage.toolUses!.map((u) => u.name);
  for (const name of [...specNames, ...useNames]) assert.match(name, /^[A-Za-z0-9_-]{1,64}$/);
  assert.equal(useNames[0], specNames[0]);
  assert.equal(useNames[1], specNames[1]);
  assert.equal(new Set(specNames).size, specNames.length, "fs.read and fs_read stay distinct");
  assert.equal(req.toolNames[specNames[0]!], longName);
  assert.equal(req.toolNames[useNames[1]!], "fs.read");
  assert.equal(req.toolNames.fs_read, "fs_read");
  const again = buildKiroRequest(sonnet, { messages: [user("go")], tools: [tool(longName)] });
  assert.equal(current(again).userInputMessageContext!.tools![0]!.toolSpecification.name, specNames[0], "deterministic");
});

test("tool-name: an over-long tool description is shortened and its full text moves into the system text", () => {
  const description = `Start. ${"Lots of detail. ".repeat(1000)} End marker.`;
  const req = build({ systemPrompt: "Sys", messages: [user("go")], tools: [tool("big", description), tool("small")] });
  const spec = current(req).userInputMessageContext!.tools![0]!.toolSpecification;
  assert.ok(spec.description.length <= 9000);
  assert.ok(spec.description.startsWith("Start."));
  assert.match(current(req).content, /^Sys\n\nFull description of the tool "big":\nStart\..*End marker\.\n\ngo$/s);
});

test("tool-name: empty-string keys are removed from tool input at any depth", () => {
  const req = build({
    messages: [user("go"), assistant([call("t1", "edit", { "": 1, path: "a", nested: { "": 2, ok: [{ "": 3, k: 4 }] } })]), result("t1", "edit", "ok")],
    tools: [tool("edit")],
  });
  const a = historyOf(req)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.deepEqual(a.assistantResponseMessage.toolUses![0]!.input, { path: "a", nested: { ok: [{ k: 4 }] } });
});

test("thinking-with-tool-results: no <thinking> text in a message that carries tool results", () => {
  const req = build({
    messages: [user("go"), assistant([call("t1", "read")]), result("t1", "read", "file says <thinking>secret</thinking>"), user("and </thinking> here")],
    tools: [tool("read")],
  });
  const cur = current(req);
  assert.ok(cur.userInputMessageContext?.toolResults?.length);
  assert.doesNotMatch(cur.content, /<\/?thinking/);
  assert.doesNotMatch(cur.userInputMessageContext!.toolResults![0]!.content[0]!.text, /<\/?thinking/);
  assert.match(cur.userInputMessageContext!.toolResults![0]!.content[0]!.text, /&lt;thinking>secret&lt;\/thinking>/);
  assert.match(cur.content, /and &lt;\/thinking> here/);
});

test("thinking-with-tool-results: thinking prompt tags and replayed thinking never land in a tool-result message", () => {
  const req = build(
    {
      systemPrompt: "Sys",
      messages: [user("go"), assistant([thinking("plan it"), text("calling"), call("t1", "read")]), result("t1", "read", "data")],
      tools: [tool("read")],
    },
    sonnet,
    { reasoning: "high" },
  );
  const first = historyOf(req)[0]!;
  assert.ok("userInputMessage" in first);
  assert.match(first.userInputMessage.content, /^<thinking_mode>enabled<\/thinking_mode><max_thinking_length>\d+<\/max_thinking_length>\n\nSys\n\ngo$/);
  const a = historyOf(req)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.content, "<thinking>plan it</thinking>\n\ncalling");
  assert.doesNotMatch(current(req).content, /thinking/);
});

test("body-too-large: history is trimmed from the oldest end, pairs intact, with a note and droppedTurns", () => {
  const messages: Message[] = [];
  for (let i = 0; i < 40; i++) {
    messages.push(user(`question ${i} ${"q".repeat(2000)}`));
    messages.push(assistant([text(`answer ${i} ${"a".repeat(2000)}`)]));
  }
  messages.push(user("latest"));
  const req = build({ systemPrompt: "Sys", messages }, sonnet, { maxBodyBytes: 50_000 });
  assert.ok(req.droppedTurns > 0);
  assert.equal(req.droppedTurns % 2, 0);
  assert.ok(Buffer.byteLength(req.json) <= 50_000, `body ${Buffer.byteLength(req.json)} bytes`);
  const hist = historyOf(req);
  assert.equal(hist.length + req.droppedTurns, 80);
  const first = hist[0]!;
  assert.ok("userInputMessage" in first);
  assert.ok(first.userInputMessage.content.startsWith(`Sys\n\n[Note: ${req.droppedTurns} earlier turns of this conversation were dropped`));
  assert.match(first.userInputMessage.content, new RegExp(`question ${req.droppedTurns / 2} `));
  assert.equal(current(req).content, "latest");
  const untrimmed = build({ systemPrompt: "Sys", messages });
  assert.equal(untrimmed.droppedTurns, 0);
  assert.doesNotMatch(untrimmed.json, /\[Note:/);
});

test("body-too-large: trimming inside a tool loop turns results of dropped calls into text", () => {
  const messages: Message[] = [user("refactor everything")];
  for (let i = 0; i < 30; i++) {
    messages.push(assistant([call(`c${i}`, "read", { path: `f${i}` })]));
    messages.push(result(`c${i}`, "read", `contents ${i} ${"x".repeat(3000)}`));
  }
  const req = build({ messages, tools: [tool("read")] }, sonnet, { maxBodyBytes: 40_000 });
  assert.ok(req.droppedTurns > 0);
  const first = historyOf(req)[0]!;
  assert.ok("userInputMessage" in first);
  assert.equal(first.userInputMessage.userInputMessageContext, undefined);
  assert.match(first.userInputMessage.content, /\[Note: \d+ earlier turns[^\n]*\n\n\[Result of tool read \(call c\d+\)\]\ncontents/);
});

test("body-too-large: when even the last pair does not fit, everything but the current message goes and its results become text", () => {
  const req = build(
    { messages: [user("go"), assistant([call("c1", "read")]), result("c1", "read", "y".repeat(5000))], tools: [tool("read")] },
    sonnet,
    { maxBodyBytes: 3000 },
  );
  assert.equal(req.droppedTurns, 2);
  assert.equal(req.body.conversationState.history, undefined);
  assert.equal(current(req).userInputMessageContext?.toolResults, undefined);
  assert.match(current(req).content, /^\[Note: 2 earlier turns/);
});

test("images: png, jpeg, gif and webp are sent as images from the latest message; others become a note", () => {
  const img = (mimeType: string): ImageContent => ({ type: "image", data: PNG, mimeType });
  const req = build({ messages: [user([text("look"), img("image/png"), img("image/jpeg"), img("image/gif"), img("image/webp"), img("image/bmp")])] });
  assert.deepEqual(current(req).images?.map((i) => i.format), ["png", "jpeg", "gif", "webp"]);
  assert.equal(current(req).images?.[0]?.source.bytes, PNG);
  assert.match(current(req).content, /image\/bmp/);
});

test("images go only with the latest message: earlier ones become a note, a tool result's image is sent", () => {
  const img = (mimeType: string): ImageContent => ({ type: "image", data: PNG, mimeType });
  const req = build({
    messages: [
      user([text("look"), img("image/png"), img("image/jpeg")]),
      assistant([call("t1", "screenshot")]),
      result("t1", "screenshot", [text("captured"), img("image/png")]),
    ],
    tools: [tool("screenshot")],
  });
  const first = historyOf(req)[0]!;
  assert.ok("userInputMessage" in first);
  assert.equal(first.userInputMessage.images, undefined, "not sent again");
  assert.match(first.userInputMessage.content, /An image was attached here/);
  assert.deepEqual(current(req).images?.map((i) => i.format), ["png"]);
  assert.equal(
    current(req).userInputMessageContext?.toolResults?.[0]?.content[0]?.text,
    "captured\n[The tool returned an image (image/png); it is attached to this message as image 1.]",
    "the result says where its image went (Kiro drops images inside toolResults)",
  );
  assert.doesNotMatch(JSON.stringify(current(req).userInputMessageContext?.toolResults), /"image"|iVBOR/);
  assert.ok(req.notes.some((note) => /2 earlier image\(s\)/.test(note)), req.notes.join(" | "));
});

test("tool-use ids another provider made (call_…|fc_…, over 64 characters) are sent as the same short wire id in every request, use and result paired", () => {
  const foreign = `call_${"a".repeat(40)}|fc_${"b".repeat(40)}`;
  const kiroId = "tooluse_AbCdEf0123456789_-xyz";
  const turn1: Message[] = [user("go"), assistant([call(foreign, "read"), call(kiroId, "read")], { provider: "openai", model: "gpt-5" }), result(foreign, "read", "one"), result(kiroId, "read", "two")];
  const one = build({ messages: turn1, tools: [tool("read")] });
  const uses = historyOf(one).flatMap((e) => ("assistantResponseMessage" in e ? (e.assistantResponseMessage.toolUses ?? []) : []));
  const wire = uses.map((u) => u.toolUseId);
  assert.equal(wire[1], kiroId, "an id Kiro takes is kept");
  assert.match(wire[0]!, /^tooluse_[0-9a-f]{32}$/);
  assert.deepEqual(current(one).userInputMessageContext?.toolResults?.map((r) => r.toolUseId), wire, "each result carries its use's wire id");
  const two = build({ messages: [...turn1, assistant([text("done")]), user("next")], tools: [tool("read")] });
  const again = historyOf(two).flatMap((e) => ("assistantResponseMessage" in e ? (e.assistantResponseMessage.toolUses ?? []) : []));
  assert.deepEqual(again.map((u) => u.toolUseId), wire, "the next request maps the same ids the same way");
  assert.doesNotMatch(two.json, /\|fc_/);
});

test("at most 10 images go in one request: the newest are kept, the rest are named in a note", () => {
  const images: ImageContent[] = Array.from({ length: 13 }, (_, i) => ({ type: "image", data: `${PNG}${"A".repeat(i * 4)}`, mimeType: "image/png" }));
  const req = build({ messages: [user([text("all of these"), ...images])] });
  const sent = current(req).images ?? [];
  assert.equal(sent.length, MAX_IMAGES_PER_REQUEST);
  assert.deepEqual(sent.map((i) => i.source.bytes), images.slice(3).map((i) => i.data), "the 10 newest");
  assert.match(current(req).content, /oldest of them were not sent/);
});

test("an image over 5 MB of base64 is not sent, and the message says so", () => {
  const huge = "A".repeat(MAX_IMAGE_BASE64_CHARS + 4);
  const req = build({ messages: [user([text("see"), { type: "image", data: huge, mimeType: "image/png" }, { type: "image", data: PNG, mimeType: "image/png" }])] });
  assert.deepEqual(current(req).images?.map((i) => i.source.bytes), [PNG]);
  assert.match(current(req).content, /An image of 3\.8 MB was attached here; Kiro takes images up to about 3\.75 MB/);
});

test("a user message over 600,000 characters and a tool result over 800,000 are cut, with a marker the model can read", () => {
  const req = build({
    messages: [user("u".repeat(700_000)), assistant([call("t1", "read")]), result("t1", "read", "r".repeat(900_000))],
    tools: [tool("read")],
  }, model("claude-opus-4-6"));
  const first = historyOf(req)[0]!;
  assert.ok("userInputMessage" in first);
  assert.ok(first.userInputMessage.content.length <= MAX_USER_MESSAGE_CHARS + 50_000, "the system text may precede it");
  assert.match(first.userInputMessage.content, /more characters of this message were cut: Kiro takes at most 600,000 characters/);
  const resultText = current(req).userInputMessageContext?.toolResults?.[0]?.content[0]?.text ?? "";
  assert.equal(resultText.length <= MAX_TOOL_RESULT_CHARS, true);
  assert.match(resultText, /more characters of this tool result were cut: Kiro takes at most 800,000 characters/);
  assert.equal(truncateWithMarker("short", 10, "message"), "short");
});

test("images for a text-only model become a note instead of an image", () => {
  const req = build({ messages: [user([text("look"), { type: "image", data: PNG, mimeType: "image/png" }])] }, model("glm-5"));
  assert.equal(current(req).images, undefined);
  assert.match(current(req).content, /does not accept images/);
});

test("tool results carry status error when the tool failed", () => {
  const req = build({ messages: [user("go"), assistant([call("t1", "run"), call("t2", "run")]), result("t1", "run", "boom", true), result("t2", "run", "fine")], tools: [tool("run")] });
  assert.deepEqual(current(req).userInputMessageContext?.toolResults?.map((r) => r.status), ["error", "success"]);
});

test("a user message right after tool results joins the same user turn", () => {
  const req = build({ messages: [user("go"), assistant([call("t1", "read")]), result("t1", "read", "ok"), user("also do X")], tools: [tool("read")] });
  assert.deepEqual(roles(req), ["user", "assistant"]);
  assert.equal(current(req).content, "also do X");
  assert.equal(current(req).userInputMessageContext?.toolResults?.length, 1);
});

test("failed and aborted assistant replies are left out of the replay", () => {
  const req = build({
    messages: [user("go"), assistant([text("partial"), call("t1", "read")], { stopReason: "aborted" }), user("try again")],
    tools: [tool("read")],
  });
  assert.deepEqual(roles(req), []);
  assert.equal(current(req).content, "go\n\ntry again");
});

test("native thinking: additionalModelRequestFields only for models that have the schema, signed thinking replayed as reasoningContent", () => {
  const prior = assistant([thinking("deep thought", "sig-1"), text("answer")], { model: "claude-opus-4-6" });
  const req = build({ systemPrompt: "Sys", messages: [user("q"), prior, user("more")] }, opusNative, { reasoning: "xhigh" });
  assert.equal(req.thinking, "native");
  assert.deepEqual(req.body.additionalModelRequestFields, { thinking: { type: "adaptive" }, output_config: { effort: "max" } });
  const a = historyOf(req)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.deepEqual(a.assistantResponseMessage.reasoningContent, { reasoningText: { text: "deep thought", signature: "sig-1" } });
  assert.equal(a.assistantResponseMessage.content, "answer");
  assert.doesNotMatch(req.json, /thinking_mode/);

  const tagged = build({ messages: [user("q")] }, sonnet, { reasoning: "xhigh" });
  assert.equal(tagged.thinking, "tags");
  assert.equal(tagged.body.additionalModelRequestFields, undefined);
  assert.match(current(tagged).content, /^<thinking_mode>enabled<\/thinking_mode><max_thinking_length>24576<\/max_thinking_length>\n\nq$/);
});

test("stripReasoning leaves every reasoningContent (and the signed thinking) out of the replay, for the THINKING_SIGNATURE_INVALID retry", () => {
  const prior = assistant([thinking("deep thought", "sig-1"), text("answer")], { model: "claude-opus-4-6" });
  const context: Context = { messages: [user("q"), prior, user("more")] };
  const signed = build(context, opusNative, { reasoning: "high" });
  assert.match(signed.json, /"reasoningContent"/, "without the option the signature is replayed");
  const stripped = build(context, opusNative, { reasoning: "high", stripReasoning: true });
  assert.doesNotMatch(stripped.json, /reasoningContent|sig-1|deep thought/);
  const a = historyOf(stripped)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.content, "answer");
});

test("thinking signed by another model is replayed as tags, not as reasoningContent", () => {
  const prior = assistant([thinking("other model", "sig-x"), text("answer")], { model: "claude-sonnet-4-5" });
  const req = build({ messages: [user("q"), prior, user("more")] }, opusNative, { reasoning: "high" });
  const a = historyOf(req)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.reasoningContent, undefined);
  assert.equal(a.assistantResponseMessage.content, "<thinking>other model</thinking>\n\nanswer");
});

test("the modelTag Kiro gave an answer is echoed on that answer's replayed assistant message, and never to another model", () => {
  const tagged = assistant([text("answer")], { model: "claude-sonnet-4-5", kiro: { modelTag: "tag-sonnet-45" } });
  const same = build({ messages: [user("q"), tagged, user("more")] }, sonnet);
  const a = historyOf(same)[1]!;
  assert.ok("assistantResponseMessage" in a);
  assert.equal(a.assistantResponseMessage.modelTag, "tag-sonnet-45");
  const other = build({ messages: [user("q"), tagged, user("more")] }, opusNative);
  assert.doesNotMatch(other.json, /modelTag|tag-sonnet-45/, "another model's tag is not sent");
  const untagged = build({ messages: [user("q"), assistant([text("answer")]), user("more")] }, sonnet);
  assert.doesNotMatch(untagged.json, /modelTag/);
});

test("no thinking at all for a model without reasoning or with reasoning off", () => {
  for (const [m, reasoning] of [[model("qwen3-coder-next"), "high"], [sonnet, undefined], [opusNative, "off"]] as const) {
    const req = build({ systemPrompt: "Sys", messages: [user("q")] }, m, { reasoning });
    assert.equal(req.thinking, "off");
    assert.equal(req.body.additionalModelRequestFields, undefined);
    assert.equal(current(req).content, "Sys\n\nq");
  }
  const alias = build({ messages: [user("q")] }, model("claude-sonnet-4-5-20250514-thinking"));
  assert.equal(alias.thinking, "tags");
});

test("conversationId is stable across the turns of one conversation and differs between conversations", () => {
  const first = user("start here");
  const one = buildKiroRequest(sonnet, { messages: [first] });
  const two = buildKiroRequest(sonnet, { messages: [first, assistant([text("ok")]), user("next")] });
  assert.equal(one.conversationId, two.conversationId);
  assert.match(one.conversationId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(one.body.conversationState.conversationId, one.conversationId);
  assert.notEqual(conversationIdFor({ messages: [user("start here")] }), one.conversationId, "same text, other time: another conversation");
  assert.equal(buildKiroRequest(sonnet, { messages: [first] }, { conversationId: "session-42" }).conversationId, "session-42");
});

test("a malformed context from another process builds a valid request instead of throwing", () => {
  const messages = [
    null,
    { role: "user", content: undefined, timestamp: 1 },
    { role: "user", content: [null, { type: "text", text: 5 }, { type: "text", text: "real" }], timestamp: 2 },
    { role: "assistant", content: "not an array", stopReason: "stop" },
    { role: "assistant", content: [null, { type: "toolCall", id: undefined, name: undefined, arguments: "x" }], stopReason: "toolUse" },
    { role: "toolResult", toolCallId: undefined, content: undefined, isError: false },
  ] as unknown as Message[];
  const req = build({ messages, tools: [null, { name: undefined }] as unknown as Tool[] });
  assert.match(historyOf(req).length > 0 ? JSON.stringify(historyOf(req)[0]) : current(req).content, /real/);
});

// A small deterministic PRNG so the fuzz explores the same conversations on every run.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomConversation(rand: () => number, piModelId: string): { context: Context; maxBodyBytes?: number } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const toolNames = ["read", "write", "bash", "fs.list", "", `x${"y".repeat(80)}`, "old_tool"];
  const snippets = ["", " ", "hello", "<thinking>x</thinking>", "line\nline", "ünïcødé ✓", "z".repeat(300)];
  const messages: Message[] = [];
  const openCalls: { id: string; name: string }[] = [];
  const length = Math.floor(rand() * 14);
  let id = 0;
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 0.3) {
      messages.push(user(rand() < 0.2 ? [text(pick(snippets)), { type: "image", data: PNG, mimeType: pick(["image/png", "image/tiff", "image/webp"]) }] : pick(snippets)));
    } else if (r < 0.6) {
      const content: AssistantMessage["content"] = [];
      if (rand() < 0.4) content.push(thinking(pick(snippets), rand() < 0.5 ? "sig" : undefined));
      if (rand() < 0.7) content.push(text(pick(snippets)));
      const calls = Math.floor(rand() * 3);
      for (let c = 0; c < calls; c++) {
        const callId = rand() < 0.2 ? "dup" : `call_${id++}`;
        const name = pick(toolNames);
        content.push(call(callId, name, rand() < 0.3 ? { "": "bad", a: { "": 1 } } : { path: "p" }));
        openCalls.push({ id: callId, name });
      }
      messages.push(assistant(content, { model: rand() < 0.7 ? piModelId : "other-model", stopReason: rand() < 0.1 ? pick(["error", "aborted"] as const) : "stop" }));
    } else {
      const target = rand() < 0.8 && openCalls.length > 0 ? openCalls.splice(Math.floor(rand() * openCalls.length), 1)[0]! : { id: `stray_${id++}`, name: pick(toolNames) };
      messages.push(result(target.id, target.name, pick(snippets), rand() < 0.2));
    }
  }
  const tools = toolNames.filter((n) => n !== "old_tool" && rand() < 0.6).map((n) => tool(n, rand() < 0.1 ? "d".repeat(12_000) : pick(["", "desc"])));
  const context: Context = { messages, tools };
  if (rand() < 0.5) context.systemPrompt = pick(["You are helpful.", "", "Use <thinking> wisely."]);
  return rand() < 0.2 ? { context, maxBodyBytes: 2000 + Math.floor(rand() * 4000) } : { context };
}

test("fuzz: 600 seeded random pi conversations all build into bodies the simulator's validator accepts", () => {
  const rand = mulberry32(20250514);
  const models = [sonnet, opusNative, model("glm-5"), model("claude-sonnet-4-5-20250514-thinking")];
  const levels = [undefined, "off", "minimal", "medium", "xhigh"] as const;
  for (let i = 0; i < 600; i++) {
    const m = models[i % models.length]!;
    const { context, maxBodyBytes } = randomConversation(rand, m.id);
    const req = buildKiroRequest(m, context, { reasoning: levels[i % levels.length], maxBodyBytes });
    const errors = errorsOf(req);
    assert.deepEqual(errors, [], `conversation #${i}: ${JSON.stringify(context).slice(0, 2000)}`);
    assert.equal(req.json, JSON.stringify(req.body), `conversation #${i}: json matches body`);
  }
});

test("prompt cache (docs/kiro-protocol.md#prompt-cache): two consecutive turns of one session share the conversation id and their whole earlier history byte for byte", () => {
  const foreign = `call_${"q".repeat(30)}|fc_${"r".repeat(40)}`;
  const prior = (t: string, id: string) =>
    assistant([thinking(`thinking about ${t}`, `sig-${t}`), text(`looking at ${t}`), call(id, "read", { path: t })], { provider: "kiro", model: "claude-opus-4-6" });
  const turn1: Message[] = [
    user("fix the parser"),
    assistant([text("reading")], { provider: "openai", model: "gpt-5" }),
    user([text("here is a screenshot"), { type: "image", data: PNG, mimeType: "image/png" }]),
    prior("a.ts", foreign),
    result(foreign, "read", [text("export {}"), { type: "image", data: PNG, mimeType: "image/png" }]),
  ];
  const turn2: Message[] = [...turn1, prior("b.ts", "tooluse_second"), result("tooluse_second", "read", "export const b = 1;")];
  const context = (messages: Message[]): Context => ({ systemPrompt: "You are careful.", messages, tools: [tool("read")] });
  const options = { reasoning: "high" as const, conversationId: "pi-session-7" };
  const one = build(context(turn1), opusNative, options);
  const two = build(context(turn2), opusNative, options);
  assert.equal(two.conversationId, one.conversationId);
  const historyJson = (req: KiroRequest) => JSON.stringify(req.body.conversationState.history ?? []);
  const earlier = historyJson(one).slice(0, -1);
  assert.ok(earlier.length > 500, "the first turn has a history to share");
  assert.ok(historyJson(two).startsWith(`${earlier},`), "the second turn's history starts with the first's, byte for byte");
  // Without an id from the host, the id derived from the first message is the same on both turns too.
  assert.equal(build(context(turn2), opusNative, { reasoning: "high" }).conversationId, build(context(turn1), opusNative, { reasoning: "high" }).conversationId);
});
