// Servers that stand at KIRO_BRIDGE_URL in the tests: one that records every request it gets (an impostor, or a bridge that answers oddly), the proof answer a test server gives when it is meant to pass for the window's bridge, and a one-line answer for a bridge's stream.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { BRIDGE_PROOF_NONCE_HEADER, BRIDGE_PROOF_PATH, bridgeProof } from "../../src/bridge/server/security";
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { emptyUsage, type AssistantMessage, type Model } from "../../src/kiro/types";

/** Answers the bridge's proof request as the holder of `token` would; false when `req` is another request. */
export function answerProofAs(token: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (!req.url?.startsWith(BRIDGE_PROOF_PATH)) return false;
  req.resume();
  sendJson(res, 200, { proof: bridgeProof(token, String(req.headers[BRIDGE_PROOF_NONCE_HEADER])) });
  return true;
}

/** What a server at KIRO_BRIDGE_URL received: every request's method, path, headers, body, and which connection it came on. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** 1 for the server's first connection, 2 for its second, ... */
  connection: number;
}

export interface RecordingServer {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A loopback server that records each request and then lets `answer` respond to it. */
export async function startRecordingServer(answer: (request: ReceivedRequest, res: ServerResponse) => void): Promise<RecordingServer> {
  const received: ReceivedRequest[] = [];
  const connections = new WeakMap<Socket, number>();
  let opened = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        connection: connections.get(req.socket) ?? 0,
      };
      received.push(request);
      answer(request, res);
    });
  });
  server.on("connection", (socket: Socket) => connections.set(socket, ++opened));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers with a JSON body and its Content-Length, as the bridge does (pi reads the proof answer only in that form). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** A finished answer of one text block, as a bridge's `stream` dependency or a fake server's `done` line carries it. */
export function finishedAnswer(model: Pick<Model, "id" | "api" | "provider">, text: string): AssistantMessage {
  return { role: "assistant", content: [{ type: "text", text }], api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
}

/** The stream of that answer: its `done` event alone. */
export function finishedAnswerStream(model: Pick<Model, "id" | "api" | "provider">, text: string): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  stream.push({ type: "done", reason: "stop", message: finishedAnswer(model, text) });
  stream.end();
  return stream;
}
