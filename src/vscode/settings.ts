// Every kiro.* setting, read in one place: which ones only the user's own settings may set (they name a host, an account or a program), and the environment fallback through src/kiro/settings.ts.
import { trimmedString } from "../util/json";
import * as vscode from "vscode";
import { resolveKiroSettings, type KiroSettings, type KiroSettingValues } from "../kiro/settings";

/**
 * A setting that names where tokens go (a host), which account is used (a start URL, a profile) or a program to run is
 * read from the user's own settings only: a repository's `.vscode/settings.json` must not be able to send the user's
 * tokens to its server or run its program. package.json gives these `"scope": "application"` (read from the user settings also in remote windows such as
 * code-server, where machine-scoped ones would have to go into the remote settings) and lists them under
 * `capabilities.untrustedWorkspaces.restrictedConfigurations`; this reader ignores workspace values even where VS Code
 * would not (older versions, trusted workspaces).
 */
export const USER_ONLY_SETTINGS = [
  "endpoint",
  "oidcEndpoint",
  "profileArn",
  "auth.startUrl",
  "auth.region",
  "pi.command",
  // Models go into a command line (pi's `--model`, Codex's `-c model=`); the coding agents' programs.
  "pi.model",
  "agents.claudeCode.command",
  "agents.codex.command",
  "agents.opencode.command",
  "agents.model",
  "agents.backgroundModel",
] as const;
export type UserOnlySetting = (typeof USER_ONLY_SETTINGS)[number];

/** Settings any scope may set: they choose among AWS's own regions and hosts. */
type AnyScopeSetting = "region" | "api";

export type KiroSettingKey = UserOnlySetting | AnyScopeSetting;

const SECTION = "kiro";

function isUserOnly(key: KiroSettingKey): key is UserOnlySetting {
  return (USER_ONLY_SETTINGS as readonly string[]).includes(key);
}

/**
 * The value the person set explicitly, or undefined when it is at its default, so the environment (`KIRO_REGION`, …)
 * applies then. User-only settings come from user settings alone.
 */
export function explicitSetting(key: KiroSettingKey): string | undefined {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>(key);
  if (!inspected) return undefined;
  if (isUserOnly(key)) return trimmedString(inspected.globalValue);
  return trimmedString(inspected.workspaceFolderValue) ?? trimmedString(inspected.workspaceValue) ?? trimmedString(inspected.globalValue);
}

/** Which of `keys` a workspace (or folder) sets although only user settings count for them, to say that it is ignored. */
export function ignoredWorkspaceSettings(keys: readonly UserOnlySetting[]): string[] {
  const config = vscode.workspace.getConfiguration(SECTION);
  return keys.filter((key) => {
    const inspected = config.inspect<string>(key);
    return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
  }).map((key) => `${SECTION}.${key}`);
}

/** The explicit value, else the manifest's default. */
export function settingOrDefault(key: KiroSettingKey): string | undefined {
  return explicitSetting(key) ?? trimmedString(vscode.workspace.getConfiguration(SECTION).inspect<string>(key)?.defaultValue);
}

/** What shapes Kiro calls: explicit settings over the environment over defaults (src/kiro/settings.ts). */
export function kiroSettings(env: Record<string, string | undefined> = process.env): KiroSettings {
  const values: KiroSettingValues = {
    region: explicitSetting("region"),
    endpoint: explicitSetting("endpoint"),
    api: explicitSetting("api"),
    profileArn: explicitSetting("profileArn"),
    oidcEndpoint: explicitSetting("oidcEndpoint"),
  };
  return resolveKiroSettings(values, env);
}

/** Fires when a setting that changes where or how Kiro is called changed. */
export function onDidChangeKiroSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (["region", "endpoint", "api", "profileArn", "oidcEndpoint"].some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) listener();
  });
}

/** Writes `kiro.region` to the user's settings ("Kiro: Manage" → Change region). */
export async function setRegionSetting(region: string): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update("region", region, vscode.ConfigurationTarget.Global);
}
