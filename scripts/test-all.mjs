// `npm test`: runs every suite that exists (typecheck, unit, pi, vscode, ui), lets each run even after a failure, and ends with one line `N passed, N failed`.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNodeModules } from "./ensure-node-modules.mjs";
import { countsFromPlainLine, countsFromTestRunner } from "./test-counts.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packageScripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts ?? {};

/** The suite running now, as its own process group, so a timeout or Ctrl-C can stop it with everything it started. */
let current;

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

/** Runs a command with live output and returns its exit code and what it printed on stdout; after `timeoutMs` it is stopped and counts as crashed. */
function run(command, args, timeoutMs) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, detached: true, stdio: ["ignore", "pipe", "inherit"] });
    current = child;
    let output = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
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
      current = undefined;
      resolveRun({ code: timedOut ? 1 : (code ?? (signal ? 1 : 0)), output, crash: timedOut ? "timed out" : undefined });
    });
  });
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`[test] ${signal}: stopping`);
    if (current?.pid) stopGroup(current.pid);
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

/** Each suite: how to run it, and how to read its counts. A suite that exits non-zero without reporting a failure counts one failure. */
const suites = [
  {
    name: "typecheck",
    async run() {
      const { code, output } = await run("npm", ["run", "--silent", "typecheck"], 10 * MINUTE);
      return { code, output, counts: { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 } };
    },
  },
  {
    name: "compile-tests",
    async run() {
      const { code, output } = await run("npm", ["run", "--silent", "compile-tests"], 5 * MINUTE);
      return { code, output, counts: code === 0 ? { passed: 0, failed: 0 } : { passed: 0, failed: 1 } };
    },
  },
  {
    name: "unit",
    async run() {
      const files = filesUnder(join(root, "out", "test", "unit"), ".test.js").map((f) => relative(root, f));
      if (files.length === 0) return { skipped: "no unit tests in out/test/unit" };
      // A per-test timeout keeps one hanging test from eating the whole CI budget.
      const args = ["--enable-source-maps", "--test", "--test-reporter=tap", "--test-concurrency=2", `--test-timeout=${2 * MINUTE}`, ...files];
      const result = await run(process.execPath, args, 15 * MINUTE);
      return { ...result, counts: countsFromTestRunner(result.output) };
    },
  },
  {
    name: "pi",
    async run() {
      if (!packageScripts["test:pi"]) return { skipped: "no test:pi script" };
      const result = await run("npm", ["run", "--silent", "test:pi"], 25 * MINUTE);
      return { ...result, counts: countsFromPlainLine(result.output) ?? countsFromTestRunner(result.output) };
    },
  },
  {
    name: "vscode",
    async run() {
      const result = await run(process.execPath, [join(root, "scripts", "run-vscode-tests.mjs")], 20 * MINUTE);
      return { ...result, counts: countsFromPlainLine(result.output) };
    },
  },
  {
    name: "ui",
    async run() {
      const result = await run(process.execPath, [join(root, "scripts", "run-ui-tests.mjs")], 25 * MINUTE);
      return { ...result, counts: countsFromPlainLine(result.output) };
    },
  },
];

// A fresh clone has no node_modules yet; every suite needs them.
try {
  ensureNodeModules();
} catch (error) {
  console.error(`[test] ${error instanceof Error ? error.message : error}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const report = [];
const started = Date.now();
for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  console.error(`\n=== ${suite.name} ===`);
  const suiteStarted = Date.now();
  let result;
  try {
    result = await suite.run();
  } catch (error) {
    result = { code: 1, output: "", counts: undefined, crash: error instanceof Error ? error.message : String(error) };
  }
  const seconds = ((Date.now() - suiteStarted) / 1000).toFixed(0);
  if (result.skipped) {
    report.push(`${suite.name}: skipped (${result.skipped})`);
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
  report.push(`${suite.name}: ${counts.passed} passed, ${suiteFailed} failed in ${seconds} s${note}`);
}
console.error(`\n=== summary (${((Date.now() - started) / 1000).toFixed(0)} s) ===`);
for (const line of report) console.error(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
