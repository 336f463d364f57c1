// One Kiro client over a token source and the settings: answers (stream), the model catalog, model lookup and usage, all on the same route (generation, region, profile). VS Code builds one per window, pi one per process.
import { chatBaseUrl, type KiroRoute } from "./service/endpoints";
import { KiroError, noTokenError } from "./errors";
import type { AssistantMessageEventStream } from "./answer/eventStream";
import type { KiroLog } from "./log";
import { builtInModels, clearModelCatalogCache, findModel, listAvailableModels, toPiModel } from "./catalog/models";
import type { KiroCredentials, KiroRequestOptions } from "./options";
import type { KiroModelInfo } from "./catalog/modelInfo";
import { clearRouteCache, currentGeneration, withRoute, type ProfileChooser, type RouteOptions } from "./service/route";
import type { KiroSettings } from "./settings";
import { streamKiro } from "./stream";
import type { Context, Model } from "./types";
import { getUsageLimits, type UsageLimits } from "./service/usageLimits";

export interface KiroClientOptions {
  /** The current token and what its sign-in knows; undefined when nobody is signed in. Called before every call. */
  credentials(): Promise<KiroCredentials | undefined>;
  /** A fresh token after Kiro refused the current one; undefined to give up. */
  refresh?(): Promise<KiroCredentials | string | undefined>;
  /** The settings now (read at every call, so a change applies at once). */
  settings(): KiroSettings;
  /** Picks one of several profiles (VS Code asks once and remembers); without it the first is used. */
  chooseProfile?: ProfileChooser;
  log?: KiroLog;
  fetch?: typeof fetch;
}

/** A pi Model plus the catalog fields a request needs again (the wire id, and whether thinking goes through request fields). */
export type KiroPiModel = Model & Pick<KiroModelInfo, "kiroId" | "nativeThinking">;

export class KiroClient {
  /** Where the last catalog or usage call went (its region names the models in pickers); undefined before the first. */
  lastRoute: KiroRoute | undefined;

  constructor(private readonly options: KiroClientOptions) {}

  private routeOptions(credentials: KiroCredentials, signal?: AbortSignal): RouteOptions {
    const { settings, chooseProfile, log, fetch } = this.options;
    return { settings: settings(), credentials, signal, chooseProfile, log, fetch };
  }

  /** Streams one answer; never throws (the pi stream contract): a missing sign-in is an `error` event like any other failure. */
  stream(model: Model, context: Context, options: KiroRequestOptions = {}): AssistantMessageEventStream {
    const { refresh, settings, chooseProfile, log, fetch } = this.options;
    return streamKiro(model, context, {
      ...options,
      accessToken: () => this.options.credentials(),
      ...(refresh ? { refreshAccessToken: () => refresh() } : {}),
      settings: settings(),
      chooseProfile,
      log,
      fetch,
    });
  }

  /**
   * The models this account may use, from the live catalog of the current route (cached 10 minutes per route); the
   * built-in list when nobody is signed in or the catalog cannot be read, so a picker is never empty.
   */
  async catalog(signal?: AbortSignal): Promise<KiroModelInfo[]> {
    const credentials = await this.options.credentials();
    if (!credentials) return builtInModels();
    try {
      const live = await withRoute(this.routeOptions(credentials, signal), async (route) => {
        const models = await listAvailableModels({ route, accessToken: credentials.accessToken, tokenType: credentials.tokenType, fetch: this.options.fetch, signal });
        this.lastRoute = route;
        return models;
      });
      return live.length > 0 ? live : builtInModels();
    } catch (error) {
      if (signal?.aborted) throw error;
      const why = error instanceof KiroError ? error.userMessage : String(error);
      this.options.log?.warn(`Kiro: the model list could not be read (${why}); offering the built-in list.`);
      return builtInModels();
    }
  }

  /** A model by any id callers use (pi id, wire id, alias), from the live catalog first, then the built-in list. */
  async resolveModel(id: string, signal?: AbortSignal): Promise<KiroModelInfo | undefined> {
    return findModel(id, await this.catalog(signal)) ?? findModel(id);
  }

  /** The account's credits, plan and email on the current route; rejects with a KiroError (`no-token` when signed out). */
  async usage(signal?: AbortSignal): Promise<UsageLimits> {
    const credentials = await this.options.credentials();
    if (!credentials) throw noTokenError();
    return withRoute(this.routeOptions(credentials, signal), async (route) => {
      const usage = await getUsageLimits({ route, accessToken: credentials.accessToken, tokenType: credentials.tokenType, fetch: this.options.fetch, signal });
      this.lastRoute = route;
      return usage;
    });
  }

  /** The profile ARN the current route names (a setting, the sign-in's, or looked up: GetProfile for an API key); rejects with a KiroError. */
  async profileArn(signal?: AbortSignal): Promise<string | undefined> {
    const credentials = await this.options.credentials();
    if (!credentials) throw noTokenError();
    return withRoute(this.routeOptions(credentials, signal), async (route) => route.profileArn);
  }

  /** The base URL pi shows for the provider: the chat host of the current settings (an override, or the generation's host). */
  baseUrl(): string {
    const settings = this.options.settings();
    return chatBaseUrl({ generation: currentGeneration(settings), region: settings.region ?? "us-east-1", endpoint: settings.endpoint });
  }

  /** A catalog entry as a pi Model that keeps its wire id and thinking style. */
  piModel(info: KiroModelInfo): KiroPiModel {
    return { ...toPiModel(info, this.baseUrl()), kiroId: info.kiroId, nativeThinking: info.nativeThinking };
  }

  /** Forgets cached catalogs, profiles and the generation learnt (after sign-out or a settings change). */
  forgetCaches(): void {
    clearModelCatalogCache();
    clearRouteCache();
    this.lastRoute = undefined;
  }
}
