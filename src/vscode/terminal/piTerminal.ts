// "Kiro: Open pi in Terminal" and the "pi (Kiro)" terminal profile: start pi with the Kiro extension in the workspace folder, or say clearly why not.
import * as vscode from "vscode";
import type { KiroSessionSource } from "../auth/authSessionSource";
import type { Logger } from "../log";
import { BRIDGE_TOKEN_ENV, BRIDGE_URL_ENV, PI_EXTENSION_ENV } from "../../bridge/pi/protocol";
import { ignoredWorkspaceSettings, settingOrDefault } from "../settings";
import type { BridgeEnvironment } from "./bridgeHost";
import { DEFAULT_PI_COMMAND, PI_INSTALL_COMMAND, planPiLaunch, type PiLaunchPlan } from "./piCommandLine";
import { offerInstall, programProblem, signedInOrAnyway, workspaceFolder, type ProgramInfo } from "./programTerminal";

export const OPEN_PI_TERMINAL_COMMAND = "kiro.openPiTerminal";
export const PI_TERMINAL_PROFILE_ID = "kiro.pi";
export const PI_TERMINAL_NAME = "pi (Kiro)";
export const DEFAULT_PI_MODEL = "claude-sonnet-4-5";
const PI_COMMAND_SETTING = "kiro.pi.command";
const PI_MODEL_SETTING = "kiro.pi.model";

/** What "Kiro: Open pi in Terminal" did; `executeCommand` hands it back to callers (the walkthrough ignores it, tests read it). */
export type PiTerminalOutcome =
  | { kind: "opened"; terminal: vscode.Terminal }
  | { kind: "pi-missing"; message: string }
  /** A setting pi cannot be started with (a model that is not a plain id, a batch file cmd.exe would misread). */
  | { kind: "invalid-setting"; message: string }
  | { kind: "not-signed-in" }
  | { kind: "bridge-failed"; message: string };

export interface PiTerminalOptions {
  session: KiroSessionSource;
  log: Logger;
  /** Resolves once the bridge listens. */
  bridge: () => Promise<BridgeEnvironment>;
  /** Absolute path of dist/pi-extension.js in the installed extension. */
  piExtension: string;
}

interface PiSettings {
  commandLine: string;
  model: string;
}

/**
 * `kiro.pi.command` and `kiro.pi.model` count only from user (or remote machine) settings (src/vscode/settings.ts): a
 * workspace could otherwise make this command run any program it ships, or put its text into pi's command line, the
 * moment someone opens pi.
 */
function readPiSettings(log: Logger): PiSettings {
  for (const key of ignoredWorkspaceSettings(["pi.command", "pi.model"])) {
    log.warn(`${key} in workspace settings is ignored (it goes into a program's command line); set it in your user settings.`);
  }
  const commandLine = settingOrDefault("pi.command") ?? DEFAULT_PI_COMMAND;
  const model = (settingOrDefault("pi.model") ?? DEFAULT_PI_MODEL).replace(/^kiro\//, "") || DEFAULT_PI_MODEL;
  return { commandLine, model };
}

const PI_PROGRAM: ProgramInfo = { name: "pi", defaultCommand: DEFAULT_PI_COMMAND, installCommand: PI_INSTALL_COMMAND, setting: PI_COMMAND_SETTING };

function piProblem(plan: Extract<PiLaunchPlan, { ok: false }>): string {
  if (plan.reason === "invalid-model") {
    return `The setting "${PI_MODEL_SETTING}" is not a model id: use letters, digits, ".", "_" and "-", starting with a letter, e.g. ${DEFAULT_PI_MODEL}.`;
  }
  return programProblem(PI_PROGRAM, plan);
}

/** The terminal that runs pi itself (no shell in between, so no login profile can change PATH under it). */
async function piTerminalOptions(
  options: PiTerminalOptions,
): Promise<{ terminal: vscode.TerminalOptions } | { problem: string; kind: "pi-missing" | "invalid-setting" | "bridge-failed" }> {
  const settings = readPiSettings(options.log);
  const cwd = workspaceFolder();
  const plan = await planPiLaunch(
    { commandLine: settings.commandLine, piExtension: options.piExtension, model: settings.model },
    { cwd: cwd?.fsPath },
  );
  if (!plan.ok) return { kind: plan.reason === "invalid-model" || plan.reason === "refused" ? "invalid-setting" : "pi-missing", problem: piProblem(plan) };
  let bridge: BridgeEnvironment;
  try {
    bridge = await options.bridge();
  } catch (error) {
    return { kind: "bridge-failed", problem: `The Kiro bridge for pi could not start: ${error instanceof Error ? error.message : String(error)}` };
  }
  options.log.info(`pi terminal: ${plan.launch.executable} ${plan.launch.args.join(" ")}${cwd ? ` in ${cwd.fsPath}` : ""}`);
  return {
    terminal: {
      name: PI_TERMINAL_NAME,
      shellPath: plan.launch.executable,
      shellArgs: plan.launch.args,
      cwd,
      // This terminal's own environment, not the window's environment collection: VS Code's "Terminal: Show Environment
      // Contributions" would print a token put there, and every ordinary terminal would get it.
      env: { [BRIDGE_URL_ENV]: bridge.url, [BRIDGE_TOKEN_ENV]: bridge.token, [PI_EXTENSION_ENV]: options.piExtension },
      // Not kept across a reload nor revived after a restart: its bridge (and token) end with this window, and a pi
      // brought back with them could only say so.
      isTransient: true,
      iconPath: new vscode.ThemeIcon("sparkle"),
    },
  };
}

/** "Kiro: Open pi in Terminal": offers sign-in first when needed, explains a missing pi, else opens and shows pi. */
export async function openPiTerminal(options: PiTerminalOptions): Promise<PiTerminalOutcome> {
  if (!(await signedInOrAnyway(options.session, "pi"))) return { kind: "not-signed-in" };
  const prepared = await piTerminalOptions(options);
  if ("problem" in prepared) {
    options.log.warn(`pi terminal not opened: ${prepared.problem}`);
    if (prepared.kind === "pi-missing") offerInstall(PI_PROGRAM, prepared.problem);
    else void vscode.window.showErrorMessage(`Kiro: ${prepared.problem}`);
    return { kind: prepared.kind, message: prepared.problem };
  }
  const terminal = vscode.window.createTerminal(prepared.terminal);
  terminal.show();
  return { kind: "opened", terminal };
}

/** A terminal that only explains, for the profile dropdown, which must open something; a key press closes it. */
function explanationTerminal(message: string): vscode.ExtensionTerminalOptions {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<void>();
  return {
    name: PI_TERMINAL_NAME,
    iconPath: new vscode.ThemeIcon("warning"),
    pty: {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => write.fire(`${message.replace(/\n/g, "\r\n")}\r\n\r\nPress any key to close this terminal.\r\n`),
      handleInput: () => close.fire(),
      close: () => {
        write.dispose();
        close.dispose();
      },
    },
  };
}

/** The "pi (Kiro)" entry of the terminal dropdown: same checks as the command, but it never blocks on a question. */
export function piTerminalProfileProvider(options: PiTerminalOptions): vscode.TerminalProfileProvider {
  return {
    async provideTerminalProfile() {
      const prepared = await piTerminalOptions(options);
      if ("problem" in prepared) {
        options.log.warn(`pi terminal profile: ${prepared.problem}`);
        if (prepared.kind === "pi-missing") offerInstall(PI_PROGRAM, prepared.problem);
        return new vscode.TerminalProfile(explanationTerminal(prepared.problem));
      }
      if (!options.session.isSignedIn()) {
        // pi starts anyway and answers its first prompt with "sign in"; the offer here saves that round trip.
        void vscode.window.showInformationMessage("pi uses your Kiro sign-in, and this window is not signed in yet.", "Sign In").then((choice) => {
          if (choice) void options.session.signIn();
        });
      }
      return new vscode.TerminalProfile(prepared.terminal);
    },
  };
}
