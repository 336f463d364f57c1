// The extension's one log: a LogOutputChannel named "Kiro" (Output view, level set by "Developer: Set Log Level"), handed to the other layers as a plain Logger.
import * as vscode from "vscode";

/** The Output channel's name, as users see it in the Output view's dropdown. */
export const KIRO_LOG_NAME = "Kiro";

/** What layers that never import vscode (kiro/, auth/, bridge/) accept for logging; a LogOutputChannel satisfies it. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(error: string | Error, ...args: unknown[]): void;
}

/** Creates the "Kiro" log channel and disposes it with the extension. */
export function createKiroLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  const log = vscode.window.createOutputChannel(KIRO_LOG_NAME, { log: true });
  context.subscriptions.push(log);
  return log;
}

/** Registers "Kiro: Show Log", which brings the channel up in the Output view (where users look when something goes wrong). */
export function registerShowLogCommand(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(vscode.commands.registerCommand("kiro.showLog", () => log.show(true)));
}
