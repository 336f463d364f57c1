// Borrows another tool's Kiro sign-in: kiro-pi uses the access token that tool holds and, when it nears expiry, reads the tool's store again; it never spends the tool's refresh token (that would sign the tool out).
import type { KiroSession } from "../session";
import { borrowedExpired, otherAccount } from "./importErrors";
import type { ImportedSession, SourceWording } from "./sourceShape";

export interface ImportOptions {
  now?: () => number;
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
export function borrowSignIn(imported: ImportedSession, about: SourceWording, options: ImportOptions = {}): ImportedSession {
  const now = (options.now ?? Date.now)();
  if (imported.session.expiresAt <= now) throw borrowedExpired(about, imported.sourcePath);
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
export function renewFromSource(session: KiroSession, current: ImportedSession, about: SourceWording, options: RereadOptions = {}): KiroSession {
  const now = (options.now ?? Date.now)();
  const found = current.session;
  if (!sameAccount(session, found)) throw otherAccount(about, found.account, session.account);
  if (found.expiresAt <= now) throw borrowedExpired(about, current.sourcePath);
  if (options.rejected !== undefined && found.accessToken === options.rejected) throw borrowedExpired(about, current.sourcePath, true);
  const renewed = borrowed({ ...session, accessToken: found.accessToken, expiresAt: found.expiresAt });
  if (!session.profileArn && found.profileArn) renewed.profileArn = found.profileArn;
  if (found.externalIdp) renewed.externalIdp = found.externalIdp;
  return renewed;
}
