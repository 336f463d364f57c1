// Asks once which Kiro profile to use when the account has several (Identity Center), and remembers the answer with the account.
import * as vscode from "vscode";
import type { KiroProfile } from "../kiro/service/profiles";
import type { ProfileChooser } from "../kiro/service/route";
import type { KiroSessionSource } from "./auth/authSessionSource";
import type { Logger } from "./log";

interface ProfileItem extends vscode.QuickPickItem {
  profile: KiroProfile;
}

/** Shows the profiles; resolves with the one picked, or undefined when the person closed the pick. */
export async function pickProfile(profiles: readonly KiroProfile[], current?: string): Promise<KiroProfile | undefined> {
  const items: ProfileItem[] = profiles.map((profile) => ({
    label: profile.name ?? profile.arn.slice(profile.arn.lastIndexOf("/") + 1),
    description: `${profile.region}${profile.arn === current ? " · current" : ""}`,
    detail: profile.arn,
    profile,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: "Kiro: choose a profile",
    placeHolder: "Your account has several Kiro profiles; requests, models and usage are billed to the one you pick",
    ignoreFocusOut: true,
  });
  return picked?.profile;
}

/**
 * The chooser the window's client uses when the account lists several profiles and none is remembered: one quick pick,
 * remembered with the account. Closing the pick uses the first profile for now and asks again after the next sign-in.
 */
export function profileChooser(session: KiroSessionSource, log: Logger): ProfileChooser {
  return async (profiles) => {
    const picked = await pickProfile(profiles);
    if (!picked) {
      log.info(`Kiro: no profile chosen; using ${profiles[0]?.arn ?? "none"} for now ("Kiro: Manage Models and Sign-in" → Change profile).`);
      return undefined;
    }
    await session.rememberProfile?.(picked.arn);
    return picked;
  };
}
