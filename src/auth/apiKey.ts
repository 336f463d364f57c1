// Kiro API keys (`ksk_…`) as sign-ins: the shape a pasted key must have, and the session that keeps it (never refreshed, no expiry of its own).
import { apiKeyHint } from "../util/secrets";
import { AuthError } from "./errors";
import { DEFAULT_OIDC_REGION, KIRO_SCOPES, type KiroSession } from "./session";

/**
 * `ksk_` and at least 16 more characters, none of them space or control characters. Kiro does not publish the exact
 * format, so nothing stricter is assumed (docs/kiro-protocol.md#api-keys).
 */
const API_KEY_SHAPE = /^ksk_[\x21-\x7e]{16,}$/;

/**
 * An API key's session stays until it is signed out or Kiro refuses the key: it expires "never" as far as the refresh
 * logic can tell (a hundred years on), so nothing ever tries to refresh it.
 */
const API_KEY_LIFETIME_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/** Why `text` is not a Kiro API key, or undefined when it has the shape of one. The key itself is never quoted. */
export function checkApiKey(text: string): string | undefined {
  const key = text.trim();
  if (!key) return "Paste the API key you made in Kiro (it starts with ksk_).";
  if (!key.startsWith("ksk_")) return "A Kiro API key starts with ksk_.";
  if (/\s/.test(key)) return "The key contains spaces or line breaks; copy it again as one piece.";
  if (!API_KEY_SHAPE.test(key)) return "This is too short to be a whole Kiro API key; copy it again.";
  return undefined;
}

/** The account label of an API key sign-in: the key's last four characters only, so two keys can be told apart. */
export function apiKeyAccountLabel(key: string): string {
  return `API key ${apiKeyHint(key)}`;
}

/** A session for a pasted key; rejects with AuthError `service` when it does not have a key's shape. */
export function apiKeySession(key: string, id: string, now: number, profileArn?: string): KiroSession {
  const trimmed = key.trim();
  const problem = checkApiKey(trimmed);
  if (problem) throw new AuthError("service", problem);
  const session: KiroSession = {
    id,
    method: "api-key",
    source: "sign-in",
    accessToken: trimmed,
    expiresAt: now + API_KEY_LIFETIME_MS,
    region: DEFAULT_OIDC_REGION,
    account: apiKeyAccountLabel(trimmed),
    scopes: [...KIRO_SCOPES],
    createdAt: now,
  };
  if (profileArn) session.profileArn = profileArn;
  return session;
}

/** What to say when something asks to refresh an API key: there is no such thing, the key itself must change. */
export function apiKeyNotRefreshable(): AuthError {
  return new AuthError("service", "Kiro API keys are never refreshed. If Kiro refuses the key, check it or make a new one in Kiro, then sign in with it again.");
}
