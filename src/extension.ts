// The VS Code extension's entry point: wires the src/vscode adapters together on activation; holds no logic of its own.
import * as vscode from "vscode";
import { createKiroLog, registerShowLogCommand } from "./vscode/log";
import { registerKiroChat, type KiroChatProvider } from "./vscode/chatProvider";
import { registerKiroTerminal, type KiroTerminalTestHooks } from "./vscode/terminal/index";
import { registerKiroAuth, type KiroAuthTestHooks } from "./vscode/auth/authRegistration";
import { createWindowKiroClient } from "./vscode/kiroClient";
import { WalkthroughProgress } from "./vscode/walkthrough";
import { reportSettingProblemsTo } from "./vscode/settings";

/** What `activate` returns (`vscode.extensions.getExtension("kiro-pi.kiro-pi").exports`); the extension-host tests read it. */
export interface KiroExtensionApi {
  /** The "Kiro" LogOutputChannel. */
  readonly log: vscode.LogOutputChannel;
  /** How long `activate` itself took, in milliseconds. */
  readonly activationMs: number;
  /** Milliseconds from the extension host's start to the end of `activate`. */
  readonly sinceHostStartMs: number;
  /** Sign-in test hooks; present only in ExtensionMode.Test (see src/vscode/auth/authRegistration.ts). */
  readonly authTestHooks?: KiroAuthTestHooks;
  /** The pi terminal's environment and bridge; present only in ExtensionMode.Test (it reaches the bridge token). */
  readonly terminalTestHooks?: KiroTerminalTestHooks;
  /** The Chat view's model provider (what VS Code lists, the usage look after answers); present only in ExtensionMode.Test. */
  readonly chatProvider?: KiroChatProvider;
}

export function activate(context: vscode.ExtensionContext): KiroExtensionApi {
  const started = performance.now();
  const log = createKiroLog(context);
  registerShowLogCommand(context, log);
  reportSettingProblemsTo(log);
  const auth = registerKiroAuth(context, { log });
  // One client per window: the Chat view and the bridge for pi terminals share its route, profile and catalog.
  const client = createWindowKiroClient(auth.session, log);
  const walkthrough = new WalkthroughProgress(context.extension.id, log);
  context.subscriptions.push(walkthrough.followSignIn(auth.session));
  const chatProvider = registerKiroChat(context, { session: auth.session, client, walkthrough, log });
  const terminal = registerKiroTerminal(context, { session: auth.session, client, walkthrough, log });
  const activationMs = performance.now() - started;
  const sinceHostStartMs = process.uptime() * 1000;
  const version = String(context.extension.packageJSON.version ?? "unknown");
  log.info(
    `Kiro ${version} activated in ${activationMs.toFixed(1)} ms, ${Math.round(sinceHostStartMs)} ms after the extension host started ` +
      `(VS Code ${vscode.version}, ${vscode.env.appHost})`,
  );
  return {
    log,
    activationMs,
    sinceHostStartMs,
    ...(auth.testHooks ? { authTestHooks: auth.testHooks } : {}),
    ...(context.extensionMode === vscode.ExtensionMode.Test ? { terminalTestHooks: terminal, chatProvider } : {}),
  };
}

export function deactivate(): void {
  // Everything the extension creates is in context.subscriptions, which VS Code disposes.
}
