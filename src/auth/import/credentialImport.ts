// Imports another tool's Kiro sign-in: reads it, refreshes it when it has expired, and explains exactly why when it cannot.
import { AuthError } from "../errors";
import { needsNewSignIn, refreshSession, type RefreshOptions } from "../tokenRefresh";
import { readKiroCliSession, type ImportedSession, type KiroCliReadOptions } from "./kiroCliDatabase";
import { readKiroIdeSession, type KiroIdeReadOptions } from "./kiroIdeCache";
import { importError } from "./importSources";

export interface ImportOptions extends RefreshOptions {
  /** Refresh on import when less than this is left (default 5 minutes). */
  refreshAheadMs?: number;
}

const TOOLS = {
  "kiro-cli": { name: "kiro-cli", login: "`kiro-cli login`" },
  "kiro-ide": { name: "the Kiro IDE", login: "the Kiro IDE" },
} as const;

/**
 * The other tool's files are never written: a refreshed token lives only in the returned session
 * (the caller stores it in kiro-pi's own store).
 */
async function renewIfExpired(imported: ImportedSession, tool: keyof typeof TOOLS, options: ImportOptions): Promise<ImportedSession> {
  const now = (options.now ?? Date.now)();
  const ahead = options.refreshAheadMs ?? 5 * 60 * 1000;
  const { session } = imported;
  if (session.expiresAt - now > ahead) return imported;
  const { name, login } = TOOLS[tool];
  const expired = session.expiresAt <= now;
  if (!session.refreshToken || session.method === "external-idp") {
    if (!expired) return imported;
    throw importError("import-expired", `The ${name} sign-in in ${imported.sourcePath} has expired and cannot be renewed. Sign in again with ${login}, then import.`);
  }
  try {
    return { ...imported, session: await refreshSession(session, options) };
  } catch (error) {
    // Still valid for a few minutes: use it as it is and let the normal refresh try again later.
    if (!expired) return imported;
    if (!needsNewSignIn(error)) throw error;
    throw importError(
      "import-expired",
      `The ${name} sign-in in ${imported.sourcePath} has expired and the sign-in service refused to renew it (${(error as AuthError).code}). Sign in again with ${login}, then import.`,
      error,
    );
  }
}

/** kiro-cli's (or the Amazon Q CLI's) sign-in, renewed if it expired. See readKiroCliSession for the errors. */
export async function importKiroCliSession(options: KiroCliReadOptions & ImportOptions = {}): Promise<ImportedSession> {
  return renewIfExpired(await readKiroCliSession(options), "kiro-cli", options);
}

/** The Kiro IDE's sign-in, renewed if it expired. See readKiroIdeSession for the errors. */
export async function importKiroIdeSession(options: KiroIdeReadOptions & ImportOptions = {}): Promise<ImportedSession> {
  return renewIfExpired(await readKiroIdeSession(options), "kiro-ide", options);
}
