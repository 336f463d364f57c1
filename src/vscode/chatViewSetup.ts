// What a signed-in user needs before VS Code's Chat view answers with Kiro: the "Kiro" model group, and a word when VS Code's chat extension is off.
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
const CHAT_VIEW_NOTICE_KEY = "kiro.chatViewNoticeShown";

export type KiroModelGroupResult = "added" | "present" | "unsupported" | "failed";

/**
 * Makes sure a "Kiro" provider group exists. VS Code 1.139 lets the Chat view use models without a Copilot sign-in only while
 * some non-Copilot vendor has such a group (context key github.copilot.hasByokModels); a vendor that only registers a provider
 * has none, and every message then opens "Sign in to use GitHub Copilot".
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

/**
 * Tells the user, once per profile, that the Chat view needs VS Code's built-in chat extension enabled. VS Code 1.139 disables it
 * in a profile that never finished Copilot's setup, and without it the Chat view has no participant to run a Kiro model;
 * no extension API can enable another extension, so this only explains and opens the Extensions view.
 */
async function noticeDisabledChatExtension(context: vscode.ExtensionContext, log?: Logger): Promise<void> {
  if (vscode.extensions.getExtension(COPILOT_CHAT_EXTENSION_ID)) return;
  if (context.globalState.get<boolean>(CHAT_VIEW_NOTICE_KEY)) return;
  await context.globalState.update(CHAT_VIEW_NOTICE_KEY, true);
  log?.info(`Kiro chat: ${COPILOT_CHAT_EXTENSION_ID} is not running; the Chat view cannot answer until it is enabled`);
  const show = "Show Extension";
  const picked = await vscode.window.showInformationMessage(
    "Kiro's models are ready for VS Code's Chat view, but VS Code keeps its built-in chat extension (GitHub Copilot Chat) disabled " +
      "until chat is set up. Enable it (no GitHub account is needed for Kiro models), e.g. with \"Extensions: Enable All Extensions\", then reload.",
    show,
  );
  if (picked === show) await vscode.commands.executeCommand("workbench.extensions.search", `@builtin ${COPILOT_CHAT_EXTENSION_ID}`);
}

/** What a signed-in user needs before the Chat view answers with Kiro: the model group, and a word when VS Code's chat extension is off. */
export async function prepareChatView(context: vscode.ExtensionContext, log?: Logger): Promise<void> {
  await ensureKiroModelGroup(log);
  await noticeDisabledChatExtension(context, log);
}

