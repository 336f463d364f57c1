// The token source the chat provider and the bridge use: the "kiro" sign-in first, `KIRO_ACCESS_TOKEN` when nobody signed in.
import type * as vscode from "vscode";
import type { KiroSessionSource } from "../chatProvider";
import type { KiroAuthenticationProvider } from "./kiroAuthenticationProvider";

export interface AuthSessionSourceOptions {
  provider: KiroAuthenticationProvider;
  /** Runs "Kiro: Sign In"; resolves when it ended, signed in or not. */
  signIn(): Promise<void>;
  /** Runs "Kiro: Sign Out" (asks first). */
  signOut(): Promise<void>;
  /** Read on every call, so a token put into the environment (tests, CI) works without a restart. */
  env?: Record<string, string | undefined>;
}

/** The `KIRO_ACCESS_TOKEN` fallback used when nobody signed in; undefined when unset or blank. */
export function environmentAccessToken(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.KIRO_ACCESS_TOKEN?.trim() || undefined;
}

/** KiroSessionSource over the authentication provider; tokens are refreshed before expiry and after Kiro refused one. */
export function authSessionSource(options: AuthSessionSourceOptions): KiroSessionSource {
  const { provider } = options;
  const env = options.env ?? process.env;
  const environmentToken = () => environmentAccessToken(env);
  return {
    getAccessToken: async () => (await provider.accessToken()) ?? (provider.current ? undefined : environmentToken()),
    refreshAccessToken: async () => {
      await provider.whenLoaded();
      const refused = provider.current?.accessToken;
      // Without a sign-in the token is the environment's, which nothing here can renew.
      return refused ? provider.accessToken(refused) : undefined;
    },
    isSignedIn: () => !!provider.current || !!environmentToken(),
    onDidChange: (listener: () => void): vscode.Disposable => provider.onDidChangeAccount(() => listener()),
    signIn: options.signIn,
    signOut: options.signOut,
    getProfileArn: () => provider.current?.profileArn ?? (env.KIRO_PROFILE_ARN?.trim() || undefined),
  };
}
