// Runs the loopback Kiro bridge for this window's terminals: streams with the current sign-in and settings, and puts its address and token into the terminals' environment.
import * as vscode from "vscode";
import { createBridgeServer, type BridgeServer } from "../../bridge/index";
import { BRIDGE_TOKEN_ENV, BRIDGE_URL_ENV, PI_EXTENSION_ENV } from "../../bridge/pi/protocol";
import { bridgeDependencies, type BridgeHostOptions } from "./bridgeDependencies";

export type { BridgeHostOptions, BridgeModel } from "./bridgeDependencies";

/** The variables the pi extension reads (src/bridge/pi/protocol.ts), plus where that extension is, for people who start pi themselves. */
export { BRIDGE_TOKEN_ENV as BRIDGE_TOKEN_VARIABLE, BRIDGE_URL_ENV as BRIDGE_URL_VARIABLE, PI_EXTENSION_ENV as PI_EXTENSION_VARIABLE };

export const ENVIRONMENT_DESCRIPTION =
  `Kiro: lets pi in this terminal use your Kiro sign-in (\`${BRIDGE_URL_ENV}\`, \`${BRIDGE_TOKEN_ENV}\`; start pi with \`-e $${PI_EXTENSION_ENV}\`). ` +
  "The token only opens this VS Code window's loopback bridge and ends with the window.";

export interface BridgeEnvironment {
  url: string;
  token: string;
}

/** Owns this window's bridge: started once, stopped with the extension. */
export class BridgeHost implements vscode.Disposable {
  private readonly server: BridgeServer;
  private started: Promise<BridgeEnvironment> | undefined;
  /** Milliseconds from `start()` to listening, for the log and the tests. */
  startMs: number | undefined;

  constructor(private readonly options: BridgeHostOptions) {
    this.server = createBridgeServer(bridgeDependencies(options));
  }

  /** Listens on a random 127.0.0.1 port (once); resolves with what a terminal needs to reach it. */
  start(): Promise<BridgeEnvironment> {
    this.started ??= (async () => {
      const begun = performance.now();
      const { url } = await this.server.start();
      this.startMs = performance.now() - begun;
      this.options.log.info(`Kiro bridge for pi terminals ready in ${this.startMs.toFixed(1)} ms`);
      return { url, token: this.server.token };
    })();
    return this.started;
  }

  get activeStreams(): number {
    return this.server.activeStreams;
  }

  dispose(): void {
    void this.server.dispose();
  }
}

/**
 * Puts the bridge into every terminal this window starts. Not persistent: VS Code would otherwise store the collection
 * (token included) in the workspace state on disk and hand it to terminals restored after a reload, whose bridge is gone.
 */
export function applyBridgeEnvironment(collection: vscode.EnvironmentVariableCollection, bridge: BridgeEnvironment, piExtension: string): void {
  collection.persistent = false;
  collection.description = new vscode.MarkdownString(ENVIRONMENT_DESCRIPTION);
  collection.replace(BRIDGE_URL_ENV, bridge.url);
  collection.replace(BRIDGE_TOKEN_ENV, bridge.token);
  collection.replace(PI_EXTENSION_ENV, piExtension);
}
