// What a signed-in user needs before VS Code's Chat view answers with Kiro: the "Kiro" model group, VS Code's built-in chat extension running (one click when it is off), and Kiro's fast model for VS Code's utility tasks (offered once).
import * as vscode from "vscode";
import type { Logger } from "./log";
import { KIRO_VENDOR } from "./manifestIds";

/**
 * The workbench command behind "Add Models…" in VS Code's language model manager (1.139): it records a provider group in the
 * profile's chatLanguageModels.json. Not part of the extension API, so it is feature-detected and its failures only logged.
 */
export const ADD_MODEL_GROUP_COMMAND = "lm.addLanguageModelsProviderGroup";
/** The group name Kiro's models are listed under in chatLanguageModels.json and the language model manager. */
export const KIRO_MODEL_GROUP_NAME = "Kiro";
/** The extension that runs the Chat view's participants (ask, agent) and their tool loop; in 1.139 it ships built in. */
export const COPILOT_CHAT_EXTENSION_ID = "GitHub.copilot-chat";
/**
 * The workbench command behind the Extensions view's Install button. Given an installed extension's id and `{ enable: true }`
 * it enables that one extension (VS Code 1.139, extensionsWorkbenchService.install: a built-in that auto-updates is taken as
 * installed, then enabled); without `justification` it asks nothing. Feature-detected: older VS Code may lack the option.
 */
export const INSTALL_EXTENSION_COMMAND = "workbench.extensions.installExtension";
export const RELOAD_WINDOW_COMMAND = "workbench.action.reloadWindow";
/** Opens the Extensions view with a search; the fallback when the chat extension cannot be enabled by command. */
export const EXTENSION_SEARCH_COMMAND = "workbench.extensions.search";
export const OPEN_CHAT_COMMAND = "workbench.action.chat.open";
/** The walkthrough's chat button: signs in when needed, enables VS Code's chat extension when it is off, opens the Chat view. */
export const OPEN_CHAT_FOR_KIRO_COMMAND = "kiro.openChat";
/** VS Code's settings for the model of its utility tasks (titles, summaries, commit messages), stored as `<vendor>/<model id>`. */
export const UTILITY_MODEL_SETTINGS = ["chat.utilityModel", "chat.utilitySmallModel"] as const;
/** What VS Code uses for utility tasks when the main model is a BYOK one and neither setting names a model; "mainAgent" needs no prompt. */
export const BYOK_UTILITY_DEFAULT_SETTING = "chat.byokUtilityModelDefault";
/** Kiro's fast, cheap model: what VS Code's description of chat.utilitySmallModel recommends for utility tasks. */
export const KIRO_UTILITY_MODEL_ID = "claude-haiku-4-5";

const CHAT_NOTICE_DECLINED_KEY = "kiro.chatViewNoticeDeclined";
const UTILITY_OFFER_DECLINED_KEY = "kiro.utilityModelOfferDeclined";
/** How long to wait for the extension host to report an extension VS Code just enabled before taking the reload as needed. */
const CHAT_EXTENSION_START_TIMEOUT_MS = 15_000;

export type KiroModelGroupResult = "added" | "present" | "unsupported" | "failed";

/**
 * Makes sure a "Kiro" provider group exists, which sets VS Code's context key github.copilot.hasByokModels. A vendor that only
 * registers a provider has no group; then a message sent before the chat extension's agents registered (right after a start
 * or reload) opens "Sign in to use GitHub Copilot", where with the group VS Code waits for the agent and answers
 * (docs/vscode-chat.md, 9-11 s seen).
 */
export async function ensureKiroModelGroup(log?: Logger): Promise<KiroModelGroupResult> {
  const commands = await vscode.commands.getCommands(true);
  if (!commands.includes(ADD_MODEL_GROUP_COMMAND)) return "unsupported";
  try {
    await vscode.commands.executeCommand(ADD_MODEL_GROUP_COMMAND, { name: KIRO_MODEL_GROUP_NAME, vendor: KIRO_VENDOR });
    log?.info(`Kiro chat models: added the "${KIRO_MODEL_GROUP_NAME}" group to VS Code's language models, so the Chat view can use them without a Copilot sign-in`);
    return "added";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/already exists/i.test(message)) return "present";
    log?.warn(`Kiro chat models: could not add the "${KIRO_MODEL_GROUP_NAME}" group to VS Code's language models: ${message}`);
    return "failed";
  }
}

/** Whether VS Code's chat extension is in this extension host, i.e. enabled; a disabled extension is not listed at all. */
export function isChatExtensionRunning(): boolean {
  return vscode.extensions.getExtension(COPILOT_CHAT_EXTENSION_ID) !== undefined;
}

/** Resolves true once the chat extension is listed in this extension host, false after `timeoutMs`. */
function whenChatExtensionListed(timeoutMs: number): Promise<boolean> {
  if (isChatExtensionRunning()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (listed: boolean): void => {
      clearTimeout(timer);
      subscription.dispose();
      resolve(listed);
    };
    const subscription = vscode.extensions.onDidChange(() => {
      if (isChatExtensionRunning()) done(true);
    });
    const timer = setTimeout(() => done(isChatExtensionRunning()), timeoutMs);
  });
}

export type EnableChatResult = "running" | "reloading" | "unsupported" | "failed";

/**
 * Enables VS Code's built-in chat extension and nothing else, then reloads the window when VS Code could not start it in the
 * running extension host. "unsupported": this VS Code has no command for it (the caller takes the user to the extension).
 */
export async function enableChatExtension(log?: Logger): Promise<EnableChatResult> {
  if (isChatExtensionRunning()) return "running";
  const commands = await vscode.commands.getCommands(true);
  if (!commands.includes(INSTALL_EXTENSION_COMMAND)) return "unsupported";
  try {
    await vscode.commands.executeCommand(INSTALL_EXTENSION_COMMAND, COPILOT_CHAT_EXTENSION_ID, { enable: true });
  } catch (error) {
    log?.warn(`Kiro chat: enabling ${COPILOT_CHAT_EXTENSION_ID} failed: ${error instanceof Error ? error.message : String(error)}`);
    return "failed";
  }
  if (await whenChatExtensionListed(CHAT_EXTENSION_START_TIMEOUT_MS)) {
    log?.info(`Kiro chat: enabled ${COPILOT_CHAT_EXTENSION_ID}; it runs without a reload`);
    return "running";
  }
  log?.info(`Kiro chat: enabled ${COPILOT_CHAT_EXTENSION_ID}; reloading the window to start it`);
  await vscode.commands.executeCommand(RELOAD_WINDOW_COMMAND);
  return "reloading";
}

/** Opens the Extensions view at VS Code's chat extension, for a VS Code that cannot enable it by command. */
async function showChatExtension(): Promise<void> {
  await vscode.commands.executeCommand(EXTENSION_SEARCH_COMMAND, `@id:${COPILOT_CHAT_EXTENSION_ID}`);
}

/**
 * The walkthrough's "Open Chat" and the notice's "Enable Chat": signs in first when needed (Kiro's models need it), enables
 * the chat extension when it is off, then opens the Chat view (after a reload VS Code restores the view itself).
 */
async function openChatForKiro(session: ChatViewSession, log?: Logger): Promise<void> {
  if (!session.isSignedIn()) {
    await session.signIn();
    if (!session.isSignedIn()) return;
  }
  const result = await enableChatExtension(log);
  if (result === "reloading") return;
  if (result === "unsupported" || result === "failed") return showChatExtension();
  await vscode.commands.executeCommand(OPEN_CHAT_COMMAND);
}

/**
 * Says so when the Chat view cannot answer with Kiro, and only then: VS Code's chat extension is not running. VS Code 1.139
 * disables its built-in one in every profile that has not finished Copilot's setup, and then every message in the Chat view
 * opens "Sign in to use GitHub Copilot" (docs/vscode-chat.md). Its one button enables just that extension, reloads the window
 * if VS Code cannot start it otherwise, and opens the Chat view. Closing the notice keeps it closed in this profile; the
 * walkthrough's chat step has the same button.
 */
export async function noticeChatExtensionOff(context: vscode.ExtensionContext, session: ChatViewSession, log?: Logger): Promise<void> {
  if (isChatExtensionRunning()) {
    log?.info(`Kiro chat: ${COPILOT_CHAT_EXTENSION_ID} is running, so the Chat view can answer with Kiro's models`);
    return;
  }
  if (context.globalState.get<boolean>(CHAT_NOTICE_DECLINED_KEY)) {
    log?.info(`Kiro chat: ${COPILOT_CHAT_EXTENSION_ID} is not running; the notice about it was closed before, so only the walkthrough offers it`);
    return;
  }
  log?.info(`Kiro chat: ${COPILOT_CHAT_EXTENSION_ID} is not running, so the Chat view cannot answer; offering to enable it`);
  const canEnable = (await vscode.commands.getCommands(true)).includes(INSTALL_EXTENSION_COMMAND);
  const button = canEnable ? "Enable Chat" : "Show Extension";
  const picked = await vscode.window.showInformationMessage(
    "Kiro answers in the Chat view once VS Code's built-in chat extension (GitHub Copilot Chat) is on; VS Code keeps it off " +
      "until chat is set up." +
      (canEnable
        ? " Enable Chat turns on just that extension (no GitHub account needed; the window reloads if VS Code needs it)."
        : " No GitHub account is needed: enable it in the Extensions view."),
    button,
  );
  if (picked === undefined) {
    await context.globalState.update(CHAT_NOTICE_DECLINED_KEY, true);
    return;
  }
  // The extension may have started meanwhile (enabled elsewhere); then this only opens the Chat view.
  await (canEnable ? openChatForKiro(session, log) : showChatExtension());
}

/** A VS Code setting's value as the user set it (any scope), undefined when unset or empty. */
function userValue(key: string): string | undefined {
  const inspected = vscode.workspace.getConfiguration().inspect<string>(key);
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Whether this VS Code knows `key` (a registered setting has a default; an unknown one inspects to no default). */
function isKnownSetting(key: string): boolean {
  return vscode.workspace.getConfiguration().inspect(key)?.defaultValue !== undefined;
}

export type UtilityModelOfferResult = "set" | "declined" | "notAsked";

/**
 * Offers Kiro's fast model for VS Code's utility tasks (until the person answers; a "no" is kept for the profile), in the state where VS Code's chat extension asks
 * for one ("Set BYOK utility models": the chat extension runs, a non-Copilot model exists, chat.utilityModel or
 * chat.utilitySmallModel is empty and chat.byokUtilityModelDefault is not "mainAgent"; docs/vscode-chat.md). Accepting
 * fills the empty ones with `kiro/claude-haiku-4-5` in the user settings, which also ends VS Code's prompt.
 */
export async function offerKiroUtilityModel(context: vscode.ExtensionContext, log?: Logger): Promise<UtilityModelOfferResult> {
  if (!isChatExtensionRunning() || context.globalState.get<boolean>(UTILITY_OFFER_DECLINED_KEY)) return "notAsked";
  if (!UTILITY_MODEL_SETTINGS.every(isKnownSetting)) return "notAsked";
  if (vscode.workspace.getConfiguration().get<string>(BYOK_UTILITY_DEFAULT_SETTING) === "mainAgent") return "notAsked";
  const empty = UTILITY_MODEL_SETTINGS.filter((key) => userValue(key) === undefined);
  if (empty.length === 0) return "notAsked";
  const [fast] = await vscode.lm.selectChatModels({ vendor: KIRO_VENDOR, id: KIRO_UTILITY_MODEL_ID });
  if (!fast) return "notAsked";
  const use = `Use ${fast.name}`;
  const picked = await vscode.window.showInformationMessage(
    `VS Code asks for a model for its utility tasks (chat titles, summaries, commit messages). Use Kiro's ${fast.name}, a fast one?`,
    use,
  );
  if (picked !== use) {
    await context.globalState.update(UTILITY_OFFER_DECLINED_KEY, true);
    return "declined";
  }
  const value = `${KIRO_VENDOR}/${fast.id}`;
  for (const key of empty) await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
  log?.info(`Kiro chat: ${empty.join(" and ")} set to ${value}`);
  return "set";
}

/** What the sign-in source must tell (KiroSessionSource in chatProvider.ts has these). */
export interface ChatViewSession {
  isSignedIn(): boolean;
  onDidChange(listener: () => void): vscode.Disposable;
  /** Runs the sign-in flow; resolves when it ended, signed in or not. */
  signIn(): Promise<void>;
}

export interface ChatViewSetup {
  /** Call after Kiro answered a chat request; offers Kiro's fast model for VS Code's utility tasks (once per window). */
  answered(): void;
}

/**
 * Gets the Chat view ready for a signed-in user, at start and after every sign-in: the "Kiro" model group, then the notice
 * when VS Code's chat extension is off. Registers "kiro.openChat": the walkthrough's button, and "Kiro: Open Chat" in the
 * palette.
 */
export function registerChatViewSetup(context: vscode.ExtensionContext, session: ChatViewSession, log?: Logger): ChatViewSetup {
  // One notice at a time, and none while "Open Chat" is already signing in and enabling the extension (the sign-in it
  // starts would otherwise announce an extension that is being turned on that very moment).
  let noticeOpen = false;
  let openingChat = false;
  const prepare = async (): Promise<void> => {
    await ensureKiroModelGroup(log);
    if (noticeOpen || openingChat) return;
    noticeOpen = true;
    try {
      await noticeChatExtensionOff(context, session, log);
    } finally {
      noticeOpen = false;
    }
  };
  const openChat = async (): Promise<void> => {
    openingChat = true;
    try {
      await openChatForKiro(session, log);
    } finally {
      openingChat = false;
    }
  };
  const prepareWhenSignedIn = (): void => {
    if (session.isSignedIn()) void prepare().catch((error: unknown) => log?.warn(`Kiro chat: preparing the Chat view failed: ${String(error)}`));
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_CHAT_FOR_KIRO_COMMAND, openChat),
    session.onDidChange(prepareWhenSignedIn),
  );
  prepareWhenSignedIn();
  let offered = false;
  return {
    answered: () => {
      if (offered) return;
      offered = true;
      void offerKiroUtilityModel(context, log).catch((error: unknown) => log?.warn(`Kiro chat: offering the utility model failed: ${String(error)}`));
    },
  };
}
