// Public surface of the loopback bridge: the server (src/bridge/server/), the wire formats it serves (src/bridge/apis.ts), and the pi protocol both ends share (src/bridge/pi/protocol.ts).
export { DEFAULT_BRIDGE_LIMITS, createBridgeServer, startBridgeServer, type BridgeServer } from "./server/server";
export type {
  BridgeApi,
  BridgeApiFactory,
  BridgeExchange,
  BridgeLogger,
  BridgeRoute,
  BridgeServerDependencies,
  BridgeServerLimits,
  BridgeStreamFunction,
  BridgeStreamOptions,
} from "./server/types";
export { generateBridgeToken, tokensMatch } from "./server/security";
export * from "./pi/protocol";
export * from "./opencodeConfig";
