// Public surface of the loopback bridge server (the extension side of the bridge protocol in DESIGN.md).
export {
  BRIDGE_PROTOCOL_VERSION,
  DEFAULT_MAX_BODY_BYTES,
  createBridgeServer,
  startBridgeServer,
  type BridgeLogger,
  type BridgeServer,
  type BridgeServerDependencies,
  type BridgeStreamFunction,
} from "./bridgeServer";
export { ALLOWED_OPTION_KEYS, type BridgeStreamOptions } from "./bridgeRequest";
export { generateBridgeToken, tokensMatch } from "./bridgeSecurity";
export { toBridgeEvent, toNdjsonLine, type BridgeStreamEvent } from "./streamEventLine";
