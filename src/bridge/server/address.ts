// Where the bridge lives and who may be sent its token, for the server and every client: environment names, the loopback address, the Authorization header, the loopback rule.

/** The bridge's address, set by the extension in its terminals (`http://127.0.0.1:<port>`). */
export const BRIDGE_URL_ENV = "KIRO_BRIDGE_URL";
/** The bearer token of that bridge; only ever sent to a loopback address (see {@link loopbackBridgeProblem}). */
export const BRIDGE_TOKEN_ENV = "KIRO_BRIDGE_TOKEN";
/** Where the installed pi extension is, for people who start pi themselves (`pi -e "$KIRO_PI_EXTENSION"`). */
export const PI_EXTENSION_ENV = "KIRO_PI_EXTENSION";

/** The only address the bridge listens on. */
export const BRIDGE_LISTEN_HOST = "127.0.0.1";
/** Host names a client may use for the bridge: the server accepts no other `Host`, and the client sends its token to no other host. */
export const BRIDGE_HOSTNAMES: readonly string[] = [BRIDGE_LISTEN_HOST, "localhost"];

export function bridgeUrl(port: number): string {
  return `http://${BRIDGE_LISTEN_HOST}:${port}`;
}

export function authorizationHeader(token: string): string {
  return `Bearer ${token}`;
}

/**
 * Why `url` is not somewhere the bridge token may go, or undefined when it is: `http://127.0.0.1:<port>` or
 * `http://localhost:<port>`, nothing else. A token sent to another host would hand this window's Kiro sign-in to it.
 */
export function loopbackBridgeProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "it cannot be read as a URL";
  }
  if (parsed.protocol !== "http:") return `it uses ${parsed.protocol.replace(/:$/, "")}, and the bridge speaks plain http on loopback`;
  if (!BRIDGE_HOSTNAMES.includes(parsed.hostname.toLowerCase())) return `its host ${parsed.hostname} is not 127.0.0.1 or localhost`;
  if (!parsed.port) return "it names no port";
  return undefined;
}

