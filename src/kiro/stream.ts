// streamKiro: pi-ai's stream function for Kiro; picks the route, sends one request (with refresh, retries and a profile re-check) and streams the decoded answer as pi events.
// Over 300 lines: the orchestrator, whose attempts, timeouts, refresh, retries and profile re-check share one run's state.
import { raceAbort as raceAbortWith } from "../util/abort";
import { EventStreamDecoder } from "./wire/decoder";
import { generateAssistantResponseUrl, kiroRequestHeaders, tokenTypeFor, type KiroRoute } from "./service/endpoints";
import {
  abortedError,
  apiKeyRefusedError,
  classifyHttpError,
  KiroError,
  networkError,
  noTokenError,
  parseServiceErrorBody,
  scrubSecrets,
  signInAgainError,
  streamError,
  timeoutError,
  toKiroError,
  withResetDate,
  type ErrorContext,
} from "./errors";
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "./answer/eventStream";
import type { KiroLog } from "./log";
import { builtInModels, catalogForRequest, findModel, KIRO_API, KIRO_PROVIDER } from "./catalog/models";
import type { AccessTokenSource, KiroCredentials, KiroStreamOptions } from "./options";
import type { KiroModelInfo } from "./catalog/modelInfo";
import { buildKiroRequest, type KiroRequest } from "./request/request";
import { KiroResponseAssembler } from "./answer/responseAssembler";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  retryDelayMs,
  retryTooLateError,
  parseRetryAfter,
  sleep,
} from "./service/retry";
import { forgetProfile, withRoute, type RouteOptions } from "./service/route";
import { ERROR_BODY_LIMIT, readBodyText } from "./service/serviceCall";
import { resolveKiroSettings, type KiroSettings } from "./settings";
import { CHARS_PER_TOKEN } from "./request/tokenEstimate";
import { emptyAssistantMessage, type AssistantMessage, type Context, type KiroErrorInfo, type Model } from "./types";
import { getUsageLimits } from "./service/usageLimits";

export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const BASE_FIRST_TOKEN_TIMEOUT_MS = 90_000;
const FIRST_TOKEN_MS_PER_100K_TOKENS = 30_000;
const MAX_DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 300_000;
const USAGE_LOOKUP_TIMEOUT_MS = 5000;

/**
 * Time allowed until the first text, thinking or tool call: 90 s, plus 30 s per 100K input tokens
 * (estimated from the request size), at most 5 minutes. 77 s was seen on a 300K-token context.
 */
export function defaultFirstTokenTimeoutMs(requestChars: number): number {
  const estimatedInputTokens = requestChars / CHARS_PER_TOKEN;
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

/** A token source's answer as credentials; a bare string is a token that carries nothing else. */
function asCredentials(value: string | KiroCredentials | undefined): KiroCredentials | undefined {
  if (value === undefined) return undefined;
  const credentials = typeof value === "string" ? { accessToken: value } : { ...value };
  credentials.accessToken = credentials.accessToken?.trim() ?? "";
  return credentials.accessToken ? credentials : undefined;
}

async function resolveCredentials(source: AccessTokenSource | undefined, env: Record<string, string | undefined>): Promise<KiroCredentials | undefined> {
  // An API key set for kiro-cli wins over an access token (docs/kiro-protocol.md#api-keys).
  if (source === undefined) return asCredentials(env.KIRO_API_KEY?.trim() || env.KIRO_ACCESS_TOKEN);
  return asCredentials(typeof source === "function" ? await source() : source);
}

/** Rejects with an aborted error as soon as `signal` fires, so un-abortable work (token getters) cannot delay an abort. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return raceAbortWith(work, signal, abortedError);
}

/** Reads one chunk, giving up the moment `signal` aborts even if the body ignores cancellation. */
function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal): Promise<ReadableStreamReadResult<Uint8Array>> {
  return raceAbort(reader.read(), signal);
}

/** Best effort: the day an exhausted quota resets (YYYY-MM-DD), from the usage call on the request's route; undefined on any failure or after 5 s. */
async function lookUpQuotaReset(run: StreamRun, route: KiroRoute): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(USAGE_LOOKUP_TIMEOUT_MS);
  const signal = run.options.signal;
  try {
    const usage = await getUsageLimits({
      route,
      accessToken: run.credentials.accessToken,
      tokenType: run.credentials.tokenType,
      fetch: run.fetch,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
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
  settings: KiroSettings;
  /** The token in use, filled once the token source answered; replaced after a refresh. */
  credentials: KiroCredentials;
  fetch: typeof fetch;
  log?: KiroLog;
  assembler?: KiroResponseAssembler;
  /** The token was refreshed once already in this stream (a second refusal means: sign in again). */
  refreshed?: boolean;
}

/** A 403/401 that a fresh token may cure (not a suspension, quota or profile problem). */
function isRefusedToken(failure: KiroError): boolean {
  return failure.kind === "auth" && (failure.status === 403 || failure.status === 401);
}

/**
 * After Kiro refused the token (at the profile look-up or the request itself): one refresh per stream. Rejects with
 * "sign in again" when there is no refresh, it fails, or the fresh token was refused as well.
 */
async function refreshAfterRefusal(run: StreamRun, failure: KiroError): Promise<void> {
  const { options, secrets } = run;
  // An API key is never refreshed: its refusal is final and says so.
  if (tokenTypeFor(run.credentials.accessToken, run.credentials.tokenType) === "API_KEY") throw apiKeyRefusedError(failure);
  if (run.refreshed || !options.refreshAccessToken) throw run.refreshed ? signInAgainError(failure.status) : failure;
  run.refreshed = true;
  let fresh: KiroCredentials | undefined;
  try {
    fresh = asCredentials(await raceAbort(options.refreshAccessToken(), options.signal));
  } catch (error) {
    if (error instanceof KiroError && error.kind === "aborted") throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw signInAgainError(failure.status, scrubSecrets(detail, secrets));
  }
  if (!fresh) throw signInAgainError(failure.status);
  run.credentials.accessToken = fresh.accessToken;
  if (fresh.tokenType) run.credentials.tokenType = fresh.tokenType;
  secrets.push(fresh.accessToken);
}

type StopReason = "stop" | "length" | "toolUse";

/** The answer's stop reason once it streamed to the end. */
async function runStream(run: StreamRun): Promise<StopReason> {
  const { options, secrets } = run;
  const signal = options.signal;
  const env = options.env ?? (typeof process !== "undefined" ? process.env : {});
  if (signal?.aborted) throw abortedError();
  const credentials = await raceAbort(resolveCredentials(options.accessToken, env), signal);
  if (!credentials) throw noTokenError();
  secrets.push(credentials.accessToken);
  run.credentials = credentials;
  const routeOptions: RouteOptions = { settings: run.settings, credentials, fetch: run.fetch, signal, chooseProfile: options.chooseProfile, log: run.log };
  // A profile the sign-in carried (or the one looked up earlier) may be refused; look the account's profiles up once more.
  let ignoreCarriedProfile = false;
  // The profile look-up gets the same bounded, jittered retries as the request itself when it meets throttling or a blip.
  let lookupRetries = 0;
  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const timing = { baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS, maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS };
  for (;;) {
    let route: KiroRoute | undefined;
    try {
      return await withRoute(
        routeOptions,
        (chosen) => {
          route = chosen;
          return sendOnRoute(run, chosen);
        },
        { ignoreCarriedProfile },
      );
    } catch (error) {
      if (!(error instanceof KiroError) || run.assembler?.hasContent) throw error;
      // The profile look-up runs before the request's own attempts, so a token refused there is refreshed here.
      if (isRefusedToken(error) && !route) {
        await refreshAfterRefusal(run, error);
        continue;
      }
      if (error.retryable && !route && lookupRetries < maxRetries) {
        const delay = retryDelayMs(lookupRetries++, timing, error.retryAfterMs);
        if (delay > timing.maxDelayMs) throw retryTooLateError(error, delay, timing.maxDelayMs);
        await sleep(delay, signal);
        continue;
      }
      const refusedProfile = error.kind === "profile" && !ignoreCarriedProfile && !run.settings.profileArn;
      if (!refusedProfile || !route) throw error;
      ignoreCarriedProfile = true;
      forgetProfile(routeOptions, route.generation);
      run.log?.info(`Kiro: the service refused profile ${route.profileArn ?? "(none)"} (${error.status ?? ""}); looking the account's profiles up again.`);
    }
  }
}

/** The model, catalog and request for one route, then the attempts: refresh once after 403, back off and retry transient failures. */
async function sendOnRoute(run: StreamRun, route: KiroRoute): Promise<StopReason> {
  const { context, options, secrets } = run;
  const signal = options.signal;
  const extraHeaders = { ...(run.model.headers ?? {}), ...(options.headers ?? {}) };
  for (const [name, value] of Object.entries(extraHeaders)) if (/auth|token|key|secret|cookie/i.test(name)) secrets.push(value);

  // At most one ListAvailableModels call per route every 10 minutes (cached); bounded, with the built-in list as fallback.
  const catalog = await catalogForRequest({
    route,
    accessToken: run.credentials.accessToken,
    tokenType: run.credentials.tokenType,
    fetch: run.fetch,
    signal,
  });
  if (signal?.aborted) throw abortedError();
  const info = modelInfoFor(run.model, catalog);
  run.info = info;
  const errorContext: ErrorContext = {
    modelId: run.model.id,
    region: route.region,
    profileArn: route.profileArn,
    alternativeModelId: alternativeModel(info, catalog ?? builtInModels()),
    secrets,
  };

  let request: KiroRequest;
  try {
    request = buildKiroRequest(info, context, {
      reasoning: options.reasoning,
      effort: options.effort,
      thinkingBudgets: options.thinkingBudgets,
      maxTokens: options.maxTokens,
      conversationId: options.sessionId,
      profileArn: route.profileArn,
      generation: route.generation,
    });
  } catch (error) {
    if (error instanceof KiroError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new KiroError("bad-request", `Could not build the Kiro request: ${scrubSecrets(detail, secrets)}`, { cause: error });
  }
  for (const note of request.notes) run.log?.info(`Kiro: ${note}`);
  // "not valid JSON" means "too long" only for a request near the model's window; "too long" without history is no overflow pi can compact.
  errorContext.estimatedInputTokens = request.estimatedInputTokens;
  errorContext.contextWindow = info.contextWindow;
  errorContext.historyEntries = request.body.conversationState.history?.length ?? 0;

  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  const timing = { baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS, maxDelayMs: maxRetryDelayMs };
  const firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? run.settings.firstTokenTimeoutMs ?? defaultFirstTokenTimeoutMs(request.json.length);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const url = generateAssistantResponseUrl(route);
  let retries = 0;

  for (;;) {
    if (signal?.aborted) throw abortedError();
    if (retries > 0 && !run.refreshed) {
      // A token getter is asked again before every retry, so a token refreshed elsewhere is picked up.
      const current = await raceAbort(resolveCredentials(options.accessToken, options.env ?? process.env), signal);
      if (current) {
        run.credentials.accessToken = current.accessToken;
        secrets.push(current.accessToken);
      }
    }
    const control = new AttemptControl(signal);
    control.arm("first-token", firstTokenTimeoutMs);
    let failure: KiroError;
    try {
      let response: Response;
      try {
        response = await run.fetch(url, {
          method: "POST",
          headers: kiroRequestHeaders(run.credentials.accessToken, extraHeaders, run.credentials.tokenType),
          body: request.json,
          signal: control.signal,
        });
      } catch (error) {
        throw attemptFailure(error, control, signal, run, () => networkError(error, secrets));
      }

      if (!response.ok) {
        let bodyText = "";
        try {
          bodyText = (await readBodyText(response, ERROR_BODY_LIMIT, control.signal)).text;
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
      // Throttling, an unavailable service or a cut stream before any of the answer arrived is retried like a 429/503.
      const beforeContent = failure.retryable && !run.assembler?.hasContent;
      if (failure.kind !== "network" && !beforeContent) throw failure;
      if (run.assembler) forgetAnswerStart(run);
    } finally {
      control.dispose();
    }

    if (isRefusedToken(failure)) {
      await refreshAfterRefusal(run, failure);
      continue;
    }
    if (failure.kind === "quota") {
      const reset = await lookUpQuotaReset(run, route);
      throw reset ? withResetDate(failure, reset) : failure;
    }
    if (!failure.retryable) throw failure;
    if (retries >= maxRetries) {
      const tries = retries === 0 ? "" : ` (gave up after ${retries} ${retries === 1 ? "retry" : "retries"})`;
      throw new KiroError(failure.kind, `${failure.userMessage}${tries}`, failure.details);
    }
    const delay = retryDelayMs(retries, timing, failure.retryAfterMs);
    if (delay > maxRetryDelayMs) throw retryTooLateError(failure, delay, maxRetryDelayMs);
    await sleep(delay, signal);
    retries++;
  }
}

/** A retried answer starts afresh: what its failed first attempt left on the message (ids, credits, context use) goes. */
function forgetAnswerStart(run: StreamRun): void {
  run.assembler = undefined;
  delete run.output.responseId;
  delete run.output.kiro;
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
    const text = (await readBodyText(response, ERROR_BODY_LIMIT, control.signal).catch(() => ({ text: "" }))).text;
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
    log: run.log,
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
  const { status, reason, resetDate, retryAfterMs, modelId, alternativeModelId, region, profileArn } = failure.details;
  Object.assign(info, Object.fromEntries(Object.entries({ status, reason, resetDate, retryAfterMs, modelId, alternativeModelId, region, profileArn }).filter(([, value]) => value !== undefined)));
  return info;
}

/**
 * Streams one assistant turn from Kiro. Returns at once and never throws: every failure, including a
 * missing token, arrives as the stream's final `error` event with a message that says what to do.
 */
export function streamKiro(model: Model, context: Context, options?: KiroStreamOptions): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  const opts: KiroStreamOptions = options ?? {};
  const output = emptyAssistantMessage({ id: model?.id ?? "", api: model?.api ?? KIRO_API, provider: model?.provider ?? KIRO_PROVIDER });
  const secrets: string[] = [];
  let run: StreamRun | undefined;
  void (async () => {
    try {
      stream.push({ type: "start", partial: output });
      const env = opts.env ?? (typeof process !== "undefined" ? process.env : {});
      const settings = opts.settings ?? resolveKiroSettings({ region: opts.region, endpoint: opts.endpoint, api: opts.api, profileArn: opts.profileArn }, env, (message) => opts.log?.warn(message));
      run = { model, info: modelInfoFor(model), context, options: opts, output, stream, secrets, settings, credentials: { accessToken: "" }, fetch: opts.fetch ?? globalThis.fetch, log: opts.log };
      const reason = await runStream(run);
      output.stopReason = reason;
      stream.push({ type: "done", reason, message: run.assembler?.finalMessage() ?? output });
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
