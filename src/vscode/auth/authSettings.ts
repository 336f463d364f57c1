// The sign-in settings (kiro.oidcEndpoint, kiro.auth.startUrl, kiro.auth.region), read through src/vscode/settings.ts, and the organisation the user signed in with last time.
import type * as vscode from "vscode";
import { explicitSetting, kiroSettings } from "../settings";

/** globalState key of the last Identity Center start URL and region (not secret: the user typed them). */
const LAST_IDENTITY_CENTER_KEY = "kiro.auth.lastIdentityCenter";

export interface IdentityCenterTarget {
  startUrl: string;
  region: string;
}

/** `kiro.oidcEndpoint` (user settings only) or `KIRO_OIDC_ENDPOINT`: replaces https://oidc.{region}.amazonaws.com for simulators and proxies. */
export function oidcEndpointSetting(): string | undefined {
  return kiroSettings().oidcEndpoint;
}

/** The start URL and region to offer: what the user used last, else the `kiro.auth.*` settings. */
export function identityCenterDefaults(memory: vscode.Memento): Partial<IdentityCenterTarget> {
  const last = memory.get<Partial<IdentityCenterTarget>>(LAST_IDENTITY_CENTER_KEY);
  const startUrl = (typeof last?.startUrl === "string" && last.startUrl) || explicitSetting("auth.startUrl");
  const region = (typeof last?.region === "string" && last.region) || explicitSetting("auth.region");
  return { ...(startUrl ? { startUrl } : {}), ...(region ? { region } : {}) };
}

export async function rememberIdentityCenter(memory: vscode.Memento, target: IdentityCenterTarget): Promise<void> {
  await memory.update(LAST_IDENTITY_CENTER_KEY, { startUrl: target.startUrl, region: target.region });
}
