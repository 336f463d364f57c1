// The auth layer's public surface (never imports vscode): device-flow sign-in, refresh, sessions over a TokenStore, imports, and pi-shaped credentials.
export * from "./errors";
export * from "./session";
export { oidcBaseUrl, OidcServiceError } from "./oidcClient";
export { runDeviceFlow, authMethodForStartUrl, normalizeStartUrl, DEFAULT_CLIENT_NAME, type DeviceFlowOptions, type DeviceFlowResult, type UserCodeInfo } from "./deviceFlow";
export { refreshSession, refreshOidcTokens, refreshSocialTokens, socialAuthBaseUrl, needsNewSignIn, type RefreshOptions, type RefreshedTokens } from "./tokenRefresh";
export { MemoryTokenStore, FileTokenStore, defaultTokenFilePath, type TokenStore, type TokenFileLocation } from "./tokenStore";
export { KiroAuth, DEFAULT_REFRESH_AHEAD_MS, type KiroAuthOptions, type SignInOptions, type SessionsChangeEvent, type Disposable } from "./sessionManager";
export { importKiroCliSession, importKiroIdeSession, type ImportOptions } from "./import/credentialImport";
export { readKiroCliSession, type ImportedSession, type KiroCliReadOptions } from "./import/kiroCliDatabase";
export { readKiroIdeSession, type KiroIdeReadOptions } from "./import/kiroIdeCache";
export { kiroCliDatabasePaths, kiroIdeTokenPath, kiroIdeCacheDir, type ImportLocation } from "./import/importSources";
export * from "./piCredentials";
