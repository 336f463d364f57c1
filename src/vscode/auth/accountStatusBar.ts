// The "kiro.status" status bar item (sign in, or who is signed in) and the account picker it opens (usage, switch account, sign out).
import * as vscode from "vscode";
import { describeSessionSource } from "../../auth/import/signInSources";
import type { KiroSession } from "../../auth/session";
import type { UsageLimits } from "../../kiro/service/usageLimits";
import { usageFailureLine, usageLines } from "./accountUsage";
import { environmentAccessToken } from "./authSessionSource";
import type { KiroAuthenticationProvider } from "./kiroAuthenticationProvider";

export const KIRO_STATUS_ITEM_ID = "kiro.status";

const METHOD_NAMES: Record<KiroSession["method"], string> = {
  "builder-id": "AWS Builder ID",
  "identity-center": "IAM Identity Center",
  social: "Kiro social sign-in",
  "external-idp": "external identity provider",
  "api-key": "Kiro API key",
};

export function describeSignIn(session: KiroSession): string {
  return `${METHOD_NAMES[session.method]}, ${describeSessionSource(session.source)}`;
}

/**
 * Keeps the status bar item in step with the provider's account. Without one, requests may still go out with the
 * `KIRO_ACCESS_TOKEN` fallback (see authSessionSource.ts), and the item says so rather than offering a sign-in as if nothing worked.
 */
export function createAccountStatusBar(
  provider: KiroAuthenticationProvider,
  commands: { signIn: string; showAccount: string },
  environmentToken: () => string | undefined = () => environmentAccessToken(),
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem(KIRO_STATUS_ITEM_ID, vscode.StatusBarAlignment.Right, 100);
  item.name = "Kiro Account";
  const update = (session: KiroSession | undefined) => {
    if (session) {
      item.text = `$(hubot) ${session.account}`;
      const tooltip = new vscode.MarkdownString(undefined, true);
      tooltip.appendMarkdown(`**Kiro**: ${escapeMarkdown(session.account)}\n\n`);
      tooltip.appendMarkdown(`Sign-in: ${escapeMarkdown(describeSignIn(session))}\n\n`);
      tooltip.appendMarkdown(`Region: ${escapeMarkdown(session.region)}\n\n`);
      tooltip.appendMarkdown("Click for usage, Switch Account and Sign Out.");
      item.tooltip = tooltip;
      item.command = commands.showAccount;
      item.accessibilityInformation = { label: `Kiro: signed in as ${session.account}` };
    } else if (environmentToken()) {
      item.text = "$(key) Kiro (KIRO_ACCESS_TOKEN)";
      item.tooltip =
        "Kiro requests use the token in the KIRO_ACCESS_TOKEN environment variable; nobody is signed in to Kiro in VS Code. " +
        "Click to sign in; a sign-in is used instead of the variable.";
      item.command = commands.signIn;
      item.accessibilityInformation = { label: "Kiro: using the KIRO_ACCESS_TOKEN environment variable" };
    } else {
      item.text = "$(account) Kiro: Sign In";
      item.tooltip = "Sign in to Kiro with AWS Builder ID or your organization's IAM Identity Center";
      item.command = commands.signIn;
      item.accessibilityInformation = { label: "Kiro: Sign In" };
    }
    item.show();
  };
  const subscription = provider.onDidChangeAccount(update);
  void provider.whenLoaded().then(() => update(provider.current));
  return vscode.Disposable.from(item, subscription);
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}

interface AccountItem extends vscode.QuickPickItem {
  run?: () => Thenable<unknown>;
}

/**
 * The picker behind the status bar item: opens at once with the actions, shows "Fetching usage…" and replaces it with
 * the usage (or a line saying why it is missing) when the service answers.
 */
export async function showAccountPick(
  session: KiroSession,
  fetchUsage: (signal: AbortSignal) => Promise<UsageLimits>,
  actions: { switchAccount(): Thenable<unknown>; signOut(): Thenable<unknown>; showLog(): Thenable<unknown> },
): Promise<void> {
  const pick = vscode.window.createQuickPick<AccountItem>();
  pick.title = `Kiro: ${session.account}`;
  pick.placeholder = `${describeSignIn(session)} · ${session.region}`;
  pick.matchOnDetail = true;
  const actionItems: AccountItem[] = [
    { label: "", kind: vscode.QuickPickItemKind.Separator },
    { label: "$(arrow-swap) Switch Account", detail: "Sign in again, with another account or method", run: actions.switchAccount },
    { label: "$(sign-out) Sign Out", run: actions.signOut },
    { label: "$(output) Show Log", run: actions.showLog },
  ];
  const setUsage = (rows: AccountItem[]) => {
    pick.items = [{ label: "Usage", kind: vscode.QuickPickItemKind.Separator }, ...rows, ...actionItems];
  };
  setUsage([{ label: "$(sync~spin) Fetching usage…" }]);
  pick.busy = true;
  const abort = new AbortController();
  void fetchUsage(abort.signal).then(
    (usage) => setUsage(usageLines(usage, vscode.env.language)),
    (error: unknown) => {
      if (!abort.signal.aborted) setUsage([usageFailureLine(error instanceof Error ? error.message : String(error))]);
    },
  ).finally(() => (pick.busy = false));

  const chosen = await new Promise<AccountItem | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      if (item?.run) resolve(item);
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  abort.abort();
  pick.dispose();
  await chosen?.run?.();
}
