// streamKiro: pi-ai's stream function for Kiro; sends one request (with refresh and retries) and streams the decoded answer as pi events.
import { raceAbort as raceAbortWith } from "../util/abort";
import { EventStreamDecoder } from "./decoder";
import { generateAssistantResponseUrl, kiroRequestHeaders, resolveEndpoint } from "./endpoints";
import {
  abortedError,
  classifyHttpError,
  KiroError,
  networkError,
  noTokenError,
  parseServiceErrorBody,
  scrubSecrets,
  signInAgainError,
  SIGN_IN_HINT,
  streamError,
  timeoutError,
  toKiroError,
  withResetDate,
  type ErrorContext,
} from "./errors";
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "./eventStream";
import { builtInModels, catalogForRequest, findModel } from "./models";
import type { AccessTokenSource, KiroModelInfo, KiroStreamOptions } from "./options";
import { buildKiroRequest, type KiroRequest } from "./request";
import { KiroResponseAssembler } from "./responseAssembler";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  retryDelayMs,
  retryTooLateError,
  parseRetryAfter,
  sleep,
} from "./retry";
import { emptyUsage, type AssistantMessage, type Context, type KiroErrorInfo, type Model } from "./types";
import { getUsageLimits } from "./usageLimits";

export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const BASE_FIRST_TOKEN_TIMEOUT_MS = 90_000;
const FIRST_TOKEN_MS_PER_100K_TOKENS = 30_000;
const MAX_DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 300_000;
const ERROR_BODY_LIMIT = 64 * 1024;
const USAGE_LOOKUP_TIMEOUT_MS = 5000;

/**
 * Time allowed until the first text, thinking or tool call: 90 s, plus 30 s per 100K input tokens
 * (estimated from the request size), at most 5 minutes. 77 s was seen on a 300K-token context.
 */
export function defaultFirstTokenTimeoutMs(requestChars: number): number {
  const estimatedInputTokens = requestChars / 4;
  const extra = Math.floor(estimatedInputTokens / 100_000) * FIRST_TOKEN_MS_PER_100K_TOKENS;
  return Math.min(MAX_DEFAULT_FIRST_TOKEN_TIMEOUT_MS, BASE_FIRST_TOKEN_TIMEOUT_MS + extra);
}

/** Fields a pi Model carries when it came from a Kiro model list (the bridge's `/v1/models`); pi passes unknown fields through. */
interface KiroModelFields {
  kiroId?: unknown;
  nativeThinking?: unknown;
}

/**
 * What to send for a pi model. The live catalog of the request's route is the truth (wire id, whether
 * the model takes `additionalModelRequestFields`, context window); then the `kiroId` / `nativeThinking`
 * the model itself carries; then the built-in list; a model nobody knows goes out under its own id.
 */
export function modelInfoFor(model: Model, catalog?: readonly KiroModelInfo[]): KiroModelInfo {
  const fields = model as Model & KiroModelFields;
  const wireId = typeof fields.kiroId === "string" && fields.kiroId.trim() ? fields.kiroId.trim() : undefined;
  const live = catalog && catalog.length > 0 ? (findModel(model.id, catalog) ?? (wireId ? findModel(wireId, catalog) : undefined)) : undefined;
  if (live) return live;
  const info: KiroModelInfo = findModel(model.id) ?? {
    id: model.id,
    kiroId: model.id,
    name: model.name || model.id,
    contextWindow: model.contextWindow || 200_000,
    maxTokens: model.maxTokens || 32_000,
    reasoning: model.reasoning,
    nativeThinking: false,
    input: model.input?.length ? [...model.input] : ["text"],
  };
  if (wireId) info.kiroId = wireId;
  if (typeof fields.nativeThinking === "boolean") info.nativeThinking = fields.nativeThinking;
  return info;
}

function alternativeModel(info: KiroModelInfo, catalog: readonly KiroModelInfo[]): string | undefined {
  const candidates = catalog.filter((m) => m.id !== info.id && m.kiroId !== info.kiroId && !m.forceThinking);
  const preferred = candidates.find((m) => m.kiroId === "claude-sonnet-4.5") ?? candidates.find((m) => m.kiroId === "auto") ?? candidates[0];
  return preferred?.id;
}

async function resolveToken(source: AccessTokenSource | undefined, env: Record<string, string | undefined>): Promise<string | undefined> {
  const value = typeof source === "function" ? await source() : source;
  const token = (value ?? (source === undefined ? env.KIRO_ACCESS_TOKEN : undefined))?.trim();
  return token ? token : undefined;
}

/** Rejects with an aborted error as soon as `signal` fires, so un-abortable work (token getters) cannot delay an abort. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return raceAbortWith(work, signal, abortedError);
}

/** Reads one chunk, giving up the moment `signal` aborts even if the body ignores cancellation. */
function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal): Promise<ReadableStreamReadResult<Uint8Array>> {
  return raceAbort(reader.read(), signal);
}

async function readBodyText(response: Response, signal: AbortSignal): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < ERROR_BODY_LIMIT) {
      const { done, value } = await readChunk(reader, signal);
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  return text;
}

/** Best effort: the day an exhausted quota resets (YYYY-MM-DD), from getUsageLimits on the request's route; undefined on any failure or after 5 s. */
async function lookUpQuotaReset(options: KiroStreamOptions, env: Record<string, string | undefined>, fetchImpl: typeof fetch, token: string): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(USAGE_LOOKUP_TIMEOUT_MS);
  try {
    const usage = await getUsageLimits({
      accessToken: token,
      region: options.region,
      endpoint: options.endpoint,
      profileArn: options.profileArn,
      env,
      fetch: fetchImpl,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    return usage.resetDate?.slice(0, 10);
  } catch {
    return undefined;
  }
}

type TimerPhase = "first-token" | "idle";

/** One HTTP attempt's cancellation: the caller's signal, the first-token timeout and the idle timeout all abort it. */
class AttemptControl {
  readonly controller = new AbortController();
  timedOut: { phase: TimerPhase; ms: number } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(private readonly callerSignal: AbortSignal | undefined) {
    callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
    if (callerSignal?.aborted) this.controller.abort();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(phase: TimerPhase, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = { phase, ms };
      this.controller.abort();
    }, ms);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
  }
}

interface StreamRun {
  model: Model;
  info: KiroModelInfo;
  context: Context;
  options: KiroStreamOptions;
  output: AssistantMessage;
  stream: AssistantMessageEventStream;
  secrets: string[];
  assembler?: KiroResponseAssembler;
}

/** The answer's stop reason once it streamed to the end. */
async function runStream(run: StreamRun): Promise<"stop" | "length" | "toolUse"> {
  const { context, options, secrets } = run;
  const signal = options.signal;
  const env = options.env ?? (typeof process !== "undefined" ? process.env : {});
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const endpoint = resolveEndpoint({ region: options.region, endpoint: options.endpoint, profileArn: options.profileArn, env });
  const extraHeaders = { ...(run.model.headers ?? {}), ...(options.headers ?? {}) };
  for (const [name, value] of Object.entries(extraHeaders)) if (/auth|token|key|secret|cookie/i.test(name)) secrets.push(value);

  if (signal?.aborted) throw abortedError();
  const initialToken = await raceAbort(resolveToken(options.accessToken, env), signal);
  if (!initialToken) throw noTokenError();
  let token: string = initialToken;
  secrets.push(token);

  // At most one ListAvailableModels call per route every 10 minutes (cached); bounded, with the built-in list as fallback.
  const catalog = await catalogForRequest({
    accessToken: token,
    region: options.region,
    endpoint: options.endpoint,
    profileArn: options.profileArn,
    env,
    fetch: fetchImpl,
    signal,
  });
  if (signal?.aborted) throw abortedError();
  const info = modelInfoFor(run.model, catalog);
  run.info = info;
  const errorContext: ErrorContext = { modelId: run.model.id, region: endpoint.region, alternativeModelId: alternativeModel(info, catalog ?? builtInModels()), secrets };

  let request: KiroRequest;
  try {
    request = buildKiroRequest(info, context, {
      reasoning: options.reasoning,
      thinkingBudgets: options.thinkingBudgets,
      maxTokens: options.maxTokens,
      conversationId: options.sessionId,
      profileArn: endpoint.profileArn,
    });
  } catch (error) {
    if (error instanceof KiroError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new KiroError("bad-request", `Could not build the Kiro request: ${scrubSecrets(detail, secrets)}`, { cause: error });
  }

  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  const timing = { baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS, maxDelayMs: maxRetryDelayMs };
  const firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? defaultFirstTokenTimeoutMs(request.json.length);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const url = generateAssistantResponseUrl(endpoint);
  let retries = 0;
  let refreshed = false;

  for (;;) {
    if (signal?.aborted) throw abortedError();
    if (retries > 0 || refreshed) {
      // A token getter is asked again before every attempt, so a token refreshed elsewhere is picked up.
      const current: string | undefined = refreshed ? token : await raceAbort(resolveToken(options.accessToken, env), signal);
      if (current) {
        token = current;
        secrets.push(token);
      }
    }
    const control = new AttemptControl(signal);
    control.arm("first-token", firstTokenTimeoutMs);
    let failure: KiroError;
    try {
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: kiroRequestHeaders(token, endpoint, extraHeaders),
          body: request.json,
          signal: control.signal,
        });
      } catch (error) {
        throw attemptFailure(error, control, signal, run, () => networkError(error, secrets));
      }

      if (!response.ok) {
        let bodyText = "";
        try {
          bodyText = await readBodyText(response, control.signal);
        } catch (error) {
          throw attemptFailure(error, control, signal, run, () => networkError(error, secrets));
        }
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        failure = classifyHttpError(response.status, parseServiceErrorBody(bodyText, response.headers.get("x-amzn-errortype")), errorContext, retryAfterMs);
      } else {
        return await streamAnswer(response, control, request, run, errorContext, idleTimeoutMs);
      }
    } catch (error) {
      failure = toKiroError(error, secrets);
      if (failure.kind !== "network") throw failure;
    } finally {
      control.dispose();
    }

    if (failure.kind === "auth" && (failure.status === 403 || failure.status === 401)) {
      if (refreshed || !options.refreshAccessToken) throw refreshed ? signInAgainError(failure.status) : failure;
      refreshed = true;
      let fresh: string | undefined;
      try {
        fresh = (await raceAbort(options.refreshAccessToken(), signal))?.trim();
      } catch (error) {
        if (error instanceof KiroError && error.kind === "aborted") throw error;
        const detail = error instanceof Error ? error.message : String(error);
        throw new KiroError("auth", `Could not refresh your Kiro sign-in (${scrubSecrets(detail, secrets)}). Sign in again: ${SIGN_IN_HINT}.`, { status: failure.status });
      }
      if (!fresh) throw signInAgainError(failure.status);
      token = fresh;
      secrets.push(fresh);
      continue;
    }
    if (failure.kind === "quota") {
      const reset = await lookUpQuotaReset(options, env, fetchImpl, token);
      throw reset ? withResetDate(failure, reset) : failure;
    }
    if (!failure.retryable) throw failure;
    if (retries >= maxRetries) {
      const tries = retries === 0 ? "" : ` (gave up after ${retries} ${retries === 1 ? "retry" : "retries"})`;
      throw new KiroError(failure.kind, `${failure.userMessage}${tries}`, {
        status: failure.status,
        reason: failure.reason,
        retryable: failure.retryable,
        retryAfterMs: failure.retryAfterMs,
      });
    }
    const delay = retryDelayMs(retries, timing, failure.retryAfterMs);
    if (delay > maxRetryDelayMs) throw retryTooLateError(failure, delay, maxRetryDelayMs);
    await sleep(delay, signal);
    retries++;
  }
}

/** Names why an attempt's fetch or body read failed: the caller aborted, a timeout fired, or the network broke. */
function attemptFailure(error: unknown, control: AttemptControl, signal: AbortSignal | undefined, run: StreamRun, otherwise: () => KiroError): KiroError {
  if (signal?.aborted) return abortedError();
  if (control.timedOut) return timeoutError(control.timedOut.phase, control.timedOut.ms, run.model.id);
  if (error instanceof KiroError) return error;
  return otherwise();
}

async function streamAnswer(
  response: Response,
  control: AttemptControl,
  request: KiroRequest,
  run: StreamRun,
  errorContext: ErrorContext,
  idleTimeoutMs: number,
): Promise<"stop" | "length" | "toolUse"> {
  const { output, stream, options } = run;
  const signal = options.signal;
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.includes("json") && !contentType.includes("eventstream")) {
    const text = await readBodyText(response, control.signal).catch(() => "");
    const body = parseServiceErrorBody(text);
    throw new KiroError("stream", `Kiro answered with JSON instead of an event stream${body.message ? `: ${scrubSecrets(body.message, run.secrets)}` : ""}.`);
  }
  const assembler = new KiroResponseAssembler({
    output,
    emit: (event) => stream.push(event),
    contextWindow: run.info.contextWindow,
    maxOutputTokens: options.maxTokens ?? run.info.maxTokens,
    requestChars: request.json.length,
    toolNames: request.toolNames,
    errorContext,
  });
  run.assembler = assembler;
  const decoder = new EventStreamDecoder();
  if (!response.body) throw networkError("the answer had no body");
  const reader = response.body.getReader();
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await readChunk(reader, control.signal);
      } catch (error) {
        throw attemptFailure(error, control, signal, run, () => {
          if (decoder.byteCount === 0) return networkError(error, run.secrets);
          const detail = error instanceof Error ? error.message : String(error);
          return streamError(`the connection was lost after ${decoder.byteCount} bytes (${scrubSecrets(detail, run.secrets)}). Send the message again.`, error);
        });
      }
      if (result.done) break;
      for (const frame of decoder.push(result.value)) assembler.handleFrame(frame);
      if (assembler.hasContent) control.arm("idle", idleTimeoutMs);
    }
    finished = true;
  } finally {
    if (!finished) void reader.cancel().catch(() => {});
  }
  if (decoder.byteCount === 0) throw networkError("the connection closed before the answer began");
  decoder.end();
  return assembler.finish();
}

function errorInfoOf(failure: KiroError): KiroErrorInfo {
  const info: KiroErrorInfo = { kind: failure.kind, retryable: failure.retryable };
  if (failure.status !== undefined) info.status = failure.status;
  if (failure.reason !== undefined) info.reason = failure.reason;
  if (failure.resetDate !== undefined) info.resetDate = failure.resetDate;
  if (failure.retryAfterMs !== undefined) info.retryAfterMs = failure.retryAfterMs;
  return info;
}

/**
 * Streams one assistant turn from Kiro. Returns at once and never throws: every failure, including a
 * missing token, arrives as the stream's final `error` event with a message that says what to do.
 */
export function streamKiro(model: Model, context: Context, options?: KiroStreamOptions): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  const opts: KiroStreamOptions = options ?? {};
  const output: AssistantMessage = {
    role: "assistant",
    content: [],
    api: model?.api ?? "kiro-generate-assistant-response",
    provider: model?.provider ?? "kiro",
    model: model?.id ?? "",
    usage: emptyUsage(),
    stopReason: "stop",
    timestamp: Date.now(),
  };
  const secrets: string[] = [];
  let run: StreamRun | undefined;
  void (async () => {
    try {
      stream.push({ type: "start", partial: output });
      run = { model, info: modelInfoFor(model), context, options: opts, output, stream, secrets };
      const reason = await runStream(run);
      output.stopReason = reason;
      stream.push({ type: "done", reason, message: output });
    } catch (error) {
      const failure = opts.signal?.aborted ? abortedError() : toKiroError(error, secrets);
      try {
        run?.assembler?.settleUsage();
      } catch {
        // usage stays as it was; the error below matters more
      }
      output.stopReason = failure.kind === "aborted" ? "aborted" : "error";
      output.errorMessage = scrubSecrets(failure.userMessage, secrets);
      output.kiro = { ...output.kiro, error: errorInfoOf(failure) };
      stream.push({ type: "error", reason: output.stopReason, error: output });
    } finally {
      stream.end();
    }
  })();
  return stream;
}
