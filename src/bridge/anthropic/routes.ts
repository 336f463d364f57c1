// Anthropic's Messages API over the bridge, for Claude Code and the Anthropic SDKs: POST /v1/messages (streaming and not), POST /v1/messages/count_tokens, and GET /v1/models in Anthropic's shape for Anthropic clients.
import type { IncomingMessage } from "node:http";
import { randomBytes } from "node:crypto";
import type { Model } from "../../kiro/types";
import { estimateContextTokens } from "../contextTokens";
import { resolveAgentModel } from "../modelMap";
import { BridgeRequestError } from "../server/body";
import type { AnswerEncoder, BridgeApi, BridgeExchange } from "../server/types";
import { anthropicErrorBody, anthropicFailure, errorTypeForStatus, promptTooLongMessage } from "./errors";
import { refusalWords } from "../refusal";
import { AnthropicSseEncoder, messageBody, refusalBody } from "./messagesAnswer";
import { parseMessagesRequest, type ParsedMessagesRequest } from "./messagesRequest";

/** Well inside the 300 s of silence after which Claude Code gives a request up. */
export const PING_INTERVAL_MS = 15_000;

/** Anthropic clients say who they are: every SDK sends `anthropic-version`, and an API key comes as `x-api-key`. */
export function isAnthropicClient(req: IncomingMessage): boolean {
  return req.headers["anthropic-version"] !== undefined || req.headers["x-api-key"] !== undefined;
}

function messageId(): string {
  return `msg_kiro_${randomBytes(12).toString("hex")}`;
}

/** A fixed creation date for the list: Kiro's catalog has none, and Anthropic's shape requires one. */
const LISTED_AT = "2025-01-01T00:00:00Z";

/** GET /v1/models in Anthropic's list shape (Claude Code reads it with CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1). */
export function anthropicModelList(models: readonly Model[]): { data: { id: string; type: "model"; display_name: string; created_at: string }[]; has_more: false; first_id: string | null; last_id: string | null } {
  const data = models.map((model) => ({ id: model.id, type: "model" as const, display_name: model.name, created_at: LISTED_AT }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}

interface PreparedAnswer {
  parsed: ParsedMessagesRequest;
  model: Model;
  request: { model: Model; context: ReturnType<ParsedMessagesRequest["context"]>; options: ParsedMessagesRequest["options"] };
  estimatedTokens: number;
}

/** Parses, resolves the model, and refuses up front what cannot fit: a context over the model's window is the 400 Claude Code compacts on. */
async function prepare(exchange: BridgeExchange): Promise<PreparedAnswer> {
  const parsed = parseMessagesRequest(await exchange.readJson());
  if (parsed.ignoredFields.length > 0) exchange.logger.debug(`bridge: anthropic fields accepted without effect on Kiro: ${parsed.ignoredFields.join(", ")}`);
  const model = await resolveAgentModel(parsed.model, exchange.services);
  const context = parsed.context(model);
  const options = { ...parsed.options };
  if (!model.reasoning) options.reasoning = "off";
  if (options.maxTokens !== undefined) options.maxTokens = Math.min(options.maxTokens, model.maxTokens);
  return { parsed, model, request: { model, context, options }, estimatedTokens: estimateContextTokens(context) };
}

function refuseOverflow(prepared: PreparedAnswer): void {
  if (prepared.estimatedTokens > prepared.model.contextWindow) {
    throw new BridgeRequestError(400, `${promptTooLongMessage(prepared.estimatedTokens, prepared.model.contextWindow)} (estimated before sending; ${prepared.model.name} on Kiro).`);
  }
}

/** The route's AnswerEncoder over the pure SSE encoder: failures before the first byte get their own status. */
function sseAnswer(prepared: PreparedAnswer, id: string, pingIntervalMs: number): AnswerEncoder {
  const sse = new AnthropicSseEncoder({ id, model: prepared.parsed.model, estimatedInputTokens: prepared.estimatedTokens });
  const facts = { estimatedTokens: prepared.estimatedTokens, contextWindow: prepared.model.contextWindow };
  return {
    contentType: "text/event-stream; charset=utf-8",
    encode: (event) => {
      if (event.type !== "error") return sse.encode(event);
      const words = refusalWords(event.error);
      return words !== undefined ? sse.refusal(event.error, words) : sse.failure(anthropicFailure(event.error, facts).body);
    },
    keepAlive: { everyMs: pingIntervalMs, text: () => sse.keepAlive() },
    refuse: (event) => {
      // A refusal is an answer (stop_reason "refusal"), streamed like one even before any content.
      if (sse.started || refusalWords(event.error) !== undefined) return undefined;
      const failure = anthropicFailure(event.error, facts);
      return { status: failure.status, body: failure.body, headers: failure.headers };
    },
  };
}

/** The Anthropic routes; `pingIntervalMs` is for tests (the default keeps Claude Code's idle timer from firing). */
export function anthropicApi(o: { pingIntervalMs?: number } = {}): BridgeApi {
  const pingIntervalMs = o.pingIntervalMs ?? PING_INTERVAL_MS;
  return {
    name: "anthropic",
    errorBody: (status, message) => anthropicErrorBody(errorTypeForStatus(status), message),
    routes: [
      {
        method: "POST",
        path: "/v1/messages",
        async handle(exchange) {
          const prepared = await prepare(exchange);
          refuseOverflow(prepared);
          const id = messageId();
          if (prepared.parsed.stream) {
            await exchange.streamAnswer(prepared.request, sseAnswer(prepared, id, pingIntervalMs));
            return;
          }
          const final = await exchange.completeAnswer(prepared.request);
          const shape = { id, model: prepared.parsed.model, estimatedInputTokens: prepared.estimatedTokens };
          if (final.type === "done") {
            exchange.sendJson(200, messageBody(final.message, shape));
            return;
          }
          const words = refusalWords(final.error);
          if (words !== undefined) {
            exchange.sendJson(200, refusalBody(final.error, words, shape));
            return;
          }
          const failure = anthropicFailure(final.error, { estimatedTokens: prepared.estimatedTokens, contextWindow: prepared.model.contextWindow });
          exchange.sendJson(failure.status, failure.body, failure.headers);
        },
      },
      {
        method: "POST",
        path: "/v1/messages/count_tokens",
        async handle(exchange) {
          const prepared = await prepare(exchange);
          exchange.sendJson(200, { input_tokens: prepared.estimatedTokens });
        },
      },
      {
        method: "GET",
        path: "/v1/models",
        accepts: isAnthropicClient,
        async handle(exchange) {
          exchange.sendJson(200, anthropicModelList(await exchange.services.listModels()));
        },
      },
    ],
  };
}
