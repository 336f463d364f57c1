// Imports another tool's Kiro sign-in: renews it when it has expired, and explains exactly why when it cannot.
import { AuthError } from "../errors";
import { needsNewSignIn, refreshSession, type RefreshOptions } from "../tokenRefresh";
import { importError, type ImportedSession, type SignInReader } from "./importSources";

export interface ImportOptions extends RefreshOptions {
  /** Refresh on import when less than this is left (default 5 minutes). */
  refreshAheadMs?: number;
}

function sentence(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/**
 * The other tool's files are never written: a refreshed token lives only in the returned session
 * (the caller stores it in kiro-pi's own store).
 */
export async function renewIfExpired(imported: ImportedSession, reader: Pick<SignInReader, "label" | "loginHint">, options: ImportOptions = {}): Promise<ImportedSession> {
  const now = (options.now ?? Date.now)();
  const ahead = options.refreshAheadMs ?? 5 * 60 * 1000;
  const { session } = imported;
  if (session.expiresAt - now > ahead) return imported;
  const expired = session.expiresAt <= now;
  const again = `${sentence(reader.loginHint)}, then import again.`;
  if (!session.refreshToken) {
    if (!expired) return imported;
    throw importError("import-expired", `The ${reader.label} sign-in in ${imported.sourcePath} has expired and cannot be renewed (it holds no refresh token). ${again}`);
  }
  try {
    return { ...imported, session: await refreshSession(session, options) };
  } catch (error) {
    // Still valid for a few minutes: use it as it is and let the normal refresh try again later.
    if (!expired) return imported;
    if (!needsNewSignIn(error)) throw error;
    // The refusal's own first sentence says why (revoked, an unsafe token endpoint, ...); its advice is replaced by the source's.
    const why = (error as AuthError).userMessage.split(/\.(\s|$)/)[0];
    throw importError("import-expired", `The ${reader.label} sign-in in ${imported.sourcePath} has expired and could not be renewed: ${why}. ${again}`, error);
  }
}
