// Direct mode without KIRO_ACCESS_TOKEN or /login: uses the sign-in kiro-cli or the Kiro IDE already holds (read-only), kept in memory until it nears expiry.
import { isAuthError } from "../auth/errors";
import { readKiroCliCredentials, readKiroIdeCredentials, refreshKiroCredentials, type KiroPiCredentials } from "../auth/piCredentials";
import type { StoredToken } from "./kiroPiProvider";

type Env = Record<string, string | undefined>;

/** Nothing to import here: not an error worth showing. */
const ABSENT = new Set(["import-missing", "import-no-credentials"]);

export interface StoredSignInFinder {
  (): Promise<StoredToken | undefined>;
  /** Why a sign-in that exists could not be used (expired, unreadable), for the no-token message. */
  problem(): string | undefined;
}

function toStoredToken(credentials: KiroPiCredentials, source: string, env: Env): StoredToken {
  let current = credentials;
  const token: StoredToken = {
    accessToken: credentials.access,
    region: credentials.region,
    source,
    refresh: async () => {
      current = await refreshKiroCredentials(current, { oidcEndpoint: env.KIRO_OIDC_ENDPOINT });
      token.accessToken = current.access;
      return current.access;
    },
  };
  if (credentials.profileArn) token.profileArn = credentials.profileArn;
  return token;
}

export function createStoredSignInFinder(env: Env = process.env): StoredSignInFinder {
  let cached: { token: StoredToken; until: number } | undefined;
  let lastProblem: string | undefined;
  const sources: { name: string; read: () => Promise<KiroPiCredentials> }[] = [
    { name: "kiro-cli", read: () => readKiroCliCredentials({ oidcEndpoint: env.KIRO_OIDC_ENDPOINT }) },
    { name: "the Kiro IDE", read: () => readKiroIdeCredentials({ oidcEndpoint: env.KIRO_OIDC_ENDPOINT }) },
  ];
  const find = async (): Promise<StoredToken | undefined> => {
    if (cached && Date.now() < cached.until) return cached.token;
    cached = undefined;
    const problems: string[] = [];
    for (const source of sources) {
      try {
        const credentials = await source.read();
        const token = toStoredToken(credentials, source.name, env);
        cached = { token, until: credentials.expires };
        lastProblem = undefined;
        return token;
      } catch (error) {
        if (isAuthError(error) && ABSENT.has(error.code)) continue;
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    lastProblem = problems.length > 0 ? problems.join(" ") : undefined;
    return undefined;
  };
  return Object.assign(find, { problem: () => lastProblem });
}
