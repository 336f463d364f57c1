// Extension-host tests: Kiro models through vscode.lm in a real VS Code, answered by the Kiro simulator started in this process.
import * as assert from "node:assert/strict";
import { Socket, createServer, type Server } from "node:net";
import { setup, suite, test } from "mocha";
import * as vscode from "vscode";
import type { KiroSimulator } from "../../sim/kiroSimulator";
import { quotaReply, slowFirstTokenReply, stalledReply, textReply } from "../../sim/replies";
import { useKiroSimulator } from "./simulatorSuite";

const MODEL_ID = "claude-sonnet-4-5";

/**
 * A loopback TCP relay in front of the simulator that notices when the client hangs up while the simulator is still
 * sending: that is what an aborted HTTP request looks like from the service's side.
 */
interface HangUpWatcher {
  url: string;
  /** Resolves when a client closed its connection before the simulator ended its answer. */
  clientHungUp: Promise<void>;
  close(): Promise<void>;
}

async function watchHangUps(target: URL): Promise<HangUpWatcher> {
  let hungUp!: () => void;
  const clientHungUp = new Promise<void>((resolve) => (hungUp = resolve));
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    let upstreamEnded = false;
    upstream.connect(Number(target.port), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on("end", () => (upstreamEnded = true));
    client.on("close", () => {
      if (!upstreamEnded) hungUp();
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    clientHungUp,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function kiroModel(id = MODEL_ID): Promise<vscode.LanguageModelChat> {
  const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id });
  assert.ok(model, `vscode.lm.selectChatModels found no Kiro model "${id}"`);
  return model;
}

async function collect(response: vscode.LanguageModelChatResponse): Promise<{ text: string; textParts: number; toolCalls: vscode.LanguageModelToolCallPart[] }> {
  let text = "";
  let textParts = 0;
  const toolCalls: vscode.LanguageModelToolCallPart[] = [];
  for await (const part of response.stream) {
    if (part instanceof vscode.LanguageModelTextPart) {
      text += part.value;
      textParts++;
    } else if (part instanceof vscode.LanguageModelToolCallPart) {
      toolCalls.push(part);
    }
  }
  return { text, textParts, toolCalls };
}

const READ_FILE_TOOL: vscode.LanguageModelChatTool = {
  name: "read_file",
  description: "Reads a file of the workspace",
  inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

suite("Kiro models in vscode.lm", function () {
  this.timeout(60_000);
  const kiroSim = useKiroSimulator();
  let sim: KiroSimulator;
  setup(() => (sim = kiroSim()));
  const kiroConfig = () => vscode.workspace.getConfiguration("kiro");

  test("selectChatModels({ vendor: 'kiro' }) lists the account's catalog from ListAvailableModels", async () => {
    const models = await vscode.lm.selectChatModels({ vendor: "kiro" });
    const families = new Set(models.map((m) => m.family));
    for (const simModel of sim.models) assert.ok(families.has(simModel.modelId), `no Kiro model with family ${simModel.modelId}; got ${[...families].join(", ")}`);
    assert.ok(sim.requests.some((r) => r.path === "/ListAvailableModels"), "the catalog was not read from the service");
    const sonnet = models.find((m) => m.id === MODEL_ID);
    assert.ok(sonnet, "Claude Sonnet 4.5 is listed");
    assert.equal(sonnet.vendor, "kiro");
    assert.ok(sonnet.maxInputTokens > 100_000);
    const named = models.filter((m) => !m.id.endsWith("-thinking")).map((m) => m.name);
    assert.deepEqual(named.filter((n, i) => named.indexOf(n) !== i), [], "each model is listed once");
    assert.ok(!named.some((n) => /\(Thinking\)/.test(n)), `no "(Thinking)" second entries: ${named.join(", ")}`);
  });

  test("an id saved before efforts (claude-sonnet-4-5-thinking) still answers, and asks Kiro to think", async function () {
    // VS Code hides such an entry (isUserSelectable: false) from 1.133 on (the oldest checked); older builds would list it twice.
    if (!/^1\.(13[3-9]|1[4-9]\d)|^[2-9]\./.test(vscode.version)) this.skip();
    const model = await kiroModel(`${MODEL_ID}-thinking`);
    const before = sim.generateRequests().length;
    await collect(await model.sendRequest([vscode.LanguageModelChatMessage.User("think about it")], {}, new vscode.CancellationTokenSource().token));
    const sent = sim.generateRequests().slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].validationErrors, []);
    const body = JSON.stringify(sent[0].body);
    assert.match(body, /<thinking_mode>enabled<\/thinking_mode>/, "the tag-mode thinking switch went to Kiro");
  });

  test("after an answer the stream ends with a usage data part holding Kiro's token counts", async function () {
    const DataPart = (vscode as unknown as { LanguageModelDataPart?: new (...args: never[]) => { mimeType: string; data: Uint8Array } }).LanguageModelDataPart;
    if (!DataPart) this.skip();
    sim.reply(textReply("Counted.", { usage: { input: 1200, output: 30, cacheRead: 800 }, contextUsagePercentage: 1, credits: 0.25 }));
    const model = await kiroModel();
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("count me")], {}, new vscode.CancellationTokenSource().token);
    const usages: unknown[] = [];
    for await (const part of response.stream as AsyncIterable<unknown>) {
      if (DataPart && part instanceof DataPart && part.mimeType === "usage") usages.push(JSON.parse(new TextDecoder().decode(part.data)));
    }
    assert.deepEqual(usages, [{ prompt_tokens: 2000, completion_tokens: 30, total_tokens: 2030, prompt_tokens_details: { cached_tokens: 800 } }]);
  });

  test("sendRequest streams the simulator's answer as text parts", async () => {
    const model = await kiroModel();
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("Hello from the extension host")], {}, new vscode.CancellationTokenSource().token);
    const { text, textParts } = await collect(response);
    assert.equal(text, "You said: Hello from the extension host");
    assert.ok(textParts > 1, `the answer arrived in ${textParts} part(s); expected it streamed in several`);
    const last = sim.generateRequests().at(-1);
    assert.deepEqual(last?.validationErrors, []);
    assert.equal(last?.headers.authorization, `Bearer ${sim.accessToken}`);
  });

  test("a tool call comes back as LanguageModelToolCallPart, and the follow-up with its result is accepted", async () => {
    const model = await kiroModel();
    const token = new vscode.CancellationTokenSource().token;
    const ask = vscode.LanguageModelChatMessage.User("Please read notes.txt");
    const first = await collect(await model.sendRequest([ask], { tools: [READ_FILE_TOOL] }, token));
    assert.equal(first.toolCalls.length, 1, `expected one tool call, got text "${first.text}"`);
    const call = first.toolCalls[0];
    assert.equal(call.name, "read_file");
    assert.deepEqual(call.input, { path: "notes.txt" });
    assert.ok(call.callId.length > 0);

    const followUp = [
      ask,
      vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelTextPart(first.text), call]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart("shopping list: milk")])]),
    ];
    const second = await collect(await model.sendRequest(followUp, { tools: [READ_FILE_TOOL] }, token));
    assert.equal(second.text, 'The read_file tool returned: "shopping list: milk"');
    const last = sim.generateRequests().at(-1);
    assert.deepEqual(last?.validationErrors, [], "the simulator found the follow-up request well formed");
  });

  test("cancelling mid-stream aborts the HTTP request: the simulator sees the client hang up", async () => {
    const watcher = await watchHangUps(new URL(sim.url));
    await kiroConfig().update("endpoint", watcher.url, vscode.ConfigurationTarget.Global);
    try {
      // Some text, then the simulator keeps the answer open for a minute.
      sim.reply(stalledReply("The beginning of a long answer", 60_000));
      const model = await kiroModel();
      const cts = new vscode.CancellationTokenSource();
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("Tell me a long story")], {}, cts.token);
      let received = "";
      try {
        for await (const part of response.stream) {
          if (part instanceof vscode.LanguageModelTextPart) {
            received += part.value;
            cts.cancel();
          }
        }
      } catch (error) {
        // VS Code may end a cancelled stream with a cancellation error; anything else is a failure.
        assert.match(String(error), /cancel/i);
      }
      assert.ok(received.startsWith("The beginning"), `received "${received}" before cancelling`);
      await watcher.clientHungUp;
    } finally {
      await kiroConfig().update("endpoint", sim.url, vscode.ConfigurationTarget.Global);
      await watcher.close();
    }
  });

  test("kiro.firstTokenTimeoutSeconds gives up on an answer that does not start in time, naming the setting", async () => {
    await kiroConfig().update("firstTokenTimeoutSeconds", 1, vscode.ConfigurationTarget.Global);
    try {
      sim.reply(slowFirstTokenReply(10_000, "too late"));
      const model = await kiroModel();
      await assert.rejects(
        async () => collect(await model.sendRequest([vscode.LanguageModelChatMessage.User("Are you there?")], {}, new vscode.CancellationTokenSource().token)),
        /did not start answering within 1 s.*kiro\.firstTokenTimeoutSeconds/,
      );
    } finally {
      await kiroConfig().update("firstTokenTimeoutSeconds", undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test("a quota error reaches the caller as a LanguageModelError naming the limit", async () => {
    sim.reply(quotaReply("MONTHLY_REQUEST_COUNT", 429));
    const model = await kiroModel();
    await assert.rejects(
      async () => collect(await model.sendRequest([vscode.LanguageModelChatMessage.User("hi")], {}, new vscode.CancellationTokenSource().token)),
      (error: unknown) => {
        assert.match(String((error as Error).message), /monthly request limit/);
        assert.ok(error instanceof vscode.LanguageModelError, `expected a LanguageModelError, got ${(error as Error).name}`);
        assert.equal(error.code, "Blocked");
        return true;
      },
    );
  });

  test("toolMode Required: a model that never calls a tool ends in an error that says so", async () => {
    const model = await kiroModel();
    const before = sim.generateRequests().length;
    await assert.rejects(
      async () =>
        collect(
          await model.sendRequest(
            [vscode.LanguageModelChatMessage.User("Just say hello")],
            { tools: [READ_FILE_TOOL], toolMode: vscode.LanguageModelChatToolMode.Required },
            new vscode.CancellationTokenSource().token,
          ),
        ),
      /without calling the tool "read_file"/,
    );
    assert.equal(sim.generateRequests().length - before, 2, "one request and one retry");
  });

  test("countTokens answers for text and for messages", async () => {
    const model = await kiroModel();
    const forText = await model.countTokens("The quick brown fox jumps over the lazy dog.");
    assert.ok(forText >= 10 && forText <= 20, `44 characters counted as ${forText} tokens`);
    const forMessage = await model.countTokens(vscode.LanguageModelChatMessage.User("The quick brown fox jumps over the lazy dog."));
    assert.ok(forMessage > forText);
  });

  test("every call the window made to Kiro named the account's profile (the catalog and chat alike)", () => {
    assert.ok(kiroCalls(sim).length > 0);
    assert.deepEqual(sim.callsWithoutProfileArn().map((r) => `${r.method} ${r.path}`), []);
  });
});

/** The calls that need a profile: chat, the model list and usage. */
function kiroCalls(sim: KiroSimulator) {
  return sim.requests.filter((r) => r.operation === "generateAssistantResponse" || r.operation === "listAvailableModels" || r.operation === "getUsageLimits");
}
