// "Kiro: Open pi in Terminal" and the "pi (Kiro)" terminal profile: start pi with the Kiro extension in the workspace folder, or say clearly why not.
import * as vscode from "vscode";
import type { KiroSessionSource } from "../auth/authSessionSource";
import type { Logger } from "../log";
import { BRIDGE_TOKEN_ENV, BRIDGE_URL_ENV, PI_EXTENSION_ENV } from "../../bridge/pi/protocol";
import type { BridgeEnvironment } from "./bridgeHost";
import { DEFAULT_PI_COMMAND, PI_INSTALL_COMMAND, planPiLaunch, type PiLaunchPlan } from "./piCommandLine";

export const OPEN_PI_TERMINAL_COMMAND = "kiro.openPiTerminal";
export const PI_TERMINAL_PROFILE_ID = "kiro.pi";
export const PI_TERMINAL_NAME = "pi (Kiro)";
export const DEFAULT_PI_MODEL = "claude-sonnet-4-5";
const PI_COMMAND_SETTING = "kiro.pi.command";

/** What "Kiro: Open pi in Terminal" did; `executeCommand` hands it back to callers (the walkthrough ignores it, tests read it). */
export type PiTerminalOutcome =
  | { kind: "opened"; terminal: vscode.Terminal }
  | { kind: "pi-missing"; message: string }
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
 * `kiro.pi.command` counts only from user (or remote machine) settings: a workspace could otherwise make this command run
 * any program it ships the moment someone opens pi. `kiro.pi.model` may come from anywhere.
 */
function readPiSettings(log: Logger): PiSettings {
  const config = vscode.workspace.getConfiguration("kiro");
  const command = config.inspect<string>("pi.command");
  if (command?.workspaceValue !== undefined || command?.workspaceFolderValue !== undefined) {
    log.warn(`${PI_COMMAND_SETTING} in workspace settings is ignored (it names a program to run); set it in your user settings.`);
  }
  const commandLine = (command?.globalValue ?? command?.defaultValue ?? DEFAULT_PI_COMMAND).trim() || DEFAULT_PI_COMMAND;
  const model = (config.get<string>("pi.model") ?? DEFAULT_PI_MODEL).trim().replace(/^kiro\//, "") || DEFAULT_PI_MODEL;
  return { commandLine, model };
}

function workspaceFolder(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri : undefined;
}

function missingPiMessage(plan: Extract<PiLaunchPlan, { ok: false }>): string {
  if (plan.reason === "not-found" && plan.program === DEFAULT_PI_COMMAND) {
    return `pi is not installed (no "pi" on PATH). Install it with \`${PI_INSTALL_COMMAND}\`, or set "${PI_COMMAND_SETTING}" to where your pi is.`;
  }
  if (plan.reason === "not-found") {
    return `"${plan.program}" from the setting "${PI_COMMAND_SETTING}" was not found or cannot be run. Fix the setting, or install pi with \`${PI_INSTALL_COMMAND}\`.`;
  }
  if (plan.reason === "empty") return `The setting "${PI_COMMAND_SETTING}" is empty. Set it to "pi" (after \`${PI_INSTALL_COMMAND}\`) or to the path of your pi.`;
  return `The setting "${PI_COMMAND_SETTING}" cannot be read as a command line (${plan.detail ?? "syntax"}).`;
}

/** Shown without waiting for a click, so the command returns at once; the buttons act whenever they are pressed. */
function offerPiInstall(message: string): void {
  const copy = "Copy Install Command";
  const open = "Open Setting";
  void vscode.window.showWarningMessage(`Kiro: ${message}`, copy, open).then(async (choice) => {
    if (choice === copy) {
      await vscode.env.clipboard.writeText(PI_INSTALL_COMMAND);
      void vscode.window.showInformationMessage(`Copied "${PI_INSTALL_COMMAND}". Run it in a terminal, then open pi again.`);
    } else if (choice === open) {
      await vscode.commands.executeCommand("workbench.action.openSettings", PI_COMMAND_SETTING);
    }
  });
}

/** The terminal that runs pi itself (no shell in between, so no login profile can change PATH under it). */
async function piTerminalOptions(options: PiTerminalOptions): Promise<{ terminal: vscode.TerminalOptions } | { problem: string; kind: "pi-missing" | "bridge-failed" }> {
  const settings = readPiSettings(options.log);
  const cwd = workspaceFolder();
  const plan = await planPiLaunch(
    { commandLine: settings.commandLine, piExtension: options.piExtension, model: settings.model },
    { cwd: cwd?.fsPath },
  );
  if (!plan.ok) return { kind: "pi-missing", problem: missingPiMessage(plan) };
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
      // Also in the environment collection; set here too so a terminal opened before that was applied still gets them.
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
  if (!options.session.isSignedIn()) {
    const signIn = "Sign In";
    const anyway = "Open pi Anyway";
    const choice = await vscode.window.showInformationMessage(
      "pi in the terminal uses your Kiro sign-in, and this window is not signed in to Kiro yet.",
      signIn,
      anyway,
    );
    if (choice === signIn) await options.session.signIn();
    if (choice !== anyway && !options.session.isSignedIn()) return { kind: "not-signed-in" };
  }
  const prepared = await piTerminalOptions(options);
  if ("problem" in prepared) {
    options.log.warn(`pi terminal not opened: ${prepared.problem}`);
    if (prepared.kind === "pi-missing") offerPiInstall(prepared.problem);
    else void vscode.window.showErrorMessage(`Kiro: ${prepared.problem}`);
    return prepared.kind === "pi-missing" ? { kind: "pi-missing", message: prepared.problem } : { kind: "bridge-failed", message: prepared.problem };
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
        if (prepared.kind === "pi-missing") offerPiInstall(prepared.problem);
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
