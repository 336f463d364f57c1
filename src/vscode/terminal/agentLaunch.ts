// What each coding agent (Claude Code, Codex, opencode) needs to run on the window's Kiro bridge: its program, arguments and environment, built from strictly checked parts; no vscode import, so it is unit-tested directly.
import { BRIDGE_TOKEN_ENV, BRIDGE_URL_ENV, loopbackBridgeProblem } from "../../bridge/index";
import { isSafeModelId, planCommandLaunch, resolveExecutable, splitCommandLine, type LaunchPlan, type ResolveOptions } from "./commandLine";

export type AgentId = "claudeCode" | "codex" | "opencode";

export interface AgentDefinition {
  id: AgentId;
  /** How the agent calls itself, in titles and messages. */
  name: string;
  /** The integrated terminal's title. */
  terminalName: string;
  /** The program looked up on PATH when its setting is not set. */
  defaultCommand: string;
  /** What installs it, shown to people who do not have it. */
  installCommand: string;
  /** The `kiro.*` setting (without `kiro.`) naming its program. */
  commandSetting: `agents.${AgentId}.command`;
  /** The command palette entry that opens it. */
  commandId: string;
}

export const AGENTS: Readonly<Record<AgentId, AgentDefinition>> = {
  claudeCode: {
    id: "claudeCode",
    name: "Claude Code",
    terminalName: "Claude Code (Kiro)",
    defaultCommand: "claude",
    installCommand: "npm install -g @anthropic-ai/claude-code",
    commandSetting: "agents.claudeCode.command",
    commandId: "kiro.openClaudeCodeTerminal",
  },
  codex: {
    id: "codex",
    name: "Codex",
    terminalName: "Codex (Kiro)",
    defaultCommand: "codex",
    installCommand: "npm install -g @openai/codex",
    commandSetting: "agents.codex.command",
    commandId: "kiro.openCodexTerminal",
  },
  opencode: {
    id: "opencode",
    name: "opencode",
    terminalName: "opencode (Kiro)",
    defaultCommand: "opencode",
    installCommand: "npm install -g opencode-ai",
    commandSetting: "agents.opencode.command",
    commandId: "kiro.openOpencodeTerminal",
  },
};

export const AGENT_IDS = Object.keys(AGENTS) as AgentId[];
/** Current for Claude Code 2.1.x, which calls Sonnet 4.5 retired; Kiro serves it as claude-sonnet-4.6. */
export const DEFAULT_AGENT_MODEL = "claude-sonnet-4-6";
/** What Claude Code and opencode use for background work (titles, summaries). */
export const DEFAULT_AGENT_BACKGROUND_MODEL = "claude-haiku-4-5";

/** The bridge's token as the server makes it (256 bits, base64url); nothing else is put into an agent's environment. */
const BRIDGE_TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

export interface AgentBridge {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  token: string;
}

/** A model of the window's catalog as opencode's model list shows it. */
export interface AgentModel {
  id: string;
  name: string;
  contextWindow?: number;
  maxTokens?: number;
}

export interface AgentSetup {
  bridge: AgentBridge;
  /** The model the agent starts with (a Kiro id as pi spells it, e.g. `claude-sonnet-4-5`). */
  model: string;
  /** The model for its background work. */
  backgroundModel: string;
  /** The window's catalog, for agents that list models from their configuration (opencode). */
  models?: readonly AgentModel[];
}

/** `null` removes a variable the terminal would otherwise inherit (VS Code's `TerminalOptions.env`). */
export type AgentEnvironment = Record<string, string | null>;

export interface AgentInvocation {
  /** Added after the user's own arguments from the setting. */
  args: string[];
  env: AgentEnvironment;
}

/** Why `setup` cannot be handed to an agent, or undefined. */
export function agentSetupProblem(setup: AgentSetup): string | undefined {
  const urlProblem = loopbackBridgeProblem(setup.bridge.url);
  if (urlProblem) return `the bridge address cannot be used: ${urlProblem}`;
  if (!BRIDGE_TOKEN.test(setup.bridge.token)) return "the bridge token is not the bridge's";
  for (const model of [setup.model, setup.backgroundModel]) {
    if (!isSafeModelId(model)) return `"${model}" is not a model id (letters, digits, ".", "_" and "-", starting with a letter)`;
  }
  return undefined;
}

const bridgeBase = (bridge: AgentBridge): string => bridge.url.replace(/\/+$/, "");

/** Both bridge variables, so a pi or script started from the agent's shell tool finds the bridge too. */
const bridgeVariables = (bridge: AgentBridge): AgentEnvironment => ({ [BRIDGE_URL_ENV]: bridgeBase(bridge), [BRIDGE_TOKEN_ENV]: bridge.token });

/**
 * Claude Code: `ANTHROPIC_BASE_URL` (without /v1) and `ANTHROPIC_AUTH_TOKEN` (sent as `Authorization: Bearer`), the
 * model and the background (Haiku) model; telemetry, error reports, the auto-updater and other non-essential traffic
 * off (in this terminal only; the user's own Claude Code elsewhere updates as usual), since its requests are the window's Kiro sign-in's business only. An inherited API key or cloud
 * switch would send it elsewhere or with another credential, so those are removed in this terminal only.
 */
function claudeCodeInvocation(setup: AgentSetup): AgentInvocation {
  return {
    args: [],
    env: {
      ...bridgeVariables(setup.bridge),
      ANTHROPIC_BASE_URL: bridgeBase(setup.bridge),
      ANTHROPIC_AUTH_TOKEN: setup.bridge.token,
      ANTHROPIC_MODEL: setup.model,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: setup.backgroundModel,
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      // Not covered by the one above in 2.1.x (each seen through a refusing proxy): the updater and Anthropic's model
      // catalog (downloads.claude.ai; Kiro's models come from the bridge), and the official plugin marketplace's
      // automatic install (github.com). Plugins the user installed stay.
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_MODEL_CATALOG: "off",
      CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1",
      ANTHROPIC_API_KEY: null,
      CLAUDE_CODE_USE_BEDROCK: null,
      CLAUDE_CODE_USE_VERTEX: null,
      CLAUDE_CODE_USE_FOUNDRY: null,
    },
  };
}

/** The provider entry Codex gets through `-c` overrides; it reads the token from the variable `env_key` names. */
export const CODEX_PROVIDER_ID = "kiro";

/**
 * Codex: a `model_providers.kiro` entry speaking the Responses API at `<bridge>/v1`, selected with `model_provider`.
 * Values are left unquoted: Codex reads a value that is not TOML as a literal string, and the strict patterns above keep
 * every value one that is not TOML, so no quoting can differ between platforms.
 */
function codexInvocation(setup: AgentSetup): AgentInvocation {
  const provider = `model_providers.${CODEX_PROVIDER_ID}`;
  const overrides = [
    `model_provider=${CODEX_PROVIDER_ID}`,
    `model=${setup.model}`,
    `${provider}.name=Kiro`,
    `${provider}.base_url=${bridgeBase(setup.bridge)}/v1`,
    `${provider}.env_key=${BRIDGE_TOKEN_ENV}`,
    `${provider}.wire_api=responses`,
    // Codex's shell snapshot writes the login shell's exported environment, bridge token included, under ~/.codex.
    "features.shell_snapshot=false",
  ];
  return { args: overrides.flatMap((override) => ["-c", override]), env: bridgeVariables(setup.bridge) };
}

/** opencode's name for the provider; its models are `kiro/<id>`. */
export const OPENCODE_PROVIDER_ID = "kiro";

/**
 * opencode's configuration for the bridge, merged over the user's own by `OPENCODE_CONFIG_CONTENT`: a `kiro` provider
 * through its bundled OpenAI-compatible SDK at `<bridge>/v1` (the bridge's Chat Completions route; the token goes as
 * `Authorization: Bearer`), the window's models, and `kiro/<model>` as model and small model.
 */
export function opencodeConfig(setup: AgentSetup): Record<string, unknown> {
  const models: Record<string, unknown> = {};
  const listed = (setup.models ?? []).filter((model) => isSafeModelId(model.id));
  for (const id of [setup.model, setup.backgroundModel]) if (!listed.some((model) => model.id === id)) listed.push({ id, name: id });
  for (const model of listed) {
    models[model.id] = {
      name: model.name,
      ...(model.contextWindow && model.maxTokens ? { limit: { context: model.contextWindow, output: model.maxTokens } } : {}),
    };
  }
  return {
    $schema: "https://opencode.ai/config.json",
    provider: {
      [OPENCODE_PROVIDER_ID]: {
        name: "Kiro (VS Code)",
        npm: "@ai-sdk/openai-compatible",
        options: { baseURL: `${bridgeBase(setup.bridge)}/v1`, apiKey: setup.bridge.token },
        models,
      },
    },
    model: `${OPENCODE_PROVIDER_ID}/${setup.model}`,
    small_model: `${OPENCODE_PROVIDER_ID}/${setup.backgroundModel}`,
  };
}

function opencodeInvocation(setup: AgentSetup): AgentInvocation {
  return { args: [], env: { ...bridgeVariables(setup.bridge), OPENCODE_CONFIG_CONTENT: JSON.stringify(opencodeConfig(setup)) } };
}

/** The arguments and environment that point `agent` at the bridge. Throws when `setup` fails {@link agentSetupProblem}. */
export function agentInvocation(agent: AgentId, setup: AgentSetup): AgentInvocation {
  const problem = agentSetupProblem(setup);
  if (problem) throw new Error(problem);
  if (agent === "claudeCode") return claudeCodeInvocation(setup);
  if (agent === "codex") return codexInvocation(setup);
  return opencodeInvocation(setup);
}

export interface AgentLaunchRequest {
  agent: AgentId;
  /** The agent's command setting, e.g. `claude`, `/opt/claude/bin/claude`, `npx @openai/codex`. */
  commandLine: string;
  setup: AgentSetup;
}

export type AgentLaunchPlan = (LaunchPlan & { ok: true; env: AgentEnvironment }) | (LaunchPlan & { ok: false }) | { ok: false; reason: "invalid-setup"; program: string; detail: string };

/** `<command> [its own args] <the agent's bridge args>` resolved to a file, with the environment for its terminal. */
export async function planAgentLaunch(request: AgentLaunchRequest, options: ResolveOptions = {}): Promise<AgentLaunchPlan> {
  const problem = agentSetupProblem(request.setup);
  if (problem) return { ok: false, reason: "invalid-setup", program: request.commandLine, detail: problem };
  const invocation = agentInvocation(request.agent, request.setup);
  const plan = await planCommandLaunch(request.commandLine, () => invocation.args, options);
  return plan.ok ? { ...plan, env: invocation.env } : plan;
}

/** Where the agent's program is (the setting's first word resolved like a launch would), or undefined when it is not installed. */
export async function findAgentProgram(commandLine: string, options: ResolveOptions = {}): Promise<string | undefined> {
  let program: string | undefined;
  try {
    program = splitCommandLine(commandLine, options.platform ?? process.platform)[0];
  } catch {
    return undefined;
  }
  return program ? resolveExecutable(program, options) : undefined;
}
