// What the window's bridge serves: the window's one Kiro client, read per request; no runtime vscode import, so the real pi CLI can be tested against it outside VS Code.
import type { BridgeServerDependencies } from "../../bridge/index";
import type { KiroClient, KiroPiModel } from "../../kiro/client";
import { failedAnswerStream } from "../../kiro/answer/failedAnswer";
import type { Logger } from "../log";

/** A pi Model plus the catalog fields the pi client keeps (the wire id, and whether thinking goes through request fields). */
export type BridgeModel = KiroPiModel;

export interface BridgeHostOptions {
  client: Pick<KiroClient, "stream" | "catalog" | "resolveModel" | "piModel">;
  /** Whether the window has a sign-in (or `KIRO_ACCESS_TOKEN`); without one, pi is told how to sign in and nothing reaches Kiro. */
  isSignedIn(): boolean;
  log: Logger;
  version: string;
}

const NOT_SIGNED_IN =
  'This VS Code window is not signed in to Kiro. Run "Kiro: Sign In" from the Command Palette, then send your message again: ' +
  "pi in this terminal picks the sign-in up without restarting.";

/** The bridge's dependencies over the window's client; read per request, so sign-in and setting changes apply at once. */
export function bridgeDependencies(options: BridgeHostOptions): BridgeServerDependencies {
  const { client, log } = options;
  return {
    stream: (model, context, streamOptions) => {
      if (!options.isSignedIn()) return failedAnswerStream(model, NOT_SIGNED_IN, "no-token");
      return client.stream(model, context, streamOptions);
    },
    // Without a sign-in this is the built-in list, so pi still starts and can say "sign in" on the first prompt.
    listModels: async (): Promise<BridgeModel[]> => (await client.catalog()).map((info) => client.piModel(info)),
    resolveModel: async (id) => {
      const info = await client.resolveModel(id);
      return info ? client.piModel(info) : undefined;
    },
    isSignedIn: () => options.isSignedIn(),
    version: options.version,
    logger: {
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
      error: (message) => log.error(message),
      debug: (message) => log.debug(message),
    },
  };
}
