// Extension-host tests: the window's Kiro bridge (its token only in the extension's own terminals, never among the environment contributions), its gatekeeping, streaming with the window's session, and "Kiro: Open pi in Terminal". Over 300 lines: one suite, so every test shares one simulator and the window's one bridge.
import * as assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite, suiteSetup, suiteTeardown, test } from "mocha";
import * as vscode from "vscode";
import type { KiroTerminalTestHooks, PiTerminalOutcome } from "../../../src/vscode/terminal/index";
import type { BridgeEnvironment } from "../../../src/vscode/terminal/bridgeHost";
import { defaultSimModels, startKiroSimulator, type KiroSimulator } from "../../sim/kiroSimulator";
import { EXTENSION_ID, activateTerminalHooks, environmentContributionsShown, waitFor } from "./terminalHooks";


interface BridgeLine {
  type: string;
  delta?: string;
  reason?: string;
  error?: { errorMessage?: string };
  message?: { content?: { type: string; text?: string }[] };
}

suite("pi in the terminal", () => {
  let sim: KiroSimulator;
  let hooks: KiroTerminalTestHooks;
  let bridge: BridgeEnvironment;
  let extensionPath: string;
  let scratch: string;
  const savedToken = process.env.KIRO_ACCESS_TOKEN;
  const kiro = () => vscode.workspace.getConfiguration("kiro");

  suiteSetup(async () => {
    // Plus a model only the live catalog knows, whose wire id differs from its pi id.
    const liveOnly = { modelId: "claude-nova-9.1", modelName: "Claude Nova 9.1", tokenLimits: { maxInputTokens: 300_000, maxOutputTokens: 32_000 }, supportedInputTypes: ["TEXT"] };
    sim = await startKiroSimulator({ models: [...defaultSimModels(), liveOnly] });
    // The window's sign-in falls back to KIRO_ACCESS_TOKEN (read on every call); the endpoint comes from the setting, as a user would set it.
    process.env.KIRO_ACCESS_TOKEN = sim.accessToken;
    await kiro().update("endpoint", sim.url, vscode.ConfigurationTarget.Global);
    ({ hooks, extensionPath } = await activateTerminalHooks());
    bridge = await hooks.ready;
    console.log(
      `[kiro-test] terminal: wiring took ${hooks.registrationMs.toFixed(1)} ms of activation; the bridge listened ${hooks.bridgeStartMs()?.toFixed(1)} ms after it was asked to start`,
    );
    scratch = mkdtempSync(path.join(tmpdir(), "kiro-terminal-test-"));
  });

  suiteTeardown(async () => {
    if (savedToken === undefined) delete process.env.KIRO_ACCESS_TOKEN;
    else process.env.KIRO_ACCESS_TOKEN = savedToken;
    for (const key of ["endpoint", "pi.command", "pi.model"]) await kiro().update(key, undefined, vscode.ConfigurationTarget.Global);
    for (const terminal of vscode.window.terminals.filter((t) => t.name === "pi (Kiro)")) terminal.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await sim?.close();
  });

  const bridgeUrl = () => bridge.url;
  const bridgeToken = () => bridge.token;

  test("every terminal of the window gets only the pi extension's path, described and never stored: the bridge's address and token are in no ordinary terminal", () => {
    const { environment } = hooks;
    assert.match(bridgeUrl(), /^http:\/\/127\.0\.0\.1:\d+$/, "the bridge listens on a loopback URL");
    assert.match(bridgeToken(), /^[A-Za-z0-9_-]{43}$/, "its token is 256 bits, base64url");
    const piExtension = environment.get("KIRO_PI_EXTENSION")?.value ?? "";
    assert.equal(piExtension, path.join(extensionPath, "dist", "pi-extension.js"));
    assert.ok(existsSync(piExtension), "KIRO_PI_EXTENSION points at the bundled pi extension");
    assert.equal(environment.get("KIRO_PI_EXTENSION")?.type, vscode.EnvironmentVariableMutatorType.Replace, "KIRO_PI_EXTENSION replaces any inherited value");
    const contributed: string[] = [];
    environment.forEach((name, mutator) => {
      contributed.push(name);
      assert.ok(!mutator.value.includes(bridgeToken()), `${name} does not carry the bridge token`);
    });
    assert.deepEqual(contributed, ["KIRO_PI_EXTENSION"], "neither KIRO_BRIDGE_URL nor KIRO_BRIDGE_TOKEN is put into every terminal");
    const description = environment.description;
    const text = typeof description === "string" ? description : (description?.value ?? "");
    assert.match(text, /Kiro: Open pi in Terminal/);
    assert.equal(environment.persistent, false, "the collection is not cached in the workspace state");
  });

  test('"Terminal: Show Environment Contributions" in a pi terminal lists the pi extension and never prints the bridge token', async () => {
    const fakePi = path.join(scratch, "contributions-pi");
    writeFileSync(fakePi, "#!/bin/sh\nexec sleep 60\n");
    chmodSync(fakePi, 0o755);
    await kiro().update("pi.command", fakePi, vscode.ConfigurationTarget.Global);
    const outcome = await vscode.commands.executeCommand<PiTerminalOutcome>("kiro.openPiTerminal");
    assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
    if (outcome.kind !== "opened") return;
    try {
      const shown = await environmentContributionsShown(outcome.terminal);
      assert.match(shown, /KIRO_PI_EXTENSION=/, `the document lists this extension's contribution: ${shown}`);
      assert.ok(!shown.includes(bridgeToken()), "the bridge token is not among the environment contributions");
      assert.doesNotMatch(shown, /KIRO_BRIDGE_TOKEN|KIRO_BRIDGE_URL/);
    } finally {
      outcome.terminal.dispose();
    }
  });

  test("the bridge answers /v1/health with the window's token, and refuses a missing or wrong one", async () => {
    const health = await fetch(`${bridgeUrl()}/v1/health`, { headers: { authorization: `Bearer ${bridgeToken()}` } });
    assert.equal(health.status, 200);
    const body = (await health.json()) as { ok: boolean; signedIn: boolean; version: string };
    assert.equal(body.ok, true);
    assert.equal(body.signedIn, true, "signed in through the window's session");
    assert.equal(body.version, vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.version);

    const missing = await fetch(`${bridgeUrl()}/v1/health`);
    assert.equal(missing.status, 401);
    const wrong = await fetch(`${bridgeUrl()}/v1/health`, { headers: { authorization: "Bearer not-this-windows-token" } });
    assert.equal(wrong.status, 403);
    assert.doesNotMatch(await wrong.text(), new RegExp(bridgeToken()), "a refusal never shows the real token");
  });

  test("the bridge lists the catalog with the wire ids pi keeps, and streams with the window's current sign-in and endpoint setting", async () => {
    const headers = { authorization: `Bearer ${bridgeToken()}`, "content-type": "application/json" };
    const models = (await (await fetch(`${bridgeUrl()}/v1/models`, { headers })).json()) as { models: { id: string; kiroId?: string; nativeThinking?: boolean }[] };
    const sonnet = models.models.find((m) => m.id === "claude-sonnet-4-5");
    assert.ok(sonnet, `claude-sonnet-4-5 is listed: ${models.models.map((m) => m.id).join(", ")}`);
    assert.equal(sonnet.kiroId, "claude-sonnet-4.5");
    assert.equal(typeof sonnet.nativeThinking, "boolean");

    const nova = models.models.find((m) => m.id === "claude-nova-9-1");
    assert.equal(nova?.kiroId, "claude-nova-9.1", "the account's live catalog reaches pi, wire ids included");

    const ask = async (text: string, model = "claude-sonnet-4-5"): Promise<BridgeLine[]> => {
      const response = await fetch(`${bridgeUrl()}/v1/stream`, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: { id: model }, context: { messages: [{ role: "user", content: text, timestamp: Date.now() }] }, options: {} }),
      });
      assert.equal(response.status, 200);
      return (await response.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line) as BridgeLine);
    };
    const textOf = (lines: BridgeLine[]) => lines.filter((l) => l.type === "text_delta").map((l) => l.delta).join("");

    const before = sim.generateRequests().length;
    const first = await ask("Hello from a pi terminal");
    assert.equal(first.at(-1)?.type, "done", JSON.stringify(first.at(-1)));
    assert.equal(textOf(first), "You said: Hello from a pi terminal");
    assert.equal(sim.generateRequests().length, before + 1, "the request went to the endpoint in kiro.endpoint");
    assert.equal(sim.generateRequests().at(-1)?.headers.authorization, `Bearer ${sim.accessToken}`);
    const modelIdSent = () =>
      (sim.generateRequests().at(-1)?.body as { conversationState?: { currentMessage?: { userInputMessage?: { modelId?: string } } } })?.conversationState
        ?.currentMessage?.userInputMessage?.modelId;
    assert.equal(modelIdSent(), "claude-sonnet-4.5");
    const novaAnswer = await ask("Hello Nova", "claude-nova-9-1");
    assert.equal(novaAnswer.at(-1)?.type, "done", JSON.stringify(novaAnswer.at(-1)));
    assert.equal(modelIdSent(), "claude-nova-9.1", "a live-only model goes out under its wire id");

    const savedSimToken = sim.accessToken;
    // A new sign-in (here: a new token) reaches the next request of an already running pi, with no restart.
    sim.setAccessToken("rotated-sim-token");
    process.env.KIRO_ACCESS_TOKEN = "rotated-sim-token";
    try {
      const second = await ask("Still there?");
      assert.equal(textOf(second), "You said: Still there?");
      assert.equal(sim.generateRequests().at(-1)?.headers.authorization, "Bearer rotated-sim-token");
    } finally {
      sim.setAccessToken(savedSimToken);
      process.env.KIRO_ACCESS_TOKEN = savedSimToken;
    }

    // Signed out: pi's next prompt gets an answer saying what to do, not a 500.
    delete process.env.KIRO_ACCESS_TOKEN;
    try {
      const signedOut = await ask("Anyone?");
      assert.equal(signedOut.at(-1)?.type, "error");
      assert.match(signedOut.at(-1)?.error?.errorMessage ?? "", /not signed in to Kiro.*Kiro: Sign In/);
    } finally {
      process.env.KIRO_ACCESS_TOKEN = savedSimToken;
    }
  });
  test('"Kiro: Open pi in Terminal" with a pi that does not exist shows the install command instead of opening a terminal', async () => {
    await kiro().update("pi.command", path.join(scratch, "no-such-dir", "pi"), vscode.ConfigurationTarget.Global);
    const terminalsBefore = vscode.window.terminals.length;
    const outcome = await vscode.commands.executeCommand<PiTerminalOutcome>("kiro.openPiTerminal");
    assert.equal(outcome.kind, "pi-missing");
    if (outcome.kind === "pi-missing") {
      assert.match(outcome.message, /npm install -g @mariozechner\/pi-coding-agent/);
      assert.match(outcome.message, /kiro\.pi\.command/);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(vscode.window.terminals.length, terminalsBefore, "no dead terminal was opened");

    // The same for the default "pi" when nothing named pi is on PATH.
    await kiro().update("pi.command", "kiro-test-no-such-pi-program", vscode.ConfigurationTarget.Global);
    const byName = await vscode.commands.executeCommand<PiTerminalOutcome>("kiro.openPiTerminal");
    assert.equal(byName.kind, "pi-missing");
  });

  test('"Kiro: Open pi in Terminal" with a real program opens a transient "pi (Kiro)" running it with the pi extension, the model and the bridge', async () => {
    // A stand-in for pi that records what it was started with, then waits like an interactive pi would.
    const fakePi = path.join(scratch, "fake pi");
    const record = path.join(scratch, "started-with.txt");
    writeFileSync(
      fakePi,
      `#!/bin/sh\n{ printf 'arg:%s\\n' "$@"; echo "url:$KIRO_BRIDGE_URL"; echo "token:$KIRO_BRIDGE_TOKEN"; echo "cwd:$(pwd)"; } > '${record}.tmp'\nmv '${record}.tmp' '${record}'\nexec sleep 60\n`,
    );
    chmodSync(fakePi, 0o755);
    // Quoted, as a path with a space must be in the setting; plus an argument of the user's own.
    await kiro().update("pi.command", `"${fakePi}" --thinking low`, vscode.ConfigurationTarget.Global);
    await kiro().update("pi.model", "claude-haiku-4-5", vscode.ConfigurationTarget.Global);

    const outcome = await vscode.commands.executeCommand<PiTerminalOutcome>("kiro.openPiTerminal");
    assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
    if (outcome.kind !== "opened") return;
    const { terminal } = outcome;
    try {
      assert.equal(terminal.name, "pi (Kiro)");
      const options = terminal.creationOptions as vscode.TerminalOptions;
      const piExtension = path.join(extensionPath, "dist", "pi-extension.js");
      assert.equal(options.shellPath, fakePi, "pi runs directly, not through a shell whose profile could change PATH");
      assert.deepEqual(options.shellArgs, ["--thinking", "low", "-e", piExtension, "--model", "kiro/claude-haiku-4-5"]);
      // Its environment holds the bridge token: a persistent terminal would be detached and reattached across a reload,
      // and saved for revival after a restart, with a token whose bridge is gone.
      assert.equal(options.isTransient, true, "the pi terminal is transient: VS Code does not keep or revive it");

      const started = await waitFor("the stand-in pi to start", () => (existsSync(record) ? readFileSync(record, "utf8") : undefined), 20_000);
      const lines = started.trim().split("\n");
      assert.deepEqual(
        lines.filter((l) => l.startsWith("arg:")),
        ["arg:--thinking", "arg:low", "arg:-e", `arg:${piExtension}`, "arg:--model", "arg:kiro/claude-haiku-4-5"],
      );
      assert.ok(lines.includes(`url:${bridgeUrl()}`), `the process got KIRO_BRIDGE_URL: ${started}`);
      assert.ok(lines.includes(`token:${bridgeToken()}`), "the process got KIRO_BRIDGE_TOKEN");
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (folder) assert.ok(lines.includes(`cwd:${folder}`), `pi starts in the workspace folder: ${started}`);
    } finally {
      terminal.dispose();
    }
  });

  test("kiro.pi.model is user-only and a plain id: a workspace's value is ignored, and a user value with command-line syntax is refused, not put on pi's command line", async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    assert.equal(manifest.contributes.configuration.properties["kiro.pi.model"]?.scope, "application");
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes("kiro.pi.model"), "restricted in untrusted workspaces");

    const fakePi = path.join(scratch, "model-pi");
    const record = path.join(scratch, "model-pi.txt");
    writeFileSync(fakePi, `#!/bin/sh\nprintf 'arg:%s\\n' "$@" > '${record}.tmp'\nmv '${record}.tmp' '${record}'\nexec sleep 60\n`);
    chmodSync(fakePi, 0o755);
    await kiro().update("pi.command", fakePi, vscode.ConfigurationTarget.Global);
    await kiro().update("pi.model", undefined, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, "the test window has a workspace folder");
    const settingsFile = path.join(folder.uri.fsPath, ".vscode", "settings.json");
    mkdirSync(path.dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ "kiro.pi.model": "x&calc.exe&", "editor.tabSize": 5 }));
    try {
      await waitFor("VS Code to read the workspace settings", () => (vscode.workspace.getConfiguration("editor").inspect<number>("tabSize")?.workspaceValue === 5 ? true : undefined));
      const outcome = await vscode.commands.executeCommand<PiTerminalOutcome>("kiro.openPiTerminal");
      assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
      const started = await waitFor("the stand-in pi to start", () => (existsSync(record) ? readFileSync(record, "utf8") : undefined));
      if (outcome.kind === "opened") outcome.terminal.dispose();
      assert.ok(started.includes("arg:--model\narg:kiro/claude-sonnet-4-5\n"), `the workspace's model is not used: ${started}`);
    } finally {
      rmSync(path.dirname(settingsFile), { recursive: true, force: true });
    }

    await kiro().update("pi.model", "claude&calc.exe", vscode.ConfigurationTarget.Global);
    try {
      const terminalsBefore = vscode.window.terminals.length;
      const refused = await vscode.commands.executeCommand<PiTerminalOutcome>("kiro.openPiTerminal");
      assert.equal(refused.kind, "invalid-setting", JSON.stringify(refused));
      if (refused.kind === "invalid-setting") assert.match(refused.message, /kiro\.pi\.model.*not a model id/);
      assert.equal(vscode.window.terminals.length, terminalsBefore, "no terminal was opened");
    } finally {
      await kiro().update("pi.model", undefined, vscode.ConfigurationTarget.Global);
    }
  });

  /** What the terminal dropdown does when a person picks "pi (Kiro)": create a terminal from the contributed profile. */
  const openProfile = () =>
    vscode.commands.executeCommand("workbench.action.terminal.newWithProfile", {
      config: { extensionIdentifier: EXTENSION_ID, id: "kiro.pi", title: "pi (Kiro)" },
    });

  test('choosing "pi (Kiro)" in the terminal dropdown starts the same transient pi, and with pi missing explains instead', async () => {
    const fakePi = path.join(scratch, "profile-pi");
    const record = path.join(scratch, "profile-started.txt");
    writeFileSync(
      fakePi,
      `#!/bin/sh\n{ printf 'arg:%s\\n' "$@"; echo "token:$KIRO_BRIDGE_TOKEN"; } > '${record}.tmp'\nmv '${record}.tmp' '${record}'\nexec sleep 60\n`,
    );
    chmodSync(fakePi, 0o755);
    await kiro().update("pi.command", fakePi, vscode.ConfigurationTarget.Global);
    await kiro().update("pi.model", undefined, vscode.ConfigurationTarget.Global);
    const opened = new Set(vscode.window.terminals);
    await openProfile();
    const terminal = await waitFor("a terminal from the pi (Kiro) profile", () => vscode.window.terminals.find((t) => !opened.has(t)));
    try {
      const started = await waitFor("the profile's pi to start", () => (existsSync(record) ? readFileSync(record, "utf8") : undefined), 20_000);
      assert.ok(started.includes("arg:--model\narg:kiro/claude-sonnet-4-5"), `default model: ${started}`);
      assert.ok(started.includes(`token:${bridgeToken()}`));
      assert.equal((terminal.creationOptions as vscode.TerminalOptions).isTransient, true, "the profile's pi terminal is transient too");
    } finally {
      terminal.dispose();
    }

    await kiro().update("pi.command", path.join(scratch, "nothing-here"), vscode.ConfigurationTarget.Global);
    const before = new Set(vscode.window.terminals);
    await openProfile();
    const explaining = await waitFor("the explaining terminal", () => vscode.window.terminals.find((t) => !before.has(t)));
    try {
      const options = explaining.creationOptions as vscode.ExtensionTerminalOptions;
      assert.ok("pty" in options, "the profile opens an explaining terminal, not a process that fails");
    } finally {
      explaining.dispose();
    }
  });
});
