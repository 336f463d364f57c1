// Ids the extension contributes in package.json (vendor, commands), defined once for every file that registers or calls them.

/** The vendor id in `contributes.languageModelChatProviders` and `vscode.lm.selectChatModels({ vendor })`. */
export const KIRO_VENDOR = "kiro";
/** `contributes.languageModelChatProviders[].managementCommand`. */
export const KIRO_MANAGE_COMMAND = "kiro.manage";
