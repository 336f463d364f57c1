// A Kiro service on loopback for tests and demos: both host generations' routes on one port, profiles, the service's validation rules, binary event-stream answers, scripted failures.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRandom, cutAtRandomOffsets, encodeErrorFrame, encodeEventFrame, encodeExceptionFrame } from "./frames";
import { defaultSimReply } from "./replies";
import {
  RULES,
  historyEntryCapFor,
  rejectionFor,
  ruleOf,
  validateGenerateAssistantResponseJson,
  type SimModel,
  type ValidationRule,
} from "./validation";

export type { SimModel, ValidationRule } from "./validation";

/** The two generations of Kiro hosts (docs/kiro-protocol.md#hosts): q.{region}.amazonaws.com, and runtime. / management.{region}.kiro.dev. */
export type SimGeneration = "q" | "runtime";

/** The service operations the simulator serves. */
export type SimOperation = "generateAssistantResponse" | "listAvailableModels" | "getUsageLimits" | "listAvailableProfiles" | "getProfile";

/** One entry of ListAvailableProfiles' `profiles`. */
export interface SimProfile {
  arn: string;
  profileName: string;
}

export type SimEvent =
  /** A normal event frame; `type` is the `:event-type`, e.g. "assistantResponseEvent". */
  | { type: string; payload: unknown }
  /** A `:message-type: exception` frame, e.g. exception "ThrottlingException", payload {message, reason}. */
  | { exception: string; payload: unknown }
  /** A `:message-type: error` frame with `:error-code` / `:error-message`. */
  | { errorCode: string; errorMessage: string }
  /** Bytes written as they are (base64), e.g. a frame with a broken CRC or a truncated frame. */
  | { rawBase64: string }
  /** Bytes written as they are; in-process only (the bench pre-encodes its frames so serving costs no encoding). */
  | { bytes: Uint8Array }
  /** Flush what is pending and wait before the next event. */
  | { delayMs: number };

export type SimReply =
  /**
   * A 200 event-stream answer. With `stallAfterMs`, after the events the simulator sends nothing for that long and then
   * drops the connection without finishing the body (a stalled upstream); without it the body ends normally.
   */
  | { events: SimEvent[]; chunking?: "random" | "whole"; stallAfterMs?: number }
  /** A plain HTTP answer; `body` is sent as JSON unless it is a string. */
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** The connection is destroyed before the first byte of the answer. */
  | { reset: true };

export interface SimRecordedRequest {
  method: string;
  /** Path without the query, e.g. "/generateAssistantResponse". */
  path: string;
  /** The operation the route serves; undefined when no route matched. */
  operation?: SimOperation;
  /**
   * Which host generation the request was written for: its route, or for the shared POST /generateAssistantResponse
   * the body (top-level `"agentMode": "vibe"` is the runtime shape).
   */
  generation?: SimGeneration;
  /** The profile ARN sent: top-level `profileArn` of a chat body, or the `profileArn` query parameter. */
  profileArn?: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  bodyBytes: number;
  /** Rules the request broke, "<rule id>: <detail>" (see validation.ts RULES); empty when it was accepted. */
  validationErrors: string[];
  /** HTTP status answered (0 when the connection was reset before any answer). */
  status: number;
}

/** One row of getUsageLimits' usageBreakdownList. */
export interface SimUsageBreakdown {
  resourceType: string;
  displayName?: string;
  unit?: string;
  currentUsage: number;
  currentUsageWithPrecision: number;
  usageLimit: number;
  usageLimitWithPrecision: number;
  /** Epoch seconds, as the service serialises timestamps. */
  nextDateReset: number;
  freeTrialInfo?: { freeTrialStatus: string; currentUsage: number; usageLimit: number; freeTrialExpiry?: number };
  bonuses?: unknown[];
}

export interface SimUsageLimits {
  usageBreakdownList: SimUsageBreakdown[];
  nextDateReset?: number;
  subscriptionInfo: { subscriptionTitle: string; type?: string };
  /** Sent only when the request asks `isEmailRequired=true`. */
  userInfo: { email: string; userId?: string };
}

export interface KiroSimulatorOptions {
  accessToken?: string;
  /** Decides which bearer tokens are valid (e.g. those an OIDC simulator issued); default: only `accessToken`. */
  acceptsToken?: (token: string) => boolean;
  models?: SimModel[];
  /** Model whose entry is returned as `defaultModel` (default "auto"). */
  defaultModelId?: string;
  usageLimits?: SimUsageLimits;
  /** How event frames are cut into network writes (default "random"). */
  chunking?: "random" | "whole";
  /** Largest random write (default 1024 bytes); the bench raises it. */
  maxWriteBytes?: number;
  /** Seed for the chunking PRNG (default 1). */
  seed?: number;
  /** Answer for generateAssistantResponse when no scripted reply is queued (default: defaultSimReply). */
  defaultReply?: (request: SimRecordedRequest, models: readonly SimModel[]) => SimReply;
  /** Port to listen on (default 0: a free one). */
  port?: number;
  /** Serves the /__sim/ control API (see cli.ts) on the same port. */
  control?: boolean;
  /** The account's profiles, listed by ListAvailableProfiles (default: [DEFAULT_SIM_PROFILE]; [] when `builderId`). */
  profiles?: SimProfile[];
  /**
   * The account signs in with AWS Builder ID: ListAvailableProfiles answers 403 "AWS Builder ID is not supported for
   * this operation.", and the profile accepted is Kiro's shared BUILDER_ID_SERVICE_PROFILE_ARN (plus any `profiles`).
   */
  builderId?: boolean;
  /** ListAvailableProfiles page size when the request gives no maxResults (default: all profiles on one page). */
  profilesPageSize?: number;
  /** Host generations served (default both); the routes only the other generation has answer 404. */
  generations?: readonly SimGeneration[];
  /** Tokens that come from an external identity provider: accepted only with the header `TokenType: EXTERNAL_IDP`. */
  externalIdpTokens?: readonly string[] | ((token: string) => boolean);
  /**
   * Tokens that are Kiro API keys besides every accepted `ksk_…` token (always one): accepted only with the header
   * `TokenType: API_KEY`, refused by ListAvailableProfiles (403 "Unsupported token type"); their profile comes from
   * GetProfile (docs/kiro-protocol.md#api-keys).
   */
  apiKeys?: readonly string[] | ((token: string) => boolean);
  /** GetProfile is served (default true); false answers it like any route the simulator does not know (404). */
  getProfile?: boolean;
  /** Rules not enforced (requests breaking only these are accepted and the rule is not recorded). */
  disabledRules?: readonly ValidationRule[];
}

/** The simulated account's default profile. */
export const DEFAULT_SIM_PROFILE: SimProfile = simProfile("us-east-1");

/**
 * The profile ARN Kiro's own clients send for AWS Builder ID sign-ins, which own no profile (docs/kiro-protocol.md#builder-id):
 * a fixed ARN in an AWS account of the service's, the same for every Builder ID user.
 */
export const BUILDER_ID_SERVICE_PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:638616132270:profile/AAAACCCCXXXX";

/** A profile in `region` with a made-up account and a 12-character id, shaped like the service's. */
export function simProfile(region: string, id = `SIM${region.replace(/[^a-z0-9]/gi, "").toUpperCase()}`.slice(0, 12).padEnd(12, "X"), profileName = `KiroProfile-${region}`): SimProfile {
  return { arn: `arn:aws:codewhisperer:${region}:111122223333:profile/${id}`, profileName };
}

export interface KiroSimulator {
  /** "http://127.0.0.1:<port>": use as KIRO_ENDPOINT / options.endpoint. */
  url: string;
  /** The bearer token accepted; any other gets 403 "bearer token invalid". */
  accessToken: string;
  setAccessToken(token: string): void;
  /** Every request, in arrival order (control API calls excluded). */
  requests: SimRecordedRequest[];
  /** Queues replies for the next generateAssistantResponse calls (FIFO); when the queue is empty, the default reply answers. */
  reply(...replies: SimReply[]): void;
  /** Replies still queued. */
  readonly pendingReplies: number;
  /** Drops the replies still queued (a test that queued spares for retries that did not happen); returns how many. */
  clearReplies(): number;
  models: SimModel[];
  usageLimits: SimUsageLimits;
  /** generateAssistantResponse requests only. */
  generateRequests(): SimRecordedRequest[];
  /** The requests of one operation, in arrival order. */
  requestsFor(operation: SimOperation): SimRecordedRequest[];
  /**
   * Chat, ListAvailableModels and getUsageLimits calls that carried no profile ARN (whatever they were answered);
   * a client that follows docs/kiro-protocol.md#profile-arn makes none.
   */
  callsWithoutProfileArn(): SimRecordedRequest[];
  /** The account's profiles (ListAvailableProfiles' answer); may be replaced. */
  profiles: SimProfile[];
  close(): Promise<void>;
}

const NATIVE_THINKING_SCHEMA: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  properties: {
    thinking: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: {
        type: { type: "string", enum: ["adaptive", "enabled", "disabled"] },
        budget_tokens: { type: "integer", minimum: 1024, maximum: 128000 },
      },
    },
    output_config: {
      type: "object",
      additionalProperties: false,
      properties: { effort: { type: "string", enum: ["low", "medium", "high", "max"] } },
    },
  },
};

/** The additionalModelRequestFieldsSchema given to native-thinking models. */
export function nativeThinkingSchema(): Record<string, unknown> {
  return structuredClone(NATIVE_THINKING_SCHEMA);
}

/**
 * The catalog of docs/kiro-protocol.md#models. `nativeThinking` lists the model ids that get an additionalModelRequestFieldsSchema
 * (default: claude-sonnet-4.6, claude-opus-4.6, claude-opus-4.7).
 */
export function defaultSimModels(o: { nativeThinking?: readonly string[] } = {}): SimModel[] {
  const native = new Set(o.nativeThinking ?? ["claude-sonnet-4.6", "claude-opus-4.6", "claude-opus-4.7"]);
  const entry = (modelId: string, modelName: string, description: string, maxInputTokens: number, maxOutputTokens: number, image = true): SimModel => ({
    modelId,
    modelName,
    description,
    tokenLimits: { maxInputTokens, maxOutputTokens },
    supportedInputTypes: image ? ["TEXT", "IMAGE"] : ["TEXT"],
    rateMultiplier: 1,
    ...(native.has(modelId) ? { additionalModelRequestFieldsSchema: nativeThinkingSchema() } : {}),
  });
  return [
    entry("auto", "Auto", "Picks the best model for the task", 200_000, 64_000),
    entry("claude-sonnet-4.5", "Claude Sonnet 4.5", "Anthropic's Claude Sonnet 4.5", 200_000, 64_000),
    entry("claude-haiku-4.5", "Claude Haiku 4.5", "Anthropic's Claude Haiku 4.5, fast", 200_000, 64_000),
    entry("claude-opus-4.5", "Claude Opus 4.5", "Anthropic's Claude Opus 4.5", 200_000, 64_000),
    entry("claude-sonnet-4", "Claude Sonnet 4", "Anthropic's Claude Sonnet 4", 200_000, 64_000),
    entry("claude-sonnet-4.6", "Claude Sonnet 4.6", "Anthropic's Claude Sonnet 4.6, 1M context", 1_000_000, 64_000),
    entry("claude-opus-4.6", "Claude Opus 4.6", "Anthropic's Claude Opus 4.6, 1M context", 1_000_000, 64_000),
    entry("claude-opus-4.7", "Claude Opus 4.7", "Anthropic's Claude Opus 4.7, 1M context", 1_000_000, 128_000),
    entry("deepseek-3.2", "DeepSeek 3.2", "DeepSeek V3.2", 128_000, 32_000, false),
    entry("glm-5", "GLM 5", "Zhipu GLM-5", 200_000, 32_000, false),
    entry("qwen3-coder-next", "Qwen3 Coder Next", "Qwen3 Coder Next", 256_000, 64_000, false),
  ];
}

/** A free-plan usage picture: 12.5 of 50 credits used, resetting on the first of next month (UTC). */
export function defaultSimUsageLimits(): SimUsageLimits {
  const now = new Date();
  const reset = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000;
  return {
    usageBreakdownList: [
      {
        resourceType: "AGENTIC_REQUEST",
        displayName: "Credits",
        unit: "credit",
        currentUsage: 12,
        currentUsageWithPrecision: 12.5,
        usageLimit: 50,
        usageLimitWithPrecision: 50,
        nextDateReset: reset,
        bonuses: [],
      },
    ],
    nextDateReset: reset,
    subscriptionInfo: { subscriptionTitle: "KIRO FREE", type: "Q_DEVELOPER_STANDALONE_FREE" },
    userInfo: { email: "sim-user@example.com", userId: "sim-user" },
  };
}

const GENERATE_TARGET = "AmazonCodeWhispererStreamingService.GenerateAssistantResponse";
const LIST_PROFILES_TARGET = "AmazonCodeWhispererService.ListAvailableProfiles";
const GET_PROFILE_TARGET = "AmazonCodeWhispererService.GetProfile";
/** Request bodies above this are refused before parsing (far above the service's own limits). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

interface Route {
  method: string;
  path: string;
  /** Required X-Amz-Target header (the AWS JSON protocol's POST / routes). */
  target?: string;
  operation: SimOperation;
  /** "shared": the path is the same on both generations; the body tells them apart. */
  generation: SimGeneration | "shared";
}

/** Every route of both generations (docs/kiro-protocol.md#hosts). With an endpoint override a client sends all its calls to one base URL. */
const ROUTES: readonly Route[] = [
  { method: "POST", path: "/generateAssistantResponse", operation: "generateAssistantResponse", generation: "shared" },
  { method: "POST", path: "/", target: GENERATE_TARGET, operation: "generateAssistantResponse", generation: "q" },
  { method: "POST", path: "/", target: LIST_PROFILES_TARGET, operation: "listAvailableProfiles", generation: "q" },
  { method: "GET", path: "/ListAvailableModels", operation: "listAvailableModels", generation: "q" },
  { method: "GET", path: "/getUsageLimits", operation: "getUsageLimits", generation: "q" },
  { method: "POST", path: "/List-Available-Profiles", operation: "listAvailableProfiles", generation: "runtime" },
  // Only the management host is known to answer GetProfile (pi-provider-kiro src/management.ts).
  { method: "POST", path: "/", target: GET_PROFILE_TARGET, operation: "getProfile", generation: "runtime" },
  { method: "GET", path: "/List-Available-Models", operation: "listAvailableModels", generation: "runtime" },
  { method: "GET", path: "/Get-Usage-Limits", operation: "getUsageLimits", generation: "runtime" },
];

function routeOf(method: string, path: string, target: string | undefined, getProfile: boolean): Route | undefined {
  return ROUTES.find((r) => r.method === method && r.path === path && (r.target === undefined || r.target === target) && (getProfile || r.operation !== "getProfile"));
}

/** A token list or predicate as a predicate. */
function tokenTest(tokens: readonly string[] | ((token: string) => boolean) | undefined): (token: string) => boolean {
  return typeof tokens === "function" ? tokens : (token) => tokens !== undefined && tokens.includes(token);
}

export async function startKiroSimulator(o: KiroSimulatorOptions = {}): Promise<KiroSimulator> {
  const queue: SimReply[] = [];
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();
  const random = createRandom(o.seed ?? 1);
  const defaultChunking = o.chunking ?? "random";
  const maxWriteBytes = o.maxWriteBytes ?? 1024;
  const answerByDefault = o.defaultReply ?? defaultSimReply;
  const generations = new Set<SimGeneration>(o.generations ?? ["q", "runtime"]);
  const disabled = new Set<string>(o.disabledRules ?? []);
  const isExternalIdpToken = tokenTest(o.externalIdpTokens);
  // Kiro tells an API key by its `ksk_` prefix (docs/kiro-protocol.md#api-keys); `apiKeys` names others as keys too.
  const namedApiKey = tokenTest(o.apiKeys);
  const isApiKey = (token: string) => token.startsWith("ksk_") || namedApiKey(token);
  let closed = false;

  const sim: KiroSimulator = {
    url: "",
    accessToken: o.accessToken ?? "sim-access-token",
    setAccessToken(token) {
      sim.accessToken = token;
    },
    requests: [],
    reply(...replies) {
      queue.push(...replies);
    },
    get pendingReplies() {
      return queue.length;
    },
    clearReplies() {
      return queue.splice(0).length;
    },
    models: o.models ?? defaultSimModels(),
    usageLimits: o.usageLimits ?? defaultSimUsageLimits(),
    profiles: o.profiles ?? (o.builderId ? [] : [DEFAULT_SIM_PROFILE]),
    generateRequests() {
      return sim.requestsFor("generateAssistantResponse");
    },
    requestsFor(operation) {
      return sim.requests.filter((r) => r.operation === operation);
    },
    callsWithoutProfileArn() {
      return sim.requests.filter((r) => r.operation !== undefined && r.operation !== "listAvailableProfiles" && r.operation !== "getProfile" && r.profileArn === undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const controller of inFlight) controller.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on("close", () => {
      controller.abort();
      inFlight.delete(controller);
    });
    handle(req, res, controller.signal).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { message: `simulator failure: ${(error as Error).message}` });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  /** The errors of `found` whose rules are enforced. */
  const enforced = (found: readonly string[]) => found.filter((error) => !disabled.has(ruleOf(error)));

  function profileErrors(arn: string | undefined, where: string): string[] {
    if (arn === undefined) return [`${RULES.profileArnRequired}: ${where} carries no profileArn`];
    const known = sim.profiles.some((p) => p.arn === arn) || (o.builderId === true && arn === BUILDER_ID_SERVICE_PROFILE_ARN);
    return known ? [] : [`${RULES.profileArnUnknown}: ${arn} is not a profile of this account`];
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    if (o.control && url.pathname.startsWith("/__sim/")) return handleControl(url, req.method ?? "GET", raw, res);

    const method = req.method ?? "";
    const record: SimRecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req),
      body: undefined,
      bodyBytes: raw === undefined ? -1 : raw.byteLength,
      validationErrors: [],
      status: 0,
    };
    sim.requests.push(record);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, body, headers);
    };
    /** Answers with the rejection of the highest-ranked error when any of `found` is enforced; returns whether it did. */
    const rejected = (found: readonly string[]): boolean => {
      const errors = enforced(found);
      record.validationErrors.push(...errors);
      const rejection = rejectionFor(errors);
      if (!rejection) return false;
      answer(rejection.status, rejection.body, rejection.errorType ? { "x-amzn-errortype": rejection.errorType } : {});
      return true;
    };
    if (raw === undefined) {
      record.validationErrors.push(`${RULES.bodyTooLarge}: the body is over the simulator's ${MAX_READ_BYTES}-byte read limit`);
      return answer(413, { message: "Request entity too large." });
    }

    const route = routeOf(method, url.pathname, record.headers["x-amz-target"], o.getProfile !== false);
    if (!route || (route.generation !== "shared" && !generations.has(route.generation))) {
      // Always enforced: a route the simulator does not serve cannot be answered any other way.
      record.validationErrors.push(`${RULES.noRoute}: No route for ${method} ${url.pathname}`);
      return answer(404, { message: `No route for ${method} ${url.pathname}` });
    }
    record.operation = route.operation;
    if (route.generation !== "shared") record.generation = route.generation;
    const text = raw.toString("utf8");
    if (route.operation === "generateAssistantResponse") {
      const parsed = parseJsonObject(text);
      record.body = parsed ?? undefined;
      if (route.generation === "shared") record.generation = parsed?.agentMode === "vibe" ? "runtime" : "q";
      if (parsed && typeof parsed.profileArn === "string" && parsed.profileArn !== "") record.profileArn = parsed.profileArn;
    } else if (method === "GET") {
      const arn = url.searchParams.get("profileArn");
      if (arn) record.profileArn = arn;
    }

    // The management host words a refused token differently from the others (docs/kiro-protocol.md#error-bodies).
    const host = route.generation === "runtime" && route.operation !== "generateAssistantResponse" ? " (management)" : "";
    const bearer = /^Bearer (.+)$/.exec(record.headers["authorization"] ?? "")?.[1];
    const accepted = o.acceptsToken ? bearer !== undefined && o.acceptsToken(bearer) : bearer === sim.accessToken;
    if (!accepted && rejected([`${RULES.bearerInvalid}: the bearer token is missing or not accepted${host}`])) return;
    if (bearer !== undefined && isExternalIdpToken(bearer) && record.headers["tokentype"] !== "EXTERNAL_IDP") {
      if (rejected([`${RULES.externalIdpTokenType}: an external identity provider's token came without TokenType: EXTERNAL_IDP${host}`])) return;
    }
    const apiKey = bearer !== undefined && accepted && isApiKey(bearer);
    if (apiKey && record.headers["tokentype"] !== "API_KEY") {
      if (rejected([`${RULES.apiKeyTokenType}: an API key came without TokenType: API_KEY${host}`])) return;
    }
    if (apiKey && route.operation === "listAvailableProfiles") {
      if (rejected([`${RULES.apiKeyNoProfileList}: ListAvailableProfiles does not take an API key`])) return;
    }

    switch (route.operation) {
      case "listAvailableProfiles":
        return answerProfiles(route, text, answer, rejected);
      case "getProfile": {
        // `{}` in, `{"profile": {arn, profileName}}` out; the account's first profile is the key's (docs/kiro-protocol.md#get-profile).
        if (!parseJsonObject(text) && rejected([`${RULES.malformedJson}: the GetProfile body is not a JSON object`])) return;
        const own = sim.profiles[0];
        return answer(200, own ? { profile: own } : {});
      }
      case "listAvailableModels":
        if (rejected(profileErrors(record.profileArn, "the profileArn query parameter"))) return;
        return answerModels(url, answer, rejected);
      case "getUsageLimits":
        if (rejected(profileErrors(record.profileArn, "the profileArn query parameter"))) return;
        return answerUsage(url, answer);
      case "generateAssistantResponse":
        break;
    }

    const historyEntryCap = disabled.has(RULES.historyEntriesCapped) ? undefined : historyEntryCapFor(record.headers);
    const { body, errors } = validateGenerateAssistantResponseJson(text, sim.models, { historyEntryCap });
    record.body = body;
    const profile = typeof body === "object" && body !== null && !Array.isArray(body) ? profileErrors(record.profileArn, "the body") : [];
    if (rejected([...profile, ...errors])) return;

    const reply = queue.shift() ?? answerByDefault(record, sim.models);
    if ("reset" in reply) {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    if ("status" in reply) {
      record.status = reply.status;
      sendJson(res, reply.status, reply.body, reply.headers);
      return;
    }
    record.status = 200;
    await streamEvents(res, reply, signal);
  }

  /** ListAvailableProfiles, both shapes: `{maxResults?, nextToken?}` in, `{profiles, nextToken?}` out. */
  function answerProfiles(route: Route, text: string, answer: (status: number, body: unknown, headers?: Record<string, string>) => void, rejected: (found: readonly string[]) => boolean): void {
    if (o.builderId && rejected([`${RULES.builderIdNoProfiles}: an AWS Builder ID account has no profiles to list`])) return;
    // With the rule in question disabled, a bad field falls back to its default instead of refusing.
    const parsed = text.trim() === "" ? {} : parseJsonObject(text);
    if (!parsed && rejected([`${RULES.malformedJson}: the ListAvailableProfiles body is not a JSON object`])) return;
    const request = parsed ?? {};
    const fallbackSize = o.profilesPageSize ?? Math.max(1, sim.profiles.length);
    const requested = request.maxResults;
    let maxResults = fallbackSize;
    if (typeof requested === "number" && Number.isInteger(requested) && requested >= 1) maxResults = requested;
    else if (requested !== undefined && rejected([`${RULES.queryParameter}: 1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1`])) return;
    const start = pageStart(request.nextToken, "profiles") ?? (rejected([`${RULES.queryParameter}: Invalid nextToken.`]) ? undefined : 0);
    if (start === undefined) return;
    const page = sim.profiles.slice(start, start + maxResults);
    const end = start + page.length;
    const body = { profiles: page, ...(end < sim.profiles.length ? { nextToken: pageToken("profiles", end) } : {}) };
    // The AWS JSON 1.0 protocol answers in its own content type; the management host in plain JSON.
    answer(200, body, route.generation === "q" ? { "content-type": "application/x-amz-json-1.0" } : {});
  }

  function answerModels(url: URL, answer: (status: number, body: unknown) => void, rejected: (found: readonly string[]) => boolean): void {
    const maxResults = Number(url.searchParams.get("maxResults") ?? "50");
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
      if (rejected([`${RULES.queryParameter}: 1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must be between 1 and 50`])) return;
    }
    const start = pageStart(url.searchParams.get("nextToken") ?? undefined, "page");
    if (start === undefined) {
      if (rejected([`${RULES.queryParameter}: Invalid nextToken.`])) return;
    }
    const from = start ?? 0;
    const page = sim.models.slice(from, from + (Number.isInteger(maxResults) && maxResults >= 1 ? maxResults : 50));
    const end = from + page.length;
    const defaultModel = sim.models.find((m) => m.modelId === (o.defaultModelId ?? "auto")) ?? sim.models[0];
    answer(200, {
      models: page,
      defaultModel,
      ...(end < sim.models.length ? { nextToken: pageToken("page", end) } : {}),
    });
  }

  function answerUsage(url: URL, answer: (status: number, body: unknown) => void): void {
    const { userInfo, ...rest } = sim.usageLimits;
    answer(200, url.searchParams.get("isEmailRequired") === "true" ? { ...rest, userInfo } : rest);
  }

  async function streamEvents(res: ServerResponse, reply: Extract<SimReply, { events: SimEvent[] }>, signal: AbortSignal): Promise<void> {
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": `sim-${sim.requests.length}`,
    });
    res.flushHeaders();
    const chunking = reply.chunking ?? defaultChunking;
    let pending: Uint8Array[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const bytes = Buffer.concat(pending);
      pending = [];
      const pieces = chunking === "whole" ? [bytes] : cutAtRandomOffsets(bytes, random, maxWriteBytes);
      for (const piece of pieces) {
        if (signal.aborted) return;
        if (!res.write(piece)) await drained(res, signal);
        // Yield so each piece leaves as its own network write instead of being coalesced with the next.
        else if (chunking === "random") await new Promise((resolve) => setImmediate(resolve));
      }
    };
    for (const event of reply.events) {
      if (signal.aborted) return;
      if ("delayMs" in event) {
        await flush();
        await sleep(event.delayMs, signal);
      } else {
        pending.push(frameOf(event));
        // Keep each batch bounded so a 20 MB answer is not built in memory before the first write.
        if (pending.length >= 256) await flush();
      }
    }
    await flush();
    if (signal.aborted) return;
    if (reply.stallAfterMs !== undefined) {
      await sleep(reply.stallAfterMs, signal);
      res.destroy();
      return;
    }
    res.end();
  }

  function handleControl(url: URL, method: string, raw: Buffer | undefined, res: ServerResponse): void {
    let payload: unknown;
    try {
      payload = raw && raw.byteLength > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      return sendJson(res, 400, { message: "control body is not JSON" });
    }
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "GET /__sim/health":
        return sendJson(res, 200, { ok: true, pendingReplies: queue.length, requests: sim.requests.length, profiles: sim.profiles });
      case "POST /__sim/reply": {
        const replies = Array.isArray(payload) ? payload : [payload];
        const invalid = replies.find((r) => !isSimReply(r));
        if (invalid !== undefined) return sendJson(res, 400, { message: "not a SimReply: expected {events}, {status, body} or {reset: true}" });
        sim.reply(...(replies as SimReply[]));
        return sendJson(res, 200, { queued: replies.length, pendingReplies: queue.length });
      }
      case "GET /__sim/requests": {
        const since = Number(url.searchParams.get("since") ?? "0");
        const path = url.searchParams.get("path");
        const operation = url.searchParams.get("operation");
        const rows = sim.requests.slice(since).filter((r) => (path === null || r.path === path) && (operation === null || r.operation === operation));
        return sendJson(res, 200, rows);
      }
      case "GET /__sim/calls-without-profile-arn":
        return sendJson(res, 200, sim.callsWithoutProfileArn());
      case "DELETE /__sim/requests":
        sim.requests.length = 0;
        return sendJson(res, 200, { cleared: true });
      case "POST /__sim/token": {
        const token = (payload as { accessToken?: unknown } | undefined)?.accessToken;
        if (typeof token !== "string" || token === "") return sendJson(res, 400, { message: "expected {accessToken}" });
        sim.setAccessToken(token);
        return sendJson(res, 200, { ok: true });
      }
      case "POST /__sim/usage":
        if (!isRecord(payload) || !Array.isArray(payload.usageBreakdownList)) return sendJson(res, 400, { message: "expected a getUsageLimits body" });
        sim.usageLimits = payload as unknown as SimUsageLimits;
        return sendJson(res, 200, { ok: true });
      case "POST /__sim/models":
        if (!Array.isArray(payload)) return sendJson(res, 400, { message: "expected an array of models" });
        sim.models = payload as SimModel[];
        return sendJson(res, 200, { ok: true, models: sim.models.length });
      case "POST /__sim/profiles":
        if (!Array.isArray(payload) || !payload.every((p) => isRecord(p) && typeof p.arn === "string" && typeof p.profileName === "string")) {
          return sendJson(res, 400, { message: "expected an array of {arn, profileName}" });
        }
        sim.profiles = payload as SimProfile[];
        return sendJson(res, 200, { ok: true, profiles: sim.profiles.length });
      case "POST /__sim/reset":
        queue.length = 0;
        sim.requests.length = 0;
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, { message: `no control route ${route}` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}

function frameOf(event: Exclude<SimEvent, { delayMs: number }>): Uint8Array {
  if ("type" in event) return encodeEventFrame(event.type, event.payload);
  if ("exception" in event) return encodeExceptionFrame(event.exception, event.payload);
  if ("errorCode" in event) return encodeErrorFrame(event.errorCode, event.errorMessage);
  if ("bytes" in event) return event.bytes;
  return Buffer.from(event.rawBase64, "base64");
}

/** The text parsed as a JSON object, or undefined when it is not one. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** An opaque pagination token for the item at `index` of a list. */
function pageToken(kind: string, index: number): string {
  return Buffer.from(`${kind}-${index}`).toString("base64url");
}

/** The index a pagination token points at (0 without a token), or undefined when the token is not one of ours. */
function pageStart(token: unknown, kind: string): number | undefined {
  if (token === undefined || token === null) return 0;
  if (typeof token !== "string") return undefined;
  const decoded = new RegExp(`^${kind}-(\\d+)$`).exec(Buffer.from(token, "base64url").toString("utf8"));
  return decoded ? Number(decoded[1]) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSimReply(value: unknown): value is SimReply {
  if (!isRecord(value)) return false;
  if (value.reset === true) return true;
  if (typeof value.status === "number") return true;
  return Array.isArray(value.events) && value.events.every((e) => isRecord(e) && ("type" in e || "exception" in e || "errorCode" in e || "rawBase64" in e || typeof e.delayMs === "number"));
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The whole request body, or undefined when it is over MAX_READ_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength;
    if (total > MAX_READ_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    function done() {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    }
    res.on("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}
