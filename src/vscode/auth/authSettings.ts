// The sign-in settings (kiro.oidcEndpoint, kiro.auth.startUrl, kiro.auth.region) and the organisation the user signed in with last time.
import * as vscode from "vscode";

/** globalState key of the last Identity Center start URL and region (not secret: the user typed them). */
const LAST_IDENTITY_CENTER_KEY = "kiro.auth.lastIdentityCenter";

export interface IdentityCenterTarget {
  startUrl: string;
  region: string;
}

function setting(key: string): string | undefined {
  const value = vscode.workspace.getConfiguration("kiro").get<string>(key);
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** `kiro.oidcEndpoint`: replaces https://oidc.{region}.amazonaws.com for simulators and proxies. */
export function oidcEndpointSetting(): string | undefined {
  return setting("oidcEndpoint");
}

/** The start URL and region to offer: what the user used last, else the `kiro.auth.*` settings. */
export function identityCenterDefaults(memory: vscode.Memento): Partial<IdentityCenterTarget> {
  const last = memory.get<Partial<IdentityCenterTarget>>(LAST_IDENTITY_CENTER_KEY);
  const startUrl = (typeof last?.startUrl === "string" && last.startUrl) || setting("auth.startUrl");
  const region = (typeof last?.region === "string" && last.region) || setting("auth.region");
  return { ...(startUrl ? { startUrl } : {}), ...(region ? { region } : {}) };
}

export async function rememberIdentityCenter(memory: vscode.Memento, target: IdentityCenterTarget): Promise<void> {
  await memory.update(LAST_IDENTITY_CENTER_KEY, { startUrl: target.startUrl, region: target.region });
}
