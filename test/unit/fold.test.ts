// Long sessions keep their context: past Kiro's 198-entry cap the oldest exchanges are folded into readable text, only the context window leaves anything out, and the folds stay the same as the session grows (docs/kiro-protocol.md#history-folding).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildKiroRequest, type KiroRequest } from "../../src/kiro/request/request";
import { FOLD_HEADER, foldHistory } from "../../src/kiro/request/fold";
import { MAX_HISTORY_ENTRIES } from "../../src/kiro/request/serviceLimits";
import { findModel } from "../../src/kiro/catalog/models";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import type { KiroHistoryEntry } from "../../src/kiro/wire/wireTypes";
import type { AssistantMessage, Message, Tool } from "../../src/kiro/types";
import { validateGenerateAssistantResponseJson } from "../sim/validation";
import { defaultSimModels } from "../sim/kiroSimulator";

const sonnet = findModel("claude-sonnet-4-5") as KiroModelInfo;
const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
const read: Tool = { name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } };

function assistant(content: AssistantMessage["content"], timestamp: number): AssistantMessage {
  const stopReason = content.some((c) => c.type === "toolCall") ? "toolUse" : "stop";
  return { role: "assistant", content, api: "kiro-generate-assistant-response", provider: "kiro", model: "claude-sonnet-4-5", usage, stopReason, timestamp };
}

/** `turns` exchanges of an agent session: the user asks, the assistant reads a file, then answers. */
function agentSession(turns: number, fileChars = 40): Message[] {
  const messages: Message[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: "user", content: `question ${i}`, timestamp: i * 10 });
    messages.push(assistant([{ type: "text", text: `reading ${i}` }, { type: "toolCall", id: `call_${i}|fc_${"x".repeat(70)}`, name: "read", arguments: { path: `f${i}.ts` } }], i * 10 + 1));
    messages.push({ role: "toolResult", toolCallId: `call_${i}|fc_${"x".repeat(70)}`, toolName: "read", content: [{ type: "text", text: `contents of f${i} ${"y".repeat(fileChars)}` }], isError: false, timestamp: i * 10 + 2 });
    messages.push(assistant([{ type: "text", text: `answer ${i}` }], i * 10 + 3));
  }
  messages.push({ role: "user", content: "and now?", timestamp: turns * 10 });
  return messages;
}

function accepted(req: KiroRequest): void {
  assert.deepEqual(validateGenerateAssistantResponseJson(req.json, defaultSimModels()).errors, [], "the simulator accepts the body");
}

test("a session of 300 exchanges (1,200 messages, far past the 198-entry cap) sends every question, call, result and answer", () => {
  const req = buildKiroRequest(sonnet, { systemPrompt: "Sys", messages: agentSession(300), tools: [read] });
  accepted(req);
  const history = req.body.conversationState.history ?? [];
  assert.ok(history.length <= MAX_HISTORY_ENTRIES, `${history.length} entries`);
  assert.equal(req.droppedTurns, 0, "nothing is left out");
  for (const i of [0, 1, 150, 299]) {
    for (const piece of [`question ${i}`, `reading ${i}`, `f${i}.ts`, `contents of f${i}`, `answer ${i}`]) assert.ok(req.json.includes(piece), `${piece} reaches the model`);
  }
  const first = history[0]!;
  assert.ok("userInputMessage" in first);
  assert.ok(first.userInputMessage.content.startsWith(`Sys\n\n${FOLD_HEADER}`), "system text, then the folded part");
  assert.match(first.userInputMessage.content, /User: question 0\n\nAssistant: reading 0\n\n\[Assistant called tool read \(call tooluse_[0-9a-f]{32}\) with input \{"path":"f0\.ts"\}\]\n\n\[Result of tool read \(call tooluse_[0-9a-f]{32}\)\]\ncontents of f0/);
  assert.ok(req.notes.some((n) => /^folded the \d+ oldest history entries into \d+ \(Kiro's limit of 198 history entries\)\.$/.test(n)), req.notes.join(" | "));
});

test("the folds of a growing session stay byte for byte the same from one turn to the next", () => {
  const one = buildKiroRequest(sonnet, { messages: agentSession(200), tools: [read] });
  const two = buildKiroRequest(sonnet, { messages: agentSession(201), tools: [read] });
  accepted(two);
  const folded = (req: KiroRequest) => (req.body.conversationState.history ?? []).filter((e) => "userInputMessage" in e && e.userInputMessage.content.includes(FOLD_HEADER));
  const a = folded(one);
  const b = folded(two);
  assert.ok(a.length >= 2, `${a.length} folded entries`);
  // All folds but the newest are complete groups, which a longer session leaves unchanged.
  assert.deepEqual(JSON.stringify(b.slice(0, a.length - 1)), JSON.stringify(a.slice(0, a.length - 1)));
});

test("when the context window is what runs out, the oldest part goes and the model is told how much", () => {
  const small: KiroModelInfo = { ...sonnet, contextWindow: 40_000, maxTokens: 4_000 };
  const req = buildKiroRequest(small, { messages: agentSession(300, 400), tools: [read] });
  accepted(req);
  assert.ok(req.droppedTurns > 0);
  assert.ok(req.estimatedInputTokens <= 36_000, `${req.estimatedInputTokens} tokens`);
  assert.ok(req.estimatedInputTokens > 36_000 * 0.8, `the window is used, not the entry count: ${req.estimatedInputTokens} tokens`);
  const first = req.body.conversationState.history![0]!;
  assert.ok("userInputMessage" in first);
  assert.match(first.userInputMessage.content, new RegExp(`^\\[Note: ${req.droppedTurns} earlier turns of this conversation were dropped to keep the request within the model's context window\\.\\]`));
  assert.ok(req.json.includes("answer 299"), "the newest exchange is kept");
});

test("when the labels of the folded transcript take the history past the window, only as many of the oldest exchanges go as that needs, not a whole folded group", () => {
  // Each exchange is ~530 tokens; a folded group of 16 pairs (8 exchanges) ~4,300. Trimmed for the window first, the
  // history still needs folding, and the transcript's labels ("User: ", the call and result lines) add to it.
  const small: KiroModelInfo = { ...sonnet, contextWindow: 40_000, maxTokens: 4_000 };
  const req = buildKiroRequest(small, { messages: agentSession(300, 2000), tools: [read] });
  accepted(req);
  const room = 36_000;
  assert.ok(req.estimatedInputTokens <= room, `${req.estimatedInputTokens} tokens`);
  assert.ok(room - req.estimatedInputTokens < 530, `less than one exchange of the window is left unused: ${room - req.estimatedInputTokens} tokens`);
  assert.ok(req.notes.some((n) => n.startsWith("folded the ")), req.notes.join(" | "));
  const first = req.body.conversationState.history![0]!;
  assert.ok("userInputMessage" in first);
  assert.match(first.userInputMessage.content, new RegExp(`^\\[Note: ${req.droppedTurns} earlier turns of this conversation were dropped to keep the request within the model's context window\\.\\]\n\n${FOLD_HEADER.replace(/[[\]().]/g, "\\$&")}`));
});

test("foldHistory: a history within the cap is left as it is; results whose call was folded move into the next message's text", () => {
  const entry = (i: number): KiroHistoryEntry[] => [
    { userInputMessage: { content: `q${i}`, modelId: "m", origin: "AI_EDITOR" } },
    { assistantResponseMessage: { content: `a${i}`, toolUses: [{ toolUseId: `t${i}`, name: "read", input: {} }] } },
  ];
  const history = Array.from({ length: 40 }, (_, i) => entry(i)).flat();
  for (let i = 2; i < history.length; i += 2) {
    const user = history[i]!;
    if ("userInputMessage" in user) user.userInputMessage.userInputMessageContext = { toolResults: [{ toolUseId: `t${i / 2 - 1}`, content: [{ text: `r${i / 2 - 1}` }], status: "success" }] };
  }
  const current = { content: "now", modelId: "m", origin: "AI_EDITOR" as const, userInputMessageContext: { toolResults: [{ toolUseId: "t39", content: [{ text: "r39" }], status: "success" as const }] } };
  assert.equal(foldHistory(history, current, 80).foldedEntries, 0);
  const folded = foldHistory(history, current, 60);
  assert.ok(folded.history.length <= 60);
  assert.equal(folded.foldedEntries, 32, "one group of 16 pairs is enough");
  const next = folded.history[2]!;
  assert.ok("userInputMessage" in next);
  assert.equal(next.userInputMessage.userInputMessageContext, undefined, "its call is in the fold: the result is text now");
  assert.match(next.userInputMessage.content, /^\[Result of tool read \(call t15\)\]\nr15\n\nq16$/);
  assert.deepEqual(folded.originalEntries.slice(0, 3), [32, 0, 1]);
});

test("the JSON the fold builds for its entries is exactly JSON.stringify of them, quotes, newlines, backslashes and non-ASCII text included", () => {
  const messages = agentSession(300);
  // Text the body must escape, in the part that gets folded: quotes, backslashes, control characters, emoji, umlauts.
  messages[0] = { role: "user", content: 'Fix "parse()" in C:\\src\\ü.ts\ttab\u0001 — 😀 done?', timestamp: 0 };
  const req = buildKiroRequest(sonnet, { messages, tools: [read] });
  accepted(req);
  assert.equal(req.json, JSON.stringify(req.body), "json is exactly the serialised body");
  const history = req.body.conversationState.history ?? [];
  const folds = history.filter((e) => "userInputMessage" in e && e.userInputMessage.content.includes(FOLD_HEADER));
  assert.ok(folds.length >= 3, `${folds.length} folded entries`);
  assert.ok(req.json.includes(JSON.stringify('Fix "parse()" in C:\\src\\ü.ts\ttab\u0001 — 😀 done?').slice(1, -1)));
});

test("foldHistory hands back each folded entry's JSON and its UTF-8 size, equal to what JSON.stringify and Buffer.byteLength give", () => {
  const tricky = 'say "hi" \\ C:\\dir\n\tü 😀 \u0002';
  const history: KiroHistoryEntry[] = [];
  for (let i = 0; i < 120; i++) {
    history.push({ userInputMessage: { content: `${tricky} ${i}`, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } });
    history.push({ assistantResponseMessage: { content: `answer ${tricky} ${i}`, toolUses: [{ toolUseId: `t${i}`, name: "read", input: { path: `${tricky}.ts` } }] } });
  }
  const fold = foldHistory(history, { content: "now", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" }, 100);
  const built = fold.entryJson.flatMap((json, i) => (json === undefined ? [] : [i]));
  assert.ok(built.length >= 2, `${built.length} entries built by the fold`);
  for (const i of built) {
    assert.equal(fold.entryJson[i], JSON.stringify(fold.history[i]), `entry ${i}`);
    assert.equal(fold.entryBytes[i], Buffer.byteLength(JSON.stringify(fold.history[i]), "utf8"), `entry ${i} size`);
  }
});
