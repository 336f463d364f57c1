// `npm run test:agents`: installs the agent CLIs (scripts/install-agents.mjs), builds the tests when their sources changed, runs test/agents against the real CLIs, and ends with `agents: N passed, N failed`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOnce } from "./build-once.mjs";
import { ensureAgents } from "./install-agents.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const agents = ensureAgents();
for (const agent of agents) console.log(`agents: using ${agent.package}@${agent.version}`);
if (!process.argv.includes("--skip-build")) buildOnce(["tests"]);

/** Each agent's program for its tests: KIRO_TEST_<NAME> (claude-code → KIRO_TEST_CLAUDE, its bin name). */
const env = { ...process.env };
for (const agent of agents) env[`KIRO_TEST_${agent.bin.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = agent.command;

const scratch = mkdtempSync(join(tmpdir(), "kiro-agents-tap-"));
const tapFile = join(scratch, "agents.tap");
try {
  const run = spawnSync(
    process.execPath,
    [
      "--enable-source-maps",
      "--test",
      "--test-concurrency=1",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tapFile}`,
      "out/test/agents/",
    ],
    { cwd: root, stdio: "inherit", env },
  );
  const tap = readFileSync(tapFile, "utf8");
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(tap)?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + (run.status !== 0 && count("fail") === 0 ? 1 : 0);
  console.log(`agents: ${passed} passed, ${failed} failed`);
  process.exitCode = run.status === 0 && failed === 0 && passed > 0 ? 0 : 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
