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
  sourceOf,
  sourceLabels,
  describeSessionSource,
  DEFAULT_IMPORT_TIME_LIMIT_MS,
  IMPORT_COMMAND_TITLE,
  type SignInSource,
  type SignInSourceId,
  type SignInSourceOptions,
} from "./import/signInSources";
export { defineSignInSource } from "./import/sourceDefinition";
export { kiroCliDatabasePaths } from "./import/kiroCliDatabase";
export { kiroIdeTokenPath, kiroIdeCacheDir } from "./import/kiroIdeCache";
export { IMPORT_LIMITS } from "./import/boundedRead";
export type { ImportLocation, ImportedSession, SignInSourceSpec, SignInReadOptions } from "./import/sourceShape";
