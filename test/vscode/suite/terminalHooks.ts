// For the extension-host suites about terminals: activates the extension under test and hands back its terminal test hooks (bridge environment, readiness), waits for a condition, and reads what "Terminal: Show Environment Contributions" shows for a terminal.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { KiroTerminalTestHooks } from "../../../src/vscode/terminal/index";

export const EXTENSION_ID = "kiro-pi.kiro-pi";

/** The part of the extension's API (src/extension.ts) these suites read; present in ExtensionMode.Test only. */
interface TerminalApi {
  terminalTestHooks?: KiroTerminalTestHooks;
}

export async function activateTerminalHooks(): Promise<{ hooks: KiroTerminalTestHooks; extensionPath: string }> {
  const extension = vscode.extensions.getExtension<TerminalApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  const api = await extension.activate();
  assert.ok(api.terminalTestHooks, "the extension hands out terminal test hooks in test mode");
  return { hooks: api.terminalTestHooks, extensionPath: extension.extensionPath };
}

/** Polls `check` until it gives a value (or `timeoutMs` passes, which fails naming `what`). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The Markdown "Terminal: Show Environment Contributions" opens for `terminal` (made the active one first), as a person would read it. */
export async function environmentContributionsShown(terminal: vscode.Terminal): Promise<string> {
  terminal.show();
  await waitFor("the terminal to be the active one", () => (vscode.window.activeTerminal === terminal ? true : undefined));
  await terminal.processId;
  const isContributions = (document: vscode.TextDocument) => document.uri.scheme.toUpperCase() === "ENVIRONMENT_CHANGES_COLLECTION";
  try {
    return await waitFor("the environment contributions document", async () => {
      await vscode.commands.executeCommand("workbench.action.terminal.showEnvironmentContributions");
      return vscode.workspace.textDocuments.find(isContributions)?.getText();
    });
  } finally {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  }
}
