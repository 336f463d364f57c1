// "Kiro: Open Claude Code / Codex / opencode in Terminal" and the "Open an Agent in Terminal…" picker: each agent in a transient terminal whose own environment points it at the window's bridge, or a clear message why not.
import * as vscode from "vscode";
import type { KiroSessionSource } from "../auth/authSessionSource";
import type { Logger } from "../log";
import { ignoredWorkspaceSettings, settingOrDefault } from "../settings";
import { AGENTS, AGENT_IDS, DEFAULT_AGENT_BACKGROUND_MODEL, DEFAULT_AGENT_MODEL, findAgentProgram, planAgentLaunch, type AgentDefinition, type AgentId, type AgentModel } from "./agentLaunch";
import type { BridgeEnvironment } from "./bridgeHost";
import { isSafeModelId } from "./commandLine";
import { DEFAULT_PI_COMMAND, PI_INSTALL_COMMAND } from "./piCommandLine";
import { OPEN_PI_TERMINAL_COMMAND } from "./piTerminal";
import { offerInstall, programProblem, signedInOrAnyway, workspaceFolder, type ProgramInfo } from "./programTerminal";

export const OPEN_AGENT_TERMINAL_COMMAND = "kiro.openAgentTerminal";

/** What an agent command did; `executeCommand` hands it back (tests read it). */
export type AgentTerminalOutcome =
  | { kind: "opened"; agent: AgentId; terminal: vscode.Terminal }
  | { kind: "agent-missing"; agent: AgentId; message: string }
  | { kind: "invalid-setting"; agent: AgentId; message: string }
  | { kind: "not-signed-in" }
  | { kind: "bridge-failed"; message: string }
  /** The picker was closed, or pi was chosen (its own command reports on it). */
  | { kind: "picked-nothing" };

export interface AgentTerminalOptions {
  session: KiroSessionSource;
  log: Logger;
  /** Resolves once the bridge listens. */
  bridge: () => Promise<BridgeEnvironment>;
  /** The window's catalog, for agents whose configuration lists models (opencode). */
  models: () => Promise<AgentModel[]>;
  /** Called after an agent's terminal opened (checks the walkthrough step off). */
  onOpened?: (agent: AgentId) => void;
}

const settingName = (key: string): string => `kiro.${key}`;

const agentProgram = (agent: AgentDefinition): ProgramInfo => ({
  name: agent.name,
  defaultCommand: agent.defaultCommand,
  installCommand: agent.installCommand,
  setting: settingName(agent.commandSetting),
});

interface AgentSettings {
  commandLine: string;
  model: string;
  backgroundModel: string;
}

/** The agent's program and the models, from user settings only (src/vscode/settings.ts); a workspace value is ignored, and said so. */
function readAgentSettings(agent: AgentDefinition, log: Logger): AgentSettings {
  for (const key of ignoredWorkspaceSettings([agent.commandSetting, "agents.model", "agents.backgroundModel"])) {
    log.warn(`${key} in workspace settings is ignored (it goes into a program's command line); set it in your user settings.`);
  }
  return {
    commandLine: settingOrDefault(agent.commandSetting) ?? agent.defaultCommand,
    model: (settingOrDefault("agents.model") ?? DEFAULT_AGENT_MODEL).replace(/^kiro\//, ""),
    backgroundModel: (settingOrDefault("agents.backgroundModel") ?? DEFAULT_AGENT_BACKGROUND_MODEL).replace(/^kiro\//, ""),
  };
}

async function catalogModels(options: AgentTerminalOptions): Promise<AgentModel[]> {
  try {
    return await options.models();
  } catch (error) {
    options.log.warn(`agent terminal: the model list is not available (${error instanceof Error ? error.message : String(error)}); only the configured models are offered`);
    return [];
  }
}

/** "Kiro: Open <agent> in Terminal": a message for a missing program, sign-in when needed, else the agent in its own terminal. */
export async function openAgentTerminal(agentId: AgentId, options: AgentTerminalOptions): Promise<AgentTerminalOutcome> {
  const agent = AGENTS[agentId];
  const settings = readAgentSettings(agent, options.log);
  for (const [key, model] of [["agents.model", settings.model], ["agents.backgroundModel", settings.backgroundModel]] as const) {
    if (!isSafeModelId(model)) {
      const message = `The setting "${settingName(key)}" is not a model id: use letters, digits, ".", "_" and "-", e.g. ${DEFAULT_AGENT_MODEL}.`;
      void vscode.window.showErrorMessage(`Kiro: ${message}`);
      return { kind: "invalid-setting", agent: agentId, message };
    }
  }
  let bridge: BridgeEnvironment;
  try {
    bridge = await options.bridge();
  } catch (error) {
    const message = `The Kiro bridge could not start: ${error instanceof Error ? error.message : String(error)}`;
    void vscode.window.showErrorMessage(`Kiro: ${message}`);
    return { kind: "bridge-failed", message };
  }
  const cwd = workspaceFolder();
  const models = agentId === "opencode" ? await catalogModels(options) : [];
  const plan = await planAgentLaunch(
    { agent: agentId, commandLine: settings.commandLine, setup: { bridge, model: settings.model, backgroundModel: settings.backgroundModel, models } },
    { cwd: cwd?.fsPath },
  );
  if (!plan.ok) {
    if (plan.reason === "invalid-setup") {
      void vscode.window.showErrorMessage(`Kiro: ${agent.name} cannot be pointed at Kiro: ${plan.detail}`);
      return { kind: "invalid-setting", agent: agentId, message: plan.detail };
    }
    const program = agentProgram(agent);
    const message = programProblem(program, plan);
    options.log.warn(`${agent.name} terminal not opened: ${message}`);
    if (plan.reason === "refused") {
      void vscode.window.showErrorMessage(`Kiro: ${message}`);
      return { kind: "invalid-setting", agent: agentId, message };
    }
    offerInstall(program, message);
    return { kind: "agent-missing", agent: agentId, message };
  }
  // After the program check: a person without the agent hears that first, not a sign-in question.
  if (!(await signedInOrAnyway(options.session, agent.name))) return { kind: "not-signed-in" };
  // Arguments only: the environment holds the bridge token.
  options.log.info(`${agent.name} terminal: ${plan.launch.executable} ${plan.launch.args.join(" ")}${cwd ? ` in ${cwd.fsPath}` : ""}`);
  const terminal = vscode.window.createTerminal({
    name: agent.terminalName,
    shellPath: plan.launch.executable,
    shellArgs: plan.launch.args,
    cwd,
    // This terminal's own environment: ordinary terminals keep the user's own Claude, OpenAI or opencode login.
    env: plan.env,
    // Not kept across a reload nor revived after a restart: its bridge (and token) end with this window, and the port
    // may by then belong to another program.
    isTransient: true,
    iconPath: new vscode.ThemeIcon("hubot"),
  });
  terminal.show();
  options.onOpened?.(agentId);
  return { kind: "opened", agent: agentId, terminal };
}

/** One row of the picker: an agent (or pi) and where its program is, if anywhere. */
export interface AgentChoice {
  agent: AgentId | "pi";
  name: string;
  /** The resolved program, or undefined when it is not installed. */
  program: string | undefined;
  installCommand: string;
  setting: string;
}

/** Every agent the picker offers, pi included, with whether its program is there (the setting's program looked up on PATH). */
export async function agentChoices(): Promise<AgentChoice[]> {
  const cwd = workspaceFolder()?.fsPath;
  const agents = await Promise.all(
    AGENT_IDS.map(async (id): Promise<AgentChoice> => {
      const agent = AGENTS[id];
      const program = await findAgentProgram(settingOrDefault(agent.commandSetting) ?? agent.defaultCommand, { cwd });
      return { agent: id, name: agent.name, program, installCommand: agent.installCommand, setting: settingName(agent.commandSetting) };
    }),
  );
  const pi = await findAgentProgram(settingOrDefault("pi.command") ?? DEFAULT_PI_COMMAND, { cwd });
  return [...agents, { agent: "pi", name: "pi", program: pi, installCommand: PI_INSTALL_COMMAND, setting: "kiro.pi.command" }];
}

type ChoiceItem = vscode.QuickPickItem & { choice?: AgentChoice };

/**
 * "Kiro: Open an Agent in Terminal…": the installed agents first, the others under "Not installed" with their install
 * command. `agent` (from a walkthrough link or another extension) skips the picker.
 */
export async function pickAgentTerminal(options: AgentTerminalOptions, agent?: unknown): Promise<AgentTerminalOutcome> {
  if (typeof agent === "string" && (AGENT_IDS as string[]).includes(agent)) return openAgentTerminal(agent as AgentId, options);
  const choices = await agentChoices();
  const installed = choices.filter((c) => c.program);
  const missing = choices.filter((c) => !c.program);
  const items: ChoiceItem[] = [
    ...installed.map((choice): ChoiceItem => ({ label: choice.name, description: "on Kiro", detail: choice.program, choice })),
    ...(missing.length ? [{ label: "Not installed", kind: vscode.QuickPickItemKind.Separator } as ChoiceItem] : []),
    ...missing.map((choice): ChoiceItem => ({ label: choice.name, description: "not installed", detail: `Install with ${choice.installCommand}`, choice })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: "Open an agent in the terminal on your Kiro sign-in",
    placeHolder: installed.length ? "Pick an agent; it runs in its own terminal, pointed at this window's Kiro bridge" : "No agent is installed yet: pick one to see how to install it",
    matchOnDetail: true,
  });
  const choice = picked?.choice;
  if (!choice) return { kind: "picked-nothing" };
  if (choice.agent === "pi") {
    await vscode.commands.executeCommand(OPEN_PI_TERMINAL_COMMAND);
    return { kind: "picked-nothing" };
  }
  return openAgentTerminal(choice.agent, options);
}

/** Registers the per-agent commands and the picker. */
export function registerAgentCommands(options: AgentTerminalOptions): vscode.Disposable[] {
  return [
    ...AGENT_IDS.map((id) => vscode.commands.registerCommand(AGENTS[id].commandId, () => openAgentTerminal(id, options))),
    vscode.commands.registerCommand(OPEN_AGENT_TERMINAL_COMMAND, (agent?: unknown) => pickAgentTerminal(options, agent)),
  ];
}
