// The wire formats the bridge serves, in one list: each is a folder of src/bridge/ exporting a BridgeApiFactory (src/bridge/server/types.ts); add one here to serve it.
import { anthropicApi } from "./anthropic/routes";
import { openaiApi } from "./openai/routes";
import { piApi } from "./pi/routes";
import type { BridgeApiFactory } from "./server/types";

/** The first one words the server's refusals of requests no route claims. */
export const BRIDGE_APIS: readonly BridgeApiFactory[] = [piApi, anthropicApi, openaiApi];
