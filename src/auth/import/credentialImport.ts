// Borrows another tool's Kiro sign-in: kiro-pi uses the access token that tool holds and, when it nears expiry, reads the tool's store again; it never spends the tool's refresh token (that would sign the tool out).
import { AuthError } from "../errors";
import type { KiroSession } from "../session";
import { importError, type ImportedSession, type SignInReader } from "./importSources";

export interface ImportOptions {
  now?: () => number;
}

/** What the messages need of a source. */
type About = Pick<SignInReader, "label" | "renewHint">;

function sentence(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/** Why kiro-pi cannot go on with `about`'s sign-in, and the two ways forward; nothing is deleted. */
function waysForward(about: About): string {
  return `${sentence(about.renewHint)} so it renews its sign-in, then try again; or sign in with kiro-pi itself ("Kiro: Sign In"). kiro-pi does not renew ${about.label}'s sign-in itself: that would sign ${about.label} out.`;
}

function expiredError(about: About, sourcePath: string, rejected = false): AuthError {
  const what = rejected ? `Kiro refused the ${about.label} sign-in's token in ${sourcePath}, and ${about.label} has not renewed it yet.` : `The ${about.label} sign-in in ${sourcePath} has expired.`;
  return importError("import-expired", `${what} ${waysForward(about)}`);
}

/**
 * The session kiro-pi keeps of a borrowed sign-in: the access token and what describes the account, without the
 * tool's refresh token or client secret, which kiro-pi never uses.
 */
function borrowed(session: KiroSession): KiroSession {
  const { refreshToken: _refresh, registration: _registration, ...kept } = session;
  void _refresh;
  void _registration;
  return kept;
}

/** The sign-in the tool holds now, to be used as it is; rejects with `import-expired` once its token has expired. */
export function borrowSignIn(imported: ImportedSession, about: About, options: ImportOptions = {}): ImportedSession {
  const now = (options.now ?? Date.now)();
  if (imported.session.expiresAt <= now) throw expiredError(about, imported.sourcePath);
  return { ...imported, session: borrowed(imported.session) };
}

/** Same account: the same kind of sign-in, at the same place (a tool signed in to another account is not renewed into this one). */
function sameAccount(a: KiroSession, b: KiroSession): boolean {
  return a.method === b.method && a.region === b.region && (a.startUrl ?? "") === (b.startUrl ?? "") && (a.provider ?? "") === (b.provider ?? "");
}

export interface RereadOptions extends ImportOptions {
  /** The token Kiro just refused: a re-read that finds the same one has nothing better. */
  rejected?: string;
}

/**
 * The renewal of a borrowed session: `current` is what the tool holds now (it renews its own tokens). Keeps the
 * session's id, label and chosen profile; rejects with `import-expired` when the tool's token has expired too, was the
 * one refused, or belongs to another account now.
 */
export function renewFromSource(session: KiroSession, current: ImportedSession, about: About, options: RereadOptions = {}): KiroSession {
  const now = (options.now ?? Date.now)();
  const found = current.session;
  if (!sameAccount(session, found)) {
    throw importError(
      "import-expired",
      `${about.label} is now signed in to another account (${found.account}) than the one kiro-pi borrowed (${session.account}). Import it again ("Kiro: Import Sign-in"), or sign in with kiro-pi itself ("Kiro: Sign In").`,
    );
  }
  if (found.expiresAt <= now) throw expiredError(about, current.sourcePath);
  if (options.rejected !== undefined && found.accessToken === options.rejected) throw expiredError(about, current.sourcePath, true);
  const renewed = borrowed({ ...session, accessToken: found.accessToken, expiresAt: found.expiresAt });
  if (!session.profileArn && found.profileArn) renewed.profileArn = found.profileArn;
  if (found.externalIdp) renewed.externalIdp = found.externalIdp;
  return renewed;
}
