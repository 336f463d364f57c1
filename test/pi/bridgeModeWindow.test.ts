// The real pi CLI (both generations) in a VS Code terminal's bridge mode, against the bridge exactly as the extension wires it (src/vscode/terminal/bridgeDependencies.ts over the window's KiroClient): window sign-in, settings, live catalog, errors.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { KiroClient } from "../../src/kiro/client";
import { resolveKiroSettings } from "../../src/kiro/settings";
import { bridgeDependencies } from "../../src/vscode/terminal/bridgeDependencies";
import { defaultSimModels, startKiroSimulator, type KiroSimulator, type SimRecordedRequest } from "../sim/kiroSimulator";
import { quotaReply } from "../sim/replies";
import { PI_GENERATION_NAMES, STACK_TRACE, createPiSandbox, piGeneration, runPi, type PiRunResult, type PiSandbox } from "./piHarness";

function describeRun(result: PiRunResult): string {
  return `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-3000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;
}

function modelIdOf(request: SimRecordedRequest | undefined): string | undefined {
  return (request?.body as { conversationState?: { currentMessage?: { userInputMessage?: { modelId?: string } } } } | undefined)?.conversationState?.currentMessage
    ?.userInputMessage?.modelId;
}

/** The VS Code window's sign-in as its client sees it: a token, a refresh, signed in or not. */
interface WindowSession {
  token: string | undefined;
  refreshedTo: string | undefined;
  refreshes: number;
}

for (const name of PI_GENERATION_NAMES) {
  const generation = piGeneration(name);
  describe(`pi ${generation.version} (${generation.packageName}) in a VS Code terminal`, () => {
    let sim: KiroSimulator;
    let sandbox: PiSandbox;
    let bridge: BridgeServer;
    let session: WindowSession;

    before(async () => {
      // A model only the account's live catalog has, with a wire id that differs from its pi id.
      const liveOnly = { modelId: "claude-nova-9.1", modelName: "Claude Nova 9.1", tokenLimits: { maxInputTokens: 300_000, maxOutputTokens: 32_000 }, supportedInputTypes: ["TEXT"] };
      sim = await startKiroSimulator({ seed: 11, models: [...defaultSimModels(), liveOnly] });
      sandbox = createPiSandbox();
      session = { token: sim.accessToken, refreshedTo: undefined, refreshes: 0 };
      // The endpoint lives in the window's settings only: pi cannot reach the simulator except through the bridge.
      const client = new KiroClient({
        credentials: async () => (session.token ? { accessToken: session.token } : undefined),
        refresh: async () => {
          session.refreshes++;
          if (session.refreshedTo) session.token = session.refreshedTo;
          return session.refreshedTo;
        },
        settings: () => resolveKiroSettings({ endpoint: sim.url }, {}),
      });
      const log = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
      bridge = await startBridgeServer(bridgeDependencies({ client, isSignedIn: () => session.token !== undefined, log, version: "test" }));
    });
    after(async () => {
      await bridge?.dispose();
      await sim?.close();
      sandbox?.dispose();
    });

    const pi = (args: string[]): Promise<PiRunResult> =>
      runPi(generation, ["--no-session", ...args], { sandbox, env: { KIRO_BRIDGE_URL: bridge.url, KIRO_BRIDGE_TOKEN: bridge.token } });

    test("a model only the account's live catalog lists is offered by pi and goes to Kiro under its wire id", async () => {
      const since = sim.generateRequests().length;
      const result = await pi(["--model", "kiro/claude-nova-9-1", "-p", "Hello Nova"]);
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.trim(), "You said: Hello Nova");
      const sent = sim.generateRequests().slice(since);
      assert.equal(sent.length, 1);
      assert.equal(modelIdOf(sent[0]), "claude-nova-9.1");
      assert.deepEqual(sent[0]!.validationErrors, []);
    });

    test("when Kiro refuses the window's token, the bridge renews it and pi's answer arrives without pi doing anything", async () => {
      sim.setAccessToken("renewed-window-token");
      session.refreshedTo = "renewed-window-token";
      const refreshesBefore = session.refreshes;
      try {
        const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "After renewal"]);
        assert.equal(result.code, 0, describeRun(result));
        assert.equal(result.stdout.trim(), "You said: After renewal");
        assert.equal(session.refreshes, refreshesBefore + 1, "one refresh after the 403");
        assert.equal(sim.generateRequests().at(-1)?.headers.authorization, "Bearer renewed-window-token");
      } finally {
        session.refreshedTo = undefined;
      }
    });

    test("an exhausted quota reaches pi as Kiro's message, not as a bridge failure", async () => {
      const since = sim.generateRequests().length;
      sim.reply(quotaReply("MONTHLY_REQUEST_COUNT"));
      const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "One more please"]);
      assert.notEqual(result.code, 0, describeRun(result));
      const output = result.stdout + result.stderr;
      assert.match(output, /quota exhausted.*monthly/i, describeRun(result));
      assert.doesNotMatch(output, /bridge/i, "the cause is Kiro's quota, and pi says that");
      assert.doesNotMatch(output, STACK_TRACE);
      assert.equal(sim.generateRequests().length - since, 1, "a quota failure is not retried");
    });

    test("a window that is signed out answers pi's prompt with how to sign in, and nothing reaches Kiro", async () => {
      const since = sim.generateRequests().length;
      const saved = session.token;
      session.token = undefined;
      try {
        const result = await pi(["--model", "kiro/claude-sonnet-4-5", "-p", "Anyone there?"]);
        assert.notEqual(result.code, 0, describeRun(result));
        const output = result.stdout + result.stderr;
        assert.match(output, /not signed in to Kiro/, describeRun(result));
        assert.match(output, /Kiro: Sign In/);
        assert.doesNotMatch(output, STACK_TRACE);
        assert.equal(sim.generateRequests().length, since);
      } finally {
        session.token = saved;
      }
    });
  });
}
