// "Kiro: Manage Models and Sign-in": sign in or out, the region, the profile, reloading the model list, VS Code's model manager.
import * as vscode from "vscode";
import type { KiroClient } from "../kiro/client";
import { listAvailableProfiles } from "../kiro/service/profiles";
import { API_REGIONS } from "../kiro/settings";
import type { KiroSessionSource } from "./auth/authSessionSource";
import { pickProfile } from "./profilePick";
import { kiroSettings, setRegionSetting } from "./settings";

interface ManageItem extends vscode.QuickPickItem {
  run(): Promise<void> | void;
}

/** What the manage pick needs from the chat provider. */
export interface ModelListOwner {
  refreshModels(why: string): void;
}

/** Lists the account's profiles on the route the client last used and remembers the one picked. */
async function changeProfile(session: KiroSessionSource, client: Pick<KiroClient, "lastRoute" | "catalog">, owner: ModelListOwner): Promise<void> {
  const credentials = await session.getCredentials();
  if (!credentials) return;
  if (credentials.tokenType === "API_KEY") {
    // Kiro lists no profiles for an API key (docs/kiro-protocol.md#api-keys): a key belongs to one profile.
    void vscode.window.showInformationMessage("Kiro: an API key belongs to one profile, which Kiro names itself; there is no other to pick. To name it yourself, set kiro.profileArn in your user settings.");
    return;
  }
  if (!client.lastRoute) await client.catalog();
  const route = client.lastRoute;
  if (!route) {
    void vscode.window.showWarningMessage("Kiro: the profiles could not be listed (the service did not answer). See the Kiro log.");
    return;
  }
  let profiles;
  try {
    profiles = await listAvailableProfiles(route, { accessToken: credentials.accessToken, tokenType: credentials.tokenType });
  } catch (error) {
    void vscode.window.showWarningMessage(`Kiro: the profiles could not be listed: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (profiles.length === 0) {
    void vscode.window.showInformationMessage(`Kiro: this account lists no profile in ${route.region}.`);
    return;
  }
  const picked = await pickProfile(profiles, route.profileArn);
  if (!picked || picked.arn === route.profileArn) return;
  await session.rememberProfile?.(picked.arn);
  owner.refreshModels("the profile changed");
}

export async function showKiroManagePick(owner: ModelListOwner, session: KiroSessionSource, client: Pick<KiroClient, "lastRoute" | "catalog">): Promise<void> {
  const settings = kiroSettings();
  const region = client.lastRoute?.region ?? settings.region ?? "us-east-1";
  const items: ManageItem[] = [];
  if (session.isSignedIn()) {
    if (session.signOut) items.push({ label: "$(sign-out) Sign out of Kiro", description: session.accountLabel?.(), run: () => session.signOut!() });
  } else {
    items.push({ label: "$(sign-in) Sign in to Kiro", detail: "AWS Builder ID, IAM Identity Center or a Kiro API key", run: () => session.signIn() });
  }
  items.push({
    label: "$(globe) Change region",
    description: region,
    detail: "Where Kiro serves your requests; models differ per region. A profile's own region wins.",
    run: async () => {
      const picked = await vscode.window.showQuickPick(
        API_REGIONS.map((r) => ({ label: r, description: r === region ? "current" : undefined })),
        { title: "Kiro region" },
      );
      if (picked && picked.label !== region) await setRegionSetting(picked.label);
    },
  });
  if (session.isSignedIn() && session.rememberProfile && !settings.profileArn) {
    items.push({
      label: "$(organization) Change profile",
      description: client.lastRoute?.profileArn?.slice(client.lastRoute.profileArn.lastIndexOf("/") + 1),
      detail: "For accounts with several Kiro profiles (IAM Identity Center).",
      run: () => changeProfile(session, client, owner),
    });
  }
  items.push(
    { label: "$(refresh) Reload the model list", detail: "Ask Kiro again which models this account may use.", run: () => owner.refreshModels("asked by the user") },
    {
      label: "$(list-unordered) Open VS Code's language model manager",
      run: async () => {
        await vscode.commands.executeCommand("workbench.action.chat.manage");
      },
    },
  );
  const account = session.accountLabel?.();
  const placeHolder = session.isSignedIn() ? `Signed in to Kiro${account ? ` as ${account}` : ""}` : "Not signed in to Kiro";
  const picked = await vscode.window.showQuickPick(items, { title: "Kiro: Manage Models and Sign-in", placeHolder });
  await picked?.run();
}
