// Every import error, worded from the source it is about (its label, login hint and renew hint), so a new source needs no messages of its own.
import type { Stats } from "node:fs";
import { shortenText } from "../../util/secrets";
import { AuthError, type AuthErrorCode } from "../errors";
import type { SourceWording } from "./sourceShape";

export function importError(code: AuthErrorCode, message: string, cause?: unknown): AuthError {
  return new AuthError(code, message, cause === undefined ? {} : { cause });
}

export function sentence(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/** An unexpected error's message, short enough for a sentence (never a token: readers' errors carry none). */
export function describeError(error: unknown): string {
  return shortenText(error instanceof Error ? error.message : String(error), 160) || "unknown error";
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Turns a failed read of `path` into import-missing or import-unreadable. */
export function readFailure(error: unknown, path: string, about: Pick<SourceWording, "label" | "loginHint">): AuthError {
  const code = errorCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") {
    return importError("import-missing", `No ${about.label} sign-in found: ${path} does not exist. ${sentence(about.loginHint)} first, or use "Kiro: Sign In".`, error);
  }
  return importError(
    "import-unreadable",
    `Could not read ${path} (${code ?? "read failed"}). If ${about.label} is busy with it, close ${about.label} and try again; otherwise check the file's permissions.`,
    error,
  );
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a named pipe";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isSocket()) return "a socket";
  return "not a plain file";
}

function megabytes(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))} MB`;
}

export function notRegularFile(path: string, info: Stats): AuthError {
  return importError("import-unreadable", `${path} is ${kindOf(info)}, not a regular file; kiro-pi only reads regular files. Point the import at the real file.`);
}

export function tooLarge(path: string, size: number, maxBytes: number, about: Pick<SourceWording, "label">): AuthError {
  return importError("import-unreadable", `${path} is ${megabytes(size)}, more than the ${megabytes(maxBytes)} a ${about.label} sign-in file can be; kiro-pi did not read it. Check that the path points at ${about.label}'s file.`);
}

/** The file is there but is not what the tool writes (`what` says which part: "kirocli:odic:token has no access_token"). */
export function damaged(path: string, what: string, about: Pick<SourceWording, "label" | "loginHint">, cause?: unknown): AuthError {
  return importError("import-corrupt", `The ${about.label} sign-in in ${path} is damaged (${what}). Sign in again: ${about.loginHint}.`, cause);
}

/** The file is readable and holds no sign-in (`why`: "no auth_kv table"). */
export function noSignIn(path: string, why: string, about: Pick<SourceWording, "label" | "loginHint">): AuthError {
  return importError("import-no-credentials", `${path} holds no ${about.label} sign-in (${why}). ${sentence(about.loginHint)} first.`);
}

/** Why kiro-pi cannot go on with the source's sign-in, and the two ways forward; nothing is deleted. */
function waysForward(about: SourceWording): string {
  return `${sentence(about.renewHint)} so it renews its sign-in, then try again; or sign in with kiro-pi itself ("Kiro: Sign In"). kiro-pi does not renew ${about.label}'s sign-in itself: that would sign ${about.label} out.`;
}

/** The borrowed token has expired in the tool too, or (`rejected`) Kiro refused it and the tool holds no newer one. */
export function borrowedExpired(about: SourceWording, sourcePath: string, rejected = false): AuthError {
  const what = rejected ? `Kiro refused the ${about.label} sign-in's token in ${sourcePath}, and ${about.label} has not renewed it yet.` : `The ${about.label} sign-in in ${sourcePath} has expired.`;
  return importError("import-expired", `${what} ${waysForward(about)}`);
}

/** The tool now holds another account's sign-in than the one kiro-pi borrowed. */
export function otherAccount(about: SourceWording, found: string, borrowed: string): AuthError {
  return importError(
    "import-expired",
    `${about.label} is now signed in to another account (${found}) than the one kiro-pi borrowed (${borrowed}). Import the sign-in again, or sign in with kiro-pi itself ("Kiro: Sign In").`,
  );
}
