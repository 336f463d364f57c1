// `npm test`: builds what changed once, runs every suite that exists (typecheck, unit, pi, vscode, vscode-oldest, agents, ui; two at a time where the cores allow), lets each run even after a failure, and ends with one line `N passed, N failed`.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOnce } from "./build-once.mjs";
import { ensureNodeModules } from "./ensure-node-modules.mjs";
import { ensureAgents } from "./install-agents.mjs";
import { ensurePi } from "./install-pi.mjs";
import { ensureOldestCodeServer, ensureVsCodeTools } from "./install-vscode.mjs";
import { countsFromPlainLine, countsFromTestRunner } from "./test-counts.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packageScripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts ?? {};

/** The suites running now, each as its own process group, so a timeout or Ctrl-C can stop them with everything they started. */
const running = new Set();

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops a suite: SIGTERM first so the runners tear down their servers and browsers, SIGKILL for whatever is left. */
function stopGroup(pid) {
  signalGroup(pid, "SIGTERM");
  setTimeout(() => signalGroup(pid, "SIGKILL"), 20_000).unref();
}

/**
 * Runs a command and returns its exit code and what it printed on stdout; after `timeoutMs` it is stopped and counts as
 * crashed. `live` streams its stdout as it comes; otherwise it is printed in one piece when the command ends, so two
 * suites running side by side do not interleave their lines.
 */
function run(command, args, timeoutMs, live) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, detached: true, stdio: ["ignore", "pipe", live ? "inherit" : "pipe"] });
    running.add(child);
    let output = "";
    let errors = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (live) process.stdout.write(chunk);
    });
    child.stderr?.on("data", (chunk) => (errors += chunk));
    child.on("error", (error) => {
      output += `\n${error.message}\n`;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`[test] ${command} ${args.join(" ")} did not finish within ${timeoutMs / 60_000} min; stopping it`);
      stopGroup(child.pid);
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (!live) {
        process.stderr.write(errors);
        process.stdout.write(output);
      }
      resolveRun({ code: timedOut ? 1 : (code ?? (signal ? 1 : 0)), output, crash: timedOut ? "timed out" : undefined });
    });
  });
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`[test] ${signal}: stopping`);
    for (const child of running) if (child.pid) stopGroup(child.pid);
    setTimeout(() => process.exit(130), 1000);
  });
}

const MINUTE = 60_000;

function filesUnder(dir, suffix) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full, suffix));
    else if (name.endsWith(suffix)) found.push(full);
  }
  return found.sort();
}

/** Each suite: how to run it (`live` = whether its output may stream), and how to read its counts. */
const suites = {
  typecheck: async (live) => {
    const { code, output } = await run("npm", ["run", "--silent", "typecheck"], 10 * MINUTE, live);
    return { code, output, counts: { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 } };
  },
  unit: async (live) => {
    const files = filesUnder(join(root, "out", "test", "unit"), ".test.js").map((f) => relative(root, f));
    if (files.length === 0) return { skipped: "no unit tests in out/test/unit" };
    // A per-test timeout keeps one hanging test from eating the whole CI budget.
    const args = ["--enable-source-maps", "--test", "--test-reporter=tap", "--test-concurrency=2", `--test-timeout=${2 * MINUTE}`, ...files];
    const result = await run(process.execPath, args, 15 * MINUTE, live);
    return { ...result, counts: countsFromTestRunner(result.output) };
  },
  pi: async (live) => {
    if (!packageScripts["test:pi"]) return { skipped: "no test:pi script" };
    const result = await run(process.execPath, [join(root, "scripts", "run-pi-tests.mjs"), "--skip-build"], 25 * MINUTE, live);
    return { ...result, counts: countsFromPlainLine(result.output) ?? countsFromTestRunner(result.output) };
  },
  agents: async (live) => {
    if (!packageScripts["test:agents"]) return { skipped: "no test:agents script" };
    const result = await run(process.execPath, [join(root, "scripts", "run-agent-tests.mjs"), "--skip-build"], 15 * MINUTE, live);
    return { ...result, counts: countsFromPlainLine(result.output) ?? countsFromTestRunner(result.output) };
  },
  vscode: async (live) => {
    const result = await run(process.execPath, [join(root, "scripts", "run-vscode-tests.mjs"), "--skip-build"], 20 * MINUTE, live);
    return { ...result, counts: countsFromPlainLine(result.output) };
  },
  // The same suite on the oldest VS Code package.json's engines.vscode claims (docs/vscode-chat.md#the-oldest-vs-code).
  "vscode-oldest": async (live) => {
    const result = await run(process.execPath, [join(root, "scripts", "run-vscode-tests.mjs"), "--skip-build", "--oldest"], 20 * MINUTE, live);
    return { ...result, counts: countsFromPlainLine(result.output) };
  },
  ui: async (live) => {
    const result = await run(process.execPath, [join(root, "scripts", "run-ui-tests.mjs"), "--skip-build"], 25 * MINUTE, live);
    return { ...result, counts: countsFromPlainLine(result.output) };
  },
};

/**
 * Suites of a stage run side by side. The extension-host suite mostly waits (on code-server, and on its cross-window
 * refresh trials), so pi's CLIs and the unit tests run beside it; the UI suite drives two browsers and servers and gets
 * the machine to itself. On 2 cores: typecheck∥unit, then vscode∥pi, then ui took 238 s warm; this order 217 s (same 763 tests).
 */
const STAGES = [["typecheck"], ["vscode", "pi", "unit"], ["agents", "vscode-oldest"], ["ui"]];

// A fresh clone has no node_modules yet; every suite needs them.
try {
  ensureNodeModules();
} catch (error) {
  console.error(`[test] ${error instanceof Error ? error.message : error}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);
let passed = 0;
let failed = 0;
const report = [];
const started = Date.now();

// Built once for every suite, and only what changed since the last build.
if (["unit", "pi", "agents", "vscode", "vscode-oldest", "ui"].some(wanted)) {
  const buildStarted = Date.now();
  try {
    const done = buildOnce();
    report.push(`build: ${Object.entries(done).map(([name, state]) => `${name} ${state}`).join(", ")} in ${((Date.now() - buildStarted) / 1000).toFixed(0)} s`);
  } catch (error) {
    failed += 1;
    report.push(`build: failed (${error instanceof Error ? error.message : String(error)})`);
  }
}

// Suites that run side by side must not install the same tools at once (Node 24 serves both code-server and pi 1.x):
// whatever a fresh machine lacks is installed here, one after the other, before any suite starts.
try {
  if (wanted("vscode") || wanted("vscode-oldest") || wanted("ui")) ensureVsCodeTools();
  if (wanted("vscode-oldest")) ensureOldestCodeServer();
  if (wanted("pi") && packageScripts["test:pi"]) ensurePi();
  if (wanted("agents") && packageScripts["test:agents"]) ensureAgents();
} catch (error) {
  failed += 1;
  report.push(`tools: failed (${error instanceof Error ? error.message : String(error)})`);
}

async function runSuite(name, live) {
  const suiteStarted = Date.now();
  let result;
  try {
    result = await suites[name](live);
  } catch (error) {
    result = { code: 1, output: "", counts: undefined, crash: error instanceof Error ? error.message : String(error) };
  }
  return { name, result, seconds: ((Date.now() - suiteStarted) / 1000).toFixed(0) };
}

for (const stage of STAGES) {
  const names = stage.filter((name) => wanted(name));
  if (names.length === 0) continue;
  console.error(`\n=== ${names.join(" + ")} ===`);
  // The first suite of a stage streams its output; the others print theirs in one piece when they end.
  const outcomes = await Promise.all(names.map((name, index) => runSuite(name, index === 0)));
  for (const { name, result, seconds } of outcomes) {
    if (result.skipped) {
      report.push(`${name}: skipped (${result.skipped})`);
      continue;
    }
    const counts = result.counts ?? { passed: 0, failed: 0 };
    let suiteFailed = counts.failed;
    let note = "";
    if (result.code !== 0 && suiteFailed === 0) {
      suiteFailed = 1;
      note = result.crash ? ` (crashed: ${result.crash})` : ` (exited ${result.code} without reporting a failure)`;
    } else if (!result.counts && result.code === 0) {
      note = " (printed no counts)";
    }
    passed += counts.passed;
    failed += suiteFailed;
    report.push(`${name}: ${counts.passed} passed, ${suiteFailed} failed in ${seconds} s${note}`);
  }
}
console.error(`\n=== summary (${((Date.now() - started) / 1000).toFixed(0)} s) ===`);
for (const line of report) console.error(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
