// Extension-host tests of the agent launchers: the commands exist; Claude Code, Codex and opencode start in transient terminals whose own environment points them at the window's bridge; ordinary terminals get no ANTHROPIC_* / OPENAI_* / OPENCODE_*; the agents' settings come from user settings only.
import * as assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite, suiteSetup, suiteTeardown, test } from "mocha";
import * as vscode from "vscode";
import { agentChoices, type AgentTerminalOutcome, type KiroTerminalTestHooks } from "../../../src/vscode/terminal/index";
import { startKiroSimulator, type KiroSimulator } from "../../sim/kiroSimulator";
import { EXTENSION_ID, activateTerminalHooks, environmentContributionsShown, waitFor } from "./terminalHooks";

const AGENT_SETTINGS = ["agents.claudeCode.command", "agents.codex.command", "agents.opencode.command", "agents.model", "agents.backgroundModel"];

/** What a stand-in program recorded: its arguments and the environment variables it was started with. */
interface Recorded {
  args: string[];
  env: Map<string, string>;
  cwd: string;
}

suite("Coding agents in the terminal", () => {
  let sim: KiroSimulator;
  let hooks: KiroTerminalTestHooks;
  let scratch: string;
  let bridge: { url: string; token: string };
  const savedToken = process.env.KIRO_ACCESS_TOKEN;
  const kiro = () => vscode.workspace.getConfiguration("kiro");
  const opened: vscode.Terminal[] = [];

  /** A stand-in for an agent that writes down its arguments and environment, then waits like an interactive agent. */
  const standIn = (name: string): { program: string; read: () => Promise<Recorded> } => {
    const program = path.join(scratch, name);
    const record = path.join(scratch, `${name}.record`);
    writeFileSync(
      program,
      `#!/bin/sh\n{ for a in "$@"; do echo "arg:$a"; done; echo "cwd:$(pwd)"; env | sed 's/^/env:/'; } > '${record}.tmp'\nmv '${record}.tmp' '${record}'\nexec sleep 60\n`,
    );
    chmodSync(program, 0o755);
    rmSync(record, { force: true });
    return {
      program,
      read: async () => {
        const text = await waitFor(`${name} to start`, () => (existsSync(record) ? readFileSync(record, "utf8") : undefined));
        const lines = text.split("\n");
        const env = new Map<string, string>();
        for (const line of lines.filter((l) => l.startsWith("env:"))) {
          const [key, ...value] = line.slice(4).split("=");
          env.set(key!, value.join("="));
        }
        return { args: lines.filter((l) => l.startsWith("arg:")).map((l) => l.slice(4)), env, cwd: lines.find((l) => l.startsWith("cwd:"))?.slice(4) ?? "" };
      },
    };
  };

  const open = async (command: string): Promise<AgentTerminalOutcome> => {
    const outcome = await vscode.commands.executeCommand<AgentTerminalOutcome>(command);
    if (outcome.kind === "opened") opened.push(outcome.terminal);
    return outcome;
  };

  suiteSetup(async () => {
    sim = await startKiroSimulator();
    process.env.KIRO_ACCESS_TOKEN = sim.accessToken;
    await kiro().update("endpoint", sim.url, vscode.ConfigurationTarget.Global);
    ({ hooks } = await activateTerminalHooks());
    bridge = await hooks.ready;
    scratch = mkdtempSync(path.join(tmpdir(), "kiro-agent-terminal-test-"));
  });

  suiteTeardown(async () => {
    if (savedToken === undefined) delete process.env.KIRO_ACCESS_TOKEN;
    else process.env.KIRO_ACCESS_TOKEN = savedToken;
    for (const terminal of opened) terminal.dispose();
    for (const key of ["endpoint", ...AGENT_SETTINGS]) await kiro().update(key, undefined, vscode.ConfigurationTarget.Global);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await sim?.close();
  });

  test("the palette has Open Claude Code / Codex / opencode in Terminal and the Open an Agent picker", async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands ?? []) as { command: string; title: string }[];
    const expected: Record<string, string> = {
      "kiro.openClaudeCodeTerminal": "Open Claude Code in Terminal",
      "kiro.openCodexTerminal": "Open Codex in Terminal",
      "kiro.openOpencodeTerminal": "Open opencode in Terminal",
      "kiro.openAgentTerminal": "Open an Agent in Terminal...",
    };
    for (const [command, title] of Object.entries(expected)) {
      assert.ok(commands.has(command), `${command} is registered`);
      assert.equal(contributed.find((c) => c.command === command)?.title, title);
    }
  });

  test('"Kiro: Open Claude Code in Terminal" runs the program in a transient "Claude Code (Kiro)" terminal whose own environment holds the bridge URL and token and the Kiro models', async () => {
    const claude = standIn("claude");
    await kiro().update("agents.claudeCode.command", claude.program, vscode.ConfigurationTarget.Global);
    const outcome = await open("kiro.openClaudeCodeTerminal");
    assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
    if (outcome.kind !== "opened") return;
    const options = outcome.terminal.creationOptions as vscode.TerminalOptions;
    assert.equal(outcome.terminal.name, "Claude Code (Kiro)");
    assert.equal(options.shellPath, claude.program, "the agent runs directly, not through a shell whose profile could change PATH");
    assert.equal(options.isTransient, true, "VS Code neither keeps nor revives an agent terminal, whose bridge ends with the window");
    const started = await claude.read();
    assert.deepEqual(started.args, []);
    assert.equal(started.env.get("ANTHROPIC_BASE_URL"), bridge.url);
    assert.equal(started.env.get("ANTHROPIC_AUTH_TOKEN"), bridge.token);
    assert.equal(started.env.get("ANTHROPIC_MODEL"), "claude-sonnet-4-6");
    assert.equal(started.env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL"), "claude-haiku-4-5");
    assert.equal(started.env.has("ANTHROPIC_API_KEY"), false);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (folder) assert.equal(started.cwd, folder, "the agent starts in the workspace folder");
    for (const name of ["DISABLE_TELEMETRY", "DISABLE_ERROR_REPORTING", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "DISABLE_AUTOUPDATER"]) assert.equal(started.env.get(name), "1", `${name} is set`);
    // The answer side: the bridge takes that URL and token.
    const health = await fetch(`${started.env.get("ANTHROPIC_BASE_URL")}/v1/health`, { headers: { authorization: `Bearer ${started.env.get("ANTHROPIC_AUTH_TOKEN")}` } });
    assert.equal(health.status, 200, "the terminal's URL and token open the window's bridge");
    // The token came through this terminal's own environment, which "Show Environment Contributions" does not print.
    const shown = await environmentContributionsShown(outcome.terminal);
    assert.match(shown, /KIRO_PI_EXTENSION=/, shown);
    assert.ok(!shown.includes(bridge.token), "the bridge token is not among the environment contributions");
  });

  test('"Kiro: Open Codex in Terminal" adds the kiro provider overrides after the user\'s own arguments, and the token is in the environment only', async () => {
    const codex = standIn("codex");
    await kiro().update("agents.codex.command", `"${codex.program}" --full-auto`, vscode.ConfigurationTarget.Global);
    await kiro().update("agents.model", "claude-opus-4-5", vscode.ConfigurationTarget.Global);
    const outcome = await open("kiro.openCodexTerminal");
    assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
    const started = await codex.read();
    assert.equal(
      started.args.join(" "),
      `--full-auto -c model_provider=kiro -c model=claude-opus-4-5 -c model_providers.kiro.name=Kiro -c model_providers.kiro.base_url=${bridge.url}/v1 ` +
        "-c model_providers.kiro.env_key=KIRO_BRIDGE_TOKEN -c model_providers.kiro.wire_api=responses -c features.shell_snapshot=false",
    );
    assert.equal(started.env.get("KIRO_BRIDGE_TOKEN"), bridge.token);
    assert.ok(!started.args.join(" ").includes(bridge.token), "the token never appears on the command line");
    await kiro().update("agents.model", undefined, vscode.ConfigurationTarget.Global);
  });

  test('"Kiro: Open opencode in Terminal" hands opencode a kiro provider at the bridge, with the window\'s live catalog, through OPENCODE_CONFIG_CONTENT', async () => {
    const opencode = standIn("opencode");
    await kiro().update("agents.opencode.command", opencode.program, vscode.ConfigurationTarget.Global);
    const outcome = await open("kiro.openOpencodeTerminal");
    assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
    const started = await opencode.read();
    const config = JSON.parse(started.env.get("OPENCODE_CONFIG_CONTENT") ?? "{}") as {
      provider?: { kiro?: { options?: { baseURL?: string; apiKey?: string }; models?: Record<string, unknown> } };
      model?: string;
    };
    assert.deepEqual(config.provider?.kiro?.options, { baseURL: `${bridge.url}/v1`, apiKey: bridge.token });
    assert.equal(config.model, "kiro/claude-sonnet-4-6");
    // From the simulator's catalog, as the window's client lists it.
    assert.ok(Object.keys(config.provider?.kiro?.models ?? {}).includes("claude-opus-4-6"), JSON.stringify(Object.keys(config.provider?.kiro?.models ?? {})));
  });

  test("an ordinary terminal keeps the user's own Claude and OpenAI login: none of the agents' variables, and the bridge token nowhere in its environment", async () => {
    const named: string[] = [];
    hooks.environment.forEach((name) => named.push(name));
    assert.deepEqual(named, ["KIRO_PI_EXTENSION"], "the window-wide environment collection carries the pi extension's path only");
    const shell = standIn("ordinary-shell");
    // The user's own logins, as their shell profile would export them.
    const own = { ANTHROPIC_API_KEY: "users-own-anthropic-key", OPENAI_API_KEY: "users-own-openai-key", ANTHROPIC_BASE_URL: "https://api.anthropic.com" };
    const terminal = vscode.window.createTerminal({ name: "ordinary", shellPath: shell.program, env: own });
    opened.push(terminal);
    const started = await shell.read();
    for (const [name, value] of Object.entries(own)) assert.equal(started.env.get(name), value, `${name} is the user's own`);
    assert.deepEqual(
      [...started.env.keys()].filter((name) => /^(ANTHROPIC_AUTH_TOKEN|ANTHROPIC_MODEL|ANTHROPIC_DEFAULT_HAIKU_MODEL|OPENCODE_CONFIG_CONTENT|CODEX_HOME|KIRO_BRIDGE_URL|KIRO_BRIDGE_TOKEN)$/.test(name)),
      [],
    );
    assert.deepEqual([...started.env].filter(([, value]) => value.includes(bridge.token)).map(([name]) => name), [], "no variable holds the bridge token");
  });

  test("an agent that is not installed gets its install command instead of a terminal, and the picker lists it as not installed", async () => {
    await kiro().update("agents.codex.command", path.join(scratch, "no-such-dir", "codex"), vscode.ConfigurationTarget.Global);
    const before = vscode.window.terminals.length;
    const outcome = await open("kiro.openCodexTerminal");
    assert.equal(outcome.kind, "agent-missing");
    if (outcome.kind === "agent-missing") {
      assert.match(outcome.message, /npm install -g @openai\/codex/);
      assert.match(outcome.message, /kiro\.agents\.codex\.command/);
    }
    await kiro().update("agents.opencode.command", "kiro-test-no-such-opencode", vscode.ConfigurationTarget.Global);
    const byName = await open("kiro.openOpencodeTerminal");
    assert.equal(byName.kind, "agent-missing");
    if (byName.kind === "agent-missing") assert.match(byName.message, /npm install -g opencode-ai/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(vscode.window.terminals.length, before, "no dead terminal was opened");

    const claude = standIn("listed-claude");
    await kiro().update("agents.claudeCode.command", claude.program, vscode.ConfigurationTarget.Global);
    const choices = await agentChoices();
    assert.deepEqual(choices.map((c) => c.name), ["Claude Code", "Codex", "opencode", "pi"]);
    assert.equal(choices.find((c) => c.agent === "claudeCode")?.program, claude.program, "an installed agent is listed with where it is");
    assert.equal(choices.find((c) => c.agent === "codex")?.program, undefined, "a missing one is listed as not installed");
    assert.equal(choices.find((c) => c.agent === "codex")?.installCommand, "npm install -g @openai/codex");
  });

  test("a model setting that is not a plain id is refused, not put on Codex's command line", async () => {
    const codex = standIn("codex-bad-model");
    await kiro().update("agents.codex.command", codex.program, vscode.ConfigurationTarget.Global);
    await kiro().update("agents.model", "x&calc.exe&", vscode.ConfigurationTarget.Global);
    try {
      const outcome = await open("kiro.openCodexTerminal");
      assert.equal(outcome.kind, "invalid-setting");
      if (outcome.kind === "invalid-setting") assert.match(outcome.message, /kiro\.agents\.model/);
    } finally {
      await kiro().update("agents.model", undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test("the agents' settings are application-scoped, restricted in untrusted workspaces, and a workspace's value is ignored", async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    for (const key of AGENT_SETTINGS.map((k) => `kiro.${k}`)) {
      assert.equal(manifest.contributes.configuration.properties[key]?.scope, "application", `${key} is application-scoped`);
      assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), `${key} is restricted`);
    }

    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, "the test window has a workspace folder");
    const mine = standIn("users-claude");
    const repositorys = standIn("repositorys-claude");
    await kiro().update("agents.claudeCode.command", mine.program, vscode.ConfigurationTarget.Global);
    const settingsFile = path.join(folder.uri.fsPath, ".vscode", "settings.json");
    mkdirSync(path.dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ "kiro.agents.claudeCode.command": repositorys.program, "kiro.agents.model": "claude-opus-4-7", "editor.tabSize": 7 }));
    try {
      await waitFor("VS Code to read the workspace settings", () => (vscode.workspace.getConfiguration("editor").inspect<number>("tabSize")?.workspaceValue === 7 ? true : undefined));
      const outcome = await open("kiro.openClaudeCodeTerminal");
      assert.equal(outcome.kind, "opened", JSON.stringify(outcome));
      const started = await mine.read();
      assert.equal(started.env.get("ANTHROPIC_MODEL"), "claude-sonnet-4-6", "the workspace's model is not used");
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(existsSync(path.join(scratch, "repositorys-claude.record")), false, "the repository's program never ran");
    } finally {
      rmSync(path.dirname(settingsFile), { recursive: true, force: true });
    }
  });
});
