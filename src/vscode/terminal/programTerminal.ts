// What pi's terminal and the coding agents' terminals share: where they start, what a missing program is told (with its install command), and the sign-in question before one opens.
import * as vscode from "vscode";
import type { KiroSessionSource } from "../auth/authSessionSource";
import type { LaunchPlan } from "./commandLine";

/** The folder a terminal program starts in: the active editor's workspace folder, else the first one (local files only). */
export function workspaceFolder(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri : undefined;
}

/** A terminal program as its messages name it. */
export interface ProgramInfo {
  /** "pi", "Claude Code". */
  name: string;
  /** The program looked up on PATH when its setting is not set. */
  defaultCommand: string;
  installCommand: string;
  /** The full setting name, e.g. `kiro.pi.command`. */
  setting: string;
}

/** Why the program's launch plan failed, in words that say what to do. */
export function programProblem(program: ProgramInfo, plan: Extract<LaunchPlan, { ok: false }>): string {
  const { name, defaultCommand, installCommand, setting } = program;
  if (plan.reason === "not-found" && plan.program === defaultCommand) {
    return `${name} is not installed (no "${defaultCommand}" on PATH). Install it with \`${installCommand}\`, or set "${setting}" to where your ${name} is.`;
  }
  if (plan.reason === "not-found") {
    return `"${plan.program}" from the setting "${setting}" was not found or cannot be run. Fix the setting, or install ${name} with \`${installCommand}\`.`;
  }
  if (plan.reason === "empty") return `The setting "${setting}" is empty. Set it to "${defaultCommand}" (after \`${installCommand}\`) or to the path of your ${name}.`;
  if (plan.reason === "refused") return `${name} from the setting "${setting}" cannot be started safely: ${plan.detail ?? ""}`;
  return `The setting "${setting}" cannot be read as a command line (${plan.detail ?? "syntax"}).`;
}

/** Shown without waiting for a click, so the command returns at once; the buttons act whenever they are pressed. */
export function offerInstall(program: ProgramInfo, message: string): void {
  const run = "Install in Terminal";
  const copy = "Copy Install Command";
  const open = "Open Setting";
  void vscode.window.showWarningMessage(`Kiro: ${message}`, run, copy, open).then(async (choice) => {
    if (choice === run) {
      // An ordinary terminal of the user's shell: the install is theirs to watch.
      const terminal = vscode.window.createTerminal({ name: `Install ${program.name}` });
      terminal.show();
      terminal.sendText(program.installCommand, true);
    } else if (choice === copy) {
      await vscode.env.clipboard.writeText(program.installCommand);
      void vscode.window.showInformationMessage(`Copied "${program.installCommand}". Run it in a terminal, then open ${program.name} again.`);
    } else if (choice === open) {
      await vscode.commands.executeCommand("workbench.action.openSettings", program.setting);
    }
  });
}

/** Offers sign-in first; resolves false when the person neither signed in nor chose to open the program anyway. */
export async function signedInOrAnyway(session: KiroSessionSource, name: string): Promise<boolean> {
  if (session.isSignedIn()) return true;
  const signIn = "Sign In";
  const anyway = `Open ${name} Anyway`;
  const choice = await vscode.window.showInformationMessage(`${name} in the terminal uses your Kiro sign-in, and this window is not signed in to Kiro yet.`, signIn, anyway);
  if (choice === signIn) await session.signIn();
  return choice === anyway || session.isSignedIn();
}
