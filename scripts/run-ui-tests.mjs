// `npm run test:ui`: packages the .vsix, then runs out/test/ui/*.test.js (node:test, each file opens its own code-server + headless Chromium) and prints `ui: N passed, N failed`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
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

function npmRun(script) {
  const result = spawnSync("npm", ["run", "--silent", script], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`npm run ${script} failed (exit ${result.status})`);
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
    step("packaging the extension (npm run package) and building the tests");
    npmRun("package");
    npmRun("compile-tests");
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
    // One file at a time: each starts a code-server and a browser, which is what 2 cores can carry.
    child = spawn(
      process.execPath,
      ["--enable-source-maps", "--test", "--test-reporter=tap", "--test-concurrency=1", `--test-timeout=${5 * 60_000}`, ...files],
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
