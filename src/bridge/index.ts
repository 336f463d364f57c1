// Public surface of the loopback bridge server (the extension side of the bridge protocol; the protocol itself is src/bridge/protocol.ts).
export {
  DEFAULT_BRIDGE_LIMITS,
  createBridgeServer,
  startBridgeServer,
  type BridgeLogger,
  type BridgeServer,
  type BridgeServerDependencies,
  type BridgeServerLimits,
  type BridgeStreamFunction,
} from "./bridgeServer";
export type { BridgeStreamOptions } from "./bridgeRequest";
export { generateBridgeToken, tokensMatch } from "./bridgeSecurity";
export * from "./protocol";
