// Runs the loopback Kiro bridge for this window's terminals: streams with the current sign-in and settings, and puts its address and token into the terminals' environment.
import * as vscode from "vscode";
import { createBridgeServer, type BridgeServer, type BridgeStreamFunction } from "../../bridge/index";
import { createAssistantMessageEventStream } from "../../kiro/eventStream";
import { findModel, modelCatalog, toPiModel } from "../../kiro/models";
import type { KiroModelInfo } from "../../kiro/options";
import { streamKiro } from "../../kiro/stream";
import { emptyUsage, type Model } from "../../kiro/types";
import type { KiroChatConfig, KiroSessionSource } from "../chatProvider";
import type { Logger } from "../log";

/** The variables the pi extension reads (src/pi/bridgeClient.ts), plus where that extension is, for people who start pi themselves. */
export const BRIDGE_URL_VARIABLE = "KIRO_BRIDGE_URL";
export const BRIDGE_TOKEN_VARIABLE = "KIRO_BRIDGE_TOKEN";
export const PI_EXTENSION_VARIABLE = "KIRO_PI_EXTENSION";

export const ENVIRONMENT_DESCRIPTION =
  "Kiro: lets pi in this terminal use your Kiro sign-in (`KIRO_BRIDGE_URL`, `KIRO_BRIDGE_TOKEN`; start pi with `-e $KIRO_PI_EXTENSION`). " +
  "The token only opens this VS Code window's loopback bridge and ends with the window.";

/** A pi Model plus the catalog fields the pi client keeps (the wire id, and whether thinking goes through request fields). */
export type BridgeModel = Model & Pick<KiroModelInfo, "kiroId" | "nativeThinking">;

export interface BridgeHostOptions {
  session: KiroSessionSource;
  config: KiroChatConfig;
  log: Logger;
  version: string;
}

export interface BridgeEnvironment {
  url: string;
  token: string;
}

/** Where the bridge's requests go for the current settings and sign-in. */
function currentRoute(options: BridgeHostOptions): { region?: string; endpoint?: string; profileArn?: string } {
  const settings = options.config.get();
  return {
    region: settings.region || undefined,
    endpoint: settings.endpoint || undefined,
    profileArn: options.session.getProfileArn?.(),
  };
}

async function currentCatalog(options: BridgeHostOptions): Promise<KiroModelInfo[]> {
  const accessToken = options.session.isSignedIn() ? await options.session.getAccessToken() : undefined;
  // Without a token this is the built-in list, so pi still starts and can say "sign in" on the first prompt.
  return modelCatalog(accessToken ? { accessToken, ...currentRoute(options) } : undefined);
}

/** Carries the wire id and thinking style along, so streamKiro sends a model only the live catalog knows under the right id. */
function bridgeModel(info: KiroModelInfo): BridgeModel {
  return { ...toPiModel(info), kiroId: info.kiroId, nativeThinking: info.nativeThinking };
}

function notSignedInStream(model: Model): ReturnType<BridgeStreamFunction> {
  const stream = createAssistantMessageEventStream();
  stream.push({
    type: "error",
    reason: "error",
    error: {
      role: "assistant",
      content: [],
      api: model.api,
      provider: model.provider,
      model: model.id,
      usage: emptyUsage(),
      stopReason: "error",
      errorMessage:
        'This VS Code window is not signed in to Kiro. Run "Kiro: Sign In" from the Command Palette, then send your message again: ' +
        "pi in this terminal picks the sign-in up without restarting.",
      timestamp: Date.now(),
    },
  });
  stream.end();
  return stream;
}

/** The bridge's dependencies over the window's session and settings; read per request, so sign-in and setting changes apply at once. */
export function bridgeDependencies(options: BridgeHostOptions): Parameters<typeof createBridgeServer>[0] {
  const { session, log } = options;
  return {
    stream: (model, context, streamOptions) => {
      if (!session.isSignedIn()) return notSignedInStream(model);
      return streamKiro(model, context, {
        ...streamOptions,
        accessToken: () => session.getAccessToken(),
        ...(session.refreshAccessToken ? { refreshAccessToken: () => session.refreshAccessToken!() } : {}),
        ...currentRoute(options),
      });
    },
    listModels: async (): Promise<BridgeModel[]> => (await currentCatalog(options)).map(bridgeModel),
    resolveModel: async (id) => {
      const info = findModel(id, await currentCatalog(options)) ?? findModel(id);
      return info ? bridgeModel(info) : undefined;
    },
    isSignedIn: () => session.isSignedIn(),
    version: options.version,
    logger: {
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
      error: (message) => log.error(message),
      debug: (message) => log.debug(message),
    },
  };
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
  collection.replace(BRIDGE_URL_VARIABLE, bridge.url);
  collection.replace(BRIDGE_TOKEN_VARIABLE, bridge.token);
  collection.replace(PI_EXTENSION_VARIABLE, piExtension);
}
