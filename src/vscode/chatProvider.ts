// Kiro's models in VS Code's Chat view and vscode.lm: the LanguageModelChatProvider for vendor "kiro", over the window's Kiro client.
import * as vscode from "vscode";
import type { KiroClient } from "../kiro/client";
import { findModel } from "../kiro/catalog/models";
import { KiroError } from "../kiro/errors";
import type { KiroModelInfo } from "../kiro/catalog/modelInfo";
import { conversationIdFor } from "../kiro/request/request";
import type { KiroSessionSource } from "./auth/authSessionSource";
import type { ChatPartKit } from "./chatConversion";
import { describeKiroFailure, type ChatFailure } from "./chatErrors";
import { chatModelEntry, effortLevel, legacyThinkingEntry, nearQuotaWarning, requestEffort, type ChatModelStatus, type KiroChatModelInformation } from "./chatModels";
import { ChatRequestFailure, runChatRequest } from "./chatRequest";
import { ChatThinkingMemory } from "./chatThinkingMemory";
import { chatUsage, describeUsage, USAGE_MIME, usageBytes } from "./chatUsage";
import { registerChatViewSetup } from "./chatViewSetup";
import type { Logger } from "./log";
import { showKiroManagePick } from "./manageCommand";
import { KIRO_MANAGE_COMMAND, KIRO_VENDOR } from "./manifestIds";
import { onDidChangeKiroSettings } from "./settings";
import { estimateTokens } from "./tokenCount";
import type { WalkthroughProgress } from "./walkthrough";

export { KIRO_MANAGE_COMMAND, KIRO_VENDOR } from "./manifestIds";

/** What the provider uses of the window's Kiro client (tests pass their own). */
export type KiroChatClient = Pick<KiroClient, "catalog" | "resolveModel" | "stream" | "piModel" | "forgetCaches" | "lastRoute" | "usage">;

/** How often, at most, an answer is followed by a look at the account's usage (for the near-quota warning); a sign-in or settings change allows the next at once. */
const USAGE_CHECK_INTERVAL_MS = 60_000;

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

export interface KiroChatProviderOptions {
  session: Pick<KiroSessionSource, "isSignedIn" | "signIn" | "onDidChange">;
  client: KiroChatClient;
  log?: Logger;
  /** Defaults to VS Code's own classes. */
  kit?: ChatPartKit;
  /** Called after each answer that finished (not cancelled, not failed). */
  onAnswered?: () => void;
  /**
   * Also list each thinking model under its old `-thinking` id, hidden from the picker, so a saved id still finds it.
   * Only where VS Code hides models with `isUserSelectable: false` (default: VS Code ≥ 1.133, where that was read in its source).
   */
  listLegacyThinkingIds?: boolean;
}

/** Whether the running VS Code is at least `major.minor`. */
export function vscodeAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split(".").map((n) => Number.parseInt(n, 10));
  return a > major || (a === major && b >= minor);
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
  /** What the model entries show about the account: the quota used up (cleared by the next answer) or nearly so (from the usage call). */
  private status: Pick<ChatModelStatus, "quotaUsedUp" | "quotaNear"> = {};
  /** When the usage was last looked at (0: look after the next answer); a look in flight while `usageCheck` is set. */
  private usageCheckedAt = 0;
  private usageCheck: Promise<void> | undefined;
  private readonly thinkingMemory = new ChatThinkingMemory();

  constructor(private readonly options: KiroChatProviderOptions) {
    this.kit = options.kit ?? vscodeChatPartKit();
    this.disposables.push(
      options.session.onDidChange(() => this.refreshModels("sign-in changed")),
      onDidChangeKiroSettings(() => this.refreshModels("Kiro settings changed")),
    );
  }

  /** Tells VS Code to ask for the models (again), keeping the cached catalog. */
  announceModels(): void {
    this.changed.fire();
  }

  /** Forgets the cached catalog (and route) and tells VS Code to ask for the models again. */
  refreshModels(why: string): void {
    this.options.log?.info(`Kiro chat models: reloading (${why})`);
    this.options.client.forgetCaches();
    this.usageCheckedAt = 0;
    this.changed.fire();
  }

  async provideLanguageModelChatInformation(
    options: vscode.PrepareLanguageModelChatModelOptions,
    token: vscode.CancellationToken,
  ): Promise<KiroChatModelInformation[]> {
    const { session, client } = this.options;
    // Signed out, VS Code still lists the built-in models, each with a sign-in icon and text (a silent request must not start a sign-in).
    let signedOut = false;
    if (!session.isSignedIn()) {
      if (options.silent) signedOut = true;
      else await session.signIn();
      if (token.isCancellationRequested) return [];
      signedOut = !session.isSignedIn();
    }
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    try {
      const catalog = await client.catalog(abort.signal);
      this.lastCatalog = catalog;
      const region = client.lastRoute?.region ?? "us-east-1";
      const status: ChatModelStatus = {
        ...(signedOut ? { signedOut } : this.status),
        icon: (id) => new vscode.ThemeIcon(id),
        showsWarningText: vscodeAtLeast(vscode.version, 1, 133),
      };
      const models = catalog.map((info) => chatModelEntry(info, region, status));
      const legacy = (this.options.listLegacyThinkingIds ?? vscodeAtLeast(vscode.version, 1, 133)) ? models.flatMap((m) => legacyThinkingEntry(m) ?? []) : [];
      const entries = [...models, ...legacy];
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
    const { client, log } = this.options;
    const kiroModelId = model.kiroModelId ?? model.id;
    // The catalog VS Code listed from first: the model picked there must resolve even if the live list changed since.
    const info = (this.lastCatalog.length > 0 ? findModel(kiroModelId, this.lastCatalog) : undefined) ?? (await client.resolveModel(kiroModelId));
    if (!info) {
      this.changed.fire();
      throw vscode.LanguageModelError.NotFound(
        `Kiro does not know the model "${model.name}" any more. Pick another Kiro model in the model picker; the list is being reloaded.`,
      );
    }
    // The picker's "Thinking Effort" (VS Code ≥ 1.107 passes it as modelConfiguration); a model from an older list has no efforts.
    const configuration = (options as { modelConfiguration?: unknown }).modelConfiguration;
    const effort = model.efforts ? requestEffort(model, configuration) : info.forceThinking ? "medium" : undefined;
    const reasoning = effortLevel(effort);
    const started = Date.now();
    log?.info(
      `Kiro chat request: model ${kiroModelId}, thinking ${effort ?? "off"}, ${messages.length} messages, ${options.tools?.length ?? 0} tools, toolMode ${options.toolMode}`,
    );
    try {
      const final = await runChatRequest(
        {
          model: client.piModel(info),
          modelName: model.name,
          messages,
          tools: options.tools,
          toolMode: options.toolMode,
          kit: this.kit,
          report: (part) => progress.report(part as vscode.LanguageModelResponsePart),
          token,
          streamOptions: reasoning ? { reasoning, ...(effort ? { effort } : {}) } : {},
          thinkingMemory: this.thinkingMemory,
        },
        { stream: (m, c, o) => client.stream(m, c, o), conversationIdFor },
      );
      const outcome = token.isCancellationRequested ? "cancelled" : final?.stopReason === "length" ? "done, cut at the model's output limit" : "done";
      const usage = chatUsage(final);
      log?.info(`Kiro chat request: ${outcome} after ${Date.now() - started} ms${usage || final?.kiro ? `; ${describeUsage(final, usage)}` : ""}`);
      if (token.isCancellationRequested) return;
      // Copilot Chat reads this part as the answer's usage and fills the context indicator from it (docs/vscode-chat.md#usage).
      if (usage && this.kit.DataPart) progress.report(new this.kit.DataPart(usageBytes(usage), USAGE_MIME) as vscode.LanguageModelResponsePart);
      this.setStatus({ quotaNear: this.status.quotaNear });
      this.checkUsageSoon();
      this.options.onAnswered?.();
    } catch (error) {
      const failure = error instanceof ChatRequestFailure ? error.failure : describeKiroFailure(error, { modelName: model.name });
      log?.warn(`Kiro chat request failed (${failure.kind}) after ${Date.now() - started} ms: ${failure.message}`);
      if (failure.refreshModels) this.refreshModels("Kiro refused the model");
      if (failure.kind === "quota") this.setStatus({ quotaUsedUp: failure.message });
      throw toLanguageModelError(failure);
    }
  }

  /** Shows (or clears) the quota state on every model entry: a warning icon and/or lines in the picker's hover. */
  private setStatus(status: Pick<ChatModelStatus, "quotaUsedUp" | "quotaNear">): void {
    if (this.status.quotaUsedUp === status.quotaUsedUp && this.status.quotaNear === status.quotaNear) return;
    this.status = { ...(status.quotaUsedUp ? { quotaUsedUp: status.quotaUsedUp } : {}), ...(status.quotaNear ? { quotaNear: status.quotaNear } : {}) };
    this.changed.fire();
  }

  /** After an answer: asks Kiro how much of the period's credits are used (at most once a minute) and warns on the entries when little is left. */
  private checkUsageSoon(): void {
    if (this.usageCheck || Date.now() - this.usageCheckedAt < USAGE_CHECK_INTERVAL_MS) return;
    this.usageCheckedAt = Date.now();
    this.usageCheck = this.options.client
      .usage(AbortSignal.timeout(10_000))
      .then(
        (usage) => {
          const near = nearQuotaWarning(usage);
          this.options.log?.debug(`Kiro usage: ${usage.percentUsed}% of ${usage.limit} used${near ? " (near the quota)" : ""}`);
          if (!this.status.quotaUsedUp) this.setStatus({ quotaNear: near });
        },
        (error: unknown) => this.options.log?.debug(`Kiro usage could not be read after an answer: ${error instanceof KiroError ? error.userMessage : "unexpected failure"}`),
      )
      .finally(() => (this.usageCheck = undefined));
  }

  /** Resolves when no usage look is in flight (tests wait for it). */
  async settled(): Promise<void> {
    await this.usageCheck;
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

/** Registers the provider for vendor "kiro" and the manage command; everything is disposed with the extension. */
export function registerKiroChat(
  context: vscode.ExtensionContext,
  options: { session: KiroSessionSource; client: KiroChatClient; walkthrough: WalkthroughProgress; log?: Logger },
): KiroChatProvider {
  const chatView = registerChatViewSetup(context, options.session, options.log);
  // The walkthrough's "Chat with a Kiro model" step is done once Kiro has answered in this profile, however the chat was opened.
  const onAnswered = (): void => {
    chatView.answered();
    options.walkthrough.done("chat");
  };
  const provider = new KiroChatProvider({ session: options.session, client: options.client, log: options.log, onAnswered });
  context.subscriptions.push(
    provider,
    vscode.lm.registerLanguageModelChatProvider(KIRO_VENDOR, provider),
    vscode.commands.registerCommand(KIRO_MANAGE_COMMAND, () => showKiroManagePick(provider, options.session, options.client)),
  );
  // VS Code asks a non-Copilot vendor for its models only when something requests them; until then a first-time user's
  // Chat view offers "Sign in to use Copilot". Announcing the models once at start makes VS Code load them right away.
  if (options.session.isSignedIn()) provider.announceModels();
  return provider;
}
