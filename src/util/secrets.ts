// Keeps secrets out of text: every upstream message, file content or error goes through scrubSecrets before it is logged or shown.

/** Secrets shorter than this are not cut out: they would match ordinary text and say nothing about the secret anyway. */
const MIN_SECRET_LENGTH = 4;
/** A bearer credential we were never told about (e.g. an access token echoed inside a lower-level error). */
const BEARER_VALUE = /(bearer[ \t]+)[A-Za-z0-9._~+/=:-]{8,}/gi;
/** A Kiro API key anywhere in the text (docs/kiro-protocol.md#api-keys), even one nobody named as a secret. */
const API_KEY_VALUE = /\bksk_[A-Za-z0-9._~+/=-]{4,}/g;

export const REDACTED = "[redacted]";

/**
 * The ways a service or proxy echoes a secret it was sent: as it is, URL-encoded (a query string or a form body, `%2F`
 * or `+` for a space), and as a JSON string (`\/`, `\u002b` and the like). Longest first, so no form is cut in half.
 */
function echoesOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    json,
    json.replace(/\//g, "\\/"),
    [...secret].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)).join(""),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Removes every given secret (and its URL- and JSON-encoded echoes) and anything that looks like a bearer token or a Kiro API key. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of echoesOf(secret)) {
      out = form === secret ? out.split(form).join(REDACTED) : out.replace(new RegExp(escapeRegExp(form), "gi"), REDACTED);
    }
  }
  return out.replace(BEARER_VALUE, `$1${REDACTED}`).replace(API_KEY_VALUE, `ksk_${REDACTED}`);
}

/** How an API key is shown to its owner: the prefix and its last four characters, never more (`ksk_…a1b2`). */
export function apiKeyHint(key: string): string {
  return `ksk_…${key.trim().slice(-4)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One line of at most `max` characters (whitespace collapsed), with an ellipsis when it was cut. */
export function shortenText(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
