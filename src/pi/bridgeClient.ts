// Streams through the VS Code extension's loopback bridge when pi runs in a terminal that extension opened (KIRO_BRIDGE_URL + KIRO_BRIDGE_TOKEN).
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "../kiro/eventStream";
import { EventReplay, type StreamEventWithoutPartial } from "../kiro/eventReplay";
import { findModel } from "../kiro/models";
import type { KiroModelInfo } from "../kiro/options";
import type { AssistantMessage, Context, Model, ThinkingBudgets, ThinkingLevel } from "../kiro/types";
import { emptyUsage } from "../kiro/types";

export interface BridgeConfig {
  /** e.g. `http://127.0.0.1:51234`, without a trailing slash. */
  url: string;
  token: string;
}

/** The bridge when both variables are set; half a configuration is treated as none (direct mode). */
export function bridgeConfigFromEnv(env: Record<string, string | undefined> = process.env): BridgeConfig | undefined {
  const url = env.KIRO_BRIDGE_URL?.trim();
  const token = env.KIRO_BRIDGE_TOKEN?.trim();
  if (!url || !token) return undefined;
  return { url: url.replace(/\/+$/, ""), token };
}

/** What the bridge accepts besides model and context; never a token, endpoint or header. */
export interface BridgeStreamRequestOptions {
  reasoning?: ThinkingLevel | "off";
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
  temperature?: number;
  sessionId?: string;
}

export interface BridgeClientOptions extends BridgeStreamRequestOptions {
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const KNOWN_EVENT_TYPES = new Set([
  "start",
  "text_start",
  "text_delta",
  "text_end",
  "thinking_start",
  "thinking_delta",
  "thinking_end",
  "toolcall_start",
  "toolcall_delta",
  "toolcall_end",
  "done",
  "error",
]);

function closedWindowMessage(url: string): string {
  return (
    `Cannot reach the Kiro bridge at ${url}: the VS Code window that started this terminal was closed, or its Kiro extension stopped. ` +
    `Open a new terminal from VS Code (or run "Kiro: Open pi in Terminal"), or set KIRO_ACCESS_TOKEN to use Kiro without VS Code.`
  );
}

/** The bridge's own error text, when it sent one (`{"error": "..."}` or `{"message": "..."}`), without echoing arbitrary bodies at length. */
async function bridgeErrorDetail(response: Response): Promise<string | undefined> {
  try {
    const text = (await response.text()).trim();
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
      const detail = typeof parsed.error === "string" ? parsed.error : typeof parsed.message === "string" ? parsed.message : undefined;
      if (detail) return detail.slice(0, 500);
    } catch {
      // not JSON: fall through to the text itself
    }
    return text.slice(0, 300);
  } catch {
    return undefined;
  }
}

export function httpErrorMessage(status: number, detail: string | undefined): string {
  const suffix = detail ? ` ${detail}` : "";
  if (status === 401 || status === 403) {
    return (
      `The Kiro bridge in VS Code refused this terminal (HTTP ${status}). Its token belongs to an earlier VS Code session: ` +
      `open a new terminal from VS Code so it gets the current one.${suffix}`
    );
  }
  if (status === 404) return `The Kiro bridge does not know this request (HTTP 404); the VS Code extension may be older than this pi extension.${suffix}`;
  if (status === 413) return `The conversation is too large for the Kiro bridge (HTTP 413).${suffix}`;
  if (status >= 500) return `The Kiro bridge in VS Code failed (HTTP ${status}).${suffix}`;
  return `The Kiro bridge rejected the request (HTTP ${status}).${suffix}`;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === "AbortError");
}

/** Splits a byte stream into lines, across chunk boundaries. */
async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  // Pieces of the line still being received: each chunk is searched for a newline once, so a
  // multi-megabyte line (a big `done` message) arriving in many chunks costs O(n), not O(n²).
  let pending: string[] = [];
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const chunk = decoder.decode(value, { stream: true });
      let start = 0;
      let newline = chunk.indexOf("\n");
      while (newline >= 0) {
        pending.push(chunk.slice(start, newline));
        const line = pending.join("").trim();
        pending = [];
        if (line) yield line;
        start = newline + 1;
        newline = chunk.indexOf("\n", start);
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
    }
    pending.push(decoder.decode());
    const rest = pending.join("").trim();
    if (rest) yield rest;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Streams one answer through the bridge: `POST {url}/v1/stream` with the bearer token and
 * `{model, context, options}`, reading NDJSON events without `partial` and rebuilding it.
 * Never throws; every failure is a final `error` event that says what to do.
 */
export function streamViaBridge(bridge: BridgeConfig, model: Model, context: Context, options: BridgeClientOptions = {}): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  const replay = new EventReplay(model);
  const { signal, fetch: doFetch = fetch, ...requestOptions } = options;

  const fail = (reason: "error" | "aborted", errorMessage: string): void => {
    const base: AssistantMessage = replay.current;
    const error: AssistantMessage = { ...base, usage: base.usage ?? emptyUsage(), stopReason: reason, errorMessage };
    stream.push({ type: "error", reason, error });
    stream.end();
  };

  void (async () => {
    let response: Response;
    try {
      response = await doFetch(`${bridge.url}/v1/stream`, {
        method: "POST",
        headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json", accept: "application/x-ndjson" },
        body: JSON.stringify({ model, context, options: requestOptions }),
        signal,
      });
    } catch (error) {
      if (isAbort(error, signal)) fail("aborted", "Request was aborted.");
      else fail("error", closedWindowMessage(bridge.url));
      return;
    }
    if (!response.ok) {
      fail("error", httpErrorMessage(response.status, await bridgeErrorDetail(response)));
      return;
    }
    if (!response.body) {
      fail("error", "The Kiro bridge answered without a body.");
      return;
    }
    try {
      for await (const line of readLines(response.body)) {
        let event: StreamEventWithoutPartial;
        try {
          event = JSON.parse(line) as StreamEventWithoutPartial;
        } catch {
          fail("error", "The Kiro bridge sent a line that is not JSON; the VS Code extension and this pi extension may be different versions.");
          return;
        }
        if (!event || typeof event !== "object" || !KNOWN_EVENT_TYPES.has(event.type)) continue;
        stream.push(replay.apply(event));
        if (event.type === "done" || event.type === "error") {
          stream.end();
          return;
        }
      }
      if (signal?.aborted) fail("aborted", "Request was aborted.");
      else fail("error", "The Kiro bridge closed the stream before the answer finished (was the VS Code window closed?).");
    } catch (error) {
      if (isAbort(error, signal)) fail("aborted", "Request was aborted.");
      else fail("error", `The connection to the Kiro bridge broke during the answer (was the VS Code window closed?).`);
    }
  })();

  return stream;
}

/** The bridge's model catalog (`GET {url}/v1/models`); throws with a clear message when it cannot be read. */
export async function listModelsViaBridge(bridge: BridgeConfig, options: { signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<KiroModelInfo[]> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(`${bridge.url}/v1/models`, {
      method: "GET",
      headers: { authorization: `Bearer ${bridge.token}`, accept: "application/json" },
      signal: options.signal,
    });
  } catch {
    throw new Error(closedWindowMessage(bridge.url));
  }
  if (!response.ok) throw new Error(httpErrorMessage(response.status, await bridgeErrorDetail(response)));
  const body = (await response.json()) as unknown;
  const list = Array.isArray(body) ? body : (body as { models?: unknown })?.models;
  if (!Array.isArray(list)) throw new Error("The Kiro bridge's model list has no `models` array.");
  return list.map(toModelInfo).filter((info): info is KiroModelInfo => info !== undefined);
}

/** The bridge serves pi Models (or Kiro model infos); either becomes model info, with the wire id looked up when the entry lacks it. */
function toModelInfo(value: unknown): KiroModelInfo | undefined {
  if (!value || typeof value !== "object") return undefined;
  const entry = value as Partial<KiroModelInfo> & { input?: unknown };
  if (typeof entry.id !== "string" || !entry.id) return undefined;
  if (typeof entry.contextWindow !== "number" || typeof entry.maxTokens !== "number") return undefined;
  const input: ("text" | "image")[] = Array.isArray(entry.input) && entry.input.includes("image") ? ["text", "image"] : ["text"];
  return {
    id: entry.id,
    kiroId: typeof entry.kiroId === "string" && entry.kiroId ? entry.kiroId : (findModel(entry.id)?.kiroId ?? entry.id),
    name: typeof entry.name === "string" && entry.name ? entry.name : entry.id,
    contextWindow: entry.contextWindow,
    maxTokens: entry.maxTokens,
    reasoning: entry.reasoning === true,
    nativeThinking: entry.nativeThinking === true,
    input,
  };
}
