// `/login kiro` inside pi: lets the user pick Builder ID or an Identity Center start URL through pi's login callbacks, then runs the auth layer's device flow and refresh.
import { AuthError, cancelledError, invalidGrantError, needsNewSignIn } from "../auth/index";
import { loginKiroDeviceFlow, refreshKiroCredentials, type KiroPiCredentials } from "./kiroCredentials";
import { DEFAULT_OIDC_REGION } from "../auth/session";
import { resolveKiroSettings } from "../kiro/settings";
import type { PiOAuthCredentials, PiOAuthLoginCallbacks, PiOAuthProvider } from "./piApi";

type Env = Record<string, string | undefined>;

export interface KiroLoginDependencies {
  env?: Env;
  fetch?: typeof fetch;
  /** Shrinks the service's "second" in tests (see DeviceFlowOptions.pollIntervalUnitMs). */
  pollIntervalUnitMs?: number;
}

/**
 * Builder ID unless the user picks an organisation's Identity Center (then its start URL and
 * region). Both pi generations pass a selector to `/login`; a caller without one gets Builder ID.
 */
async function chooseSignIn(callbacks: PiOAuthLoginCallbacks, env: Env): Promise<{ startUrl?: string; region: string }> {
  const defaultRegion = env.KIRO_OIDC_REGION?.trim() || DEFAULT_OIDC_REGION;
  if (!callbacks.onSelect) return { region: defaultRegion };
  const choice = await callbacks.onSelect({
    message: "Sign in to Kiro with",
    options: [
      { id: "builder-id", label: "AWS Builder ID (personal account)" },
      { id: "identity-center", label: "IAM Identity Center (your organisation's start URL)" },
    ],
  });
  if (choice === undefined) throw cancelledError();
  if (choice !== "identity-center") return { region: defaultRegion };
  const startUrl = (await callbacks.onPrompt({ message: "Identity Center start URL", placeholder: "https://your-directory.awsapps.com/start" })).trim();
  if (!/^https:\/\/\S+$/.test(startUrl)) throw new AuthError("service", `"${startUrl}" is not a start URL; it looks like https://your-directory.awsapps.com/start.`);
  const region = (await callbacks.onPrompt({ message: "Identity Center region", placeholder: defaultRegion, allowEmpty: true })).trim() || defaultRegion;
  return { startUrl, region };
}

/** Credentials pi gave back: they came from `login` below, so they carry what a refresh needs. */
function asKiroCredentials(credentials: PiOAuthCredentials): KiroPiCredentials {
  return credentials as KiroPiCredentials;
}

export function createKiroOAuthProvider(deps: KiroLoginDependencies = {}): PiOAuthProvider {
  const env = (): Env => deps.env ?? process.env;
  return {
    name: "Kiro (AWS Builder ID or IAM Identity Center)",

    async login(callbacks: PiOAuthLoginCallbacks): Promise<KiroPiCredentials> {
      const { startUrl, region } = await chooseSignIn(callbacks, env());
      callbacks.onProgress?.("Asking AWS for a sign-in code…");
      const credentials = await loginKiroDeviceFlow(callbacks, {
        startUrl,
        region,
        oidcEndpoint: resolveKiroSettings({}, env()).oidcEndpoint,
        fetch: deps.fetch,
        pollIntervalUnitMs: deps.pollIntervalUnitMs,
      });
      if (!credentials.refresh) {
        throw new AuthError("service", "The sign-in service gave no refresh token, so the sign-in would stop working within the hour. Run /login kiro again.");
      }
      return credentials;
    },

    async refreshToken(credentials: PiOAuthCredentials, signal?: AbortSignal): Promise<KiroPiCredentials> {
      try {
        return await refreshKiroCredentials(asKiroCredentials(credentials), { oidcEndpoint: resolveKiroSettings({}, env()).oidcEndpoint, fetch: deps.fetch, signal });
      } catch (error) {
        if (needsNewSignIn(error)) throw invalidGrantError("Your Kiro sign-in has expired or was revoked (run /login kiro)");
        throw error;
      }
    },

    getApiKey(credentials: PiOAuthCredentials): string {
      rememberLoginCredentials(asKiroCredentials(credentials));
      return credentials.access;
    },
  };
}

/**
 * pi hands a provider's stream only the access token, but a sign-in's region and profile ARN
 * decide where requests go. pi asks `getApiKey` for that token first, so the credentials
 * behind it are remembered here for the stream to look up.
 */
const loginByAccessToken = new Map<string, KiroPiCredentials>();

function rememberLoginCredentials(credentials: KiroPiCredentials): void {
  if (loginByAccessToken.size > 16) loginByAccessToken.clear();
  loginByAccessToken.set(credentials.access, credentials);
}

export function loginCredentialsFor(accessToken: string): KiroPiCredentials | undefined {
  return loginByAccessToken.get(accessToken);
}
