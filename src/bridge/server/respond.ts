// Complete JSON answers (errors, lists) every route and the server itself send, with the headers every answer carries.
import type { IncomingMessage, ServerResponse } from "node:http";

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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    // Any answer (to a GET that came with a body, say) given while part of the request body is still unread.
    ...(hasUnreadBody(res.req) ? CLOSE : {}),
    ...headers,
  });
  res.end(text);
}

