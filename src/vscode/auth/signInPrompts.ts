// VS Code's face of "Kiro: Sign In": the method and organisation pickers, the API key input (hidden as typed), the one-time-code dialog ("Copy & Open") and the cancellable waiting notification.
import * as vscode from "vscode";
import type { UserCodeInfo } from "../../auth/deviceFlow";
import { checkApiKey } from "../../auth/apiKey";
import { BUILDER_ID_START_URL, DEFAULT_OIDC_REGION } from "../../auth/session";
import type { Logger } from "../log";
import { identityCenterDefaults, rememberIdentityCenter } from "./authSettings";
import { checkStartUrl, IDENTITY_CENTER_REGIONS, isRegionName, type DeviceFlowChoice, type SignInChoice, type SignInInteraction } from "./signInFlow";

interface MethodItem extends vscode.QuickPickItem {
  method: SignInChoice["method"];
}

interface RegionItem extends vscode.QuickPickItem {
  region?: string;
}

export const COPY_AND_OPEN = "Copy & Open";

/** The interactive sign-in used by the commands and by `createSession` when another extension asks for a Kiro session. */
export class VsCodeSignInInteraction implements SignInInteraction {
  constructor(
    private readonly memory: vscode.Memento,
    private readonly log?: Logger,
  ) {}

  async chooseSignIn(): Promise<SignInChoice | undefined> {
    const items: MethodItem[] = [
      {
        label: "AWS Builder ID",
        iconPath: new vscode.ThemeIcon("account"),
        detail: "Your personal AWS Builder ID, as used by the Kiro IDE and kiro-cli (Free, Pro and Pro+ plans).",
        method: "builder-id",
      },
      {
        label: "Your organization (IAM Identity Center)",
        iconPath: new vscode.ThemeIcon("organization"),
        detail: "Your company's AWS IAM Identity Center, with its start URL (https://…awsapps.com/start).",
        method: "identity-center",
      },
      {
        label: "API key",
        iconPath: new vscode.ThemeIcon("key"),
        detail: "A Kiro API key (ksk_…) made in Kiro, as kiro-cli's KIRO_API_KEY; kept in VS Code's secret storage.",
        method: "api-key",
      },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: "Kiro: Sign In", placeHolder: "How do you sign in to Kiro?", ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.method === "builder-id") return { method: "builder-id", startUrl: BUILDER_ID_START_URL, region: DEFAULT_OIDC_REGION };
    if (picked.method === "api-key") return this.askApiKey();
    return this.chooseOrganization();
  }

  private async askApiKey(): Promise<SignInChoice | undefined> {
    const key = await vscode.window.showInputBox({
      title: "Kiro: Sign In with an API key",
      prompt: "Paste an API key made in Kiro. It is kept in VS Code's secret storage and never shown again.",
      placeHolder: "ksk_…",
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => checkApiKey(text),
    });
    return key === undefined ? undefined : { method: "api-key", apiKey: key.trim() };
  }

  private async chooseOrganization(): Promise<DeviceFlowChoice | undefined> {
    const defaults = identityCenterDefaults(this.memory);
    const startUrl = await vscode.window.showInputBox({
      title: "Kiro: Sign In with IAM Identity Center (1/2)",
      prompt: "Your organization's start URL (your administrator has it; it is the address of your AWS access portal)",
      placeHolder: "https://my-company.awsapps.com/start",
      value: defaults.startUrl ?? "",
      ignoreFocusOut: true,
      validateInput: (text) => {
        const check = checkStartUrl(text);
        if (check.error) return { message: check.error, severity: vscode.InputBoxValidationSeverity.Error };
        if (check.warning) return { message: check.warning, severity: vscode.InputBoxValidationSeverity.Warning };
        return undefined;
      },
    });
    if (startUrl === undefined) return undefined;
    const region = await this.chooseRegion(defaults.region);
    if (!region) return undefined;
    const target = { startUrl: startUrl.trim(), region };
    await rememberIdentityCenter(this.memory, target);
    return { method: "identity-center", ...target };
  }

  private async chooseRegion(remembered: string | undefined): Promise<string | undefined> {
    const known = IDENTITY_CENTER_REGIONS.map<RegionItem>((r) => ({ label: r.region, description: r.name, region: r.region }));
    const first = remembered ?? DEFAULT_OIDC_REGION;
    const lastUsed = known.find((item) => item.region === first) ?? { label: first, region: first };
    lastUsed.description = `${lastUsed.description ? `${lastUsed.description} · ` : ""}${remembered ? "last used" : "default"}`;
    const items: RegionItem[] = [lastUsed, ...known.filter((item) => item !== lastUsed), { label: "Other region…", iconPath: new vscode.ThemeIcon("edit") }];
    const picked = await vscode.window.showQuickPick(items, {
      title: "Kiro: Sign In with IAM Identity Center (2/2)",
      placeHolder: "The AWS region of your organization's IAM Identity Center",
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.region) return picked.region;
    const typed = await vscode.window.showInputBox({
      title: "Kiro: Sign In with IAM Identity Center (2/2)",
      prompt: "The AWS region of your organization's IAM Identity Center",
      placeHolder: "e.g. ap-southeast-3",
      ignoreFocusOut: true,
      validateInput: (text) => (isRegionName(text) ? undefined : "A region name looks like eu-west-1"),
    });
    return typed?.trim() || undefined;
  }

  async presentUserCode(code: UserCodeInfo, choice: DeviceFlowChoice): Promise<boolean> {
    const where = choice.method === "builder-id" ? "AWS Builder ID" : "your organization's AWS access portal";
    const answer = await vscode.window.showInformationMessage(
      `Your code: ${code.userCode}`,
      {
        modal: true,
        detail: `To finish signing in to Kiro, open the sign-in page of ${where}, check that it shows this one-time code, and allow access.`,
      },
      COPY_AND_OPEN,
    );
    if (answer !== COPY_AND_OPEN) return false;
    await vscode.env.clipboard.writeText(code.userCode);
    const target = code.verificationUriComplete || code.verificationUri;
    const opened = await vscode.env.openExternal(vscode.Uri.parse(target, true));
    // Not a failure: the user can still open the page themselves; the waiting notification says where.
    if (!opened) this.log?.info("Kiro sign-in: the browser was not opened; waiting for approval anyway");
    return true;
  }

  waitForApproval(code: UserCodeInfo, approval: Promise<unknown>, cancel: () => void): void {
    void vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: "Kiro",
        cancellable: true,
      },
      async (progress, token) => {
        progress.report({ message: `Waiting for you to approve code ${code.userCode} in the browser (${code.verificationUri})…` });
        const subscription = token.onCancellationRequested(cancel);
        try {
          await approval;
        } finally {
          subscription.dispose();
        }
      },
    );
  }
}
