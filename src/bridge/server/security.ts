// The bridge's gatekeeping, once for every route: the per-instance token (as a bearer token or an API key), its constant-time check, the proof a client asks for before it sends the token, and the Host/Origin rules that stop DNS rebinding and web pages.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
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


/**
 * The route a client asks, without any token, for the bridge to prove it holds the token (docs/architecture.md, the
 * bridge): the client sends a fresh nonce in {@link BRIDGE_PROOF_NONCE_HEADER}, the bridge answers
 * `{"proof": base64url(HMAC-SHA256(token, label + nonce))}`, and only a client that checked it sends the token.
 */
export const BRIDGE_PROOF_PATH = "/v1/bridge-proof";
export const BRIDGE_PROOF_NONCE_HEADER = "x-kiro-bridge-nonce";
/** Fixed, so a proof can never be mistaken for the token or for a MAC the bridge makes for any other purpose. */
const BRIDGE_PROOF_LABEL = "kiro-pi bridge proof v1\n";
/** A nonce is 32 random bytes in base64url (43 characters); anything else is refused rather than signed. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function generateBridgeNonce(): string {
  return randomBytes(32).toString("base64url");
}

export function isBridgeNonce(value: string | undefined): value is string {
  return value !== undefined && NONCE_PATTERN.test(value);
}

/** What the bridge answers for a nonce: only the holder of the token can compute it. */
export function bridgeProof(token: string, nonce: string): string {
  return createHmac("sha256", token).update(BRIDGE_PROOF_LABEL + nonce, "utf8").digest("base64url");
}

/** Whether `presented` is the proof for this nonce under this token, compared in constant time. */
export function bridgeProofMatches(presented: unknown, token: string, nonce: string): boolean {
  return typeof presented === "string" && tokensMatch(presented, bridgeProof(token, nonce));
}
