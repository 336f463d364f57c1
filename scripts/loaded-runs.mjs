// Runs test suites (or one command) N times in a row while stress-ng loads the CPU, and prints pass/fail per run: the check that no test goes red by chance on a busy machine.
//
//   node scripts/loaded-runs.mjs                          every suite of `npm test`, 5 runs each, under `stress-ng --cpu 4`
//   node scripts/loaded-runs.mjs --runs 3 pi unit         the named suites only (names as scripts/test-all.mjs takes them)
//   node scripts/loaded-runs.mjs --runs 50 --cpu 4 -- node --test --test-name-pattern="tool round trip" out/test/pi/piMariozechner.test.js
//
// A run passes when its command exits 0 (a suite run through scripts/test-all.mjs exits non-zero on any failure). The
// output of a failed run is kept in a file whose path is printed. stress-ng is stopped when the script ends, however it ends.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ALL_SUITES = ["typecheck", "unit", "pi", "vscode", "vscode-oldest", "agents", "ui"];

function usage(problem) {
  console.error(`loaded-runs: ${problem}\nusage: node scripts/loaded-runs.mjs [--runs N] [--cpu WORKERS] [suite ...] [-- command args...]`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { runs: 5, cpu: 4, suites: [], command: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      options.command = argv.slice(i + 1);
      if (options.command.length === 0) usage("nothing after --");
      break;
    }
    if (arg === "--runs" || arg === "--cpu") {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) usage(`${arg} needs a whole number above 0`);
      options[arg.slice(2)] = value;
    } else if (ALL_SUITES.includes(arg)) {
      options.suites.push(arg);
    } else {
      usage(`unknown argument "${arg}" (suites: ${ALL_SUITES.join(", ")})`);
    }
  }
  if (options.command && options.suites.length > 0) usage("give suites or a command after --, not both");
  if (!options.command && options.suites.length === 0) options.suites = ALL_SUITES;
  return options;
}

const options = parseArgs(process.argv.slice(2));

if (spawnSync("stress-ng", ["--version"], { stdio: "ignore" }).error) {
  console.error("loaded-runs: stress-ng is not installed (Debian/Ubuntu: apt-get install -y stress-ng).");
  process.exit(2);
}

/** The commands that run now, each in its own process group so they stop with everything they started. */
const groups = new Set();

function stopGroup(pid) {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}

function stopAll() {
  for (const pid of groups) stopGroup(pid);
  groups.clear();
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`loaded-runs: ${signal}, stopping stress-ng and the running test`);
    stopAll();
    process.exit(130);
  });
}
process.on("exit", stopAll);

const jobs = options.command
  ? [{ name: options.command.join(" "), command: options.command[0], args: options.command.slice(1) }]
  : options.suites.map((suite) => ({ name: suite, command: process.execPath, args: [join(root, "scripts", "test-all.mjs"), suite] }));
// Until this script stops it; the timeout (half an hour per run) only guards against this script dying without its exit handler (SIGKILL).
const stress = spawn("stress-ng", ["--cpu", String(options.cpu), "--timeout", `${options.runs * jobs.length * 30}m`, "--quiet"], { detached: true, stdio: "ignore" });
groups.add(stress.pid);
console.log(`loaded-runs: stress-ng --cpu ${options.cpu} running (pid ${stress.pid})`);

function runOnce(command, args) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    groups.add(child.pid);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => (output += `\n${error.message}\n`));
    child.on("close", (code, signal) => {
      groups.delete(child.pid);
      resolveRun({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

const scratch = mkdtempSync(join(tmpdir(), "kiro-pi-loaded-"));
const summary = [];

for (const job of jobs) {
  let green = 0;
  for (let run = 1; run <= options.runs; run++) {
    const started = Date.now();
    const { code, output } = await runOnce(job.command, job.args);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    // scripts/test-all.mjs ends with "N passed, N failed".
    const counts = /^(\d+ passed, \d+ failed)\s*$/m.exec(output.split("\n").filter(Boolean).slice(-5).join("\n"))?.[1];
    const detail = `${counts ? `${counts}, ` : ""}${seconds} s`;
    if (code === 0) {
      green++;
      console.log(`${job.name} run ${run}/${options.runs}: pass (${detail})`);
    } else {
      const log = join(scratch, `${job.name.replace(/[^\w.-]+/g, "_").slice(0, 60)}-run${run}.log`);
      writeFileSync(log, output);
      console.log(`${job.name} run ${run}/${options.runs}: FAIL (exit ${code}, ${detail}; output in ${log})`);
    }
  }
  summary.push(`${job.name}: ${green}/${options.runs} green`);
}

stopAll();
console.log(`loaded-runs under stress-ng --cpu ${options.cpu}:\n${summary.join("\n")}`);
process.exitCode = summary.every((line) => line.endsWith(`${options.runs}/${options.runs} green`)) ? 0 : 1;
