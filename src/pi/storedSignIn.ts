// Direct mode without KIRO_ACCESS_TOKEN or /login: uses the sign-in another Kiro tool already holds (the sign-in sources: kiro-cli, the Kiro IDE), read-only, kept in memory until it nears expiry.
import { isAuthError } from "../auth/errors";
import type { ImportLocation } from "../auth/import/sourceShape";
import { SIGN_IN_SOURCES, type SignInSource, type SignInSourceOptions } from "../auth/import/signInSources";
import { readSignInSourceCredentials, rereadSignInSourceCredentials, type KiroPiCredentials } from "./kiroCredentials";
import type { StoredToken } from "./kiroPiProvider";

type Env = Record<string, string | undefined>;

/** Nothing to import here: not an error worth showing. */
const ABSENT = new Set(["import-missing", "import-no-credentials"]);

/**
 * pi awaits the stored sign-in while it starts (the model list) and before each request without a token, so the
 * lookup is bounded: a file on a hung drive costs this long once, then pi goes on without it.
 */
export const STORED_SIGN_IN_TIME_LIMIT_MS = 5000;

/** What a stored sign-in gives pi's requests: the token, its region and profile, and its `tokenType` (external identity providers). */
export type StoredSignIn = StoredToken;

export interface StoredSignInFinder {
  (): Promise<StoredSignIn | undefined>;
  /** Why a sign-in that exists could not be used (expired, unreadable, too slow), for the no-token message. */
  problem(): string | undefined;
}

export interface StoredSignInOptions {
  sources?: readonly SignInSource[];
  timeLimitMs?: number;
  /** Where the sources' files are besides `env` (tests point at a temporary home). */
  location?: Omit<ImportLocation, "env">;
}

/**
 * `refresh` (Kiro refused the token) reads the source again: the tool renews its own sign-in, and spending its refresh
 * token here would sign it out, once per pi process.
 */
function toStoredToken(credentials: KiroPiCredentials, source: SignInSource, readOptions: SignInSourceOptions): StoredSignIn {
  let current = credentials;
  const token: StoredSignIn = {
    accessToken: credentials.access,
    region: credentials.region,
    source: source.label,
    refresh: async () => {
      current = await rereadSignInSourceCredentials(source, current, { ...readOptions, rejected: current.access });
      token.accessToken = current.access;
      return current.access;
    },
  };
  if (credentials.profileArn) token.profileArn = credentials.profileArn;
  if (credentials.tokenType) token.tokenType = credentials.tokenType;
  return token;
}

export function createStoredSignInFinder(env: Env = process.env, options: StoredSignInOptions = {}): StoredSignInFinder {
  const sources = options.sources ?? SIGN_IN_SOURCES;
  const timeLimitMs = options.timeLimitMs ?? STORED_SIGN_IN_TIME_LIMIT_MS;
  let cached: { token: StoredSignIn; until: number } | undefined;
  let lastProblem: string | undefined;
  /** A lookup still running after its caller stopped waiting is shared by the next caller instead of started again. */
  let running: Promise<StoredSignIn | undefined> | undefined;

  const lookUp = async (): Promise<StoredSignIn | undefined> => {
    const problems: string[] = [];
    for (const source of sources) {
      try {
        // `env` decides where the files are too (KIROCLI_DB_PATH, XDG_DATA_HOME, LOCALAPPDATA).
        const readOptions: SignInSourceOptions = { timeLimitMs, location: { env, ...options.location } };
        const credentials = await readSignInSourceCredentials(source, readOptions);
        const token = toStoredToken(credentials, source, readOptions);
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

  const find = async (): Promise<StoredSignIn | undefined> => {
    if (cached && Date.now() < cached.until) return cached.token;
    cached = undefined;
    if (!running) {
      const started = lookUp();
      running = started;
      const done = () => {
        if (running === started) running = undefined;
      };
      started.then(done, done);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        lastProblem = `Reading the stored Kiro sign-ins (${sources.map((s) => s.label).join(", ")}) took longer than ${Math.round(timeLimitMs / 1000)} s, so pi went on without them.`;
        resolve(undefined);
      }, timeLimitMs);
      });
    try {
      return await Promise.race([running, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return Object.assign(find, { problem: () => lastProblem });
}
