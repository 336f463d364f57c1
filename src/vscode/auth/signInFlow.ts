// The "Kiro: Sign In" sequence (choose how, show the code, wait for approval; or take an API key), with every prompt behind SignInInteraction so it runs without VS Code in unit tests.
import type { UserCodeInfo } from "../../auth/deviceFlow";
import { cancelledError } from "../../auth/errors";
import type { KiroSession } from "../../auth/session";
import type { KiroSessionManager } from "../../auth/sessionManager";
import type { Logger } from "../log";

/** A device-flow sign-in: Builder ID (fixed start URL) or an organisation's Identity Center. */
export interface DeviceFlowChoice {
  method: "builder-id" | "identity-center";
  startUrl: string;
  /** OIDC region of the start URL (Builder ID is always us-east-1). */
  region: string;
}

/** A Kiro API key the user pasted (docs/kiro-protocol.md#api-keys); its shape was checked (checkApiKey). */
export interface ApiKeyChoice {
  method: "api-key";
  apiKey: string;
}

/** What the user chose in the first step. */
export type SignInChoice = DeviceFlowChoice | ApiKeyChoice;

/**
 * Asks Kiro about a pasted API key before it is stored: resolves with the key's profile ARN (GetProfile), undefined when
 * none could be looked up (requests then say which setting to set); rejects with an AuthError when Kiro refused the key.
 */
export type ApiKeyCheck = (apiKey: string) => Promise<string | undefined>;

/** Regions offered for an organisation's Identity Center, most used first; any other can be typed in. */
export const IDENTITY_CENTER_REGIONS: readonly { region: string; name: string }[] = [
  { region: "us-east-1", name: "US East (N. Virginia)" },
  { region: "us-east-2", name: "US East (Ohio)" },
  { region: "us-west-2", name: "US West (Oregon)" },
  { region: "eu-central-1", name: "Europe (Frankfurt)" },
  { region: "eu-west-1", name: "Europe (Ireland)" },
  { region: "eu-west-2", name: "Europe (London)" },
  { region: "eu-west-3", name: "Europe (Paris)" },
  { region: "eu-north-1", name: "Europe (Stockholm)" },
  { region: "ap-northeast-1", name: "Asia Pacific (Tokyo)" },
  { region: "ap-northeast-2", name: "Asia Pacific (Seoul)" },
  { region: "ap-south-1", name: "Asia Pacific (Mumbai)" },
  { region: "ap-southeast-1", name: "Asia Pacific (Singapore)" },
  { region: "ap-southeast-2", name: "Asia Pacific (Sydney)" },
  { region: "ca-central-1", name: "Canada (Central)" },
  { region: "sa-east-1", name: "South America (São Paulo)" },
];

const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function isRegionName(text: string): boolean {
  return REGION_PATTERN.test(text.trim());
}

/** Why a typed start URL cannot be used (`error`), or what looks wrong about it but may be right (`warning`). */
export interface StartUrlCheck {
  error?: string;
  warning?: string;
}

/**
 * An organisation's start URL is `https://<directory>.awsapps.com/start`; other https URLs are accepted because
 * Identity Center can sit behind a custom domain, but an awsapps.com URL without /start is almost always a copy slip.
 */
export function checkStartUrl(text: string): StartUrlCheck {
  const trimmed = text.trim();
  if (!trimmed) return { error: "Enter your organization's start URL, e.g. https://my-company.awsapps.com/start" };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { error: "This is not a URL. It looks like https://my-company.awsapps.com/start" };
  }
  if (url.protocol !== "https:") return { error: "The start URL must begin with https://" };
  if (url.hostname === "view.awsapps.com") return { error: "That is AWS Builder ID's start URL: choose AWS Builder ID instead." };
  if (url.hostname.endsWith(".awsapps.com") && !/^\/start\/?(#.*)?$/.test(url.pathname + url.hash)) {
    return { warning: `Start URLs usually end in /start: https://${url.hostname}/start` };
  }
  return {};
}

/** The parts of sign-in a person sees; VS Code's implementation is in signInPrompts.ts. */
export interface SignInInteraction {
  /** Asks how to sign in; undefined when the user backed out. */
  chooseSignIn(): Promise<SignInChoice | undefined>;
  /** Shows the one-time code and opens the verification page; false when the user dismissed it. */
  presentUserCode(code: UserCodeInfo, choice: DeviceFlowChoice): Promise<boolean>;
  /** Shows that the flow waits for approval while `approval` is pending; calls `cancel` when the user gives up. */
  waitForApproval(code: UserCodeInfo, approval: Promise<unknown>, cancel: () => void): void;
}

/** The part of the auth layer's KiroSessionManager the sign-in needs. */
export type DeviceCodeSignIn = Pick<KiroSessionManager, "signIn" | "signInWithApiKey">;

/**
 * Runs the whole sign-in and stores the session through `auth`. Rejects with the auth layer's AuthError (`cancelled` when
 * the user backed out at any step, `timed-out`, `access-denied`, `network`, `service`, ...), whose message is ready to show.
 */
export async function signInWithDeviceCode(interaction: SignInInteraction, auth: DeviceCodeSignIn, log?: Logger, checkApiKey?: ApiKeyCheck): Promise<KiroSession> {
  const choice = await interaction.chooseSignIn();
  if (!choice) throw cancelledError();
  if (choice.method === "api-key") {
    // The key itself is never logged: the account label carries its last four characters only.
    const profileArn = await checkApiKey?.(choice.apiKey);
    const session = await auth.signInWithApiKey(choice.apiKey, profileArn ? { profileArn } : {});
    log?.info(`Kiro sign-in: signed in with ${session.account}${profileArn ? ` (profile ${profileArn})` : ""}`);
    return session;
  }
  const how = choice.method === "builder-id" ? "AWS Builder ID" : `IAM Identity Center (${choice.startUrl})`;
  log?.info(`Kiro sign-in: starting the device flow for ${how} in ${choice.region}`);

  const abort = new AbortController();
  let settle!: () => void;
  const flowEnded = new Promise<void>((resolve) => (settle = resolve));
  try {
    const session = await auth.signIn({
      method: choice.method,
      startUrl: choice.startUrl,
      region: choice.region,
      signal: abort.signal,
      onUserCode: async (code) => {
        // The code is for the user's eyes only; the log says that one exists, not what it is.
        log?.info(`Kiro sign-in: one-time code issued, valid for ${Math.round(code.expiresIn / 60)} minutes`);
        if (!(await interaction.presentUserCode(code, choice))) {
          log?.info("Kiro sign-in: the code dialog was dismissed");
          abort.abort();
          return;
        }
        interaction.waitForApproval(code, flowEnded, () => {
          log?.info("Kiro sign-in: cancelled while waiting for approval");
          abort.abort();
        });
      },
    });
    log?.info(`Kiro sign-in: signed in as ${session.account}`);
    return session;
  } finally {
    settle();
  }
}
