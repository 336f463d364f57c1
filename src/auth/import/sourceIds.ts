// The ids of the sign-in sources (their readers are listed in signInSources.ts); a leaf file, so the session shape can name them without importing the readers.

/** Adding a source: its id here, its reader in signInSources.ts READERS (the compiler checks the two agree), a test. */
export const SIGN_IN_SOURCE_IDS = ["kiro-cli", "kiro-ide"] as const;

/** A source's id, also the `source` of the sessions imported from it. */
export type SignInSourceId = (typeof SIGN_IN_SOURCE_IDS)[number];
