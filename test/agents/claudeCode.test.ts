// The real Claude Code CLI on the window's Kiro sign-in: through the bridge's Anthropic Messages route to the Kiro simulator, it answers, runs its Read tool, shows thinking as thinking, takes a content-filtered answer as a safety stop, reports its WebSearch as unavailable with the bridge's reason, hears "prompt is too long", quota and "sign in" as such, and never shows the bridge token.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { defaultSimModels } from "../sim/kiroSimulator";
import { errorReply, quotaReply, stopReasonReply, toolUseReply } from "../sim/replies";
import { INPUT_TOO_LONG } from "../sim/validation";
import { createAgentSandbox, describeRun, runClaude, startAgentWindow, streamJsonEvents, type AgentRunResult, type AgentSandbox, type AgentWindow } from "./claudeCodeHarness";

/** A current model id as Claude Code spells it (dated); the catalog knows it as claude-sonnet-4.6. */
const MODEL = "claude-sonnet-4-6-20260101";

/** Every file under `dir` (Claude Code's HOME: settings, transcripts, logs). */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) found.push(...filesUnder(path));
    else if (stat.isFile()) found.push(path);
  }
  return found;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A real (decodable) grey RGB PNG, so Claude Code's Read tool takes it as an image. */
function greyPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 0; // filter: none
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(rows)), pngChunk("IEND", Buffer.alloc(0))]);
}

describe("Claude Code through the Kiro bridge", () => {
  let window: AgentWindow;
  let sandbox: AgentSandbox;
  const runs: AgentRunResult[] = [];

  const claude = async (args: string[]): Promise<AgentRunResult> => {
    const result = await runClaude(window, sandbox, ["-p", ...args, "--model", MODEL]);
    runs.push(result);
    return result;
  };

  /** Every Kiro request the window made passed the simulator's rules (a scripted refusal is an answer, not a broken rule). */
  const assertKiroRulesKept = (): void => {
    const broken = window.sim.requests.filter((request) => request.validationErrors.length > 0);
    assert.deepEqual(broken.map((request) => `${request.path}: ${request.validationErrors.join("; ")}`), []);
  };

  before(async () => {
    window = await startAgentWindow({ seed: 17 });
    sandbox = createAgentSandbox({ "notes.txt": "The secret word is pelican.\n" });
  });
  after(async () => {
    await window?.close();
    sandbox?.dispose();
  });

  test("claude -p answers with Kiro's reply to the prompt", async () => {
    const before = window.sim.generateRequests().length;
    const result = await claude(["Say hello to the Kiro bridge."]);
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stdout, /You said: Say hello to the Kiro bridge\./, describeRun(result));
    const sent = window.sim.generateRequests().slice(before);
    assert.ok(sent.length >= 1, "the answer came from Kiro");
    assert.ok(
      sent.every((request) => JSON.stringify(request.body).includes('"modelId":"claude-sonnet-4.6"')),
      "the dated Anthropic id reached Kiro as the catalog's claude-sonnet-4.6",
    );
    assertKiroRulesKept();
  });

  test("its Read tool reads a file and the answer uses what the file says", async () => {
    const before = window.sim.generateRequests().length;
    window.sim.reply(toolUseReply([{ name: "Read", input: { file_path: join(sandbox.workDir, "notes.txt") } }], { text: "I'll read notes.txt." }));
    const result = await claude(["Read notes.txt and tell me the secret word."]);
    assert.equal(result.code, 0, describeRun(result));
    // The simulator quotes the first line of the tool result it was sent: only a real round trip puts "pelican" there.
    assert.match(result.stdout, /The Read tool returned: ".*The secret word is pelican\./, describeRun(result));
    const sent = window.sim.generateRequests().slice(before);
    assert.equal(sent.length, 2, "one request for the call, one with its result");
    assert.match(JSON.stringify(sent[1]!.body), /toolResults.*The secret word is pelican/);
    assertKiroRulesKept();
  });

  test("an image its Read tool reads reaches Kiro as an image, not as text", async () => {
    writeFileSync(join(sandbox.workDir, "logo.png"), greyPng(16, 12));
    const before = window.sim.generateRequests().length;
    window.sim.reply(toolUseReply([{ name: "Read", input: { file_path: join(sandbox.workDir, "logo.png") } }], { text: "Looking." }));
    const result = await claude(["Look at logo.png."]);
    assert.equal(result.code, 0, describeRun(result));
    const sent = window.sim.generateRequests().slice(before);
    assert.equal(sent.length, 2, describeRun(result));
    const current = (sent[1]!.body as { conversationState: { currentMessage: { userInputMessage: { images?: { format: string }[] } } } }).conversationState.currentMessage.userInputMessage;
    assert.deepEqual(current.images?.map((image) => image.format), ["png"]);
    assertKiroRulesKept();
  });

  test("thinking arrives as thinking blocks with their signature, apart from the text", async () => {
    const result = await claude(["Think about it, then say something.", "--output-format", "stream-json", "--verbose"]);
    assert.equal(result.code, 0, describeRun(result));
    const blocks = streamJsonEvents(result.stdout)
      .filter((event) => event.type === "assistant")
      .flatMap((event) => ((event.message as { content?: { type: string; thinking?: string; signature?: string; text?: string }[] }).content ?? []));
    const thinking = blocks.filter((block) => block.type === "thinking");
    assert.ok(thinking.length > 0, `no thinking block in ${describeRun(result)}`);
    assert.match(thinking[0]!.thinking ?? "", /answering plainly/);
    assert.match(thinking[0]!.signature ?? "", /^sim-signature-/);
    const text = blocks.filter((block) => block.type === "text").map((block) => block.text).join("");
    assert.match(text, /You said: Think about it/);
    assert.doesNotMatch(text, /answering plainly/, "the thinking is not in the text");
    assertKiroRulesKept();
  });

  test("when Kiro says the input is too long, Claude Code says the prompt is too long (not an unknown error)", async () => {
    // One more refusal than a single try needs, should it retry; the queue is emptied afterwards either way.
    for (let i = 0; i < 2; i++) window.sim.reply(errorReply(INPUT_TOO_LONG.status, INPUT_TOO_LONG.body, { "x-amzn-errortype": "ValidationException" }));
    try {
      const result = await claude(["Summarise everything."]);
      assert.notEqual(result.code, 0, describeRun(result));
      assert.match(result.stdout + result.stderr, /prompt is too long/i, describeRun(result));
      assert.doesNotMatch(result.stdout + result.stderr, /unknown error|API Error: 5\d\d/i, describeRun(result));
    } finally {
      for (let i = 0; i < 8 && window.sim.pendingReplies > 0; i++) await claude(["Drain."]);
    }
    assertKiroRulesKept();
  });

  test("an exhausted Kiro quota is reported once, with its reset, and not retried", async () => {
    const before = window.sim.generateRequests().length;
    // A second one, so a retry would be seen failing too rather than answered.
    for (let i = 0; i < 2; i++) window.sim.reply(quotaReply());
    try {
      const result = await claude(["Anything."]);
      assert.notEqual(result.code, 0, describeRun(result));
      assert.match(result.stdout, /429.*quota/i, describeRun(result));
      assert.equal(window.sim.generateRequests().length - before, 1, "Claude Code did not retry a quota that resets next month");
    } finally {
      for (let i = 0; i < 8 && window.sim.pendingReplies > 0; i++) await claude(["Drain."]);
    }
    assertKiroRulesKept();
  });

  test("when Kiro's content filter stops an answer, Claude Code counts a safety stop and carries on past it, Kiro's words kept in its history", async () => {
    const before = window.sim.generateRequests().length;
    window.sim.reply(stopReasonReply("I can", "CONTENT_FILTERED", { refusal: { category: "policy", explanation: "Not allowed here", recommendedModel: "claude-opus-4.8" } }));
    const result = await claude(["Tell me something filtered.", "--output-format", "stream-json", "--verbose"]);
    assert.equal(result.code, 0, describeRun(result));
    // stop_reason "refusal" is what Claude Code counts as a safety stop (a failure or a dropped stream is not one).
    const outcome = streamJsonEvents(result.stdout).find((event) => event.type === "result") as { safety_stops?: number; is_error?: boolean } | undefined;
    assert.equal(outcome?.safety_stops, 1, describeRun(result));
    assert.equal(outcome?.is_error, false, describeRun(result));
    // Its way past a refusal: the refused turn, with Kiro's words on why, goes back to Kiro with its own reminder.
    const sent = window.sim.generateRequests().slice(before);
    assert.equal(sent.length, 2, describeRun(result));
    const next = JSON.stringify(sent[1]!.body);
    assert.match(next, /"assistantResponseMessage":\{"content":"I can\\n\\nKiro's content filter stopped the answer \(policy: Not allowed here\)/);
    assert.match(next, /Kiro recommends the model \\"claude-opus-4\.8\\"/);
    assert.match(next, /stopped by a safety classifier/);
    assertKiroRulesKept();
  });

  test("its WebSearch tool reports that Kiro runs no web search, with the bridge's reason, and Claude Code answers on (no hang, no empty answer)", async () => {
    const before = window.sim.generateRequests().length;
    window.sim.reply(toolUseReply([{ name: "WebSearch", input: { query: "kiro-pi release notes" } }], { text: "I'll search the web." }));
    const result = await claude(["Search the web for kiro-pi release notes.", "--allowedTools", "WebSearch", "--output-format", "stream-json", "--verbose"]);
    assert.equal(result.code, 0, describeRun(result));
    const events = streamJsonEvents(result.stdout);
    // What Claude Code shows for the tool call: a failed WebSearch whose message is the bridge's, not a silent empty result.
    type Block = { type?: string; is_error?: boolean; content?: unknown };
    const toolResults = events
      .filter((event) => event.type === "user")
      .flatMap((event) => {
        const content = (event.message as { content?: unknown }).content;
        return Array.isArray(content) ? (content as Block[]) : [];
      })
      .filter((block) => block.type === "tool_result");
    assert.equal(toolResults.length, 1, describeRun(result));
    assert.equal(toolResults[0]!.is_error, true, describeRun(result));
    assert.match(JSON.stringify(toolResults[0]!.content), /400 The server tool web_search_\w+ .*is not available through Kiro/, describeRun(result));
    const outcome = events.find((event) => event.type === "result") as { is_error?: boolean; result?: string } | undefined;
    assert.equal(outcome?.is_error, false, describeRun(result));
    // The simulator quotes the tool result it was sent: the model got the reason too, and answered with it.
    assert.match(outcome?.result ?? "", /The WebSearch tool failed: .*not available through Kiro/, describeRun(result));
    // Kiro saw the call and its failed result; the web-search request itself stopped at the bridge.
    const sent = window.sim.generateRequests().slice(before);
    assert.equal(sent.length, 2, describeRun(result));
    assert.match(JSON.stringify(sent[1]!.body), /toolResults.*not available through Kiro/);
    assertKiroRulesKept();
  });

  test("the bridge token never shows in Claude Code's output, its files, or the bridge's log", () => {
    assert.ok(runs.length >= 7, "runs the tests above made");
    const token = window.bridge.token;
    for (const run of runs) {
      assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), "the token is in a run's output");
    }
    for (const file of filesUnder(sandbox.home)) {
      assert.ok(!readFileSync(file, "utf8").includes(token), `the token is in ${file}`);
    }
    assert.ok(!window.log.join("\n").includes(token), "the token is in the bridge log");
  });
});

describe("Claude Code on a model whose window its prompt does not fit", () => {
  let window: AgentWindow;
  let sandbox: AgentSandbox;

  before(async () => {
    // Claude Code's system prompt and tools alone are over 20,000 tokens.
    const models = defaultSimModels().map((model) => (model.modelId === "claude-haiku-4.5" ? { ...model, tokenLimits: { maxInputTokens: 8_000, maxOutputTokens: 4_000 } } : model));
    window = await startAgentWindow({ models });
    sandbox = createAgentSandbox();
  });
  after(async () => {
    await window?.close();
    sandbox?.dispose();
  });

  test("the bridge answers the prompt-too-long 400 before sending anything to Kiro", async () => {
    const result = await runClaude(window, sandbox, ["-p", "Hello.", "--model", "claude-haiku-4-5-20251001"]);
    assert.notEqual(result.code, 0, describeRun(result));
    assert.match(result.stdout + result.stderr, /prompt is too long/i, describeRun(result));
    assert.equal(window.sim.generateRequests().length, 0, "nothing that cannot fit went to Kiro");
  });
});

describe("Claude Code in a window that is not signed in to Kiro", () => {
  let window: AgentWindow;
  let sandbox: AgentSandbox;

  before(async () => {
    window = await startAgentWindow({}, { signedIn: () => false });
    sandbox = createAgentSandbox();
  });
  after(async () => {
    await window?.close();
    sandbox?.dispose();
  });

  test("it says to run Kiro: Sign In, and nothing reaches Kiro", async () => {
    const result = await runClaude(window, sandbox, ["-p", "Hello.", "--model", MODEL]);
    assert.notEqual(result.code, 0, describeRun(result));
    assert.match(result.stdout + result.stderr, /not signed in to Kiro\. Run "Kiro: Sign In"/, describeRun(result));
    assert.equal(window.sim.generateRequests().length, 0);
  });
});
