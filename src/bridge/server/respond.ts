// Complete JSON answers (errors, lists) every route and the server itself send, with the headers every answer carries.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export const COMMON_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
} as const;

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An answer sent before the request body was read must close the connection: on a kept-alive connection Node reads
 * and discards the rest of the body (up to the client's whole upload) to reach the next request.
 */
export const CLOSE = { Connection: "close" } as const;

export function hasUnreadBody(req: IncomingMessage): boolean {
  return !req.complete && (req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0);
}

/**
 * How long a connection refused mid-upload stays half-open after the answer. Closing it at once, with upload bytes
 * still unread in the kernel's receive buffer, makes the kernel send a reset, and a reset throws away the answer the
 * client had not read yet: it saw ECONNRESET instead of the 413 (about 1 in 7 refusals under load).
 */
export const REFUSAL_LINGER_MS = 2_000;

/**
 * A lingering close for one refused connection: Node ends a `Connection: close` answer with `socket.destroySoon()`
 * (end, then destroy once written); here the end (FIN after the answer) stays, reading stops so the rest of the upload
 * is neither read nor drained, and the socket is destroyed only after the grace, by which time the client has read the
 * answer and the FIN and closed its side.
 */
function lingerAfterAnswer(socket: Socket): void {
  const lingering = socket as Socket & { destroySoon?: () => void };
  lingering.destroySoon = () => {
    if (socket.writable) socket.end();
    socket.pause();
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  const unread = hasUnreadBody(res.req);
  const all: Record<string, string | number> = {
    ...COMMON_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    // Any answer (to a GET that came with a body, say) given while part of the request body is still unread.
    ...(unread ? CLOSE : {}),
    ...headers,
  };
  if (unread && all.Connection === CLOSE.Connection && res.socket) lingerAfterAnswer(res.socket);
  res.writeHead(status, all);
  res.end(text);
}

