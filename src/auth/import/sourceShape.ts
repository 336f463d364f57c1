// The shape of a sign-in source: one object per place another tool keeps a Kiro sign-in, saying what it is called, where it lives and how it is read (signInSources.ts lists them; sourceDefinition.ts adds the rest).
import type { KiroSession } from "../session";

/** Everything that decides where files are; injectable so tests point at a temporary home. */
export interface ImportLocation {
  home?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

export interface SignInReadOptions {
  /** A file to read instead of the source's default places. */
  path?: string;
  location?: ImportLocation;
  /** Aborted when the read's time limit passes; a reader doing work that could run long stops it then. */
  signal?: AbortSignal;
}

export interface ImportedSession {
  /** Not yet stored; `source` is the id of the source it came from. */
  session: KiroSession;
  /** The file it came from. */
  sourcePath: string;
}

/** A session as a reader finds it: the source's definition adds `source` (its id), so a reader never names it. */
export interface FoundSession {
  session: Omit<KiroSession, "source">;
  sourcePath: string;
}

/** How messages name a source; every import message is built from these (importErrors.ts). */
export interface SourceWording {
  /** The tool's name as people say it: "kiro-cli", "Kiro IDE". */
  readonly label: string;
  /** What a person does to get a sign-in there, as a phrase after "or" / capitalised as a sentence: "run `kiro-cli login`". */
  readonly loginHint: string;
  /** What makes the tool renew its own sign-in, as a phrase: "start kiro-cli once (for example `kiro-cli chat`)". */
  readonly renewHint: string;
}

/** Everything a source's own file says about it; defineSignInSource (sourceDefinition.ts) turns it into a SignInSource. */
export interface SignInSourceSpec<Id extends string = string> extends SourceWording {
  /** Also the `source` of the sessions it gives: lowercase letters, digits and dashes (session.ts keeps unknown ones). */
  readonly id: Id;
  /** Where it lives: the files looked at, in order (the first that exists is read). */
  paths(location?: ImportLocation): string[];
  /**
   * The sign-in the tool holds now, read-only. Rejects with AuthError `import-missing`, `import-unreadable`,
   * `import-corrupt` or `import-no-credentials`.
   */
  read(options: SignInReadOptions): Promise<FoundSession>;
}
