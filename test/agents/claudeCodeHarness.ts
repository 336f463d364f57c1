// Runs the real Claude Code CLI (installed by scripts/install-agents.mjs) against a bridge over the Kiro simulator, as a VS Code window wires it (src/vscode/terminal/bridgeDependencies.ts), in a throwaway HOME.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { KiroClient } from "../../src/kiro/client";
import { resolveKiroSettings } from "../../src/kiro/settings";
import { bridgeDependencies } from "../../src/vscode/terminal/bridgeDependencies";
import { createTestSandbox, type TestSandbox } from "../sandbox";
import { startKiroSimulator, type KiroSimulator, type KiroSimulatorOptions } from "../sim/kiroSimulator";

/** The project root: this file runs from out/test/agents/. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..", "..");

/** The `claude` program: the runner passes it (scripts/run-agent-tests.mjs), else where the installer puts it. */
export function claudeCommand(): string {
  const command = process.env.KIRO_TEST_CLAUDE ?? join(PROJECT_ROOT, ".cache", "agents", "claude-code", "node_modules", ".bin", "claude");
  if (!existsSync(command)) throw new Error(`Claude Code is not installed at ${command}; run \`node scripts/install-agents.mjs\`.`);
  return command;
}

/** A VS Code window's bridge over the simulator: the window's one KiroClient, signed in with the simulator's token. */
export interface AgentWindow {
  sim: KiroSimulator;
  bridge: BridgeServer;
  /** Every line the bridge logged (checked for the token too). */
  log: string[];
  close(): Promise<void>;
}

export async function startAgentWindow(simOptions: KiroSimulatorOptions = {}, o: { signedIn?: () => boolean } = {}): Promise<AgentWindow> {
  const sim = await startKiroSimulator(simOptions);
  const client = new KiroClient({
    credentials: async () => ({ accessToken: sim.accessToken }),
    // The endpoint lives in the window's settings only: the agent cannot reach the simulator except through the bridge.
    settings: () => resolveKiroSettings({ endpoint: sim.url }, {}),
  });
  const log: string[] = [];
  const keep = (message: string): void => {
    log.push(message);
  };
  const bridge = await startBridgeServer(
    bridgeDependencies({ client, isSignedIn: o.signedIn ?? (() => true), log: { trace: keep, debug: keep, info: keep, warn: keep, error: keep }, version: "test" }),
  );
  return {
    sim,
    bridge,
    log,
    async close() {
      await bridge.dispose();
      await sim.close();
    },
  };
}

/** A throwaway HOME and working folder with the given files; `dispose()` removes them. */
export type AgentSandbox = TestSandbox;

export function createAgentSandbox(files: Record<string, string> = {}): AgentSandbox {
  return createTestSandbox("kiro-agent-test-", files);
}

export interface AgentRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `claude ...args` pointed at the bridge the way the launcher does (ANTHROPIC_BASE_URL + ANTHROPIC_AUTH_TOKEN),
 * offline: telemetry, update checks and other non-essential traffic off; nothing of the caller's environment but PATH.
 */
export function runClaude(window: AgentWindow, sandbox: AgentSandbox, args: readonly string[], o: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<AgentRunResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: sandbox.home,
    ANTHROPIC_BASE_URL: window.bridge.url!,
    ANTHROPIC_AUTH_TOKEN: window.bridge.token,
    DISABLE_TELEMETRY: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    ...o.env,
  };
  return runAgentProgram(claudeCommand(), args, { cwd: sandbox.workDir, env, timeoutMs: o.timeoutMs });
}

/**
 * Runs an agent program in its own process group with exactly `env`, and kills the group when it ends or overstays
 * `timeoutMs` (default 90 s), so no tool it started outlives the test.
 */
export function runAgentProgram(command: string, args: readonly string[], o: { cwd: string; env: Record<string, string>; timeoutMs?: number; stdin?: string }): Promise<AgentRunResult> {
  const timeoutMs = o.timeoutMs ?? 90_000;
  const name = command.split("/").pop();
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: o.cwd, env: o.env, stdio: [o.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"], detached: true });
    if (o.stdin !== undefined) child.stdin?.end(o.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      stderr += `\n[harness] ${name} did not finish within ${timeoutMs} ms; killed`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Whatever it started (it runs tools in child processes) goes with it.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

export function describeRun(result: AgentRunResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}\n--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;
}

/** The events of `--output-format stream-json` (one JSON object a line). */
export function streamJsonEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
