// Registers Kiro sign-in in VS Code: the "kiro" authentication provider over SecretStorage, the sign-in commands, the status bar item and the session source other modules use.
import * as vscode from "vscode";
import type { KiroSession } from "../../auth/session";
import { KiroSessionManager } from "../../auth/sessionManager";
import { AuthError } from "../../auth/errors";
import { KiroClient } from "../../kiro/client";
import { KiroError } from "../../kiro/errors";
import type { UsageLimits } from "../../kiro/service/usageLimits";
import { coreLog } from "../kiroClient";
import { kiroSettings } from "../settings";
import type { Logger } from "../log";
import { createAccountStatusBar, showAccountPick } from "./accountStatusBar";
import { authSessionSource, credentialsOf, type KiroSessionSource } from "./authSessionSource";
import { oidcEndpointSetting } from "./authSettings";
import { importSignIn, type ImportSource } from "./importSignIn";
import { KIRO_AUTH_PROVIDER_ID, KIRO_AUTH_PROVIDER_LABEL, KiroAuthenticationProvider } from "./kiroAuthenticationProvider";
import { SecretAuthStore } from "./secretAuthStore";
import { signInWithDeviceCode, type ApiKeyCheck, type SignInInteraction } from "./signInFlow";
import { VsCodeSignInInteraction } from "./signInPrompts";

export const KIRO_SIGN_IN_COMMAND = "kiro.signIn";
export const KIRO_SIGN_OUT_COMMAND = "kiro.signOut";
export const KIRO_IMPORT_SIGN_IN_COMMAND = "kiro.importSignIn";
export const KIRO_SHOW_ACCOUNT_COMMAND = "kiro.showAccount";

/** What the rest of the extension uses. */
export interface KiroVsCodeAuth {
  provider: KiroAuthenticationProvider;
  /** For the chat provider and the bridge: the signed-in token, refreshed as needed (`KIRO_ACCESS_TOKEN` when nobody signed in). */
  session: KiroSessionSource;
}

/**
 * Present only in `ExtensionMode.Test` (the extension-host suite), never in a user's VS Code. VS Code refuses dialogs
 * there, so tests replace the prompts; that changes what a person would see, not what is checked: the code must still be
 * approved at the sign-in service.
 */
export interface KiroAuthTestHooks {
  provider: KiroAuthenticationProvider;
  session: KiroSessionSource;
  /** The extension's own SecretStorage, to prove what is (and is not) stored. */
  secrets: vscode.SecretStorage;
  globalState: vscode.Memento;
  /** Prompts for later sign-ins; undefined restores VS Code's. */
  setInteraction(interaction: SignInInteraction | undefined): void;
  /** Sources for "Kiro: Import Sign-in"; undefined restores kiro-cli and the Kiro IDE. */
  setImportSources(sources: readonly ImportSource[] | undefined): void;
  /** A second provider over the same SecretStorage, as another (or a reloaded) window has. Dispose it. */
  createProvider(): KiroAuthenticationProvider;
}

export interface KiroAuthRegistrationOptions {
  log: vscode.LogOutputChannel;
}

/**
 * Usage (and the account's email) for a session that may not be the window's current one yet (right after sign-in or
 * import): a client over exactly that token, on the same settings and route rules as the window's client.
 */
function fetchUsage(session: Pick<KiroSession, "method" | "profileArn" | "region">, accessToken: string, signal: AbortSignal, log: Logger): Promise<UsageLimits> {
  const client = new KiroClient({ credentials: async () => credentialsOf(session, accessToken), settings: () => kiroSettings(), log: coreLog(log) });
  return client.usage(signal);
}

/** How long the check of a pasted API key may take before the sign-in gives up. */
const API_KEY_CHECK_TIMEOUT_MS = 15_000;

/** Offers the user settings at kiro.profileArn: the way out when Kiro cannot name an API key's profile. */
function askForProfileSetting(why: string): void {
  void vscode.window.showWarningMessage(`Kiro: ${why} Set kiro.profileArn in your user settings to the key's profile ARN.`, "Open Settings").then((choice) => {
    if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "kiro.profileArn");
  });
}

/**
 * Asks Kiro about a pasted API key before it is stored (docs/kiro-protocol.md#api-keys): GetProfile checks the key and
 * names its profile; with kiro.profileArn set, the account's usage on that profile checks it instead. A key Kiro refuses,
 * or one that cannot be checked now (network, service trouble), is not stored. A key Kiro did not refuse but whose profile
 * it cannot name is stored, and the user is asked to set kiro.profileArn.
 */
function apiKeyCheck(log: Logger): ApiKeyCheck {
  return async (apiKey) => {
    const named = kiroSettings().profileArn;
    const client = new KiroClient({ credentials: async () => ({ accessToken: apiKey, tokenType: "API_KEY" }), settings: () => kiroSettings(), log: coreLog(log) });
    const signal = AbortSignal.timeout(API_KEY_CHECK_TIMEOUT_MS);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: "Kiro: checking the API key…" }, async () => {
        if (!named) return client.profileArn(signal);
        await client.usage(signal);
        return undefined;
      });
    } catch (error) {
      if (signal.aborted) throw new AuthError("network", `Kiro did not answer within ${API_KEY_CHECK_TIMEOUT_MS / 1000} seconds, so the API key could not be checked and was not kept. Try again.`);
      if (!(error instanceof KiroError)) throw error;
      if (error.kind === "auth") throw new AuthError("service", error.userMessage);
      if (error.kind === "profile" && !named) {
        log.warn(`Kiro sign-in: the API key's profile could not be looked up (${error.userMessage}).`);
        askForProfileSetting("Kiro did not name the profile of this API key.");
        return undefined;
      }
      const what = named ? " with the profile in kiro.profileArn" : "";
      throw new AuthError(error.kind === "network" || error.kind === "timeout" ? "network" : "service", `Kiro could not check the API key${what}, so it was not kept: ${error.userMessage}`);
    }
  };
}

/** KiroSessionManager over SecretStorage. `kiro.oidcEndpoint` is read at each call, so changing the setting needs no reload. */
function createKiroAuth(store: SecretAuthStore, log: Logger): KiroSessionManager {
  return new KiroSessionManager({
    store,
    log,
    get oidcEndpoint() {
      return oidcEndpointSetting();
    },
    // Names the account by its email when Kiro tells it; a few seconds at most, sign-in does not wait longer.
    describeAccount: async (session) => {
      try {
        return (await fetchUsage(session, session.accessToken, AbortSignal.timeout(5000), log)).email;
      } catch (error) {
        log.debug(`Kiro sign-in: the account's email is not available: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    },
  });
}

/** Registers everything; all of it is disposed with the extension. */
export function registerKiroAuth(context: vscode.ExtensionContext, options: KiroAuthRegistrationOptions): KiroVsCodeAuth & { testHooks?: KiroAuthTestHooks } {
  const { log } = options;
  let interaction: SignInInteraction = new VsCodeSignInInteraction(context.globalState, log);
  let importSources: readonly ImportSource[] | undefined;

  const createProvider = (store: SecretAuthStore) =>
    new KiroAuthenticationProvider({
      auth: createKiroAuth(store, log),
      onDidChangeStore: store.onDidChange,
      signIn: (auth) => signInWithDeviceCode(interaction, auth, log, apiKeyCheck(log)),
      reportSignInFailure: (error) => {
        void vscode.window.showErrorMessage(`Kiro sign-in failed: ${error instanceof Error ? error.message : String(error)}`, "Show Log").then((choice) => {
          if (choice) log.show(true);
        });
      },
      log,
    });

  const store = new SecretAuthStore(context.secrets);
  const provider = createProvider(store);
  context.subscriptions.push(
    store,
    provider,
    vscode.authentication.registerAuthenticationProvider(KIRO_AUTH_PROVIDER_ID, KIRO_AUTH_PROVIDER_LABEL, provider, { supportsMultipleAccounts: false }),
  );

  const signIn = async (): Promise<KiroSession | undefined> => {
    try {
      await provider.createSession([]);
      const session = provider.current;
      if (session) void vscode.window.showInformationMessage(`Kiro: signed in as ${session.account}.`);
      return session;
    } catch {
      // createSession already told the user, or the user cancelled.
      return undefined;
    }
  };

  const signOut = async (): Promise<void> => {
    await provider.whenLoaded();
    const session = provider.current;
    if (!session) {
      void vscode.window.showInformationMessage("You are not signed in to Kiro.");
      return;
    }
    const answer = await vscode.window.showWarningMessage(
      `Sign out of Kiro (${session.account})?`,
      { modal: true, detail: "Kiro's models stop answering in every VS Code window until you sign in again." },
      "Sign Out",
    );
    if (answer === "Sign Out") await provider.removeSession(session.id);
  };

  const showAccount = async (): Promise<void> => {
    await provider.whenLoaded();
    const session = provider.current;
    if (!session) {
      await signIn();
      return;
    }
    await showAccountPick(
      session,
      async (signal) => {
        const token = await provider.accessToken();
        if (!token) throw new Error("You are signed out. Sign in to Kiro again.");
        const usage = await fetchUsage(session, token, signal, log);
        // An API key keeps its label (the key's last four characters): it tells two keys of one account apart.
        if (usage.email && session.method !== "api-key") await provider.renameAccount(session.id, usage.email);
        return usage;
      },
      { switchAccount: () => signIn(), signOut: () => signOut(), showLog: async () => log.show(true) },
    );
  };

  const importCommand = () =>
    importSignIn({
      ...(importSources ? { sources: importSources } : {}),
      importOptions: () => ({}),
      store: (session) => provider.importSession(session),
      log,
    });

  context.subscriptions.push(
    vscode.commands.registerCommand(KIRO_SIGN_IN_COMMAND, signIn),
    vscode.commands.registerCommand(KIRO_SIGN_OUT_COMMAND, signOut),
    vscode.commands.registerCommand(KIRO_IMPORT_SIGN_IN_COMMAND, importCommand),
    vscode.commands.registerCommand(KIRO_SHOW_ACCOUNT_COMMAND, showAccount),
    createAccountStatusBar(provider, { signIn: KIRO_SIGN_IN_COMMAND, showAccount: KIRO_SHOW_ACCOUNT_COMMAND }),
    // Once per lost sign-in: the session is gone afterwards, so later requests do not ask again.
    provider.onDidSignOutExpired((event) => {
      void vscode.window.showWarningMessage(`Kiro: ${event.message}`, "Sign In").then((choice) => {
        if (choice === "Sign In") void signIn();
      });
    }),
  );

  const session = authSessionSource({
    provider,
    signIn: async () => {
      await signIn();
    },
    signOut,
  });

  const registered: KiroVsCodeAuth & { testHooks?: KiroAuthTestHooks } = { provider, session };
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    registered.testHooks = {
      provider,
      session,
      secrets: context.secrets,
      globalState: context.globalState,
      setInteraction: (replacement) => {
        interaction = replacement ?? new VsCodeSignInInteraction(context.globalState, log);
      },
      setImportSources: (sources) => {
        importSources = sources;
      },
      createProvider: () => {
        const secondStore = new SecretAuthStore(context.secrets);
        const second = createProvider(secondStore);
        const dispose = second.dispose.bind(second);
        second.dispose = () => {
          dispose();
          secondStore.dispose();
        };
        return second;
      },
    };
  }
  return registered;
}
