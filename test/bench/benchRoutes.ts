// The agent routes as the bench drives them: for /v1/messages, /v1/chat/completions and /v1/responses, the body an agent sends and how its SSE answer's text deltas read, with one streaming HTTP client that times them.
import { request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";

/** One agent wire format's streamed answer: where to POST, the body, and the text an SSE `data:` payload carries. */
export interface AgentRoute {
  name: string;
  path: string;
  body(model: string, prompt: string): unknown;
  /** The text of one parsed `data:` payload ("" when it carries none). */
  textOf(data: Record<string, unknown>): string;
}

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {});

export const AGENT_ROUTES: readonly AgentRoute[] = [
  {
    name: "/v1/messages",
    path: "/v1/messages",
    body: (model, prompt) => ({ model, max_tokens: 32_000, stream: true, messages: [{ role: "user", content: prompt }] }),
    textOf: (data) => {
      const delta = record(data.delta);
      return data.type === "content_block_delta" && delta.type === "text_delta" && typeof delta.text === "string" ? delta.text : "";
    },
  },
  {
    name: "/v1/chat/completions",
    path: "/v1/chat/completions",
    body: (model, prompt) => ({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: prompt }] }),
    textOf: (data) => {
      const choice = record(Array.isArray(data.choices) ? data.choices[0] : undefined);
      const content = record(choice.delta).content;
      return typeof content === "string" ? content : "";
    },
  },
  {
    name: "/v1/responses",
    path: "/v1/responses",
    body: (model, prompt) => ({ model, stream: true, store: false, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: prompt }] }] }),
    textOf: (data) => (data.type === "response.output_text.delta" && typeof data.delta === "string" ? data.delta : ""),
  },
];

export interface RouteRun {
  firstTokenMs: number;
  totalMs: number;
  textChars: number;
}

/**
 * POSTs the route's body to the bridge and reads its SSE answer as an agent does (split into lines, each `data:`
 * payload parsed), timing the first text and the end. With `discard`, the bytes are thrown away unread (the heap
 * run, where only the server's share should count).
 */
export function streamRoute(bridge: { url: string; token: string }, route: AgentRoute, model: string, prompt: string, o: { discard?: boolean } = {}): Promise<RouteRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(route.path, bridge.url),
      { method: "POST", headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
          res.on("end", () => reject(new Error(`${route.name} answered ${res.statusCode}: ${body.slice(0, 500)}`)));
          return;
        }
        let firstTokenMs = -1;
        let textChars = 0;
        // The line being received, in pieces: an answer's final events carry its whole text on one long line, and
        // re-scanning a growing string for its end would make the reader, not the bridge, the slow part.
        let pieces: string[] = [];
        const line = (text: string): void => {
          if (!text.startsWith("data:")) return;
          const payload = text.slice(5).trim();
          if (payload === "[DONE]" || payload === "") return;
          const delta = route.textOf(JSON.parse(payload) as Record<string, unknown>);
          if (delta.length === 0) return;
          if (firstTokenMs < 0) firstTokenMs = performance.now() - started;
          textChars += delta.length;
        };
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (o.discard) return;
          let from = 0;
          for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", from)) {
            pieces.push(chunk.slice(from, newline));
            line(pieces.length === 1 ? pieces[0]! : pieces.join(""));
            pieces = [];
            from = newline + 1;
          }
          if (from < chunk.length) pieces.push(chunk.slice(from));
        });
        res.on("end", () => resolve({ firstTokenMs, totalMs: performance.now() - started, textChars }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(route.body(model, prompt)));
  });
}
