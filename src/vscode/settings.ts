// Every kiro.* setting, read in one place from its declaration (src/kiro/settings.ts for the core ones, src/vscode/settingDeclarations.ts for the editor's own): which layers count, when the environment does, and where a refused value is reported.
import * as vscode from "vscode";
import {
  environmentCandidate,
  KIRO_SETTINGS,
  reportOnce,
  resolveKiroSettingsFrom,
  settingValue,
  type KiroSettings,
  type SettingCandidate,
  type SettingDeclaration,
  type SettingReport,
} from "../kiro/settings";
import { ALL_SETTINGS, type EDITOR_SETTINGS } from "./settingDeclarations";

/** A setting's key under `kiro.` (each registry's property names are the keys; test/unit/settingRegistry.test.ts checks it). */
export type KiroSettingKey = keyof typeof KIRO_SETTINGS | keyof typeof EDITOR_SETTINGS;

/**
 * A setting that names where tokens go (a host), which account is used (a start URL, a profile) or a program to run is
 * read from the user's own settings only: a repository's `.vscode/settings.json` must not be able to send the user's
 * tokens to its server or run its program, and neither may the extension host's environment (a devcontainer's
 * `remoteEnv`). package.json gives these `"scope": "application"` and lists them under
 * `capabilities.untrustedWorkspaces.restrictedConfigurations`; this reader ignores workspace values even where VS Code
 * would not (older versions, trusted workspaces). A declaration's `scope: "user"` says which these are.
 */
export type UserOnlySetting = KiroSettingKey;

const SECTION = "kiro";

function declarationOf(key: KiroSettingKey): SettingDeclaration {
  const found = ALL_SETTINGS.find((s) => s.key === key);
  if (!found) throw new Error(`kiro.${key} is not declared`);
  return found;
}

/** The settings layers that count for a declaration, most specific first: user settings alone for `user` scope. */
function editorCandidates(declaration: SettingDeclaration): SettingCandidate[] {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect(declaration.key);
  if (!inspected) return [];
  const user: SettingCandidate = { source: "setting", where: "your user settings", raw: inspected.globalValue };
  if (declaration.scope === "user") return [user];
  return [
    { source: "setting", where: "the folder settings", raw: inspected.workspaceFolderValue },
    { source: "setting", where: "the workspace settings", raw: inspected.workspaceValue },
    user,
  ];
}

let report: SettingReport | undefined;

/** Sends refused setting values to the "Kiro" Output channel (once per distinct message); set on activation. */
export function reportSettingProblemsTo(log: { warn(message: string): void }): void {
  report = reportOnce((message) => log.warn(message));
}

/**
 * The value the person set explicitly, or undefined when it is not set (or refused, which is reported), so the
 * environment or the default applies then. User-only settings come from user settings alone.
 */
export function explicitSetting(key: KiroSettingKey): string | undefined {
  const { value, source } = settingValue(declarationOf(key), editorCandidates(declarationOf(key)), report);
  return source === "setting" && value !== undefined ? String(value) : undefined;
}

/** Which of `keys` a workspace (or folder) sets although only user settings count for them, to say that it is ignored. */
export function ignoredWorkspaceSettings(keys: readonly UserOnlySetting[]): string[] {
  const config = vscode.workspace.getConfiguration(SECTION);
  return keys.filter((key) => {
    const inspected = config.inspect(key);
    return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
  }).map((key) => `${SECTION}.${key}`);
}

/** The explicit value, else the declared default. */
export function settingOrDefault(key: KiroSettingKey): string | undefined {
  const fallback = declarationOf(key).default;
  return explicitSetting(key) ?? (typeof fallback === "string" && fallback ? fallback : undefined);
}

/**
 * What shapes Kiro calls: explicit settings over the environment over defaults (src/kiro/settings.ts). The environment
 * counts only for settings any workspace may set: where tokens go and which account is used come from the user alone.
 */
export function kiroSettings(env: Record<string, string | undefined> = process.env): KiroSettings {
  return resolveKiroSettingsFrom((declaration) => [...editorCandidates(declaration), ...(declaration.scope === "any" ? environmentCandidate(declaration, env) : [])], report);
}

/** Fires when a setting that changes where or how Kiro is called changed (every core declaration). */
export function onDidChangeKiroSettings(listener: () => void): vscode.Disposable {
  const keys = Object.values(KIRO_SETTINGS).map((s) => `${SECTION}.${s.key}`);
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (keys.some((key) => event.affectsConfiguration(key))) listener();
  });
}

/** Writes `kiro.region` to the user's settings ("Kiro: Manage" → Change region). */
export async function setRegionSetting(region: string): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update("region", region, vscode.ConfigurationTarget.Global);
}
