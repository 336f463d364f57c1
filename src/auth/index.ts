// The auth layer's public surface (never imports vscode): device-flow sign-in, refresh, sessions over a TokenStore, and the sign-in sources to import from.
export * from "./errors";
export * from "./session";
export { oidcBaseUrl, OidcServiceError } from "./oidcClient";
export { runDeviceFlow, authMethodForStartUrl, normalizeStartUrl, DEFAULT_CLIENT_NAME, type DeviceFlowOptions, type DeviceFlowResult, type UserCodeInfo } from "./deviceFlow";
export { refreshSession, refreshOidcTokens, refreshSocialTokens, refreshExternalIdpTokens, socialAuthBaseUrl, needsNewSignIn, type RefreshOptions, type RefreshedTokens } from "./tokenRefresh";
export { MemoryTokenStore, FileTokenStore, defaultTokenFilePath, type TokenStore, type TokenStoreCompanion, type TokenFileLocation } from "./tokenStore";
export {
  KiroSessionManager,
  DEFAULT_REFRESH_AHEAD_MS,
  DEFAULT_INVALID_GRANT_GRACE_MS,
  type AuthLogger,
  type KiroSessionManagerOptions,
  type SignInOptions,
  type SessionsChangeEvent,
  type Disposable,
} from "./sessionManager";
export { checkApiKey, apiKeySession, apiKeyAccountLabel } from "./apiKey";
export { RefreshLease, type LeaseRecord, type RefreshLeaseOptions } from "./refreshLease";
export { borrowSignIn, renewFromSource, type ImportOptions, type RereadOptions } from "./import/credentialImport";
export {
  SIGN_IN_SOURCES,
  signInSource,
  describeSessionSource,
  DEFAULT_IMPORT_TIME_LIMIT_MS,
  type SignInSource,
  type SignInSourceId,
  type SignInSourceOptions,
} from "./import/signInSources";
export {
  kiroCliDatabasePaths,
  kiroIdeTokenPath,
  kiroIdeCacheDir,
  IMPORT_LIMITS,
  type ImportLocation,
  type ImportedSession,
  type SignInReader,
  type SignInReadOptions,
} from "./import/importSources";
