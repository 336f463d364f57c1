// Keeps secrets out of text: every upstream message, file content or error goes through scrubSecrets before it is logged or shown.

/** Secrets shorter than this are not cut out: they would match ordinary text and say nothing about the secret anyway. */
const MIN_SECRET_LENGTH = 4;
/** A bearer credential we were never told about (e.g. an access token echoed inside a lower-level error). */
const BEARER_VALUE = /(bearer[ \t]+)[A-Za-z0-9._~+/=:-]{8,}/gi;

export const REDACTED = "[redacted]";

/** Removes every given secret and anything that looks like a bearer token. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out.replace(BEARER_VALUE, `$1${REDACTED}`);
}

/** One line of at most `max` characters (whitespace collapsed), with an ellipsis when it was cut. */
export function shortenText(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
