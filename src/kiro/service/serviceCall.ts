// One authenticated JSON call to a Kiro operation (profiles, models, usage): headers, bounded body reads, and failures classified like chat failures.
import { raceAbort } from "../../util/abort";
import { kiroRequestHeaders, tokenTypeFor, type KiroTokenType } from "./endpoints";
import { abortedError, apiKeyRefusedError, classifyHttpError, KiroError, networkError, parseServiceErrorBody, type ErrorContext } from "../errors";
import { parseRetryAfter } from "./retry";

/** An error answer is read this far at most: enough for any message the service writes. */
export const ERROR_BODY_LIMIT = 64 * 1024;
/** The largest JSON answer read (a catalog page is a few KB); more means a wrong endpoint, not a bigger catalog. */
const JSON_ANSWER_LIMIT = 4 * 1024 * 1024;

export interface ServiceCallAuth {
  accessToken: string;
  tokenType?: KiroTokenType;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Reads at most `limit` characters of a body and cancels the rest; gives up the moment `signal` aborts. */
export async function readBodyText(response: Response, limit: number, signal?: AbortSignal): Promise<{ text: string; complete: boolean }> {
  if (!response.body) return { text: "", complete: true };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let complete = false;
  try {
    while (text.length <= limit) {
      const { done, value } = await raceAbort(reader.read(), signal, abortedError);
      if (done) {
        complete = true;
        break;
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    if (!complete) void reader.cancel().catch(() => {});
  }
  return { text, complete };
}

/**
 * Sends one call and returns its parsed JSON. Rejects with a KiroError: the classified HTTP failure (403 → `auth`,
 * 404 → `bad-request` with status 404, …), `network`, `aborted`, or `bad-request` for an answer that is not JSON.
 */
export async function callKiroJson(
  what: string,
  url: string,
  init: { method: "GET" | "POST"; headers?: Record<string, string>; body?: string },
  auth: ServiceCallAuth,
  ctx: ErrorContext,
): Promise<unknown> {
  const headers = kiroRequestHeaders(auth.accessToken, { accept: "application/json", ...init.headers }, auth.tokenType);
  if (init.body === undefined) delete headers["content-type"];
  const secrets = [auth.accessToken, ...(ctx.secrets ?? [])];
  let response: Response;
  try {
    response = await (auth.fetch ?? fetch)(url, { method: init.method, headers, body: init.body, signal: auth.signal });
  } catch (error) {
    if (auth.signal?.aborted) throw abortedError();
    throw networkError(error, secrets);
  }
  const limit = response.ok ? JSON_ANSWER_LIMIT : ERROR_BODY_LIMIT;
  let body: { text: string; complete: boolean };
  try {
    body = await readBodyText(response, limit, auth.signal);
  } catch (error) {
    if (auth.signal?.aborted) throw abortedError();
    throw networkError(error, secrets);
  }
  if (!response.ok) {
    const parsed = parseServiceErrorBody(body.text, response.headers.get("x-amzn-errortype"));
    const failure = classifyHttpError(response.status, parsed, { ...ctx, secrets }, parseRetryAfter(response.headers.get("retry-after")));
    throw failure.kind === "auth" && tokenTypeFor(auth.accessToken, auth.tokenType) === "API_KEY" ? apiKeyRefusedError(failure) : failure;
  }
  if (!body.complete) {
    throw new KiroError("bad-request", `Kiro's ${what} answer is larger than ${JSON_ANSWER_LIMIT / (1024 * 1024)} MB, which no real answer is. Check the endpoint setting (${new URL(url).origin}).`, { status: response.status });
  }
  try {
    return JSON.parse(body.text) as unknown;
  } catch {
    throw new KiroError("bad-request", `Kiro's ${what} answer (${response.status}) is not JSON. Check the endpoint setting (${new URL(url).origin}).`, { status: response.status });
  }
}
