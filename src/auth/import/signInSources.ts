// The one list of places kiro-pi can take an existing Kiro sign-in from (kiro-cli, the Kiro IDE): the VS Code import command, pi's stored sign-in and pi's no-token message all read it.
import { shortenText } from "../../util/secrets";
import { AuthError } from "../errors";
import type { KiroSession, SessionSource } from "../session";
import { borrowSignIn, renewFromSource, type ImportOptions, type RereadOptions } from "./credentialImport";
import { importError, type ImportedSession, type SignInReadOptions, type SignInReader } from "./importSources";
import { kiroCliReader } from "./kiroCliDatabase";
import { kiroIdeReader } from "./kiroIdeCache";
import type { SignInSourceId } from "./sourceIds";

/** Adding a source: write its reader (a SignInReader), add it here and its id to sourceIds.ts, test it. Order is the order people see them in. */
const READERS = [kiroCliReader, kiroIdeReader] as const;

export type { SignInSourceId } from "./sourceIds";
/** Every id has a reader and every reader an id: a source added to one list but not the other does not compile. */
type ReaderIds = (typeof READERS)[number]["id"];
type SameIds = [ReaderIds] extends [SignInSourceId] ? ([SignInSourceId] extends [ReaderIds] ? true : false) : false;
const READERS_MATCH_IDS: SameIds = true;
void READERS_MATCH_IDS;

export interface SignInSourceOptions extends SignInReadOptions {
  /** Reading gives up after this long (default DEFAULT_IMPORT_TIME_LIMIT_MS): a file on a hung network drive must not hold anyone. */
  timeLimitMs?: number;
}

export interface SignInSource {
  readonly id: SignInSourceId;
  /** The tool's name as people say it: "kiro-cli", "Kiro IDE". */
  readonly label: string;
  /** What a person does to get a sign-in there: "run `kiro-cli login`", "sign in to Kiro in the Kiro IDE". */
  readonly loginHint: string;
  /** What makes the tool renew its own sign-in: "start kiro-cli once (for example `kiro-cli chat`)", "open the Kiro IDE once". */
  readonly renewHint: string;
  /** The sign-in the tool holds, read-only (to list it). Rejects only with AuthError `import-*`. */
  read(options?: SignInSourceOptions): Promise<ImportedSession>;
  /**
   * The sign-in to borrow: read, and refused with `import-expired` when its token has expired. The session holds no
   * refresh token or client secret: kiro-pi never renews another tool's sign-in with them (that signs the tool out).
   */
  import(options?: SignInSourceOptions & ImportOptions): Promise<ImportedSession>;
  /**
   * How a borrowed session is renewed: the tool's store is read again, since the tool renews its own tokens. Rejects
   * with `import-expired` when that token has expired too (the message says to open the tool once, or sign in with
   * kiro-pi), or with a read failure. Nothing is sent to any token endpoint.
   */
  reread(session: KiroSession, options?: SignInSourceOptions & RereadOptions): Promise<KiroSession>;
}

export const DEFAULT_IMPORT_TIME_LIMIT_MS = 10_000;

/** The reader's result, with anything that is not already a named AuthError (a bug, an unexpected file) turned into one. */
async function guardedRead(reader: SignInReader, options: SignInReadOptions): Promise<ImportedSession> {
  try {
    return await reader.read(options);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    const detail = shortenText(error instanceof Error ? error.message : String(error), 160);
    throw importError("import-corrupt", `The ${reader.label} sign-in could not be read (${detail || "unknown error"}). Try again; if it keeps failing, ${reader.loginHint} again.`, error);
  }
}

/** What every source's `read` does around its reader: a time limit, and only named AuthErrors out. */
export function readWithinTimeLimit(reader: SignInReader, options: SignInSourceOptions = {}): Promise<ImportedSession> {
  const limitMs = options.timeLimitMs ?? DEFAULT_IMPORT_TIME_LIMIT_MS;
  const where = options.path ? ` from ${options.path}` : "";
  const tooSlow = importError(
    "import-unreadable",
    `Reading the ${reader.label} sign-in${where} took longer than ${Math.round(limitMs / 1000)} s, so kiro-pi stopped it. If its folder is on a slow or unreachable drive, fix that and try again.`,
  );
  const stop = new AbortController();
  const outer = options.signal;
  if (outer) {
    if (outer.aborted) stop.abort(outer.reason);
    else outer.addEventListener("abort", () => stop.abort(outer.reason), { once: true });
  }
  return new Promise<ImportedSession>((resolve, reject) => {
    const timer = setTimeout(() => {
      // The reader's own work (the SQLite worker) is stopped too, not only waited for.
      stop.abort(tooSlow);
      reject(tooSlow);
    }, limitMs);
    guardedRead(reader, { ...options, signal: stop.signal }).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function toSource(reader: (typeof READERS)[number]): SignInSource {
  const read = (options: SignInSourceOptions = {}) => readWithinTimeLimit(reader, options);
  return {
    id: reader.id,
    label: reader.label,
    loginHint: reader.loginHint,
    renewHint: reader.renewHint,
    read,
    import: async (options = {}) => borrowSignIn(await read(options), reader, options),
    reread: async (session, options = {}) => renewFromSource(session, await read(options), reader, options),
  };
}

/** Every sign-in source, in the order they are offered. */
export const SIGN_IN_SOURCES: readonly SignInSource[] = READERS.map(toSource);

export function signInSource(id: SignInSourceId): SignInSource {
  return SIGN_IN_SOURCES.find((source) => source.id === id)!;
}

/** How a session's origin reads in the account view: "signed in here", "imported from kiro-cli". */
export function describeSessionSource(source: SessionSource): string {
  if (source === "sign-in") return "signed in here";
  const known = SIGN_IN_SOURCES.find((s) => s.id === source);
  return `imported from ${known ? known.label : source}`;
}
