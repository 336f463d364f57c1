// pi's connection to a VS Code window's bridge: one TCP connection on which the bridge first proves it holds the bridge token (GET /v1/bridge-proof), and the only connection the token and the conversation then travel on.
import { Agent, request as httpRequest, type ClientRequestArgs, type IncomingMessage } from "node:http";
import { createConnection, type NetConnectOpts } from "node:net";
import type { Duplex } from "node:stream";
import { BRIDGE_PROOF_NONCE_HEADER, BRIDGE_PROOF_PATH, bridgeProofMatches, generateBridgeNonce } from "../bridge/server/security";

/** The window's bridge answers at once; this bounds a server at the port that accepts the connection and then stalls. */
const PROOF_TIMEOUT_MS = 10_000;
/** A proof is `{"proof": "<43 characters>"}`; anything much longer is not one. */
const MAX_PROOF_BYTES = 4096;

/** Nothing is listening at the URL (the window was closed), or the connection broke before the proof was read. */
export class BridgeUnreachableError extends Error {
  override readonly name = "BridgeUnreachableError";
}

/** Something answers at the URL but did not prove it holds the token: it gets neither the token nor the conversation. */
export class BridgeNotProvenError extends Error {
  override readonly name = "BridgeNotProvenError";
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The proven connection broke between the proof and the request (nothing was sent); a new exchange proves itself again. */
export class ProvenConnectionLostError extends Error {
  override readonly name = "ProvenConnectionLostError";
}

/**
 * An agent that opens one TCP connection in its whole life and keeps it alive between requests. Whoever listens at the
 * port when that connection is made is the peer of every request on this agent: a server that binds the port after it
 * (the window's bridge gone, another local user's listener in its place) only gets new connections, and this agent never
 * makes another one, so the token cannot reach it. If the connection closes, the next request fails instead of
 * reconnecting unproven.
 */
class OneConnectionAgent extends Agent {
  private opened = false;

  constructor() {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    if (this.opened) {
      callback?.(new ProvenConnectionLostError("The connection to the Kiro bridge closed after the bridge proved itself."), undefined as unknown as Duplex);
      return undefined;
    }
    this.opened = true;
    return createConnection(options as NetConnectOpts);
  }
}

export interface BridgeRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
}

/** A bridge that proved it holds the token, and the connection it proved it on. */
export interface ProvenBridge {
  /** Sends a request on the proven connection; rejects with ProvenConnectionLostError rather than open another. */
  request(path: string, init: BridgeRequestInit): Promise<IncomingMessage>;
  /** Closes the connection. */
  close(): void;
}

function send(agent: Agent, url: URL, path: string, init: BridgeRequestInit): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { agent, protocol: "http:", hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port, path, method: init.method, headers: init.headers, signal: init.signal },
      resolve,
    );
    request.on("error", reject);
    request.end(init.body === undefined ? undefined : Buffer.from(init.body.buffer, init.body.byteOffset, init.body.byteLength));
  });
}

async function readLimited(response: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function abortError(): Error {
  const error = new Error("Request was aborted.");
  error.name = "AbortError";
  return error;
}

/**
 * Opens a connection to the bridge at `base` (`http://127.0.0.1:<port>`, already checked to be loopback) and asks it,
 * without the token, to sign a fresh nonce with the token (docs/architecture.md, the bridge). Resolves once the answer
 * matched, compared in constant time; throws BridgeUnreachableError, BridgeNotProvenError or an AbortError otherwise,
 * having sent nothing but the nonce. A proof cannot be replayed (each nonce is new) or taken from another bridge (another
 * window's bridge has another token), so only the window's own bridge, on the port it holds, can give it.
 */
export async function proveBridge(base: string, token: string, signal?: AbortSignal): Promise<ProvenBridge> {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, "");
  const agent = new OneConnectionAgent();
  const nonce = generateBridgeNonce();
  // A timeout or an abort during the proof closes the connection; the request then fails with this reason.
  let stopped: Error | undefined;
  const stop = (reason: Error): void => {
    stopped ??= reason;
    agent.destroy();
  };
  const timer = setTimeout(() => stop(new BridgeNotProvenError(`it did not answer the proof request within ${PROOF_TIMEOUT_MS / 1000} s`)), PROOF_TIMEOUT_MS);
  const onAbort = (): void => stop(abortError());
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (signal?.aborted) throw abortError();
    let response: IncomingMessage;
    try {
      response = await send(agent, url, `${prefix}${BRIDGE_PROOF_PATH}`, { method: "GET", headers: { [BRIDGE_PROOF_NONCE_HEADER]: nonce, accept: "application/json" } });
    } catch (error) {
      throw stopped ?? new BridgeUnreachableError(error instanceof Error ? error.message : String(error));
    }
    let text: string | undefined;
    try {
      text = await readLimited(response, MAX_PROOF_BYTES);
    } catch {
      throw stopped ?? new BridgeNotProvenError("its answer to the proof request broke off");
    }
    if (response.statusCode !== 200) {
      throw new BridgeNotProvenError(
        response.statusCode === 404
          ? "it does not know the proof request (HTTP 404); a Kiro extension older than this pi extension does not either"
          : `it answered the proof request with HTTP ${response.statusCode}`,
      );
    }
    let proof: unknown;
    try {
      proof = text === undefined ? undefined : (JSON.parse(text) as { proof?: unknown } | null)?.proof;
    } catch {
      proof = undefined;
    }
    if (!bridgeProofMatches(proof, token, nonce)) throw new BridgeNotProvenError("its answer to the proof request is not signed with this terminal's bridge token");
    if (stopped) throw stopped;
  } catch (error) {
    agent.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  return {
    request: (path, init) => send(agent, url, `${prefix}${path}`, init),
    close: () => agent.destroy(),
  };
}
