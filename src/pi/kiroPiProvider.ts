// The stream function and model catalog pi gets for provider `kiro`: through the VS Code bridge when one is set, otherwise straight to Kiro with the user's token.
import { SIGN_IN_SOURCES } from "../auth/import/signInSources";
import { KiroClient } from "../kiro/client";
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "../kiro/answer/eventStream";
import type { KiroLog } from "../kiro/log";
import { builtInModels } from "../kiro/catalog/models";
import type { KiroCredentials, KiroRequestOptions } from "../kiro/options";
import type { KiroModelInfo } from "../kiro/catalog/modelInfo";
import { reportOnce, resolveKiroSettings } from "../kiro/settings";
import { tokenTypeFor } from "../kiro/service/endpoints";
import { failedAnswer, failedAnswerStream } from "../kiro/answer/failedAnswer";
import type { AssistantMessageEvent, Model } from "../kiro/types";
import { bridgeConfigFromEnv, listModelsViaBridge, streamViaBridge, type BridgeConfig } from "./bridgeClient";
import type { PiContext, PiStreamFunction, PiStreamOptions } from "./piApi";
import { loginCredentialsFor } from "./kiroLogin";
import { toKiroContext } from "./piContext";
import { addPiWayOut, type PiKiroMode } from "./piErrors";

/**
 * The `apiKey` the provider registers with. pi needs one to treat the provider as configured; the
 * real token is found at request time (see `resolveAccessToken`), so this marker only tells
 * "pi has no credential of its own for kiro" apart from a token pi stored after `/login kiro`.
 */
export const MANAGED_API_KEY = "kiro-pi-managed-auth";

type Env = Record<string, string | undefined>;

export interface KiroPiDependencies {
  env?: Env;
  /** A token another Kiro client already holds (kiro-cli); undefined when there is none. */
  findStoredToken?: () => Promise<StoredToken | undefined>;
  /** Why a stored sign-in exists but could not be used, added to the no-token message. */
  storedSignInProblem?: () => string | undefined;
  /** Whether `/login kiro` is available, so the no-token message can offer it. */
  loginAvailable?: boolean;
  /** Direct mode's HTTP (tests); the bridge is reached over a connection of its own that proved itself (src/pi/bridgeConnection.ts). */
  fetch?: typeof fetch;
  /** Where profile choices, trims and cut answers are reported (`pi --verbose`). */
  log?: KiroLog;
}

export interface StoredToken {
  accessToken: string;
  region?: string;
  profileArn?: string;
  /** How the token was issued (external identity providers need a header of their own). */
  tokenType?: KiroCredentials["tokenType"];
  /** Where it came from, for messages ("kiro-cli"). */
  source: string;
  refresh?: () => Promise<string | undefined>;
}

export function noTokenMessage(loginAvailable: boolean, problem?: string): string {
  const ways = [
    'in VS Code, sign in with "Kiro: Sign In" and start pi from a VS Code terminal (it then uses the extension\'s sign-in)',
    "or set KIRO_API_KEY to an API key made in Kiro (ksk_…)",
    "or set KIRO_ACCESS_TOKEN",
  ];
  if (loginAvailable) ways.push("or run /login kiro in pi");
  // pi's direct mode also finds the sign-in any of these tools holds (storedSignIn.ts).
  for (const source of SIGN_IN_SOURCES) ways.push(`or ${source.loginHint}`);
  const found = problem ? ` ${problem}` : "";
  return `No Kiro sign-in found.${found} To use Kiro models: ${ways.join(", ")}.`;
}

/**
 * What was set explicitly wins over what is remembered: KIRO_API_KEY (an API key, as kiro-cli reads it), then
 * KIRO_ACCESS_TOKEN, then a token pi stored after `/login kiro`, then another Kiro client's sign-in. An API key is never
 * refreshed; a `ksk_` value in KIRO_ACCESS_TOKEN is treated as the key it is (docs/kiro-protocol.md#api-keys).
 */
async function resolveAccessToken(apiKey: string | undefined, env: Env, deps: KiroPiDependencies): Promise<StoredToken | undefined> {
  const key = env.KIRO_API_KEY?.trim();
  if (key) return { accessToken: key, tokenType: "API_KEY", source: "KIRO_API_KEY" };
  const fromEnv = env.KIRO_ACCESS_TOKEN?.trim();
  if (fromEnv) return { accessToken: fromEnv, tokenType: tokenTypeFor(fromEnv), source: "KIRO_ACCESS_TOKEN" };
  if (apiKey && apiKey !== MANAGED_API_KEY) {
    const login = loginCredentialsFor(apiKey);
    return { accessToken: apiKey, region: login?.region, profileArn: login?.profileArn, source: "/login kiro" };
  }
  const stored = await deps.findStoredToken?.().catch(() => undefined);
  if (stored?.accessToken) return stored;
  return undefined;
}

function credentialsOf(token: StoredToken): KiroCredentials {
  const credentials: KiroCredentials = { accessToken: token.accessToken };
  if (token.region) credentials.region = token.region;
  if (token.profileArn) credentials.profileArn = token.profileArn;
  if (token.tokenType) credentials.tokenType = token.tokenType;
  return credentials;
}

/**
 * A client over one resolved token and the environment's settings (`KIRO_REGION`, `KIRO_ENDPOINT`, `KIRO_API`,
 * `KIRO_PROFILE_ARN`). Profiles, catalogs and the host generation are cached per process (src/kiro/route.ts), so a
 * client per request costs nothing.
 */
export function directClient(token: StoredToken, env: Env, deps: KiroPiDependencies): KiroClient {
  const report = reportOnce((message) => deps.log?.warn(message));
  return new KiroClient({
    credentials: async () => credentialsOf(token),
    ...(token.refresh
      ? {
          refresh: async () => {
            const fresh = await token.refresh!();
            return fresh ? credentialsOf({ ...token, accessToken: fresh }) : undefined;
          },
        }
      : {}),
    settings: () => resolveKiroSettings({}, env, report),
    log: deps.log,
    fetch: deps.fetch,
  });
}

function requestOptions(options: PiStreamOptions | undefined): KiroRequestOptions {
  return {
    signal: options?.signal,
    reasoning: options?.reasoning,
    thinkingBudgets: options?.thinkingBudgets,
    maxTokens: options?.maxTokens,
    sessionId: options?.sessionId,
  };
}

/**
 * Passes every event of `inner` on, after `before` has looked at it (it may change the event in place, or wait). pi's
 * contract holds even if something throws: the stream then ends with an error event.
 */
export function relayEvents(
  inner: AsyncIterable<AssistantMessageEvent>,
  model: Pick<Model, "id" | "api" | "provider">,
  before: (event: AssistantMessageEvent) => void | Promise<void>,
): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  void (async () => {
    for await (const event of inner) {
      // Only a `before` that waits costs a promise hop; answers can have tens of thousands of deltas.
      const waiting = before(event);
      if (waiting) await waiting;
      stream.push(event);
    }
    stream.end();
  })().catch((error: unknown) => {
    stream.push({ type: "error", reason: "error", error: failedAnswer(model, `Kiro request failed: ${error instanceof Error ? error.message : String(error)}`) });
    stream.end();
  });
  return stream;
}

/** Passes every event through, adding pi's way out to a failure's message (the core only says what happened). */
function withPiWayOut(inner: AsyncIterable<AssistantMessageEvent>, mode: PiKiroMode, loginAvailable: boolean): AssistantMessageEventStream {
  return relayEvents(inner, { id: "", api: "kiro-generate-assistant-response", provider: "kiro" }, (event) => {
    if (event.type === "error") addPiWayOut(event.error, mode, loginAvailable);
  });
}

/**
 * pi rebuilds the Model it hands over from the registered fields only, so the startup catalog's wire id
 * and thinking style are put back on it: streamKiro prefers the request-time live catalog and falls back
 * to these when that cannot be read (a live-only model must not go out under its pi id).
 */
function withCatalogFields(model: Model, catalog: readonly KiroModelInfo[]): Model & Partial<Pick<KiroModelInfo, "kiroId" | "nativeThinking">> {
  const listed = catalog.find((info) => info.id === model.id);
  return listed ? { ...model, kiroId: listed.kiroId, nativeThinking: listed.nativeThinking } : model;
}

/** The `streamSimple` pi calls for every Kiro request. Never throws: a missing sign-in is an error event that says what to do. */
export function createKiroStreamFunction(deps: KiroPiDependencies = {}, catalog: readonly KiroModelInfo[] = []): PiStreamFunction {
  return (model, context: PiContext, options) => {
    const env = deps.env ?? process.env;
    const loginAvailable = deps.loginAvailable ?? false;
    let kiroContext: ReturnType<typeof toKiroContext>;
    try {
      kiroContext = toKiroContext(context);
    } catch (error) {
      return failedAnswerStream(model, `The conversation could not be prepared for Kiro: ${error instanceof Error ? error.message : String(error)}`, "bad-request");
    }
    const bridge = bridgeConfigFromEnv(env);
    if (bridge) {
      return withPiWayOut(streamViaBridge(bridge, model, kiroContext, requestOptions(options)), "bridge", loginAvailable);
    }
    // The token lookup may read another client's store; relayEvents hands pi the stream before that finishes.
    let credential: { apiKeyFrom: string } | undefined;
    async function* directAnswer(): AsyncIterable<AssistantMessageEvent> {
      const token = await resolveAccessToken(options?.apiKey, env, deps);
      if (!token) {
        yield* failedAnswerStream(model, noTokenMessage(loginAvailable, deps.storedSignInProblem?.()), "no-token");
        return;
      }
      if (tokenTypeFor(token.accessToken, token.tokenType) === "API_KEY") credential = { apiKeyFrom: token.source };
      yield* directClient(token, env, deps).stream(withCatalogFields(model, catalog), kiroContext, requestOptions(options));
    }
    return relayEvents(directAnswer(), model, (event) => {
      if (event.type === "error") addPiWayOut(event.error, "direct", loginAvailable, credential);
    });
  };
}

export type CatalogSource = "bridge" | "live" | "built-in";

export interface LoadedCatalog {
  models: KiroModelInfo[];
  source: CatalogSource;
  /** Why the live or bridge catalog could not be used (the built-in list stands in). */
  problem?: string;
}

/**
 * The models to register at startup: the bridge's list, or the account's live list merged with the
 * built-in one, or the built-in one alone. Bounded in time so a slow network never holds pi's startup.
 */
export async function loadCatalog(deps: KiroPiDependencies = {}, timeoutMs = 5000): Promise<LoadedCatalog> {
  const env = deps.env ?? process.env;
  const signal = AbortSignal.timeout(timeoutMs);
  const bridge: BridgeConfig | undefined = bridgeConfigFromEnv(env);
  if (bridge) {
    try {
      const models = await listModelsViaBridge(bridge, { signal });
      if (models.length > 0) return { models, source: "bridge" };
      return { models: builtInModels(), source: "built-in", problem: "The Kiro bridge listed no models." };
    } catch (error) {
      return { models: builtInModels(), source: "built-in", problem: error instanceof Error ? error.message : String(error) };
    }
  }
  if (env.PI_OFFLINE === "1") return { models: builtInModels(), source: "built-in" };
  const token = await resolveAccessToken(undefined, env, deps);
  if (!token) return { models: builtInModels(), source: "built-in" };
  const models = await directClient(token, env, deps).catalog(signal).catch(() => builtInModels());
  return { models, source: "live" };
}
