// The one list of places kiro-pi can take an existing Kiro sign-in from (kiro-cli, the Kiro IDE); everything that names a source (the import command and its title, pi's stored sign-in and messages, the refresh and sign-in errors) reads it from here.
import type { SessionSource } from "../session";
import { kiroCliSource } from "./kiroCliDatabase";
import { kiroIdeSource } from "./kiroIdeCache";
import type { SignInSource } from "./sourceDefinition";

export { DEFAULT_IMPORT_TIME_LIMIT_MS, readWithinTimeLimit, type SignInSource, type SignInSourceOptions } from "./sourceDefinition";

/**
 * Every sign-in source, in the order people see them. Adding one: its object (defineSignInSource) in its own file,
 * listed here, and its test; docs/architecture.md "Where to add a sign-in source" says the rest.
 */
const SOURCES = [kiroCliSource, kiroIdeSource] as const;

/** A source's id, also the `source` of the sessions imported from it; derived from the list, so there is no second list to keep in step. */
export type SignInSourceId = (typeof SOURCES)[number]["id"];

export const SIGN_IN_SOURCES: readonly SignInSource<SignInSourceId>[] = SOURCES;

export function signInSource(id: SignInSourceId): SignInSource<SignInSourceId> {
  return SIGN_IN_SOURCES.find((source) => source.id === id)!;
}

/** The source a session was imported from; undefined for kiro-pi's own sign-ins and for ids a newer kiro-pi wrote. */
export function sourceOf(source: SessionSource | string): SignInSource<SignInSourceId> | undefined {
  return SIGN_IN_SOURCES.find((s) => s.id === source);
}

/** "kiro-cli or Kiro IDE", "a, b and c": the sources' labels as a sentence says them. */
export function sourceLabels(conjunction: "and" | "or", sources: readonly Pick<SignInSource, "label">[] = SIGN_IN_SOURCES): string {
  const names = sources.map((source) => source.label);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} ${conjunction} ${names.at(-1)}` : (names[0] ?? "another tool");
}

/** The import command's title (package.json `kiro.importSignIn`, category "Kiro"); a unit test keeps the manifest in step. */
export const IMPORT_COMMAND_TITLE = `Import Sign-in from ${SIGN_IN_SOURCES.map((s) => s.label).join(" / ")}`;

/** How a session's origin reads in the account view: "signed in here", "imported from kiro-cli". */
export function describeSessionSource(source: SessionSource): string {
  if (source === "sign-in") return "signed in here";
  return `imported from ${sourceOf(source)?.label ?? source}`;
}
