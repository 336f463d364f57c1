// Runs the real Codex CLI (installed by scripts/install-agents.mjs) against the bridge's Responses route, configured as the launcher does: a `kiro` model provider in a throwaway CODEX_HOME, the token in an environment variable.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { after, before } from "node:test";
import type { KiroSimulatorOptions, SimRecordedRequest } from "../sim/kiroSimulator";
import { PROJECT_ROOT, createAgentSandbox, runAgentProgram, startAgentWindow, type AgentRunResult, type AgentSandbox, type AgentWindow } from "./claudeCodeHarness";

/** The `codex` program: the runner passes it (scripts/run-agent-tests.mjs), else where the installer puts it. */
export function codexCommand(): string {
  const command = process.env.KIRO_TEST_CODEX ?? join(PROJECT_ROOT, ".cache", "agents", "codex", "node_modules", ".bin", "codex");
  if (!existsSync(command)) throw new Error(`Codex is not installed at ${command}; run \`node scripts/install-agents.mjs\`.`);
  return command;
}

/** The environment variable Codex reads the bridge token from (`env_key`); the token is never written to a file. */
export const CODEX_TOKEN_ENV = "KIRO_BRIDGE_TOKEN";

/**
 * Codex features that reach the internet on their own (`codex features list`), and its shell snapshot, which writes the
 * exported environment (the bridge token too) under CODEX_HOME; the launcher turns it off the same way (src/vscode/terminal/agentLaunch.ts).
 */
const CODEX_FEATURES_OFF = ["shell_snapshot", "plugins", "remote_plugin", "plugin_sharing", "apps", "tool_suggest", "skill_mcp_dependency_install", "in_app_updates", "image_generation", "browser_use", "browser_use_external", "computer_use"];

/**
 * Codex's config.toml for the bridge: the `kiro` provider on the Responses wire, the model, and everything that
 * would reach the internet off (update check, analytics, feedback, OpenTelemetry).
 */
export function codexConfig(bridgeUrl: string, model: string): string {
  return [
    `model = "${model}"`,
    `model_provider = "kiro"`,
    `check_for_update_on_startup = false`,
    ``,
    `[model_providers.kiro]`,
    `name = "Kiro (kiro-pi bridge)"`,
    `base_url = "${bridgeUrl}/v1"`,
    `env_key = "${CODEX_TOKEN_ENV}"`,
    `wire_api = "responses"`,
    // A Kiro refusal is final for this run; Codex's own back-off would only make a failing test slow.
    `request_max_retries = 0`,
    `stream_max_retries = 0`,
    ``,
    // Plugin, app and skill syncs fetch from GitHub and chatgpt.com at startup; none of them is needed to answer.
    `[features]`,
    ...CODEX_FEATURES_OFF.map((feature) => `${feature} = false`),
    ``,
    `[analytics]`,
    `enabled = false`,
    ``,
    `[feedback]`,
    `enabled = false`,
    ``,
    `[otel]`,
    `exporter = "none"`,
    ``,
  ].join("\n");
}

/** Runs `codex exec ...args` in the sandbox's work folder with CODEX_HOME under its HOME; nothing of the caller's environment but PATH. */
export function runCodex(window: AgentWindow, sandbox: AgentSandbox, guard: OfflineGuard, model: string, args: readonly string[], o: { timeoutMs?: number; config?: string } = {}): Promise<AgentRunResult> {
  const codexHome = join(sandbox.home, ".codex");
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, "config.toml"), o.config ?? codexConfig(window.bridge.url!, model));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: sandbox.home,
    CODEX_HOME: codexHome,
    [CODEX_TOKEN_ENV]: window.bridge.token,
    RUST_LOG: "warn",
    ...guard.env,
  };
  return runAgentProgram(codexCommand(), ["exec", "--skip-git-repo-check", "--color", "never", ...args], { cwd: sandbox.workDir, env, timeoutMs: o.timeoutMs, stdin: "" });
}

/**
 * A loopback HTTP proxy every agent is pointed at (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY; loopback exempt), refusing
 * and recording each request: what an agent tries to reach besides the bridge shows up in `attempts`.
 */
export interface OfflineGuard {
  url: string;
  /** `CONNECT github.com:443`, `GET http://…`: every attempt, in order. */
  attempts: string[];
  /** The proxy variables to put in an agent's environment. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startOfflineGuard(): Promise<OfflineGuard> {
  const attempts: string[] = [];
  const server = createServer((req, res) => {
    attempts.push(`${req.method ?? "?"} ${req.url ?? ""}`);
    res.writeHead(403, { "Content-Type": "text/plain", Connection: "close" });
    res.end("offline: this test lets no agent reach the internet\n");
  });
  server.on("connect", (req: IncomingMessage, socket: Socket) => {
    attempts.push(`CONNECT ${req.url ?? ""}`);
    // A client that gives up on the refusal resets the connection; that is not the test's failure.
    socket.on("error", () => undefined);
    socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const noProxy = "127.0.0.1,localhost,::1";
  return {
    url,
    attempts,
    env: { HTTP_PROXY: url, HTTPS_PROXY: url, ALL_PROXY: url, http_proxy: url, https_proxy: url, all_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy },
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** The files under `dir` whose content includes `needle` (a token that must not be stored). */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) found.push(...filesContaining(path, needle));
    else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

type Json = Record<string, unknown>;

/** The userInputMessageContext of a Kiro request's current message (tools, tool results). */
export function currentMessageContext(request: SimRecordedRequest): Json {
  const state = (request.body as Json).conversationState as Json;
  return (((state.currentMessage as Json).userInputMessage as Json).userInputMessageContext ?? {}) as Json;
}

/** The text of each tool result a Kiro request carries back. */
export function toolResultTexts(request: SimRecordedRequest): string[] {
  return ((currentMessageContext(request).toolResults ?? []) as Json[]).map((result) => ((result.content ?? []) as Json[]).map((part) => String(part.text ?? "")).join("\n"));
}

/** Every Kiro request the window made passed the simulator's rules, and the agent tried to reach nothing but the bridge. */
export function assertKiroRulesKeptAndOffline(window: AgentWindow, guard: OfflineGuard, agent: string): void {
  const broken = window.sim.requests.filter((request) => request.validationErrors.length > 0);
  assert.deepEqual(broken.map((request) => `${request.path}: ${request.validationErrors.join("; ")}`), []);
  assert.deepEqual(guard.attempts, [], `${agent} tried to reach the internet`);
}

/** What an offline agent suite's tests share: the window, sandbox and guard its before() made, and every run so far. */
export interface OfflineAgentSuite {
  readonly window: AgentWindow;
  readonly sandbox: AgentSandbox;
  readonly guard: OfflineGuard;
  readonly runs: AgentRunResult[];
  /** Keeps a run for the final token check and returns it. */
  record(run: AgentRunResult): AgentRunResult;
  /** Every Kiro request within the simulator's rules, nothing tried off the machine. */
  assertKiroRulesKeptAndOffline(): void;
}

/**
 * Call inside describe(): before() starts a window over the simulator, a sandbox with `files` and the refusing proxy;
 * after() stops and removes them.
 */
export function offlineAgentSuite(agent: string, simOptions: KiroSimulatorOptions, files: Record<string, string>): OfflineAgentSuite {
  let window: AgentWindow | undefined;
  let sandbox: AgentSandbox | undefined;
  let guard: OfflineGuard | undefined;
  const runs: AgentRunResult[] = [];
  before(async () => {
    window = await startAgentWindow(simOptions);
    sandbox = createAgentSandbox(files);
    guard = await startOfflineGuard();
  });
  after(async () => {
    await window?.close();
    await guard?.close();
    sandbox?.dispose();
  });
  const suite: OfflineAgentSuite = {
    get window() {
      return window!;
    },
    get sandbox() {
      return sandbox!;
    },
    get guard() {
      return guard!;
    },
    runs,
    record(run) {
      runs.push(run);
      return run;
    },
    assertKiroRulesKeptAndOffline: () => assertKiroRulesKeptAndOffline(suite.window, suite.guard, agent),
  };
  return suite;
}
