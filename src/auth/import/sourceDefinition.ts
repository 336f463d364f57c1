// Turns a source's own description (SignInSourceSpec) into the SignInSource everything else uses: reads bounded in time, only named AuthErrors out, sessions tagged with the source's id, borrowing and renewal by reading again.
import { AuthError } from "../errors";
import type { KiroSession } from "../session";
import { borrowSignIn, renewFromSource, type ImportOptions, type RereadOptions } from "./credentialImport";
import { describeError, importError } from "./importErrors";
import type { ImportedSession, ImportLocation, SignInReadOptions, SignInSourceSpec, SourceWording } from "./sourceShape";

export interface SignInSourceOptions extends SignInReadOptions {
  /** Reading gives up after this long (default DEFAULT_IMPORT_TIME_LIMIT_MS): a file on a hung network drive must not hold anyone. */
  timeLimitMs?: number;
}

export const DEFAULT_IMPORT_TIME_LIMIT_MS = 10_000;

/** One place another tool keeps a Kiro sign-in, with everything about it: made by defineSignInSource, listed in signInSources.ts. */
export interface SignInSource<Id extends string = string> extends SourceWording {
  readonly id: Id;
  /** Where it lives: the files looked at, in order. */
  paths(location?: ImportLocation): string[];
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

/** What a read needs of a source: how to read, and its words for the messages. */
type Readable<Id extends string> = Pick<SignInSourceSpec<Id>, "id" | "label" | "loginHint" | "read">;

/** The reader's result tagged with the source's id, with anything that is not already a named AuthError (a bug, an unexpected file) turned into one. */
async function guardedRead<Id extends string>(spec: Readable<Id>, options: SignInReadOptions): Promise<ImportedSession> {
  try {
    const found = await spec.read(options);
    return { session: { ...found.session, source: spec.id as KiroSession["source"] }, sourcePath: found.sourcePath };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw importError("import-corrupt", `The ${spec.label} sign-in could not be read (${describeError(error)}). Try again; if it keeps failing, ${spec.loginHint} again.`, error);
  }
}

/** What every source's `read` does around its reader: a time limit, and only named AuthErrors out. */
export function readWithinTimeLimit<Id extends string>(spec: Readable<Id>, options: SignInSourceOptions = {}): Promise<ImportedSession> {
  const limitMs = options.timeLimitMs ?? DEFAULT_IMPORT_TIME_LIMIT_MS;
  const where = options.path ? ` from ${options.path}` : "";
  const tooSlow = importError(
    "import-unreadable",
    `Reading the ${spec.label} sign-in${where} took longer than ${Math.round(limitMs / 1000)} s, so kiro-pi stopped it. If its folder is on a slow or unreachable drive, fix that and try again.`,
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
    guardedRead(spec, { ...options, signal: stop.signal }).then(
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

/** A sign-in source from its description; the description's file exports the result and signInSources.ts lists it. */
export function defineSignInSource<const Id extends string>(spec: SignInSourceSpec<Id>): SignInSource<Id> {
  const read = (options: SignInSourceOptions = {}) => readWithinTimeLimit(spec, options);
  return {
    id: spec.id,
    label: spec.label,
    loginHint: spec.loginHint,
    renewHint: spec.renewHint,
    paths: (location) => spec.paths(location),
    read,
    import: async (options = {}) => borrowSignIn(await read(options), spec, options),
    reread: async (session, options = {}) => renewFromSource(session, await read(options), spec, options),
  };
}
