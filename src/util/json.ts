// Checks for values parsed from JSON or handed across a process boundary, shared by every layer that reads such values.

/** A plain object (not null, not an array): what a JSON object parses to. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string with something in it, trimmed; undefined for anything else (a blank setting counts as not set). */
export function trimmedString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** A non-empty string exactly as it is (tokens, ids, secrets are never trimmed); undefined for anything else. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** A value that may also arrive as its JSON text (the catalog's schemas do both); undefined for text that is not JSON. */
export function jsonValueOrText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
