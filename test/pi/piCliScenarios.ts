// What a pi user sees with the Kiro extension, checked against the real pi CLI of one generation and the Kiro simulator on loopback.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BridgeServer } from "../../src/bridge/index";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import { createKiroOAuthProvider } from "../../src/pi/kiroLogin";
import { startKiroSimulator, type KiroSimulator, type SimRecordedRequest } from "../sim/kiroSimulator";
import { startOidcSimulator } from "../sim/oidcSimulator";
import { exceptionMidStream, outputCapReply, quotaReply, reasoningReply, suspendedReply, textReply, thinkingTagReply, throttledReply, toolUseReply } from "../sim/replies";
import {
  createPiSandbox,
  PI_EXTENSION,
  PROJECT_ROOT,
  lastAssistantMessage,
  parseJsonLines,
  piGeneration,
  runPi,
  STACK_TRACE,
  textOf,
  thinkingOf,
  type PiGenerationName,
  type PiRunResult,
  type PiSandbox,
} from "./piHarness";
import { definePiAnswerEndingTests } from "./piAnswerEndings";
import { definePiBridgeTrustTests, startSimBridge } from "./piBridgeTrust";
import { definePiSessionHistoryTests } from "./piSessionHistory";

const SECRET_LINE = "The secret fruit is kumquat.";

function describeRun(result: PiRunResult): string {
  return `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-4000)}`;
}

function generateRequests(sim: KiroSimulator, since: number): SimRecordedRequest[] {
  return sim.requests.slice(since).filter((r) => r.path === "/generateAssistantResponse" || r.headers["x-amz-target"]?.endsWith("GenerateAssistantResponse"));
}

/** Every request was well formed; tokens refused on purpose (expired-token tests) do not count. */
function assertAllValid(sim: KiroSimulator, since: number): void {
  for (const request of sim.requests.slice(since)) {
    const shapeErrors = request.validationErrors.filter((error) => !error.startsWith("bearer-invalid:"));
    assert.deepEqual(shapeErrors, [], `the simulator rejected ${request.method} ${request.path}: ${shapeErrors.join("; ")}`);
  }
}

interface CurrentMessage {
  content?: string;
  modelId?: string;
  userInputMessageContext?: { toolResults?: { toolUseId: string; content: { text?: string }[]; status?: string }[] };
}

function currentMessageOf(request: SimRecordedRequest): CurrentMessage {
  const body = request.body as { conversationState?: { currentMessage?: { userInputMessage?: CurrentMessage } } } | undefined;
  return body?.conversationState?.currentMessage?.userInputMessage ?? {};
}

function modelIdOf(request: SimRecordedRequest): string | undefined {
  return currentMessageOf(request).modelId;
}

export function definePiCliTests(name: PiGenerationName): void {
  const generation = piGeneration(name);
  const label = `pi ${generation.version} (${generation.packageName})`;

  describe(label, () => {
    let sim: KiroSimulator;
    let sandbox: PiSandbox;
    // The VS Code side of bridge mode, in-process: the extension's bridge server streaming with its own Kiro session.
    let bridge: BridgeServer;

    /** Tokens the simulator accepts besides its own (a test's OIDC simulator issues them, as AWS does for Kiro). */
    const alsoAccepted: ((token: string) => boolean)[] = [];

    before(async () => {
      sim = await startKiroSimulator({ seed: 7, acceptsToken: (token) => token === sim.accessToken || alsoAccepted.some((accepts) => accepts(token)) });
      sandbox = createPiSandbox({ "notes.txt": `${SECRET_LINE}\nNothing else matters here.\n` });
      bridge = await startSimBridge(sim);
    });
    after(async () => {
      await bridge?.dispose();
      await sim?.close();
      sandbox?.dispose();
    });

    const kiroEnv = (): Record<string, string> => ({ KIRO_ENDPOINT: sim.url, KIRO_ACCESS_TOKEN: sim.accessToken });
    const pi = (args: string[], env: Record<string, string | undefined> = kiroEnv()): Promise<PiRunResult> =>
      runPi(generation, ["--no-session", ...args], { sandbox, env });

    test("pi --list-models kiro lists the Kiro models with their limits, and the aliases", async () => {
      const result = await pi(["--list-models", "kiro"], {});
      assert.equal(result.code, 0, describeRun(result));
      // 0.73 prints the table on stderr, 1.x on stdout.
      const rows = (result.stdout + result.stderr).split("\n").filter((line) => line.startsWith("kiro "));
      const ids = rows.map((line) => line.split(/\s+/)[1]);
      for (const id of ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-sonnet-4", "claude-sonnet-4-6", "claude-opus-4-7", "auto", "claude-sonnet-4-5-20250514"]) {
        assert.ok(ids.includes(id), `${id} missing from:\n${describeRun(result)}`);
      }
      const sonnet46 = rows.find((line) => line.split(/\s+/)[1] === "claude-sonnet-4-6") ?? "";
      assert.match(sonnet46, /\b1M\b/, `claude-sonnet-4-6 should show a 1M context window: ${sonnet46}`);
      const sonnet45 = rows.find((line) => line.split(/\s+/)[1] === "claude-sonnet-4-5") ?? "";
      assert.match(sonnet45, /200K\s+64K\s+yes\s+yes/, `claude-sonnet-4-5 should show 200K context, 64K output, thinking and images: ${sonnet45}`);
      const deepseek = rows.find((line) => line.split(/\s+/)[1] === "deepseek-3-2") ?? "";
      assert.match(deepseek, /\bno\s+no\s*$/, `deepseek-3-2 has neither thinking nor images: ${deepseek}`);
    });

    test("a plain answer streams through: JSON mode shows text deltas before the message ends", async () => {
      const since = sim.requests.length;
      sim.reply(textReply("Streaming works from Kiro through pi, piece by piece.", { pieceLength: 6, credits: 0.12 }));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "--mode", "json", "Say something"]);
      assert.equal(result.code, 0, describeRun(result));
      const events = parseJsonLines(result.stdout);
      const endIndex = events.findIndex((e) => e.type === "message_end" && e.message?.role === "assistant");
      const deltaIndexes = events.flatMap((e, i) => (e.type === "message_update" && e.assistantMessageEvent?.type === "text_delta" ? [i] : []));
      assert.ok(endIndex > 0, describeRun(result));
      assert.ok(deltaIndexes.length >= 3, `expected several text deltas, got ${deltaIndexes.length}`);
      assert.ok(deltaIndexes.every((i) => i < endIndex), "text deltas must arrive before the message ends");
      const message = lastAssistantMessage(events);
      assert.equal(textOf(message), "Streaming works from Kiro through pi, piece by piece.");
      assert.equal(message?.provider, "kiro");
      assert.equal(message?.stopReason, "stop");
      assert.equal(message?.kiro?.credits, 0.12, "the turn's credits travel on the message");
      const requests = generateRequests(sim, since);
      assert.equal(requests.length, 1);
      assert.equal(modelIdOf(requests[0]!), "claude-sonnet-4.5");
      assertAllValid(sim, since);
    });

    test("print mode prints the answer, and an alias id (claude-sonnet-4-5-20250514) selects the model", async () => {
      const since = sim.requests.length;
      sim.reply(textReply("Printed answer from the alias."));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5-20250514", "-p", "Hello"]);
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "Printed answer from the alias.");
      const requests = generateRequests(sim, since);
      assert.equal(requests.length, 1);
      assert.equal(modelIdOf(requests[0]!), "claude-sonnet-4.5", "the alias is sent as the model it stands for");
      assertAllValid(sim, since);
    });

    test("pi's own read tool runs in a full round trip and the answer uses the file's content", async () => {
      const since = sim.requests.length;
      // No scripted reply: the simulator's default asks for pi's `read` tool, then quotes the tool result it receives.
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "--mode", "json", "Please read notes.txt"]);
      assert.equal(result.code, 0, describeRun(result));
      const events = parseJsonLines(result.stdout);
      const toolEnd = events.find((e) => e.type === "tool_execution_end");
      assert.ok(toolEnd, `pi never ran a tool:\n${describeRun(result)}`);
      assert.equal(toolEnd.toolName, "read");
      assert.notEqual(toolEnd.isError, true, `the read tool failed: ${JSON.stringify(toolEnd.result)}`);
      const requests = generateRequests(sim, since);
      assert.equal(requests.length, 2, "one request asking for the tool, one carrying its result");
      const results = currentMessageOf(requests[1]!).userInputMessageContext?.toolResults ?? [];
      assert.equal(results.length, 1);
      assert.match(results[0]!.content.map((c) => c.text ?? "").join("\n"), /kumquat/);
      assert.match(textOf(lastAssistantMessage(events)), /The read tool returned: ".*kumquat.*"/);
      assertAllValid(sim, since);
    });

    test("<thinking> text arrives as pi thinking events and never leaks into the answer", async () => {
      const since = sim.requests.length;
      sim.reply(thinkingTagReply("Apples first, then pears.", "Pears are the answer."));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "--thinking", "high", "--mode", "json", "Which fruit?"]);
      assert.equal(result.code, 0, describeRun(result));
      const events = parseJsonLines(result.stdout);
      const thinkingDeltas = events
        .filter((e) => e.type === "message_update" && e.assistantMessageEvent?.type === "thinking_delta")
        .map((e) => e.assistantMessageEvent?.delta ?? "")
        .join("");
      assert.equal(thinkingDeltas, "Apples first, then pears.");
      const textDeltas = events
        .filter((e) => e.type === "message_update" && e.assistantMessageEvent?.type === "text_delta")
        .map((e) => e.assistantMessageEvent?.delta ?? "")
        .join("");
      assert.doesNotMatch(textDeltas, /thinking>|Apples first/);
      const message = lastAssistantMessage(events);
      assert.equal(textOf(message).trim(), "Pears are the answer.");
      assert.equal(thinkingOf(message), "Apples first, then pears.");
      const firstUser = firstUserContent(generateRequests(sim, since)) ?? "";
      assert.match(firstUser, /<thinking_mode>enabled<\/thinking_mode>/, "pi's thinking level turns on Kiro's tag thinking");
      assertAllValid(sim, since);
    });

    test("native reasoning arrives as pi thinking events with its signature", async () => {
      const since = sim.requests.length;
      sim.reply(reasoningReply("Weighing both options carefully.", "sig-native-1", "Option B."));
      const result = await pi(["--model", "kiro/claude-sonnet-4-6", "--thinking", "medium", "--mode", "json", "Pick one"]);
      assert.equal(result.code, 0, describeRun(result));
      const events = parseJsonLines(result.stdout);
      assert.ok(events.some((e) => e.type === "message_update" && e.assistantMessageEvent?.type === "thinking_delta"), describeRun(result));
      const message = lastAssistantMessage(events);
      assert.equal(thinkingOf(message), "Weighing both options carefully.");
      assert.equal(textOf(message), "Option B.");
      const thinkingBlock = (message?.content as { type: string; thinkingSignature?: string }[]).find((b) => b.type === "thinking");
      assert.equal(thinkingBlock?.thinkingSignature, "sig-native-1");
      const body = generateRequests(sim, since)[0]?.body as { additionalModelRequestFields?: unknown };
      assert.ok(body?.additionalModelRequestFields, "a native-thinking model gets additionalModelRequestFields");
      assertAllValid(sim, since);
    });

    test("a 429 followed by success is invisible to the user", async () => {
      const since = sim.requests.length;
      sim.reply(throttledReply(0), textReply("Answer after a busy moment."));
      const result = await pi(["--model", "kiro/claude-haiku-4-5", "-p", "Are you busy?"]);
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "Answer after a busy moment.");
      assert.doesNotMatch(result.stdout + result.stderr, /429|throttl|capacity/i);
      assert.equal(generateRequests(sim, since).length, 2);
      assertAllValid(sim, since);
    });

    test("an exhausted quota ends with a message that says so, without retrying", async () => {
      const since = sim.requests.length;
      sim.reply(quotaReply("MONTHLY_REQUEST_COUNT"));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "One more please"]);
      assert.notEqual(result.code, 0, describeRun(result));
      const output = result.stdout + result.stderr;
      assert.match(output, /quota|limit/i, describeRun(result));
      assert.match(output, /monthly/i);
      assert.doesNotMatch(output, STACK_TRACE);
      assert.equal(generateRequests(sim, since).length, 1, "neither Kiro's retries nor pi's auto-retry may repeat a quota failure");
    });

    test("a refused token (403) ends with a message that says how to sign in again", async () => {
      const since = sim.requests.length;
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { KIRO_ENDPOINT: sim.url, KIRO_ACCESS_TOKEN: "an-expired-token" });
      assert.notEqual(result.code, 0, describeRun(result));
      const output = result.stdout + result.stderr;
      assert.match(output, /sign in/i, describeRun(result));
      assert.match(output, /\/login kiro|KIRO_ACCESS_TOKEN/, "pi's own ways to sign in");
      assert.doesNotMatch(output, /an-expired-token/, "the token never appears in output");
      assert.doesNotMatch(output, STACK_TRACE);
      assert.ok(sim.requests.slice(since).some((r) => r.status === 403), "Kiro refused the token");
    });

    test("a suspended account (403 TEMPORARILY_SUSPENDED) says so plainly", async () => {
      sim.reply(suspendedReply());
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Hello"]);
      assert.notEqual(result.code, 0, describeRun(result));
      assert.match(result.stdout + result.stderr, /suspended/i, describeRun(result));
      assert.doesNotMatch(result.stdout + result.stderr, STACK_TRACE);
    });

    test("an exception in the middle of the answer ends with a clear message", async () => {
      const since = sim.requests.length;
      sim.reply(exceptionMidStream("Half an answ", "InternalServerException", "Encountered an unexpected error when processing the request."));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "--mode", "json", "Tell me everything"]);
      const events = parseJsonLines(result.stdout);
      const message = lastAssistantMessage(events);
      assert.equal(message?.stopReason, "error", describeRun(result));
      assert.match(message?.errorMessage ?? "", /Kiro/);
      assert.match(message?.errorMessage ?? "", /InternalServerException|failed|stopped/i);
      assert.doesNotMatch(message?.errorMessage ?? "", STACK_TRACE);
      assert.ok(
        events.some((e) => e.type === "message_update" && e.assistantMessageEvent?.type === "text_delta"),
        "the text before the failure was streamed",
      );
      assertAllValid(sim, since);
    });

    test("without any token, choosing a Kiro model explains how to sign in instead of failing obscurely", async () => {
      const since = sim.requests.length;
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { KIRO_ENDPOINT: sim.url });
      assert.notEqual(result.code, 0, describeRun(result));
      const output = result.stdout + result.stderr;
      assert.match(output, /Kiro: Sign In/, describeRun(result));
      assert.match(output, /KIRO_ACCESS_TOKEN/);
      assert.doesNotMatch(output, STACK_TRACE);
      assert.equal(generateRequests(sim, since).length, 0, "nothing is sent to Kiro without a token");
    });

    test("with KIRO_BRIDGE_URL and KIRO_BRIDGE_TOKEN (a VS Code terminal), pi runs a tool round trip through the bridge without a token of its own", async () => {
      const since = sim.requests.length;
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "--mode", "json", "Please read notes.txt"], {
        KIRO_BRIDGE_URL: bridge.url,
        KIRO_BRIDGE_TOKEN: bridge.token,
      });
      assert.equal(result.code, 0, describeRun(result));
      const events = parseJsonLines(result.stdout);
      assert.equal(events.find((e) => e.type === "tool_execution_end")?.toolName, "read", describeRun(result));
      assert.ok(events.some((e) => e.type === "message_update" && e.assistantMessageEvent?.type === "text_delta"), "text streamed through the bridge");
      assert.match(textOf(lastAssistantMessage(events)), /kumquat/);
      const requests = generateRequests(sim, since);
      assert.equal(requests.length, 2);
      assert.equal(requests[0]?.headers.authorization, `Bearer ${sim.accessToken}`, "the extension's session token, never one from pi");
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(bridge.token), "the bridge token never shows");
      assertAllValid(sim, since);
    });

    test("when the VS Code window that opened the terminal is gone, pi says so instead of failing obscurely", async () => {
      const gone = createServer();
      await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
      await new Promise<void>((resolve) => gone.close(() => resolve()));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { KIRO_BRIDGE_URL: url, KIRO_BRIDGE_TOKEN: "old-terminal-token" });
      assert.notEqual(result.code, 0, describeRun(result));
      assert.match(result.stdout + result.stderr, /VS Code window that started this terminal was closed/, describeRun(result));
      assert.doesNotMatch(result.stdout + result.stderr, STACK_TRACE);
    });

    test("pi install <the packaged folder> makes the Kiro models available without -e", async () => {
      // A sandbox of its own: the installed package must not load a second copy into the other tests.
      const own = createPiSandbox();
      try {
        const packageDir = join(own.home, "kiro-pi-package");
        mkdirSync(join(packageDir, "dist"), { recursive: true });
        copyFileSync(join(PROJECT_ROOT, "package.json"), join(packageDir, "package.json"));
        copyFileSync(PI_EXTENSION, join(packageDir, "dist", "pi-extension.js"));
        const install = await runPi(generation, ["install", packageDir], { sandbox: own, loadExtension: false });
        assert.equal(install.code, 0, describeRun(install));
        const list = await runPi(generation, ["--list-models", "kiro"], { sandbox: own, loadExtension: false });
        assert.equal(list.code, 0, describeRun(list));
        assert.match(list.stdout + list.stderr, /^kiro\s+claude-sonnet-4-5\s/m, describeRun(list));
      } finally {
        own.dispose();
      }
    });

    test("after /login kiro, pi hands Kiro the stored access token, and refreshes it once it has expired", async () => {
      const oidc = await startOidcSimulator({ secondMs: 10, interval: 1 });
      alsoAccepted.push((token) => oidc.isValidAccessToken(token));
      const own = createPiSandbox();
      try {
        // The first half of /login (the device flow) as pi runs it; pi then stores what login() returned in auth.json.
        const login = createKiroOAuthProvider({ env: { KIRO_OIDC_ENDPOINT: oidc.url }, pollIntervalUnitMs: 10 }).login({ onAuth: () => undefined, onPrompt: async () => "" });
        oidc.approve(await oidc.waitForUserCode());
        const credentials = await login;
        const store = (access: string, expires: number) =>
          writeFileSync(join(own.agentDir, "auth.json"), JSON.stringify({ kiro: { type: "oauth", ...credentials, access, expires } }), { mode: 0o600 });
        const env = { KIRO_ENDPOINT: sim.url, KIRO_OIDC_ENDPOINT: oidc.url };

        store(sim.accessToken, Date.now() + 3_600_000);
        sim.reply(textReply("Signed in through pi."));
        const since = sim.requests.length;
        const fresh = await runPi(generation, ["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Hi"], { sandbox: own, env });
        assert.equal(fresh.code, 0, describeRun(fresh));
        assert.equal(fresh.stdout.trim(), "Signed in through pi.");
        assert.equal(generateRequests(sim, since)[0]?.headers.authorization, `Bearer ${sim.accessToken}`);

        store("an-expired-access-token", Date.now() - 60_000);
        const refreshesBefore = oidc.refreshCount;
        const sinceExpired = sim.requests.length;
        const expired = await runPi(generation, ["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Hi again"], { sandbox: own, env });
        assert.equal(oidc.refreshCount, refreshesBefore + 1, `pi asked the extension to refresh:\n${describeRun(expired)}`);
        const sent = generateRequests(sim, sinceExpired)[0]?.headers.authorization?.replace(/^Bearer /, "");
        assert.ok(sent && sent !== "an-expired-access-token" && oidc.isValidAccessToken(sent), "the refreshed token is the one sent to Kiro");
        assert.doesNotMatch(expired.stdout + expired.stderr, new RegExp(sent));
      } finally {
        own.dispose();
        await oidc.close();
      }
    });

    test("without KIRO_ACCESS_TOKEN, pi uses the sign-in kiro-cli already holds", async () => {
      const own = createPiSandbox();
      try {
        const SQL = await loadSqlJs();
        const db = new SQL.Database();
        db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
        const token = { access_token: sim.accessToken, refresh_token: "cli-refresh", expires_at: new Date(Date.now() + 3_600_000).toISOString(), region: "us-east-1" };
        db.run("INSERT INTO auth_kv VALUES (?, ?)", ["kirocli:odic:token", JSON.stringify(token)]);
        const dbDir = join(own.home, ".local", "share", "kiro-cli");
        mkdirSync(dbDir, { recursive: true });
        writeFileSync(join(dbDir, "data.sqlite3"), db.export());
        db.close();
        sim.reply(textReply("Answer with kiro-cli's sign-in."));
        const since = sim.requests.length;
        const result = await runPi(generation, ["--no-session", "--model", "kiro/claude-haiku-4-5", "-p", "Hi"], { sandbox: own, env: { KIRO_ENDPOINT: sim.url } });
        assert.equal(result.code, 0, describeRun(result));
        assert.equal(result.stdout.trim(), "Answer with kiro-cli's sign-in.");
        assert.equal(generateRequests(sim, since)[0]?.headers.authorization, `Bearer ${sim.accessToken}`);
      } finally {
        own.dispose();
      }
    });

    test("pi looks the account's profile up once and sends it with every call; --verbose says which profile it used", async () => {
      const since = sim.requests.length;
      sim.reply(textReply("Profile found."));
      const result = await pi(["--verbose", "--model", "kiro/claude-sonnet-4-5", "-p", "Which profile?"]);
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim().split("\n").at(-1), "Profile found.");
      const profiles = sim.requests.slice(since).filter((r) => r.operation === "listAvailableProfiles");
      assert.equal(profiles.length, 1, "one look-up for the run");
      const chat = generateRequests(sim, since);
      assert.equal((chat[0]?.body as { profileArn?: string }).profileArn, sim.profiles[0]!.arn);
      assert.match(result.stderr, new RegExp(`Kiro: using profile ${sim.profiles[0]!.arn.replace(/[/.]/g, "\\$&")}`), describeRun(result));
    });

    test("a pi tool whose parameters are a top-level anyOf works: Kiro accepts its reshaped schema and the tool gets the model's arguments unchanged", async () => {
      const since = sim.requests.length;
      const extension = join(sandbox.workDir, "union-tool.js");
      writeFileSync(
        extension,
        `module.exports = function (pi) {
  pi.registerTool({
    name: "lookup_item",
    label: "Lookup item",
    description: "Finds an item by its id or by its name.",
    parameters: { anyOf: [
      { type: "object", properties: { id: { type: "number" } }, required: ["id"] },
      { type: "object", properties: { name: { type: "string" } }, required: ["name"] }
    ] },
    async execute(toolCallId, params) {
      return { content: [{ type: "text", text: "lookup_item got " + JSON.stringify(params) }], details: {} };
    },
  });
};
`,
      );
      sim.reply(toolUseReply([{ name: "lookup_item", input: { name: "widget" } }]), textReply("Found the widget."));
      const result = await pi(["-e", extension, "--model", "kiro/claude-sonnet-4-5", "-p", "Look the widget up"]);
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "Found the widget.");
      const requests = generateRequests(sim, since);
      assert.equal(requests.length, 2);
      const specs = (currentMessageOf(requests[0]!) as { userInputMessageContext?: { tools?: { toolSpecification: { name: string; inputSchema: { json: Record<string, unknown> } } }[] } })
        .userInputMessageContext?.tools ?? [];
      const lookup = specs.find((t) => t.toolSpecification.name === "lookup_item")?.toolSpecification.inputSchema.json;
      assert.ok(lookup, "the tool was offered to Kiro");
      assert.equal(lookup.type, "object");
      assert.equal("anyOf" in lookup, false, "no top-level union reaches Kiro");
      const results = currentMessageOf(requests[1]!).userInputMessageContext?.toolResults ?? [];
      assert.match(results[0]?.content.map((c) => c.text ?? "").join("") ?? "", /lookup_item got \{"name":"widget"\}/);
      assertAllValid(sim, since);
    });

    test("a long tool loop of more than 198 history entries keeps going: pi's requests stay within Kiro's history cap and still carry the first prompt", async () => {
      const since = sim.requests.length;
      const rounds = 105;
      for (let i = 0; i < rounds; i++) sim.reply(toolUseReply([{ name: "read", input: { path: "notes.txt" } }]));
      sim.reply(textReply("Read it many times."));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Read notes.txt again and again"], kiroEnv());
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "Read it many times.");
      const requests = generateRequests(sim, since);
      assert.equal(requests.length, rounds + 1);
      const historyLengths = requests.map((r) => ((r.body as { conversationState?: { history?: unknown[] } }).conversationState?.history ?? []).length);
      assert.ok(Math.max(...historyLengths) <= 198, `longest history ${Math.max(...historyLengths)}`);
      // Older exchanges are folded into readable transcripts (docs/kiro-protocol.md#history-folding), not dropped:
      // the last request still carries the first prompt and the first tool round.
      const lastHistory = JSON.stringify((requests.at(-1)!.body as { conversationState?: { history?: unknown[] } }).conversationState?.history ?? []);
      assert.ok(lastHistory.includes("Read notes.txt again and again"), "the first prompt was dropped from the long session");
      assertAllValid(sim, since);
    });

    test("an answer cut at the model's output limit ends normally in pi, with its text and without the cut tool call", async () => {
      sim.reply(outputCapReply({ text: "Here is the first part.", cutToolCall: { name: "write", input: { path: "big.txt", content: "x".repeat(500) }, keepChars: 60 } }));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "--mode", "json", "Write a big file"]);
      assert.equal(result.code, 0, describeRun(result));
      const message = lastAssistantMessage(parseJsonLines(result.stdout));
      assert.equal(message?.stopReason, "length", `${message?.errorMessage ?? ""}\n${describeRun(result)}`);
      assert.equal(textOf(message), "Here is the first part.");
      assert.equal((message?.content as { type: string }[]).some((b) => b.type === "toolCall"), false);
      assert.equal(parseJsonLines(result.stdout).some((e) => e.type === "tool_execution_start"), false, "the cut call never runs");
    });

    // How answers end (throttling, cut streams, stop reasons, not-valid-JSON): their own file, test/pi/piAnswerEndings.ts.
    definePiAnswerEndingTests({ sim: () => sim, pi, describeRun });
    definePiBridgeTrustTests({ sim: () => sim, pi: (args, env) => pi(args, env), describeRun, secretLine: SECRET_LINE });
    // Sessions pi resumes from its session file (another provider's tool-call ids, more than 198 entries): test/pi/piSessionHistory.ts.
    definePiSessionHistoryTests({ sim: () => sim, sandbox: () => sandbox, piWithSession: (args) => runPi(generation, args, { sandbox, env: kiroEnv() }), describeRun, assertAllValid });

    test("every request the simulator received passed its validation rules, and every Kiro call named a profile", () => {
      assert.ok(sim.requests.length > 0);
      assertAllValid(sim, 0);
      assert.deepEqual(sim.callsWithoutProfileArn().map((r) => `${r.method} ${r.path}`), []);
    });
  });

  // kiro-cli's API keys in pi's direct mode (docs/kiro-protocol.md#api-keys): the key alone is enough when Kiro can name its profile.
  describe(`${label} with a Kiro API key (KIRO_API_KEY)`, () => {
    const key = "ksk_piScenarioKey0123456789abcdQRST";
    let sim: KiroSimulator;
    let withoutGetProfile: KiroSimulator;
    let sandbox: PiSandbox;

    before(async () => {
      sim = await startKiroSimulator({ accessToken: key, apiKeys: [key], seed: 11 });
      withoutGetProfile = await startKiroSimulator({ accessToken: key, apiKeys: [key], getProfile: false, seed: 12 });
      sandbox = createPiSandbox();
    });
    after(async () => {
      await sim?.close();
      await withoutGetProfile?.close();
      sandbox?.dispose();
    });

    test("KIRO_API_KEY=ksk_… pi -p answers: every call says TokenType: API_KEY, the profile comes from GetProfile, the key is never shown", async () => {
      sim.reply(textReply("Answered with an API key."));
      const result = await runPi(generation, ["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { sandbox, env: { KIRO_ENDPOINT: sim.url, KIRO_API_KEY: key } });
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "Answered with an API key.");
      assert.ok(!(result.stdout + result.stderr).includes(key), "the key never appears in pi's output");
      assert.ok(sim.requests.every((r) => r.headers["tokentype"] === "API_KEY"), "every call carries TokenType: API_KEY");
      assert.ok(sim.requestsFor("getProfile").length >= 1, "the profile was asked of GetProfile");
      assert.equal(sim.requestsFor("listAvailableProfiles").length, 0, "Kiro lists no profiles for an API key");
      assert.deepEqual(sim.callsWithoutProfileArn().map((r) => `${r.method} ${r.path}`), []);
      assertAllValid(sim, 0);
    });

    test("without KIRO_PROFILE_ARN and without GetProfile, pi says to set KIRO_PROFILE_ARN, sends no chat, and never shows the key", async () => {
      const result = await runPi(generation, ["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { sandbox, env: { KIRO_ENDPOINT: withoutGetProfile.url, KIRO_API_KEY: key } });
      const output = result.stdout + result.stderr;
      assert.match(output, /KIRO_PROFILE_ARN/, describeRun(result));
      assert.match(output, /profile this API key belongs to/, describeRun(result));
      assert.ok(!output.includes(key), "the key never appears in pi's output");
      assert.doesNotMatch(output, STACK_TRACE);
      assert.equal(withoutGetProfile.generateRequests().length, 0, "no chat went out without a profile");
    });

    test("KIRO_PROFILE_ARN names the key's profile: no GetProfile is needed, and the chat names that profile", async () => {
      const before = withoutGetProfile.requests.length;
      withoutGetProfile.reply(textReply("Answered on the named profile."));
      const env = { KIRO_ENDPOINT: withoutGetProfile.url, KIRO_API_KEY: key, KIRO_PROFILE_ARN: withoutGetProfile.profiles[0]!.arn };
      const result = await runPi(generation, ["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { sandbox, env });
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "Answered on the named profile.");
      assert.equal(withoutGetProfile.generateRequests().at(-1)?.profileArn, withoutGetProfile.profiles[0]!.arn);
      assert.ok(withoutGetProfile.requests.slice(before).every((r) => r.headers["tokentype"] === "API_KEY"));
      assertAllValid(withoutGetProfile, before);
    });

    test("a key Kiro refuses: pi says the API key was refused and that it comes from KIRO_API_KEY, never shows the key, and nothing refreshes it", async () => {
      const refused = "ksk_revokedPiKey0123456789abcdefghij";
      const before = sim.requests.length;
      const chats = sim.generateRequests().length;
      const result = await runPi(generation, ["--no-session", "--model", "kiro/claude-sonnet-4-5", "-p", "Hello"], { sandbox, env: { KIRO_ENDPOINT: sim.url, KIRO_API_KEY: refused } });
      const output = result.stdout + result.stderr;
      assert.match(output, /Kiro refused the API key \(403/, describeRun(result));
      assert.match(output, /pi reads the key from KIRO_API_KEY/, describeRun(result));
      assert.ok(!output.includes(refused), "the key never appears in pi's output");
      assert.doesNotMatch(output, STACK_TRACE);
      assert.equal(sim.generateRequests().length, chats, "no chat went out with a refused key");
      assert.ok(sim.requests.slice(before).every((r) => r.headers["tokentype"] === "API_KEY"), "the refused key was still sent as an API key");
    });
  });
}

/** The first user text Kiro saw in a conversation (history's first user turn, or the current message). */
function firstUserContent(requests: SimRecordedRequest[]): string | undefined {
  const body = requests[0]?.body as
    | { conversationState?: { history?: { userInputMessage?: { content?: string } }[]; currentMessage?: { userInputMessage?: { content?: string } } } }
    | undefined;
  const history = body?.conversationState?.history ?? [];
  return history.find((h) => h.userInputMessage)?.userInputMessage?.content ?? body?.conversationState?.currentMessage?.userInputMessage?.content;
}
