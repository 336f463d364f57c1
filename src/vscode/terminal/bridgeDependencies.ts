// What the window's bridge serves, over the window's session and settings (read per request); no runtime vscode import, so the real pi CLI can be tested against it outside VS Code.
import type { BridgeServerDependencies } from "../../bridge/index";
import { failedAnswerStream } from "../../kiro/failedAnswer";
import { findModel, modelCatalog, toPiModel } from "../../kiro/models";
import type { KiroModelInfo } from "../../kiro/options";
import { streamKiro } from "../../kiro/stream";
import type { Model } from "../../kiro/types";
import type { KiroChatConfig, KiroSessionSource } from "../chatProvider";
import type { Logger } from "../log";

/** A pi Model plus the catalog fields the pi client keeps (the wire id, and whether thinking goes through request fields). */
export type BridgeModel = Model & Pick<KiroModelInfo, "kiroId" | "nativeThinking">;

export interface BridgeHostOptions {
  session: KiroSessionSource;
  config: KiroChatConfig;
  log: Logger;
  version: string;
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

const NOT_SIGNED_IN =
  'This VS Code window is not signed in to Kiro. Run "Kiro: Sign In" from the Command Palette, then send your message again: ' +
  "pi in this terminal picks the sign-in up without restarting.";

/** The bridge's dependencies over the window's session and settings; read per request, so sign-in and setting changes apply at once. */
export function bridgeDependencies(options: BridgeHostOptions): BridgeServerDependencies {
  const { session, log } = options;
  return {
    stream: (model, context, streamOptions) => {
      if (!session.isSignedIn()) return failedAnswerStream(model, NOT_SIGNED_IN);
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
