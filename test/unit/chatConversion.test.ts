// VS Code chat messages → Kiro context, and Kiro stream events → VS Code parts, without VS Code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ChatRole,
  ChatToolMode,
  convertMessages,
  convertTools,
  reportAssistantStream,
  requiredToolInstruction,
} from "../../src/vscode/chatConversion";
import type { AssistantMessage, AssistantMessageEvent, ToolResultMessage, UserMessage } from "../../src/kiro/types";
import { emptyUsage } from "../../src/kiro/types";
import { DataPart, PromptTsxPart, TextPart, ThinkingPart, ToolCallPart, ToolResultPart, fullKit, message, oldKit, pngHeader } from "./chatFakes";

const User = ChatRole.User;
const Assistant = ChatRole.Assistant;
const System = ChatRole.System;

describe("convertMessages", () => {
  it("turns user and assistant text into pi messages in order", () => {
    const context = convertMessages(
      [message(User, [new TextPart("Hello "), new TextPart("Kiro")]), message(Assistant, [new TextPart("Hi!")]), message(User, [new TextPart("Bye")])],
      fullKit,
      { modelId: "claude-sonnet-4-5" },
    );
    assert.equal(context.systemPrompt, undefined);
    assert.deepEqual(
      context.messages.map((m) => [m.role, m.role === "toolResult" ? "" : JSON.stringify(m.content)]),
      [
        ["user", JSON.stringify([{ type: "text", text: "Hello Kiro" }])],
        ["assistant", JSON.stringify([{ type: "text", text: "Hi!" }])],
        ["user", JSON.stringify([{ type: "text", text: "Bye" }])],
      ],
    );
    const assistant = context.messages[1] as AssistantMessage;
    assert.equal(assistant.provider, "kiro");
    assert.equal(assistant.model, "claude-sonnet-4-5");
    assert.equal(assistant.stopReason, "stop");
  });

  it("makes system-role messages (role 3) the system prompt instead of user text", () => {
    const context = convertMessages(
      [message(System, [new TextPart("You are a helpful coding assistant.")]), message(User, [new TextPart("hi")]), message(System, [new TextPart("Be brief.")])],
      fullKit,
      { modelId: "m" },
    );
    assert.equal(context.systemPrompt, "You are a helpful coding assistant.\n\nBe brief.");
    assert.equal(context.messages.length, 1);
    assert.equal(context.messages[0].role, "user");
  });

  it("round-trips a tool call and its result with the same id and the tool's name", () => {
    const context = convertMessages(
      [
        message(User, [new TextPart("What is in a.txt?")]),
        message(Assistant, [new TextPart("Let me look."), new ToolCallPart("call_1", "read_file", { path: "a.txt" })]),
        message(User, [new ToolResultPart("call_1", [new TextPart("hello "), new TextPart("world")]), new TextPart("Summarise it.")]),
      ],
      fullKit,
      { modelId: "m" },
    );
    assert.deepEqual(
      context.messages.map((m) => m.role),
      ["user", "assistant", "toolResult", "user"],
    );
    const assistant = context.messages[1] as AssistantMessage;
    assert.deepEqual(assistant.content[1], { type: "toolCall", id: "call_1", name: "read_file", arguments: { path: "a.txt" } });
    assert.equal(assistant.stopReason, "toolUse");
    const result = context.messages[2] as ToolResultMessage;
    assert.equal(result.toolCallId, "call_1");
    assert.equal(result.toolName, "read_file");
    assert.equal(result.isError, false);
    assert.deepEqual(result.content, [{ type: "text", text: "hello world" }]);
    assert.deepEqual((context.messages[3] as UserMessage).content, [{ type: "text", text: "Summarise it." }]);
  });

  it("keeps several tool results of one turn as separate results, in order, with no empty user message", () => {
    const context = convertMessages(
      [
        message(Assistant, [new ToolCallPart("a", "one", {}), new ToolCallPart("b", "two", {})]),
        message(User, [new ToolResultPart("a", [new TextPart("1")]), new ToolResultPart("b", [new TextPart("2")])]),
      ],
      fullKit,
      { modelId: "m" },
    );
    assert.deepEqual(
      context.messages.map((m) => (m.role === "toolResult" ? `${m.toolCallId}:${m.toolName}` : m.role)),
      ["assistant", "a:one", "b:two"],
    );
  });

  it("converts data parts inside a tool result: images to image content, JSON and text to text, markers dropped", () => {
    const png = pngHeader(10, 10);
    const context = convertMessages(
      [
        message(Assistant, [new ToolCallPart("c", "screenshot", {})]),
        message(User, [
          new ToolResultPart("c", [
            new TextPart("shot:"),
            new DataPart(png, "image/png"),
            new DataPart(new TextEncoder().encode('{"ok":true}'), "application/json"),
            new DataPart(new TextEncoder().encode("ephemeral"), "cache_control"),
            new PromptTsxPart({ node: { type: 1, children: [{ type: 2, text: "from tsx" }] } }),
          ]),
        ]),
      ],
      fullKit,
      { modelId: "m" },
    );
    const result = context.messages[1] as ToolResultMessage;
    assert.deepEqual(result.content, [
      { type: "text", text: "shot:" },
      { type: "image", data: Buffer.from(png).toString("base64"), mimeType: "image/png" },
      { type: "text", text: '{"ok":true}from tsx' },
    ]);
  });

  it("leaves out tool result parts meant only for the user (audience without Assistant), and honours isError", () => {
    const forUser = Object.assign(new TextPart("shown in the UI only"), { audience: [1] });
    const forBoth = Object.assign(new TextPart("for the model"), { audience: [0, 1] });
    const failed = Object.assign(new ToolResultPart("c", [forUser, forBoth]), { isError: true });
    const context = convertMessages([message(Assistant, [new ToolCallPart("c", "run", {})]), message(User, [failed])], fullKit, { modelId: "m" });
    const result = context.messages[1] as ToolResultMessage;
    assert.deepEqual(result.content, [{ type: "text", text: "for the model" }]);
    assert.equal(result.isError, true);
  });

  it("passes user images (data parts) as image content next to the text", () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    const context = convertMessages([message(User, [new TextPart("What is this?"), new DataPart(jpeg, "image/jpg")])], fullKit, { modelId: "m" });
    assert.deepEqual((context.messages[0] as UserMessage).content, [
      { type: "text", text: "What is this?" },
      { type: "image", data: Buffer.from(jpeg).toString("base64"), mimeType: "image/jpeg" },
    ]);
  });

  it("recognises data parts by shape when the running VS Code exposes no DataPart class", () => {
    const png = pngHeader(2, 2);
    const context = convertMessages([message(User, [{ mimeType: "image/png", data: png }, new TextPart("see")])], oldKit, { modelId: "m" });
    assert.equal(((context.messages[0] as UserMessage).content as { type: string }[])[0].type, "image");
  });

  it("keeps assistant thinking apart from the answer text, with its signature", () => {
    const context = convertMessages(
      [
        message(User, [new TextPart("q")]),
        message(Assistant, [new ThinkingPart("Let me "), new ThinkingPart(["think."]), new ThinkingPart("", undefined, { signature: "sig-1" }), new TextPart("Answer.")]),
      ],
      fullKit,
      { modelId: "m" },
    );
    const assistant = context.messages[1] as AssistantMessage;
    assert.deepEqual(assistant.content, [
      { type: "thinking", thinking: "Let me think.", thinkingSignature: "sig-1" },
      { type: "text", text: "Answer." },
    ]);
  });

  it("gives the same timestamps on every request of a chat, so the derived conversation id stays stable", () => {
    const first = convertMessages([message(User, [new TextPart("hi")])], fullKit, { modelId: "m" });
    const later = convertMessages([message(User, [new TextPart("hi")]), message(Assistant, [new TextPart("hello")]), message(User, [new TextPart("more")])], fullKit, {
      modelId: "m",
    });
    assert.deepEqual(first.messages[0], later.messages[0]);
  });

  it("passes tools with their schema as parameters, and an empty object schema when a tool has none", () => {
    const tools = [
      { name: "read_file", description: "Reads a file", inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
      { name: "now", description: "The time" },
    ];
    const context = convertMessages([message(User, [new TextPart("x")])], fullKit, { modelId: "m", tools, toolMode: ChatToolMode.Auto });
    assert.deepEqual(context.tools, convertTools(tools));
    assert.deepEqual(context.tools?.[0].parameters, tools[0].inputSchema);
    assert.deepEqual(context.tools?.[1].parameters, { type: "object", properties: {} });
    assert.equal(context.systemPrompt, undefined, "Auto mode adds no instruction");
  });

  it("tells the model in the system prompt that it must call a tool when toolMode is Required", () => {
    const tools = [{ name: "pick", description: "Pick one" }];
    const context = convertMessages([message(System, [new TextPart("Base.")]), message(User, [new TextPart("x")])], fullKit, {
      modelId: "m",
      tools,
      toolMode: ChatToolMode.Required,
    });
    assert.equal(context.systemPrompt, `Base.\n\n${requiredToolInstruction(tools)}`);
    assert.match(context.systemPrompt ?? "", /must respond by calling the tool "pick"/);
  });

  it("parses tool call input given as a JSON string", () => {
    const context = convertMessages([message(Assistant, [{ callId: "x", name: "t", input: '{"a":1}' }])], oldKit, { modelId: "m" });
    assert.deepEqual((context.messages[0] as AssistantMessage).content[0], { type: "toolCall", id: "x", name: "t", arguments: { a: 1 } });
  });
});

function partial(content: AssistantMessage["content"] = []): AssistantMessage {
  return { role: "assistant", content, api: "kiro-generate-assistant-response", provider: "kiro", model: "m", usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
}

async function* eventsOf(events: AssistantMessageEvent[]): AsyncGenerator<AssistantMessageEvent> {
  for (const e of events) yield e;
}

describe("reportAssistantStream", () => {
  const thinkingThenText: AssistantMessageEvent[] = [
    { type: "start", partial: partial() },
    { type: "thinking_start", contentIndex: 0, partial: partial() },
    { type: "thinking_delta", contentIndex: 0, delta: "hmm", partial: partial() },
    { type: "thinking_end", contentIndex: 0, content: "hmm", partial: partial([{ type: "thinking", thinking: "hmm", thinkingSignature: "sig" }]) },
    { type: "text_start", contentIndex: 1, partial: partial() },
    { type: "text_delta", contentIndex: 1, delta: "Hel", partial: partial() },
    { type: "text_delta", contentIndex: 1, delta: "lo", partial: partial() },
    { type: "text_end", contentIndex: 1, content: "Hello", partial: partial() },
    { type: "done", reason: "stop", message: partial([{ type: "text", text: "Hello" }]) },
  ];

  it("reports each text delta as its own text part as it arrives", async () => {
    const reported: object[] = [];
    const result = await reportAssistantStream(eventsOf(thinkingThenText), fullKit, (p) => reported.push(p));
    assert.equal(result.outcome, "done");
    const texts = reported.filter((p) => p instanceof TextPart).map((p) => (p as TextPart).value);
    assert.deepEqual(texts, ["Hel", "lo"]);
  });

  it("reports thinking as thinking parts, never inside the answer text", async () => {
    const reported: object[] = [];
    await reportAssistantStream(eventsOf(thinkingThenText), fullKit, (p) => reported.push(p));
    const thinking = reported.filter((p) => p instanceof ThinkingPart) as ThinkingPart[];
    assert.deepEqual(
      thinking.map((t) => [t.value, t.metadata?.signature]),
      [
        ["hmm", undefined],
        ["", "sig"],
      ],
    );
    assert.ok(!reported.some((p) => p instanceof TextPart && (p as TextPart).value.includes("hmm")));
  });

  it("gives every thinking part of one block the same non-empty id, the signature part included, and another block another id", async () => {
    const twoBlocks: AssistantMessageEvent[] = [
      ...thinkingThenText.slice(0, 4),
      { type: "thinking_start", contentIndex: 2, partial: partial() },
      { type: "thinking_delta", contentIndex: 2, delta: "again", partial: partial() },
      { type: "thinking_end", contentIndex: 2, content: "again", partial: partial([{ type: "thinking", thinking: "hmm" }, { type: "text", text: "" }, { type: "thinking", thinking: "again", thinkingSignature: "sig-2" }]) },
      thinkingThenText[thinkingThenText.length - 1],
    ];
    const reported: object[] = [];
    await reportAssistantStream(eventsOf(twoBlocks), fullKit, (p) => reported.push(p));
    const thinking = reported.filter((p) => p instanceof ThinkingPart) as ThinkingPart[];
    assert.equal(thinking.length, 4);
    assert.ok(thinking.every((t) => typeof t.id === "string" && t.id.length > 0), "Copilot Chat keeps a thinking part's id as id || ''");
    assert.equal(thinking[0].id, thinking[1].id, "the first block's text and signature share an id");
    assert.equal(thinking[2].id, thinking[3].id);
    assert.notEqual(thinking[0].id, thinking[2].id);
  });

  it("drops thinking when the running VS Code has no thinking part, still without mixing it into the text", async () => {
    const reported: object[] = [];
    await reportAssistantStream(eventsOf(thinkingThenText), oldKit, (p) => reported.push(p));
    assert.deepEqual(
      reported.map((p) => (p as TextPart).value),
      ["Hel", "lo"],
    );
  });

  it("reports a tool call once complete, with parsed input and the call id", async () => {
    const call = { type: "toolCall" as const, id: "tooluse_1", name: "read_file", arguments: { path: "a.txt" } };
    const reported: object[] = [];
    const result = await reportAssistantStream(
      eventsOf([
        { type: "toolcall_start", contentIndex: 0, partial: partial() },
        { type: "toolcall_delta", contentIndex: 0, delta: '{"path":', partial: partial() },
        { type: "toolcall_delta", contentIndex: 0, delta: '"a.txt"}', partial: partial() },
        { type: "toolcall_end", contentIndex: 0, toolCall: call, partial: partial([call]) },
        { type: "done", reason: "toolUse", message: partial([call]) },
      ]),
      fullKit,
      (p) => reported.push(p),
    );
    assert.equal(result.toolCalls, 1);
    assert.equal(reported.length, 1);
    const part = reported[0] as ToolCallPart;
    assert.ok(part instanceof ToolCallPart);
    assert.deepEqual([part.callId, part.name, part.input], ["tooluse_1", "read_file", { path: "a.txt" }]);
  });

  it("holds text back when asked (toolMode Required) and releases it just before the tool call", async () => {
    const call = { type: "toolCall" as const, id: "t", name: "pick", arguments: {} };
    const reported: object[] = [];
    await reportAssistantStream(
      eventsOf([
        { type: "text_delta", contentIndex: 0, delta: "I'll ", partial: partial() },
        { type: "text_delta", contentIndex: 0, delta: "pick.", partial: partial() },
        { type: "toolcall_end", contentIndex: 1, toolCall: call, partial: partial() },
        { type: "text_delta", contentIndex: 2, delta: "after", partial: partial() },
        { type: "done", reason: "toolUse", message: partial([call]) },
      ]),
      fullKit,
      (p) => reported.push(p),
      { holdText: true },
    );
    assert.deepEqual(
      reported.map((p) => (p instanceof TextPart ? `text:${p.value}` : `tool:${(p as ToolCallPart).name}`)),
      ["text:I'll pick.", "tool:pick", "text:after"],
    );
  });

  it("returns the failed message when the stream ends in an error", async () => {
    const failed = { ...partial(), stopReason: "error" as const, errorMessage: "Kiro had a temporary problem (500)." };
    const result = await reportAssistantStream(eventsOf([{ type: "error", reason: "error", error: failed }]), fullKit, () => {});
    assert.equal(result.outcome, "error");
    assert.equal(result.final?.errorMessage, failed.errorMessage);
  });
});
