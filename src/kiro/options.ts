// The options `streamKiro` and the client accept: the token source, the route settings, and what one request may set.
import type { KiroLog } from "./log";
import type { ProfileChooser, RouteCredentials } from "./service/route";
import type { KiroSettings } from "./settings";
import type { ThinkingBudgets, ThinkingLevel } from "./types";

/** A token and what its sign-in knows: how it was issued, the profile it carries, its region (src/kiro/route.ts). */
export type KiroCredentials = RouteCredentials;

/** An access token, or a function that returns the current one or the current credentials (called before every attempt). */
export type AccessTokenSource = string | (() => string | KiroCredentials | undefined | Promise<string | KiroCredentials | undefined>);

/** What one request may set; the rest comes from the client (src/kiro/client.ts) or, for `streamKiro` alone, from the options below. */
export interface KiroRequestOptions {
  signal?: AbortSignal;
  /** pi's reasoning level; undefined or "off" means no thinking. */
  reasoning?: ThinkingLevel | "off";
  /** An effort value of the model's own schema (VS Code's picker offers those, `max` included); sent as is when listed, else `reasoning` decides. */
  effort?: string;
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
  /** Stable id of the conversation; pi passes `sessionId`. Derived from the context when absent. */
  sessionId?: string;
  /** Extra headers (never logged). */
  headers?: Record<string, string>;
  /** Retries for throttling / 5xx / resets before the first byte (default 3). */
  maxRetries?: number;
  /** Longest wait honoured from Retry-After before failing instead (default 60 s). */
  maxRetryDelayMs?: number;
  /** First back-off step for retries (default 1 s; doubles each retry, with jitter). Tests make it small. */
  retryBaseDelayMs?: number;
  /** Time allowed for the first byte of the answer (default depends on the model and context size). */
  firstTokenTimeoutMs?: number;
  /** Longest silence allowed once the answer has started (default 120 s). */
  idleTimeoutMs?: number;
}

export interface KiroStreamOptions extends KiroRequestOptions {
  /**
   * Defaults to `KIRO_API_KEY` (a Kiro API key, `ksk_…`), then `KIRO_ACCESS_TOKEN`. A token that is an API key is sent
   * with `TokenType: API_KEY` and never refreshed (docs/kiro-protocol.md#api-keys).
   */
  accessToken?: AccessTokenSource;
  /**
   * Called at most once per stream, after the service answered 403 "bearer token invalid".
   * Returns a fresh token (the request is retried once with it) or undefined to give up.
   */
  refreshAccessToken?: () => Promise<string | KiroCredentials | undefined>;
  /** The settings to use as they are (a client passes its own); otherwise resolved from the fields below and `env`. */
  settings?: KiroSettings;
  /** API region, `us-east-1` or `eu-central-1`; defaults to `KIRO_REGION`. */
  region?: string;
  /** Base URL that replaces every Kiro host (simulator, proxy); defaults to `KIRO_ENDPOINT`. */
  endpoint?: string;
  /** Host generation, `auto` | `q` | `runtime`; defaults to `KIRO_API`, then `auto`. */
  api?: string;
  /** A profile to use whatever the sign-in carries or the account lists; defaults to `KIRO_PROFILE_ARN`. */
  profileArn?: string;
  /** Picks one of several profiles; without it the first is used. */
  chooseProfile?: ProfileChooser;
  log?: KiroLog;
  /** Replaceable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Environment to read defaults from; defaults to process.env. */
  env?: Record<string, string | undefined>;
}
