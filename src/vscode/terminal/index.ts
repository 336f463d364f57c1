// Wires the terminal agents into VS Code: the bridge and its terminal environment, pi's open command and terminal profile, and the Claude Code / Codex / opencode launchers.
import * as vscode from "vscode";
import type { KiroClient } from "../../kiro/client";
import type { KiroSessionSource } from "../auth/authSessionSource";
import type { Logger } from "../log";
import type { WalkthroughProgress } from "../walkthrough";
import { registerAgentCommands } from "./agentTerminal";
import { BridgeHost, applyBridgeEnvironment, type BridgeEnvironment } from "./bridgeHost";
import { OPEN_PI_TERMINAL_COMMAND, PI_TERMINAL_PROFILE_ID, openPiTerminal, piTerminalProfileProvider, type PiTerminalOutcome } from "./piTerminal";

export { OPEN_PI_TERMINAL_COMMAND, PI_TERMINAL_NAME, PI_TERMINAL_PROFILE_ID, type PiTerminalOutcome } from "./piTerminal";
export { BRIDGE_TOKEN_VARIABLE, BRIDGE_URL_VARIABLE, ENVIRONMENT_DESCRIPTION, PI_EXTENSION_VARIABLE } from "./bridgeHost";
export { PI_INSTALL_COMMAND } from "./piCommandLine";
export { AGENTS, AGENT_IDS, type AgentId } from "./agentLaunch";
export { OPEN_AGENT_TERMINAL_COMMAND, agentChoices, type AgentChoice, type AgentTerminalOutcome } from "./agentTerminal";
export { SIGNED_IN_CONTEXT_KEY, WALKTHROUGH_ID, markWalkthroughStepDone, walkthroughStepId, type WalkthroughStep } from "../walkthrough";


/** What the extension-host tests need to look at; handed out only in test mode, since it reaches the bridge token. */
export interface KiroTerminalTestHooks {
  readonly environment: vscode.EnvironmentVariableCollection;
  /** Resolves once the bridge listens, with what the extension's own terminals get. */
  readonly ready: Promise<BridgeEnvironment>;
  /** Milliseconds the bridge took to listen (after `ready`). */
  bridgeStartMs(): number | undefined;
  /** Milliseconds `registerKiroTerminal` added to activation (the bridge listens after it returned). */
  readonly registrationMs: number;
}

export interface KiroTerminalOptions {
  session: KiroSessionSource;
  /** The window's Kiro client, which the bridge serves to pi and the other agents. */
  client: KiroClient;
  log: Logger;
  /** Checks "Open pi in the terminal" (and the agents' step) off once one opened. */
  walkthrough: WalkthroughProgress;
}

/**
 * Starts the bridge right away (one idle loopback socket), so the first pi or agent terminal opens without waiting for it.
 * Its address and token reach only those terminals; the window's environment collection holds the pi extension's path.
 */
export function registerKiroTerminal(context: vscode.ExtensionContext, options: KiroTerminalOptions): KiroTerminalTestHooks {
  const begun = performance.now();
  const { session, log } = options;
  const piExtension = vscode.Uri.joinPath(context.extensionUri, "dist", "pi-extension.js").fsPath;
  const host = new BridgeHost({
    client: options.client,
    isSignedIn: () => session.isSignedIn(),
    log,
    version: String(context.extension.packageJSON.version ?? "unknown"),
  });
  context.subscriptions.push(host);
  const environment = context.environmentVariableCollection;
  applyBridgeEnvironment(environment, piExtension);
  const ready = host.start();
  ready.catch((error: unknown) => log.error(`Kiro bridge for pi terminals did not start: ${error instanceof Error ? error.message : String(error)}`));

  const terminalOptions = { session, log, piExtension, bridge: () => ready };
  const openPi = async (): Promise<PiTerminalOutcome> => {
    const outcome = await openPiTerminal(terminalOptions);
    // `onCommand:kiro.openPiTerminal` only counts while the walkthrough service runs; pi opened from the palette before counts too.
    if (outcome.kind === "opened") options.walkthrough.done("pi");
    return outcome;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_PI_TERMINAL_COMMAND, openPi),
    vscode.window.registerTerminalProfileProvider(PI_TERMINAL_PROFILE_ID, piTerminalProfileProvider(terminalOptions)),
    ...registerAgentCommands({
      session,
      log,
      bridge: () => ready,
      models: async () => (await options.client.catalog()).map((info) => options.client.piModel(info)),
      onOpened: () => options.walkthrough.done("agents"),
    }),
  );
  return { environment, ready, bridgeStartMs: () => host.startMs, registrationMs: performance.now() - begun };
}
