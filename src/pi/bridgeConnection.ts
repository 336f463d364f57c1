// pi's connection to a VS Code window's bridge: one TCP connection on which the bridge first proves it holds the bridge token (GET /v1/bridge-proof), and the only connection the token and the conversation then travel on.
import { Agent, request as httpRequest, type ClientRequestArgs, type IncomingMessage } from "node:http";
import { createConnection, type Socket } from "node:net";
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
 * The agent of one proven connection: it hands that socket to the first request and never opens a connection of its
 * own, so whoever listens at the port later (the window's bridge gone, another local user's listener in its place)
 * cannot receive the token. It does not depend on the agent pooling sockets either (VS Code's extension host wraps
 * http agents for its proxy support): a request that would need another connection fails instead.
 */
class ProvenConnectionAgent extends Agent {
  private handedOut = false;

  constructor(private readonly socket: Socket) {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  override createConnection(_options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    if (this.handedOut || this.socket.destroyed || !this.socket.writable) {
      callback?.(new ProvenConnectionLostError("The connection to the Kiro bridge closed after the bridge proved itself."), undefined as unknown as Duplex);
      return undefined;
    }
    this.handedOut = true;
    return this.socket;
  }

  override destroy(): void {
    super.destroy();
    this.socket.destroy();
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

function abortError(): Error {
  const error = new Error("Request was aborted.");
  error.name = "AbortError";
  return error;
}

interface ProofAnswer {
  status: number;
  body: string;
  /** The server said it closes the connection after this answer. */
  closes: boolean;
}

/**
 * `GET <path>` with the nonce, written by hand on the raw socket, and its answer read by hand (status, headers,
 * a Content-Length body of at most MAX_PROOF_BYTES): the socket is then handed to node:http for the token request
 * as it is, never having been pooled or shared.
 */
function askForProof(socket: Socket, url: URL, path: string, nonce: string): Promise<ProofAnswer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const done = (error: Error | undefined, answer?: ProofAnswer): void => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve(answer!);
    };
    const onError = (error: Error): void => done(new BridgeUnreachableError(error.message));
    const onClose = (): void => done(new BridgeNotProvenError("it closed the connection without a complete answer to the proof request"));
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const headerEnd = received.indexOf("\r\n\r\n");
      if (headerEnd < 0) {
        if (received.length > MAX_PROOF_BYTES) done(new BridgeNotProvenError("its answer to the proof request is too long"));
        return;
      }
      const [statusLine = "", ...headerLines] = received.subarray(0, headerEnd).toString("latin1").split("\r\n");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      const length = Number(headers.get("content-length"));
      if (!status || !Number.isInteger(length) || length < 0 || length > MAX_PROOF_BYTES || headers.has("transfer-encoding")) {
        done(new BridgeNotProvenError("its answer to the proof request is not one the bridge gives"));
        return;
      }
      const body = received.subarray(headerEnd + 4);
      if (body.length < length) return;
      if (body.length > length) {
        done(new BridgeNotProvenError("it sent more than its answer to the proof request"));
        return;
      }
      done(undefined, { status: Number(status), body: body.toString("utf8"), closes: /\bclose\b/i.test(headers.get("connection") ?? "") });
    };
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${BRIDGE_PROOF_NONCE_HEADER}: ${nonce}\r\nAccept: application/json\r\nConnection: keep-alive\r\n\r\n`,
    );
  });
}

/**
 * Opens a connection to the bridge at `base` (`http://127.0.0.1:<port>`, already checked to be loopback) and asks it,
 * without the token, to sign a fresh nonce with the token (docs/architecture.md, the bridge). Resolves once the answer
 * matched, compared in constant time; throws BridgeUnreachableError, BridgeNotProvenError, ProvenConnectionLostError or
 * an AbortError otherwise, having sent nothing but the nonce. A proof cannot be replayed (each nonce is new) or taken
 * from another bridge (another window's bridge has another token), so only the window's own bridge, on the port it
 * holds, can give it; and the requests that follow go on this same connection (ProvenConnectionAgent).
 */
export async function proveBridge(base: string, token: string, signal?: AbortSignal): Promise<ProvenBridge> {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, "");
  const nonce = generateBridgeNonce();
  if (signal?.aborted) throw abortError();
  const socket = createConnection({ host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) });
  // Errors reach whoever uses the socket (the proof below, then node:http); this keeps one between them from crashing pi.
  socket.on("error", () => undefined);
  // A timeout or an abort during the proof closes the connection; the proof then fails with this reason.
  let stopped: Error | undefined;
  const stop = (reason: Error): void => {
    stopped ??= reason;
    socket.destroy();
  };
  const timer = setTimeout(() => stop(new BridgeNotProvenError(`it did not answer the proof request within ${PROOF_TIMEOUT_MS / 1000} s`)), PROOF_TIMEOUT_MS);
  const onAbort = (): void => stop(abortError());
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    let answer: ProofAnswer;
    try {
      answer = await askForProof(socket, url, `${prefix}${BRIDGE_PROOF_PATH}`, nonce);
    } catch (error) {
      throw stopped ?? error;
    }
    if (answer.status !== 200) {
      throw new BridgeNotProvenError(
        answer.status === 404
          ? "it does not know the proof request (HTTP 404); a Kiro extension older than this pi extension does not either"
          : `it answered the proof request with HTTP ${answer.status}`,
      );
    }
    let proof: unknown;
    try {
      proof = (JSON.parse(answer.body) as { proof?: unknown } | null)?.proof;
    } catch {
      proof = undefined;
    }
    if (!bridgeProofMatches(proof, token, nonce)) throw new BridgeNotProvenError("its answer to the proof request is not signed with this terminal's bridge token");
    if (stopped) throw stopped;
    if (answer.closes) throw new ProvenConnectionLostError("The Kiro bridge closes the connection it proved itself on.");
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  const agent = new ProvenConnectionAgent(socket);
  return {
    request: (path, init) => send(agent, url, `${prefix}${path}`, init),
    close: () => agent.destroy(),
  };
}
