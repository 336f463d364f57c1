// How pi and the coding agents are found and started on Windows, on a fake Windows disk: a bare name resolves through PATHEXT only (never npm's extensionless sh shim), an npm `.cmd` shim's script runs with node directly (no cmd.exe to read `&calc.exe&`), and model ids that could be syntax never reach a command line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isSafeModelId, planCommandLaunch, resolveExecutable, type ResolveOptions } from "../../src/vscode/terminal/commandLine";
import { parseNpmCmdShim, windowsCandidates, type LaunchFiles } from "../../src/vscode/terminal/windowsLaunch";
import { planPiLaunch } from "../../src/vscode/terminal/piCommandLine";

/** What npm's cmd-shim writes for a bin that is a node script (`#!/usr/bin/env node`), `target` relative to the shim. */
const nodeShim = (target: string, nodeArgs = ""): string =>
  [
    "@ECHO off",
    "GOTO start",
    ":find_dp0",
    "SET dp0=%~dp0",
    "EXIT /b",
    ":start",
    "SETLOCAL",
    "CALL :find_dp0",
    "",
    'IF EXIST "%dp0%\\node.exe" (',
    '  SET "_prog=%dp0%\\node.exe"',
    ") ELSE (",
    '  SET "_prog=node"',
    "  SET PATHEXT=%PATHEXT:;.JS;=;%",
    ")",
    "",
    `endLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%" ${nodeArgs} "%dp0%\\${target}" %*`,
    "",
  ].join("\r\n");

/** What it writes for a bin without a shebang (a native program). */
const programShim = (target: string): string =>
  ["@ECHO off", "GOTO start", ":find_dp0", "SET dp0=%~dp0", "EXIT /b", ":start", "SETLOCAL", "CALL :find_dp0", `"%dp0%\\${target}"   %*`, ""].join("\r\n");

/** npm's own sh shim, the extensionless file next to each `.cmd`. */
const SH_SHIM = '#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e \'s,\\\\,/,g\')")\nexec node "$basedir/node_modules/x/cli.js" "$@"\n';

/** A Windows disk in memory: paths compare case-insensitively, every file may run (Windows has no execute bit). */
function fakeDisk(files: Record<string, string>): LaunchFiles & { looked: string[] } {
  const byLower = new Map(Object.entries(files).map(([file, text]) => [file.toLowerCase(), text]));
  const looked: string[] = [];
  return {
    looked,
    async isExecutableFile(file) {
      looked.push(file);
      return byLower.has(file.toLowerCase());
    },
    async readText(file) {
      return byLower.get(file.toLowerCase());
    },
  };
}

const NPM = "C:\\Users\\ann\\AppData\\Roaming\\npm";
const NODE = "C:\\Program Files\\nodejs\\node.exe";
const PI_SCRIPT = `${NPM}\\node_modules\\@mariozechner\\pi-coding-agent\\dist\\cli.js`;

/** A Windows machine with pi installed globally by npm (sh shim, .cmd shim, .ps1 shim) and node from its installer. */
function windows(extra: Record<string, string> = {}, env: Record<string, string> = {}): ResolveOptions & { files: ReturnType<typeof fakeDisk> } {
  const files = fakeDisk({
    [`${NPM}\\pi`]: SH_SHIM,
    [`${NPM}\\pi.cmd`]: nodeShim("node_modules\\@mariozechner\\pi-coding-agent\\dist\\cli.js"),
    [`${NPM}\\pi.ps1`]: "# powershell shim\n",
    [PI_SCRIPT]: "#!/usr/bin/env node\n",
    [NODE]: "MZ",
    ...extra,
  });
  return {
    platform: "win32",
    cwd: "C:\\work",
    // `Path`, as Windows spells it; PATHEXT with .JS, as some machines have it.
    env: { Path: `C:\\Windows\\system32;${NPM};C:\\Program Files\\nodejs`, PATHEXT: ".COM;.EXE;.BAT;.CMD;.VBS;.JS", ComSpec: "C:\\Windows\\system32\\cmd.exe", ...env },
    files,
  };
}

describe("finding a program on Windows", () => {
  test("a bare name tries only the PATHEXT extensions in each PATH folder, so npm's extensionless sh shim is never picked", async () => {
    const machine = windows();
    assert.equal(await resolveExecutable("pi", machine), `${NPM}\\pi.cmd`);
    assert.ok(!machine.files.looked.some((file) => file.toLowerCase().endsWith("\\pi")), `the bare name was never tried: ${machine.files.looked.join(", ")}`);
    assert.deepEqual(windowsCandidates("C:\\bin\\pi", [".com", ".exe", ".cmd"]), ["C:\\bin\\pi.com", "C:\\bin\\pi.exe", "C:\\bin\\pi.cmd"]);
    assert.deepEqual(windowsCandidates("C:\\bin\\pi.CMD", [".com", ".exe", ".cmd"]), ["C:\\bin\\pi.CMD"], "a name that has a runnable extension is tried as written");
  });

  test("with only the sh shim there, nothing is found (the message then says how to install), and a path is looked up the same way", async () => {
    const machine = windows();
    const onlySh = { ...machine, files: fakeDisk({ [`${NPM}\\codex`]: SH_SHIM }) };
    assert.equal(await resolveExecutable("codex", onlySh), undefined);
    assert.equal(await resolveExecutable(`${NPM}\\codex`, onlySh), undefined);
    assert.equal(await resolveExecutable(`${NPM}\\pi`, machine), `${NPM}\\pi.cmd`);
    assert.equal(await resolveExecutable("pi", { ...machine, env: { ...machine.env, PATHEXT: ".EXE" } }), undefined, "PATHEXT decides: without .CMD, pi.cmd does not run");
  });
});

describe("starting an npm shim on Windows", () => {
  test("pi's .cmd shim runs its script with node directly, so a model such as &calc.exe& could not reach cmd.exe", async () => {
    const plan = await planPiLaunch({ commandLine: "pi", piExtension: "C:\\ext\\dist\\pi-extension.js", model: "claude-sonnet-4-5" }, windows());
    assert.deepEqual(plan, {
      ok: true,
      program: "pi",
      launch: { executable: NODE, args: [PI_SCRIPT, "-e", "C:\\ext\\dist\\pi-extension.js", "--model", "kiro/claude-sonnet-4-5"] },
    });
  });

  test("the node.exe next to the shim wins over PATH's, node is never a node.js file PATHEXT would allow, and the shebang's node options are kept", async () => {
    const beside = `${NPM}\\node.exe`;
    const withNodeBeside = await planCommandLaunch("pi", () => [], windows({ [beside]: "MZ" }));
    assert.ok(withNodeBeside.ok && withNodeBeside.launch.executable === beside, JSON.stringify(withNodeBeside));
    const trap = await planCommandLaunch("pi", () => [], windows({ "C:\\Windows\\system32\\node.js": "WScript.Echo(1)" }));
    assert.ok(trap.ok && trap.launch.executable === NODE, `node.js is not node: ${JSON.stringify(trap)}`);
    const flagged = windows({ [`${NPM}\\tool.cmd`]: nodeShim("node_modules\\tool\\cli.js", "--no-warnings"), [`${NPM}\\node_modules\\tool\\cli.js`]: "" });
    const tool = await planCommandLaunch("tool --x", () => ["--y"], flagged);
    assert.ok(tool.ok);
    if (tool.ok) assert.deepEqual(tool.launch.args, ["--no-warnings", `${NPM}\\node_modules\\tool\\cli.js`, "--x", "--y"]);
  });

  test("a project's node_modules\\.bin shim (pointing up into node_modules) and a native program's shim run their target directly", async () => {
    const bin = "C:\\work\\node_modules\\.bin";
    const machine = windows({
      [`${bin}\\codex.cmd`]: nodeShim("..\\@openai\\codex\\bin\\codex.js"),
      "C:\\work\\node_modules\\@openai\\codex\\bin\\codex.js": "",
      [`${bin}\\claude.cmd`]: programShim("..\\@anthropic-ai\\claude-code\\bin\\claude.exe"),
      "C:\\work\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe": "MZ",
    });
    const codex = await planCommandLaunch(".\\node_modules\\.bin\\codex", () => ["-c", "model=claude-sonnet-4-5"], machine);
    assert.deepEqual(codex.ok && codex.launch, { executable: NODE, args: ["C:\\work\\node_modules\\@openai\\codex\\bin\\codex.js", "-c", "model=claude-sonnet-4-5"] });
    const claude = await planCommandLaunch("./node_modules/.bin/claude", () => [], machine);
    assert.deepEqual(claude.ok && claude.launch, { executable: "C:\\work\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe", args: [] });
  });

  test("a batch file that is not an npm shim still goes through cmd.exe, but only with arguments cmd.exe reads as plain text", async () => {
    const machine = windows({ "C:\\tools\\pi.bat": "@echo off\r\nnode C:\\tools\\pi\\cli.js %*\r\n" });
    const plain = await planCommandLaunch("C:\\tools\\pi.bat --thinking high", () => ["--model", "kiro/claude-sonnet-4-5"], machine);
    assert.deepEqual(plain.ok && plain.launch, {
      executable: "C:\\Windows\\system32\\cmd.exe",
      args: ["/d", "/c", "C:\\tools\\pi.bat", "--thinking", "high", "--model", "kiro/claude-sonnet-4-5"],
    });
    for (const arg of ["&calc.exe&", "a|b", "x>y", "%PATH%", "!x!", 'a"b', "x^y"]) {
      const refused = await planCommandLaunch("C:\\tools\\pi.bat", () => [arg], machine);
      assert.equal(refused.ok ? "launched" : refused.reason, "refused", arg);
      if (!refused.ok) assert.match(refused.detail ?? "", /cmd\.exe would read/);
    }
  });

  test("the shim format is read strictly: npx.cmd, variables in the target and foreign programs are not taken for npm shims", () => {
    assert.deepEqual(parseNpmCmdShim(nodeShim("node_modules\\x\\cli.js"), `${NPM}\\x.cmd`), { kind: "node", script: `${NPM}\\node_modules\\x\\cli.js`, nodeArgs: [] });
    assert.equal(parseNpmCmdShim('@ECHO OFF\r\nSET "NODE_EXE=%~dp0\\node.exe"\r\n"%NODE_EXE%" "%NPX_CLI_JS%" %*\r\n', `${NPM}\\npx.cmd`), undefined);
    assert.equal(parseNpmCmdShim(nodeShim("%OTHER%\\cli.js"), `${NPM}\\x.cmd`), undefined);
    assert.equal(parseNpmCmdShim(programShim("bin\\run.sh"), `${NPM}\\x.cmd`), undefined, "only an .exe/.com target runs without cmd.exe");
    assert.equal(parseNpmCmdShim("", `${NPM}\\x.cmd`), undefined);
  });
});

describe("model ids on a command line", () => {
  test("pi's --model takes only a plain id: a model setting with cmd.exe or shell syntax is refused before anything is resolved", async () => {
    for (const model of ["&calc.exe&", "x;id", "a b", "$(id)", "--help", "true"]) {
      const plan = await planPiLaunch({ commandLine: "pi", piExtension: "C:\\ext\\pi-extension.js", model }, windows());
      assert.deepEqual(plan, { ok: false, reason: "invalid-model", program: "pi", detail: model });
    }
    assert.ok(isSafeModelId("claude-sonnet-4.5"));
  });
});
