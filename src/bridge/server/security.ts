// The bridge's gatekeeping, once for every route: the per-instance token (as a bearer token or an API key), its constant-time check, and the Host/Origin rules that stop DNS rebinding and web pages.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { BRIDGE_HOSTNAMES, BRIDGE_TOKEN_ENV } from "./address";

/** 256 bits of randomness; base64url so it survives shells, env vars and headers unquoted. */
export function generateBridgeToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Constant-time comparison that does not leak the expected token's length either:
 * both sides are hashed first so `timingSafeEqual` always sees two 32-byte buffers.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

export type AuthorizationCheck =
  | { ok: true }
  | { ok: false; status: 401 | 403; message: string };

/**
 * 401 when no token is presented (the client must authenticate), 403 when one is presented but is not this bridge's
 * (the client is authenticated as nobody we know). The token comes as `Authorization: Bearer` (pi, Claude Code's
 * `ANTHROPIC_AUTH_TOKEN`, OpenAI clients) or as `x-api-key` (Anthropic SDKs given an API key); when both are sent,
 * the Authorization header is the one checked.
 */
export function checkAuthorization(header: string | undefined, expectedToken: string, apiKey?: string): AuthorizationCheck {
  let presented: string;
  if (header !== undefined && header.trim() !== "") {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      return { ok: false, status: 401, message: `Malformed Authorization header: expected 'Bearer <${BRIDGE_TOKEN_ENV}>'.` };
    }
    presented = match[1]!;
  } else if (apiKey !== undefined && apiKey.trim() !== "") {
    presented = apiKey.trim();
  } else {
    return { ok: false, status: 401, message: `Missing bridge token: send 'Authorization: Bearer <${BRIDGE_TOKEN_ENV}>' (or 'x-api-key: <${BRIDGE_TOKEN_ENV}>').` };
  }
  if (!tokensMatch(presented, expectedToken)) {
    return { ok: false, status: 403, message: `Invalid bridge token: ${BRIDGE_TOKEN_ENV} does not match this VS Code window's bridge.` };
  }
  return { ok: true };
}

/**
 * A browser tricked by DNS rebinding sends the attacker's host name, so only the names a
 * local client can legitimately use for this server are accepted, with the exact port.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const lower = host.trim().toLowerCase();
  return BRIDGE_HOSTNAMES.some((name) => lower === `${name}:${port}`);
}

/**
 * Non-browser clients (pi, curl) send no Origin. A browser always does on cross-origin requests,
 * so any Origin that is not this server itself means a web page is trying to talk to us.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  const lower = origin.trim().toLowerCase();
  return BRIDGE_HOSTNAMES.some((name) => lower === `http://${name}:${port}`);
}

