// `npm run test:pi`: installs the pi CLIs (0.73.1, 1.3.0, 1.6.0), builds dist/pi-extension.js and the tests when their sources changed, runs test/pi against the real CLIs, and ends with `pi: N passed, N failed`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOnce } from "./build-once.mjs";
import { ensurePi } from "./install-pi.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

for (const generation of ensurePi()) console.log(`pi: using ${generation.packageName}@${generation.version} on ${generation.node}`);
if (!process.argv.includes("--skip-build")) buildOnce(["extension", "tests"]);

const scratch = mkdtempSync(join(tmpdir(), "kiro-pi-tap-"));
const tapFile = join(scratch, "pi.tap");
try {
  // One file per pi version, two at a time (one per core).
  const run = spawnSync(
    process.execPath,
    [
      "--enable-source-maps",
      "--test",
      "--test-concurrency=2",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tapFile}`,
      "out/test/pi/",
    ],
    { cwd: root, stdio: "inherit" },
  );
  const tap = readFileSync(tapFile, "utf8");
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(tap)?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + (run.status !== 0 && count("fail") === 0 ? 1 : 0);
  console.log(`pi: ${passed} passed, ${failed} failed`);
  process.exitCode = run.status === 0 && failed === 0 && passed > 0 ? 0 : 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
