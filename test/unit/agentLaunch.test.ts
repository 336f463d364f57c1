// How Claude Code, Codex and opencode are pointed at the window's bridge: each agent's arguments and environment, the checks that keep model ids and settings out of a command line, and finding the program.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AGENTS, agentInvocation, agentSetupProblem, findAgentProgram, opencodeConfig, planAgentLaunch, type AgentSetup } from "../../src/vscode/terminal/agentLaunch";
import { isSafeModelId } from "../../src/vscode/terminal/commandLine";

const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde";
const BRIDGE = { url: "http://127.0.0.1:43117", token: TOKEN };
const setup = (over: Partial<AgentSetup> = {}): AgentSetup => ({ bridge: BRIDGE, model: "claude-sonnet-4-5", backgroundModel: "claude-haiku-4-5", ...over });

/** Characters that mean nothing to a POSIX shell, cmd.exe or PowerShell: every argument the extension adds stays within them. */
const INERT_ARGUMENT = /^[A-Za-z0-9_.:/=-]+$/;

describe("Claude Code's terminal", () => {
  test("gets the bridge as ANTHROPIC_BASE_URL (no /v1) and its token as ANTHROPIC_AUTH_TOKEN, with the Kiro model and the Haiku model for background work", () => {
    const { args, env } = agentInvocation("claudeCode", setup());
    assert.deepEqual(args, []);
    assert.equal(env.ANTHROPIC_BASE_URL, "http://127.0.0.1:43117");
    assert.equal(env.ANTHROPIC_AUTH_TOKEN, TOKEN);
    assert.equal(env.ANTHROPIC_MODEL, "claude-sonnet-4-5");
    assert.equal(env.ANTHROPIC_DEFAULT_HAIKU_MODEL, "claude-haiku-4-5");
    assert.equal(env.KIRO_BRIDGE_URL, "http://127.0.0.1:43117");
    assert.equal(env.KIRO_BRIDGE_TOKEN, TOKEN);
  });

  test("turns its telemetry, error reports and other non-essential traffic off: it talks to the bridge only", () => {
    const { env } = agentInvocation("claudeCode", setup());
    assert.equal(env.DISABLE_TELEMETRY, "1");
    assert.equal(env.DISABLE_ERROR_REPORTING, "1");
    assert.equal(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, "1");
    assert.equal(env.DISABLE_AUTOUPDATER, "1");
    assert.equal(env.CLAUDE_CODE_MODEL_CATALOG, "off");
    assert.equal(env.CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL, "1");
  });

  test("drops an inherited ANTHROPIC_API_KEY and the Bedrock / Vertex switches, which would send the agent elsewhere or with the user's key", () => {
    const { env } = agentInvocation("claudeCode", setup());
    for (const name of ["ANTHROPIC_API_KEY", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"]) {
      assert.ok(Object.hasOwn(env, name) && env[name] === null, `${name} is removed (null) in the agent's terminal`);
    }
  });
});

describe("Codex's command line", () => {
  test("selects a kiro provider on the bridge's Responses API through -c overrides, its token read from KIRO_BRIDGE_TOKEN", () => {
    const { args, env } = agentInvocation("codex", setup({ model: "claude-opus-4-5" }));
    assert.deepEqual(args, [
      "-c",
      "model_provider=kiro",
      "-c",
      "model=claude-opus-4-5",
      "-c",
      "model_providers.kiro.name=Kiro",
      "-c",
      "model_providers.kiro.base_url=http://127.0.0.1:43117/v1",
      "-c",
      "model_providers.kiro.env_key=KIRO_BRIDGE_TOKEN",
      "-c",
      "model_providers.kiro.wire_api=responses",
      "-c",
      "features.shell_snapshot=false",
    ]);
    assert.equal(env.KIRO_BRIDGE_TOKEN, TOKEN);
    assert.ok(!args.some((arg) => arg.includes(TOKEN)), "the token is in the environment, never on the command line (which `ps` shows)");
    assert.equal(Object.keys(env).filter((name) => name.startsWith("OPENAI_")).length, 0, "the user's own OPENAI_* variables are left alone");
  });

  test("every argument is made of characters no shell or cmd.exe reads as syntax, so Windows' .cmd shims run it as written", () => {
    for (const arg of agentInvocation("codex", setup({ model: "qwen3-coder-next", backgroundModel: "deepseek-3.2" })).args) assert.match(arg, INERT_ARGUMENT);
  });
});

describe("opencode's configuration", () => {
  test("OPENCODE_CONFIG_CONTENT names a kiro provider at <bridge>/v1 with the bridge token, the window's models, and kiro/<model> as model and small model", () => {
    const models = [
      { id: "claude-sonnet-4-5", name: "Claude Sonnet 4.5", contextWindow: 200_000, maxTokens: 64_000 },
      { id: "claude-nova-9-1", name: "Claude Nova 9.1", contextWindow: 300_000, maxTokens: 32_000 },
      { id: "bad id; rm -rf ~", name: "not an id" },
    ];
    const { args, env } = agentInvocation("opencode", setup({ models }));
    assert.deepEqual(args, []);
    const config = JSON.parse(env.OPENCODE_CONFIG_CONTENT ?? "") as {
      provider: Record<string, { npm: string; options: { baseURL: string; apiKey: string }; models: Record<string, { name: string; limit?: { context: number; output: number } }> }>;
      model: string;
      small_model: string;
    };
    assert.deepEqual(config, JSON.parse(JSON.stringify(opencodeConfig(setup({ models })))));
    const kiro = config.provider.kiro!;
    assert.equal(kiro.npm, "@ai-sdk/openai-compatible", "a provider SDK opencode bundles (so nothing is fetched from npm), on the bridge's Chat Completions route");
    assert.deepEqual(kiro.options, { baseURL: "http://127.0.0.1:43117/v1", apiKey: TOKEN });
    assert.deepEqual(Object.keys(kiro.models).sort(), ["claude-haiku-4-5", "claude-nova-9-1", "claude-sonnet-4-5"], "the catalog's ids plus the configured ones; a malformed id is left out");
    assert.deepEqual(kiro.models["claude-nova-9-1"]!.limit, { context: 300_000, output: 32_000 });
    assert.equal(config.model, "kiro/claude-sonnet-4-5");
    assert.equal(config.small_model, "kiro/claude-haiku-4-5");
  });
});

describe("what may go into an agent's command line or environment", () => {
  test("model ids are plain words: shell and cmd.exe syntax, options, blanks and TOML values are refused", () => {
    for (const id of ["claude-sonnet-4-5", "claude-sonnet-4.5", "auto", "qwen3-coder-next", "deepseek-3.2", "claude_x"]) assert.ok(isSafeModelId(id), id);
    for (const id of ["", "&calc.exe&", "x;id", "a b", "--help", "-c", "x\"y", "$(id)", "`id`", "x|y", "x>y", "%PATH%", "true", "NaN", "inf", "4-5", "a".repeat(101), "x\ny"]) {
      assert.equal(isSafeModelId(id), false, JSON.stringify(id));
    }
  });

  test("a bad model, a non-loopback bridge or a malformed token is refused before anything is built", () => {
    assert.match(agentSetupProblem(setup({ model: "claude & calc" })) ?? "", /not a model id/);
    assert.match(agentSetupProblem(setup({ backgroundModel: "--dangerously-bypass-approvals-and-sandbox" })) ?? "", /not a model id/);
    assert.match(agentSetupProblem(setup({ bridge: { url: "http://evil.example:80", token: TOKEN } })) ?? "", /not 127\.0\.0\.1/);
    assert.match(agentSetupProblem(setup({ bridge: { url: "https://127.0.0.1:5", token: TOKEN } })) ?? "", /https/);
    assert.match(agentSetupProblem(setup({ bridge: { url: BRIDGE.url, token: "short" } })) ?? "", /token/);
    assert.equal(agentSetupProblem(setup()), undefined);
    assert.throws(() => agentInvocation("codex", setup({ model: "x y" })), /not a model id/);
  });
});

describe("finding and starting the agent's program", () => {
  let dir: string;
  let claude: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "kiro-agent-launch-"));
    mkdirSync(join(dir, "bin"));
    claude = join(dir, "bin", "claude");
    writeFileSync(claude, "#!/bin/sh\n");
    chmodSync(claude, 0o755);
    writeFileSync(join(dir, "bin", "codex"), "#!/bin/sh\n");
    chmodSync(join(dir, "bin", "codex"), 0o644);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const onPath = () => ({ env: { PATH: `/nonexistent:${join(dir, "bin")}` }, platform: "linux" as const });

  test("the setting's program is looked up on PATH and runs with the user's own arguments first, then the agent's", async () => {
    const plan = await planAgentLaunch({ agent: "codex", commandLine: `"${claude}" --full-auto`, setup: setup() }, onPath());
    assert.ok(plan.ok, JSON.stringify(plan));
    if (!plan.ok) return;
    assert.equal(plan.launch.executable, claude);
    assert.deepEqual(plan.launch.args.slice(0, 3), ["--full-auto", "-c", "model_provider=kiro"]);
    assert.equal(plan.env.KIRO_BRIDGE_TOKEN, TOKEN);
    const byName = await planAgentLaunch({ agent: "claudeCode", commandLine: AGENTS.claudeCode.defaultCommand, setup: setup() }, onPath());
    assert.ok(byName.ok && byName.launch.executable === claude && byName.env.ANTHROPIC_AUTH_TOKEN === TOKEN);
  });

  test("a missing program, one without the execute bit, or a bad setting is reported, not launched", async () => {
    assert.deepEqual(await planAgentLaunch({ agent: "opencode", commandLine: "opencode", setup: setup() }, onPath()), { ok: false, reason: "not-found", program: "opencode" });
    assert.deepEqual(await planAgentLaunch({ agent: "codex", commandLine: "codex", setup: setup() }, onPath()), { ok: false, reason: "not-found", program: "codex" });
    const invalid = await planAgentLaunch({ agent: "codex", commandLine: "claude", setup: setup({ model: "&calc&" }) }, onPath());
    assert.equal(invalid.ok ? "ok" : invalid.reason, "invalid-setup");
    assert.equal(await findAgentProgram("claude --x", onPath()), claude);
    assert.equal(await findAgentProgram("codex", onPath()), undefined);
    assert.equal(await findAgentProgram('"unclosed', onPath()), undefined);
  });

  test("each agent says how to install it", () => {
    assert.equal(AGENTS.claudeCode.installCommand, "npm install -g @anthropic-ai/claude-code");
    assert.equal(AGENTS.codex.installCommand, "npm install -g @openai/codex");
    assert.equal(AGENTS.opencode.installCommand, "npm install -g opencode-ai");
  });
});
