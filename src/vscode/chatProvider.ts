// Kiro's models in VS Code's Chat view and vscode.lm: the LanguageModelChatProvider for vendor "kiro" and the "Kiro: Manage Models and Sign-in" command.
import * as vscode from "vscode";
import { clearModelCatalogCache, findModel, modelCatalog, toPiModel, type ListModelsOptions } from "../kiro/models";
import { conversationIdFor } from "../kiro/request";
import { streamKiro } from "../kiro/stream";
import type { KiroModelInfo, KiroStreamOptions } from "../kiro/options";
import type { AssistantMessageEvent, Context, Model } from "../kiro/types";
import type { ChatPartKit } from "./chatConversion";
import { describeKiroFailure, type ChatFailure } from "./chatErrors";
import { ChatRequestFailure, runChatRequest } from "./chatRequest";
import type { Logger } from "./log";
import { estimateTokens } from "./tokenCount";
import { markWalkthroughStepDone } from "./walkthrough";
import { registerChatViewSetup } from "./chatViewSetup";
import { KIRO_MANAGE_COMMAND, KIRO_VENDOR } from "./manifestIds";

export { KIRO_MANAGE_COMMAND, KIRO_VENDOR } from "./manifestIds";
export const KIRO_REGIONS = ["us-east-1", "eu-central-1"] as const;
/** Suffix of the thinking variant of a reasoning model (`findModel` resolves it to the same model with thinking forced on). */
const THINKING_SUFFIX = "-thinking";

/** Where the access token comes from: the VS Code sign-in when it exists, the environment in tests. */
export interface KiroSessionSource {
  getAccessToken(): Promise<string | undefined>;
  /** A fresh token after Kiro refused the current one; undefined to give up. */
  refreshAccessToken?(): Promise<string | undefined>;
  isSignedIn(): boolean;
  onDidChange(listener: () => void): vscode.Disposable;
  /** Runs the sign-in flow (may show UI); resolves when it ended, signed in or not. */
  signIn(): Promise<void>;
  signOut?(): Promise<void>;
  /** The Identity Center profile of the signed-in account, when it has one. */
  getProfileArn?(): string | undefined;
}

export interface KiroChatSettings {
  region?: string;
  endpoint?: string;
}

/** `kiro.region` / `kiro.endpoint`, read through this so tests and other hosts can supply them. */
export interface KiroChatConfig {
  get(): KiroChatSettings;
  onDidChange(listener: () => void): vscode.Disposable;
  setRegion(region: string): Promise<void>;
}

/** What the provider needs from src/kiro; injectable for tests. */
export interface KiroChatBackend {
  streamKiro(model: Model, context: Context, options?: KiroStreamOptions): AsyncIterable<AssistantMessageEvent>;
  modelCatalog(opts?: ListModelsOptions): Promise<KiroModelInfo[]>;
  findModel(id: string, catalog?: readonly KiroModelInfo[]): KiroModelInfo | undefined;
  toPiModel(info: KiroModelInfo, baseUrl?: string): Model;
  conversationIdFor?(context: Context): string;
  clearModelCatalogCache?(): void;
}

/** The real Kiro core. */
export function defaultKiroChatBackend(): KiroChatBackend {
  return { streamKiro, modelCatalog, findModel, toPiModel, conversationIdFor, clearModelCatalogCache };
}

/** A Kiro model as VS Code lists it; `kiroModelId` is the id handed to the Kiro core (a `-thinking` alias for thinking variants). */
export interface KiroChatModelInformation extends vscode.LanguageModelChatInformation {
  readonly kiroModelId: string;
  readonly thinking: boolean;
}

/** VS Code's part classes, including the ones only newer builds have (feature-detected, never required). */
export function vscodeChatPartKit(): ChatPartKit {
  const api = vscode as unknown as Record<string, unknown>;
  const optional = <T>(name: string): T | undefined => (typeof api[name] === "function" ? (api[name] as T) : undefined);
  return {
    TextPart: vscode.LanguageModelTextPart,
    ToolCallPart: vscode.LanguageModelToolCallPart,
    ToolResultPart: vscode.LanguageModelToolResultPart,
    PromptTsxPart: vscode.LanguageModelPromptTsxPart,
    DataPart: optional<ChatPartKit["DataPart"]>("LanguageModelDataPart"),
    ThinkingPart: optional<ChatPartKit["ThinkingPart"]>("LanguageModelThinkingPart"),
  };
}

/** One Kiro model → the entries VS Code lists: the model, plus a thinking variant for Claude models that can think. */
export function chatModelEntries(info: KiroModelInfo, region: string): KiroChatModelInformation[] {
  const imageInput = info.input.includes("image");
  const maxOutputTokens = Math.min(info.maxTokens, info.contextWindow);
  const base = {
    family: info.kiroId,
    version: info.kiroId,
    maxInputTokens: Math.max(1, info.contextWindow - maxOutputTokens),
    maxOutputTokens,
    // Every model Kiro serves takes toolSpecification; Kiro's own agent relies on it.
    capabilities: { toolCalling: true, imageInput },
  };
  const where = `Kiro (${region})`;
  const describe = (thinking: boolean): string =>
    [
      `${info.name}${thinking ? " with extended thinking" : ""}, served by Kiro (AWS) in ${region}.`,
      info.description,
      `${Math.round(info.contextWindow / 1000)}K context${imageInput ? ", images" : ""}, tools.`,
    ]
      .filter(Boolean)
      .join(" ");
  const entries: KiroChatModelInformation[] = [
    { ...base, id: info.id, name: info.name, detail: where, tooltip: describe(!!info.forceThinking), kiroModelId: info.id, thinking: !!info.forceThinking },
  ];
  const canThink = info.reasoning && !info.forceThinking && info.kiroId !== "auto" && info.kiroId.startsWith("claude");
  if (canThink) {
    entries.push({
      ...base,
      id: `${info.id}${THINKING_SUFFIX}`,
      name: `${info.name} (Thinking)`,
      detail: where,
      tooltip: describe(true),
      kiroModelId: `${info.id}${THINKING_SUFFIX}`,
      thinking: true,
    });
  }
  return entries;
}

export interface KiroChatProviderOptions {
  session: KiroSessionSource;
  config: KiroChatConfig;
  backend: KiroChatBackend;
  log?: Logger;
  /** Defaults to VS Code's own classes. */
  kit?: ChatPartKit;
  /** Called after each answer that finished (not cancelled, not failed). */
  onAnswered?: () => void;
}

/** Turns a failure into what vscode.lm callers catch: a LanguageModelError with a code where one fits, else an Error. */
export function toLanguageModelError(failure: ChatFailure): Error {
  if (failure.code === "NoPermissions") return vscode.LanguageModelError.NoPermissions(failure.message);
  if (failure.code === "Blocked") return vscode.LanguageModelError.Blocked(failure.message);
  if (failure.code === "NotFound") return vscode.LanguageModelError.NotFound(failure.message);
  return new Error(failure.message);
}

export class KiroChatProvider implements vscode.LanguageModelChatProvider<KiroChatModelInformation>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** The catalog behind the last list VS Code got, to resolve the model of a request. */
  private lastCatalog: KiroModelInfo[] = [];
  private readonly kit: ChatPartKit;

  constructor(private readonly options: KiroChatProviderOptions) {
    this.kit = options.kit ?? vscodeChatPartKit();
    this.disposables.push(
      options.session.onDidChange(() => this.refreshModels("sign-in changed")),
      options.config.onDidChange(() => this.refreshModels("region or endpoint changed")),
    );
  }

  /** Tells VS Code to ask for the models (again), keeping the cached catalog. */
  announceModels(): void {
    this.changed.fire();
  }

  /** Forgets the cached catalog and tells VS Code to ask for the models again. */
  refreshModels(why: string): void {
    this.options.log?.info(`Kiro chat models: reloading (${why})`);
    this.options.backend.clearModelCatalogCache?.();
    this.changed.fire();
  }

  private region(): string {
    return this.options.config.get().region || process.env.KIRO_REGION || KIRO_REGIONS[0];
  }

  async provideLanguageModelChatInformation(
    options: vscode.PrepareLanguageModelChatModelOptions,
    token: vscode.CancellationToken,
  ): Promise<KiroChatModelInformation[]> {
    const { session } = this.options;
    if (!session.isSignedIn()) {
      if (options.silent) return [];
      await session.signIn();
      if (!session.isSignedIn() || token.isCancellationRequested) return [];
    }
    const accessToken = await session.getAccessToken();
    if (!accessToken) return [];
    const settings = this.options.config.get();
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    try {
      const catalog = await this.options.backend.modelCatalog({
        accessToken,
        region: settings.region || undefined,
        endpoint: settings.endpoint || undefined,
        profileArn: session.getProfileArn?.(),
        signal: abort.signal,
      });
      this.lastCatalog = catalog;
      const region = this.region();
      const entries = catalog.flatMap((info) => chatModelEntries(info, region));
      this.options.log?.debug(`Kiro chat models: ${entries.map((e) => e.id).join(", ")}`);
      return entries;
    } finally {
      subscription.dispose();
    }
  }

  async provideLanguageModelChatResponse(
    model: KiroChatModelInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const { backend, session, log } = this.options;
    const kiroModelId = model.kiroModelId ?? model.id;
    const info = backend.findModel(kiroModelId, this.lastCatalog) ?? backend.findModel(kiroModelId);
    if (!info) {
      this.changed.fire();
      throw vscode.LanguageModelError.NotFound(
        `Kiro does not know the model "${model.name}" any more. Pick another Kiro model in the model picker; the list is being reloaded.`,
      );
    }
    const thinking = model.thinking ?? !!info.forceThinking;
    const settings = this.options.config.get();
    const started = Date.now();
    log?.info(`Kiro chat request: model ${kiroModelId}, ${messages.length} messages, ${options.tools?.length ?? 0} tools, toolMode ${options.toolMode}`);
    try {
      await runChatRequest(
        {
          model: backend.toPiModel(info, settings.endpoint || undefined),
          modelName: model.name,
          messages,
          tools: options.tools,
          toolMode: options.toolMode,
          kit: this.kit,
          report: (part) => progress.report(part as vscode.LanguageModelResponsePart),
          token,
          streamOptions: {
            accessToken: () => session.getAccessToken(),
            ...(session.refreshAccessToken ? { refreshAccessToken: () => session.refreshAccessToken!() } : {}),
            region: settings.region || undefined,
            endpoint: settings.endpoint || undefined,
            profileArn: session.getProfileArn?.(),
            reasoning: thinking ? "medium" : undefined,
          },
        },
        backend,
      );
      log?.info(`Kiro chat request: ${token.isCancellationRequested ? "cancelled" : "done"} after ${Date.now() - started} ms`);
      if (!token.isCancellationRequested) this.options.onAnswered?.();
    } catch (error) {
      const failure = error instanceof ChatRequestFailure ? error.failure : describeKiroFailure(error, { modelName: model.name });
      log?.warn(`Kiro chat request failed (${failure.kind}) after ${Date.now() - started} ms: ${failure.message}`);
      if (failure.refreshModels) this.refreshModels("Kiro refused the model");
      throw toLanguageModelError(failure);
    }
  }

  async provideTokenCount(
    _model: KiroChatModelInformation,
    text: string | vscode.LanguageModelChatRequestMessage,
    _token: vscode.CancellationToken,
  ): Promise<number> {
    return estimateTokens(text);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

interface ManageItem extends vscode.QuickPickItem {
  run(): Promise<void> | void;
}

/** "Kiro: Manage Models and Sign-in": sign in/out, the region, reloading the model list, VS Code's model manager. */
export async function showKiroManagePick(provider: KiroChatProvider, session: KiroSessionSource, config: KiroChatConfig): Promise<void> {
  const region = config.get().region || process.env.KIRO_REGION || KIRO_REGIONS[0];
  const items: ManageItem[] = [];
  if (session.isSignedIn()) {
    if (session.signOut) items.push({ label: "$(sign-out) Sign out of Kiro", run: () => session.signOut!() });
  } else {
    items.push({ label: "$(sign-in) Sign in to Kiro", detail: "AWS Builder ID or IAM Identity Center", run: () => session.signIn() });
  }
  items.push(
    {
      label: "$(globe) Change region",
      description: region,
      detail: "Where Kiro serves your requests; models differ per region.",
      run: async () => {
        const picked = await vscode.window.showQuickPick(
          KIRO_REGIONS.map((r) => ({ label: r, description: r === region ? "current" : undefined })),
          { title: "Kiro region" },
        );
        if (picked && picked.label !== region) await config.setRegion(picked.label);
      },
    },
    { label: "$(refresh) Reload the model list", detail: "Ask Kiro again which models this account may use.", run: () => provider.refreshModels("asked by the user") },
    {
      label: "$(list-unordered) Open VS Code's language model manager",
      run: async () => {
        await vscode.commands.executeCommand("workbench.action.chat.manage");
      },
    },
  );
  const picked = await vscode.window.showQuickPick(items, { title: "Kiro: Manage Models and Sign-in", placeHolder: session.isSignedIn() ? "Signed in to Kiro" : "Not signed in to Kiro" });
  await picked?.run();
}

/** A setting's value only when the user set it, so `KIRO_REGION` / `KIRO_ENDPOINT` apply when the setting is left at its default. */
function explicitSetting(key: string): string | undefined {
  const inspected = vscode.workspace.getConfiguration("kiro").inspect<string>(key);
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return typeof value === "string" && value.trim().length > 0 ? value.trim() : undefined;
}

/** `kiro.region` and `kiro.endpoint` from the workspace configuration. */
export function workspaceChatConfig(): KiroChatConfig {
  return {
    get: () => ({ region: explicitSetting("region"), endpoint: explicitSetting("endpoint") }),
    onDidChange: (listener) =>
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("kiro.region") || e.affectsConfiguration("kiro.endpoint")) listener();
      }),
    setRegion: async (region) => {
      await vscode.workspace.getConfiguration("kiro").update("region", region, vscode.ConfigurationTarget.Global);
    },
  };
}

/** Registers the provider for vendor "kiro" and the manage command; everything is disposed with the extension. */
export function registerKiroChat(
  context: vscode.ExtensionContext,
  options: { session: KiroSessionSource; backend?: KiroChatBackend; config?: KiroChatConfig; log?: Logger },
): KiroChatProvider {
  const config = options.config ?? workspaceChatConfig();
  const backend = options.backend ?? defaultKiroChatBackend();
  const chatView = registerChatViewSetup(context, options.session, options.log);
  // The walkthrough's "Chat with a Kiro model" step is done once Kiro has answered in this profile, however the chat was opened.
  let chatStepMarked = false;
  const onAnswered = (): void => {
    chatView.answered();
    if (chatStepMarked) return;
    chatStepMarked = true;
    void markWalkthroughStepDone(context.extension.id, "chat", options.log);
  };
  const provider = new KiroChatProvider({ session: options.session, config, backend, log: options.log, onAnswered });
  context.subscriptions.push(
    provider,
    vscode.lm.registerLanguageModelChatProvider(KIRO_VENDOR, provider),
    vscode.commands.registerCommand(KIRO_MANAGE_COMMAND, () => showKiroManagePick(provider, options.session, config)),
  );
  // VS Code asks a non-Copilot vendor for its models only when something requests them; until then a first-time user's
  // Chat view offers "Sign in to use Copilot". Announcing the models once at start makes VS Code load them right away.
  if (options.session.isSignedIn()) provider.announceModels();
  return provider;
}
