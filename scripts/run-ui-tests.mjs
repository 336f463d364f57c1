// `npm run test:ui`: packages the .vsix, then runs out/test/ui/*.test.js (node:test, each file opens its own code-server + headless Chromium) and prints `ui: N passed, N failed`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildOnce } from "./build-once.mjs";
import { ensureVsCodeTools } from "./install-vscode.mjs";
import { countsFromTestRunner } from "./test-counts.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: {
    file: { type: "string" },
    "skip-build": { type: "boolean", default: false },
  },
});
const timeoutMs = Number(process.env.KIRO_UI_TEST_TIMEOUT_MS ?? 20 * 60_000);

function step(message) {
  console.error(`[test:ui] ${message}`);
}

// Test files record the process group of every code-server they start here, so servers of a test process that crashed or timed out are stopped too.
const groupDir = mkdtempSync(join(tmpdir(), "kiro-ui-groups-"));
let child;
function stopLeftovers() {
  if (child?.pid) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  for (const name of existsSync(groupDir) ? readdirSync(groupDir) : []) {
    if (name.startsWith("dir-")) {
      // A test profile whose test process died before disposing it.
      rmSync(readFileSync(join(groupDir, name), "utf8"), { recursive: true, force: true });
      continue;
    }
    try {
      process.kill(-Number(name), "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  rmSync(groupDir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`[test:ui] ${signal}: stopping`);
    stopLeftovers();
    process.exit(130);
  });
}

let passed = 0;
let failed = 0;
const started = Date.now();
try {
  step("checking Node 24, code-server, Chromium");
  ensureVsCodeTools();
  if (!flags["skip-build"]) {
    step("packaging the extension and building the tests (when their sources changed)");
    buildOnce(["extension", "tests"]);
  }
  const vsix = join(root, "kiro-pi.vsix");
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing; did npm run package work?`);
  const uiDir = join(root, "out", "test", "ui");
  const files = readdirSync(uiDir)
    .filter((name) => name.endsWith(".test.js"))
    .filter((name) => !flags.file || name.startsWith(flags.file))
    .sort()
    .map((name) => join(uiDir, name));
  if (files.length === 0) throw new Error(`no UI test files in ${uiDir}${flags.file ? ` matching ${flags.file}` : ""}`);

  step(`running ${files.length} file(s); screenshots go to test-results/ui/`);
  let output = "";
  const exitCode = await new Promise((resolveExit) => {
    // Two files at a time (KIRO_UI_CONCURRENCY): each starts its own code-server and browser on its own ports. On 2 cores
    // that took the suite from 171 s to 116 s with the same 25 tests passing; most of a file's time is waiting on the workbench.
    // With files in processes of their own, node's --test-timeout is each file's limit, not each test's: chat.ui's twelve
    // tests took 300 s together at a load average of 19 on 2 cores and hit a 5-minute limit. Each wait inside a test has a
    // deadline of its own, so this limit only has to stop a file that hangs, inside the whole run's (timeoutMs).
    child = spawn(
      process.execPath,
      ["--enable-source-maps", "--test", "--test-reporter=tap", `--test-concurrency=${process.env.KIRO_UI_CONCURRENCY ?? 2}`, `--test-timeout=${15 * 60_000}`, ...files],
      {
        cwd: root,
        detached: true,
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, KIRO_UI_VSIX: vsix, KIRO_PROCESS_GROUP_DIR: groupDir },
      },
    );
    child.stdout.on("data", (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    const timer = setTimeout(() => {
      console.error(`[test:ui] no result within ${timeoutMs / 1000} s (KIRO_UI_TEST_TIMEOUT_MS); stopping`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
  const counts = countsFromTestRunner(output);
  if (counts) ({ passed, failed } = counts);
  if (exitCode !== 0 && failed === 0) failed = 1;
} catch (error) {
  console.error(`[test:ui] ${error instanceof Error ? error.message : error}`);
  failed += 1;
} finally {
  stopLeftovers();
}
console.error(`[test:ui] finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`ui: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
