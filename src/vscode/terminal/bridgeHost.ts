// Runs the loopback Kiro bridge for this window's terminals: streams with the current sign-in and settings; its address and token go only into the environment of the terminals the extension opens for pi and the agents.
import * as vscode from "vscode";
import { createBridgeServer, type BridgeServer } from "../../bridge/index";
import { BRIDGE_TOKEN_ENV, BRIDGE_URL_ENV, PI_EXTENSION_ENV } from "../../bridge/pi/protocol";
import { bridgeDependencies, type BridgeHostOptions } from "./bridgeDependencies";

export type { BridgeHostOptions, BridgeModel } from "./bridgeDependencies";

/** The variables the pi extension reads (src/bridge/pi/protocol.ts), plus where that extension is, for people who start pi themselves. */
export { BRIDGE_TOKEN_ENV as BRIDGE_TOKEN_VARIABLE, BRIDGE_URL_ENV as BRIDGE_URL_VARIABLE, PI_EXTENSION_ENV as PI_EXTENSION_VARIABLE };

export const ENVIRONMENT_DESCRIPTION =
  `Kiro: \`${PI_EXTENSION_ENV}\` is the Kiro extension for pi (\`pi -e $${PI_EXTENSION_ENV}\`, which then uses a Kiro sign-in of its own). ` +
  "For pi or a coding agent on this window's Kiro sign-in, run **Kiro: Open pi in Terminal** or **Kiro: Open an Agent in Terminal...**.";

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
 * What every terminal of the window gets: where the pi extension is, and nothing secret. The bridge's address and token
 * go only into the terminals the extension opens itself (createTerminal's own `env`, transient): a variable in this
 * collection is shown by "Terminal: Show Environment Contributions", reaches every ordinary terminal (where a user's own
 * agents run), and stays in a revived shell after the window's bridge, and its port, are gone. Not persistent: VS Code
 * would otherwise store the collection in the workspace state.
 */
export function applyBridgeEnvironment(collection: vscode.EnvironmentVariableCollection, piExtension: string): void {
  collection.persistent = false;
  collection.description = new vscode.MarkdownString(ENVIRONMENT_DESCRIPTION);
  collection.replace(PI_EXTENSION_ENV, piExtension);
}
