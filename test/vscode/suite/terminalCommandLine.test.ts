// Extension-host tests of how the `kiro.pi.command` setting becomes the program and arguments of the pi terminal.
import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite, suiteSetup, suiteTeardown, test } from "mocha";
import { resolveExecutable, splitCommandLine } from "../../../src/vscode/terminal/commandLine";
import { planPiLaunch } from "../../../src/vscode/terminal/piCommandLine";

suite("pi command line", () => {
  let dir: string;
  let pi: string;
  let notExecutable: string;

  suiteSetup(() => {
    dir = mkdtempSync(path.join(tmpdir(), "kiro-pi-command-"));
    mkdirSync(path.join(dir, "bin"));
    pi = path.join(dir, "bin", "pi");
    writeFileSync(pi, "#!/bin/sh\n");
    chmodSync(pi, 0o755);
    notExecutable = path.join(dir, "bin", "pi-readonly");
    writeFileSync(notExecutable, "#!/bin/sh\n");
    chmodSync(notExecutable, 0o644);
  });
  suiteTeardown(() => rmSync(dir, { recursive: true, force: true }));

  test("splits words like a shell: quotes group, backslashes escape, blanks separate", () => {
    assert.deepEqual(splitCommandLine("npx @mariozechner/pi-coding-agent"), ["npx", "@mariozechner/pi-coding-agent"]);
    assert.deepEqual(splitCommandLine(`"/opt/my tools/pi" --thinking 'high'`, "linux"), ["/opt/my tools/pi", "--thinking", "high"]);
    assert.deepEqual(splitCommandLine(String.raw`/opt/my\ tools/pi ""`, "linux"), ["/opt/my tools/pi", ""]);
    assert.deepEqual(splitCommandLine(String.raw`C:\tools\pi.cmd --x`, "win32"), [String.raw`C:\tools\pi.cmd`, "--x"]);
    assert.throws(() => splitCommandLine(`"/opt/pi`), /unclosed double quote/);
  });

  test("finds a program on PATH, by path, or relative to the workspace folder, and only when it can run", async () => {
    assert.equal(await resolveExecutable("pi", { env: { PATH: `/nonexistent:${path.join(dir, "bin")}` }, platform: "linux" }), pi);
    assert.equal(await resolveExecutable("pi", { env: { PATH: "/nonexistent" }, platform: "linux" }), undefined);
    assert.equal(await resolveExecutable(pi, { env: {}, platform: "linux" }), pi);
    assert.equal(await resolveExecutable("./bin/pi", { env: {}, platform: "linux", cwd: dir }), pi);
    assert.equal(await resolveExecutable(notExecutable, { env: {}, platform: "linux" }), undefined, "a file without the execute bit is not a program");
    assert.equal(await resolveExecutable(path.join(dir, "bin"), { env: {}, platform: "linux" }), undefined, "a folder is not a program");
  });

  test("the launch is the resolved program, the user's own arguments, then -e <pi extension> --model kiro/<model>", async () => {
    const options = { env: { PATH: path.join(dir, "bin") }, platform: "linux" as const };
    const plan = await planPiLaunch({ commandLine: "pi --thinking high", piExtension: "/ext/dist/pi-extension.js", model: "claude-opus-4-5" }, options);
    assert.deepEqual(plan, {
      ok: true,
      program: "pi",
      launch: { executable: pi, args: ["--thinking", "high", "-e", "/ext/dist/pi-extension.js", "--model", "kiro/claude-opus-4-5"] },
    });
    const ownModel = await planPiLaunch({ commandLine: "pi --model kiro/claude-haiku-4-5", piExtension: "/x.js", model: "claude-sonnet-4-5" }, options);
    assert.ok(ownModel.ok);
    if (ownModel.ok) assert.deepEqual(ownModel.launch.args, ["--model", "kiro/claude-haiku-4-5", "-e", "/x.js"], "a --model in the setting wins");
    const missing = await planPiLaunch({ commandLine: "pi", piExtension: "/x.js", model: "m" }, { env: { PATH: "/nonexistent" }, platform: "linux" });
    assert.deepEqual(missing, { ok: false, reason: "not-found", program: "pi" });
    const empty = await planPiLaunch({ commandLine: "   ", piExtension: "/x.js", model: "m" }, options);
    assert.equal(empty.ok ? "ok" : empty.reason, "empty");
  });
});
