// The window's token source for the Kiro client (Chat view and bridge alike): the "kiro" sign-in first, `KIRO_ACCESS_TOKEN` when nobody signed in.
import type * as vscode from "vscode";
import { kiroTokenType, type KiroSession } from "../../auth/session";
import type { KiroCredentials } from "../../kiro/options";
import type { KiroAuthenticationProvider } from "./kiroAuthenticationProvider";

/** What the rest of the extension needs from the sign-in. */
export interface KiroSessionSource {
  /** The current token and what its sign-in knows (profile, region, how it was issued); undefined when signed out. */
  getCredentials(): Promise<KiroCredentials | undefined>;
  /** Fresh credentials after Kiro refused the current token; undefined to give up. */
  refreshCredentials?(): Promise<KiroCredentials | undefined>;
  isSignedIn(): boolean;
  /** Who is signed in, as the account menu names it (an email, or an API key's last four characters); undefined when nobody. */
  accountLabel?(): string | undefined;
  onDidChange(listener: () => void): vscode.Disposable;
  /** Runs the sign-in flow (may show UI); resolves when it ended, signed in or not. */
  signIn(): Promise<void>;
  signOut?(): Promise<void>;
  /** Remembers the profile the person chose for the signed-in account (so the choice is asked once). */
  rememberProfile?(profileArn: string): Promise<void>;
}

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

/** What a stored sign-in tells the client besides its token. */
export function credentialsOf(session: Pick<KiroSession, "method" | "profileArn" | "region">, accessToken: string): KiroCredentials {
  const credentials: KiroCredentials = { accessToken, region: session.region };
  if (session.profileArn) credentials.profileArn = session.profileArn;
  const tokenType = kiroTokenType(session);
  if (tokenType) credentials.tokenType = tokenType;
  return credentials;
}

/** KiroSessionSource over the authentication provider; tokens are refreshed before expiry and after Kiro refused one. */
export function authSessionSource(options: AuthSessionSourceOptions): KiroSessionSource {
  const { provider } = options;
  const env = options.env ?? process.env;
  const environmentToken = () => environmentAccessToken(env);
  return {
    getCredentials: async () => {
      const token = await provider.accessToken();
      const session = provider.current;
      if (token && session) return credentialsOf(session, token);
      const fromEnv = session ? undefined : environmentToken();
      return fromEnv ? { accessToken: fromEnv } : undefined;
    },
    refreshCredentials: async () => {
      await provider.whenLoaded();
      const session = provider.current;
      // Without a sign-in the token is the environment's, which nothing here can renew.
      if (!session) return undefined;
      const fresh = await provider.accessToken(session.accessToken);
      const current = provider.current;
      return fresh && current ? credentialsOf(current, fresh) : undefined;
    },
    isSignedIn: () => !!provider.current || !!environmentToken(),
    accountLabel: () => provider.current?.account,
    onDidChange: (listener: () => void): vscode.Disposable => provider.onDidChangeAccount(() => listener()),
    signIn: options.signIn,
    signOut: options.signOut,
    rememberProfile: async (profileArn) => {
      const session = provider.current;
      if (session) await provider.setProfileArn(session.id, profileArn);
    },
  };
}
