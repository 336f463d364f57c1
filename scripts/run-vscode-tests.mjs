// `npm run test:vscode`: runs out/test/vscode (mocha) inside a real VS Code extension host (code-server driven by headless Chromium) and prints `vscode: N passed, N failed`;
// `--oldest` runs it on the oldest VS Code package.json's engines.vscode claims (code-server OLDEST_CODE_SERVER_VERSION in scripts/install-vscode.mjs, installed on first use).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildOnce } from "./build-once.mjs";
import { ensureOldestCodeServer, ensureVsCodeTools } from "./install-vscode.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LINE_PREFIX = "[kiro-test]";
const keptLog = join(root, "test-results", "vscode", "code-server.log");
const SUMMARY = /kiro-vscode-suite: (\d+) passed, (\d+) failed/;

const { values: flags } = parseArgs({
  options: {
    grep: { type: "string" },
    file: { type: "string" },
    "skip-build": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    oldest: { type: "boolean", default: false },
  },
});
const timeoutMs = Number(process.env.KIRO_VSCODE_TEST_TIMEOUT_MS ?? 10 * 60_000);
const verbose = flags.verbose || process.env.KIRO_TEST_VERBOSE === "1";

function step(message) {
  console.error(`[test:vscode] ${message}`);
}

/** Cleanups run in reverse order exactly once, whether the run passed, failed, timed out or was interrupted. */
const cleanups = [];
let teardownDone;
/** Every caller (the run's own `finally`, a signal handler) waits for the same teardown to finish before exiting. */
function teardown() {
  teardownDone ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`[test:vscode] cleanup failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  })();
  return teardownDone;
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`[test:vscode] ${signal}: stopping`);
    void teardown().then(() => process.exit(130));
  });
}

/**
 * A built VS Code honours the test payload (extensionDevelopmentPath, extensionTestsPath) only with the smoke-test driver on
 * (`developmentOptions.enableSmokeTestDriver` of the workbench configuration). code-server 4.139 sets it from
 * `--vscode-option enable-smoke-test-driver`; older ones have no way to pass it, so the page turns it on in the configuration
 * element as the parser adds it, before the workbench reads it. (Rewriting the HTML response instead makes Chromium treat the
 * page as public and block its WebSocket to the loopback server.)
 */
async function enableSmokeTestDriverInPage(page) {
  await page.addInitScript(() => {
    const patch = (element) => {
      const configuration = JSON.parse(element.getAttribute("data-settings") ?? "{}");
      configuration.developmentOptions = { ...configuration.developmentOptions, enableSmokeTestDriver: true };
      element.setAttribute("data-settings", JSON.stringify(configuration));
    };
    const observer = new MutationObserver(() => {
      const element = document.getElementById("vscode-workbench-web-configuration");
      if (!element) return;
      observer.disconnect();
      patch(element);
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

let passed = 0;
let failed = 0;
let exitCode = 1;
const started = Date.now();
try {
  step("checking Node 24, code-server, Chromium");
  ensureVsCodeTools();
  if (flags.oldest) {
    step("checking the oldest code-server the manifest claims");
    const oldest = ensureOldestCodeServer();
    // Read by test/ui/codeServer.ts's codeServerTools().
    process.env.KIRO_CODE_SERVER_NODE = oldest.node;
    process.env.KIRO_CODE_SERVER_ENTRY = oldest.entry;
  }
  if (!flags["skip-build"]) {
    step("building the extension and the tests (when their sources changed)");
    buildOnce(["extension", "tests"]);
  }

  const testsEntry = join(root, "out", "test", "vscode", "index.js");
  if (!existsSync(testsEntry)) throw new Error(`${testsEntry} is missing; did compile-tests run?`);

  const harness = createRequire(import.meta.url)(join(root, "out", "test", "ui", "codeServer.js"));
  const profile = harness.createTestProfile("kiro-vscode-test-");
  cleanups.push(() => {
    // The profile goes away; a failed run's server log is kept for reading.
    if (failed > 0 && existsSync(profile.logFile)) {
      mkdirSync(dirname(keptLog), { recursive: true });
      copyFileSync(profile.logFile, keptLog);
      console.error(`[test:vscode] code-server's log: ${keptLog}`);
    }
    profile.dispose();
  });

  step("starting code-server");
  const server = await harness.startCodeServer({
    userDataDir: profile.userDataDir,
    extensionsDir: profile.extensionsDir,
    logFile: profile.logFile,
    // The oldest code-server has no --vscode-option (it refuses to start with one); the driver is switched on in its page instead (below).
    smokeTestDriver: !flags.oldest,
    echo: verbose,
    env: {
      // Read by test/vscode/index.ts; every other variable (KIRO_TEST_* included) reaches the extension host unchanged.
      KIRO_TEST_GREP: flags.grep ?? process.env.KIRO_TEST_GREP,
      KIRO_TEST_FILE: flags.file ?? process.env.KIRO_TEST_FILE,
      // Lets tests find the profile's files (logs, settings.json).
      KIRO_TEST_USER_DATA_DIR: profile.userDataDir,
    },
  });
  cleanups.push(() => server.stop());
  step(`code-server ${server.url} (log: ${profile.logFile})`);

  const browser = await harness.launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  if (flags.oldest) await enableSmokeTestDriverInPage(page);

  let summary;
  const finished = new Promise((resolveExit) => {
    void page.exposeFunction("codeAutomationExit", (code) => resolveExit(Number(code)));
  });
  page.on("console", (message) => {
    const text = message.text();
    const at = text.indexOf(LINE_PREFIX);
    if (at >= 0) {
      // The workbench prefixes extension-host lines with its own tag and styling; keep only the reporter's line.
      const line = text.slice(at + LINE_PREFIX.length + 1).replace(/\s+color:[^]*$/, "");
      console.log(line);
      const match = SUMMARY.exec(line);
      if (match) summary = { passed: Number(match[1]), failed: Number(match[2]) };
    } else if (verbose || message.type() === "error") {
      if (verbose) console.error(`[page ${message.type()}] ${text}`);
    }
  });
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));

  const payload = [
    ["extensionDevelopmentPath", harness.remoteUri(server, root)],
    ["extensionTestsPath", harness.remoteUri(server, testsEntry)],
  ];
  const url = harness.workbenchUrl(server.url, profile.workspaceDir, payload);
  step("opening the workbench with the test payload");
  await page.goto(url);

  let timer;
  const timedOut = new Promise((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout("timeout"), timeoutMs);
  });
  const outcome = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    console.error(`[test:vscode] no result within ${timeoutMs / 1000} s (KIRO_VSCODE_TEST_TIMEOUT_MS)`);
    failed = (summary?.failed ?? 0) + 1;
    passed = summary?.passed ?? 0;
  } else if (!summary) {
    console.error(`[test:vscode] the suite exited with code ${outcome} without a summary (did it load? run with --verbose)`);
    failed = 1;
  } else {
    ({ passed, failed } = summary);
    if (outcome !== 0 && failed === 0) failed = 1;
    exitCode = outcome === 0 && failed === 0 ? 0 : 1;
  }
} catch (error) {
  console.error(`[test:vscode] ${error instanceof Error ? error.message : error}`);
  failed += 1;
} finally {
  await teardown();
}
console.error(`[test:vscode] finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`vscode${flags.oldest ? "-oldest" : ""}: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : exitCode);
