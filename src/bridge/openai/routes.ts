// OpenAI's APIs over the bridge, for Codex, opencode and other OpenAI-style agents: POST /v1/chat/completions, POST /v1/responses (the part Codex uses) and GET /v1/models in OpenAI's list shape for OpenAI clients.
import type { IncomingMessage } from "node:http";
import type { Model } from "../../kiro/types";
import { resolveAgentModel } from "../modelMap";
import type { AnswerRequest, BridgeApi, BridgeExchange } from "../server/types";
import { chatCompletionAnswer, chatStreamEncoder } from "./chatAnswer";
import { parseChatCompletionsRequest } from "./chatRequest";
import { responseAnswer, responsesStreamEncoder } from "./responsesAnswer";
import { parseResponsesRequest } from "./responsesRequest";
import { openAIErrorForStatus, randomId, requestedModel, type HistoryModel, type IdSource } from "./shared";

/**
 * OpenAI clients say who they are: the OpenAI SDKs send `x-stainless-*` headers, Codex an `originator` header, and
 * the others name themselves in User-Agent. pi's own client sends none of these and keeps the pi list.
 */
export function isOpenAIClient(req: IncomingMessage): boolean {
  if (req.headers["anthropic-version"] !== undefined) return false;
  if (req.headers.originator !== undefined || req.headers["x-stainless-lang"] !== undefined) return true;
  return /\b(openai|codex|opencode|ai-sdk|litellm|aider)\b/i.test(req.headers["user-agent"] ?? "");
}

/** The model list in OpenAI's shape; `created` is Unix seconds (Kiro's catalog has no dates). */
export function openAIModelList(models: readonly Model[], created: number): { object: "list"; data: { id: string; object: "model"; created: number; owned_by: string }[] } {
  return { object: "list", data: models.map((model) => ({ id: model.id, object: "model" as const, created, owned_by: "kiro" })) };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Resolves the body's model in the window's catalog (404 naming the ids otherwise) before the body is converted. */
async function resolveFor(exchange: BridgeExchange): Promise<{ json: unknown; model: Model; history: HistoryModel }> {
  const json = await exchange.readJson();
  const model = await resolveAgentModel(requestedModel(json), exchange.services);
  return { json, model, history: { api: model.api, provider: model.provider, model: model.id } };
}

/** The options a model can take: no thinking on a model without it, no more output than it gives. */
function answerRequest(model: Model, request: Omit<AnswerRequest, "model">): AnswerRequest {
  const options = { ...request.options };
  if (!model.reasoning) options.reasoning = "off";
  if (options.maxTokens !== undefined) options.maxTokens = Math.min(options.maxTokens, model.maxTokens);
  return { model, context: request.context, options };
}

export function openaiApi(newId: IdSource = randomId): BridgeApi {
  return {
    name: "openai",
    errorBody: (status, message) => openAIErrorForStatus(status, message),
    routes: [
      {
        method: "POST",
        path: "/v1/chat/completions",
        async handle(exchange) {
          const { json, model, history } = await resolveFor(exchange);
          const parsed = parseChatCompletionsRequest(json, history);
          const request = answerRequest(model, parsed);
          const identity = { id: newId("chatcmpl-"), created: nowSeconds(), model: parsed.model };
          if (parsed.stream) {
            await exchange.streamAnswer(request, chatStreamEncoder(identity, { includeUsage: parsed.includeUsage }));
            return;
          }
          const answer = chatCompletionAnswer(identity, await exchange.completeAnswer(request));
          exchange.sendJson(answer.status, answer.body);
        },
      },
      {
        method: "POST",
        path: "/v1/responses",
        async handle(exchange) {
          const { json, model, history } = await resolveFor(exchange);
          const parsed = parseResponsesRequest(json, history);
          if (parsed.droppedToolTypes.length > 0) exchange.logger.debug(`bridge: openai tools Kiro cannot run, left out: ${parsed.droppedToolTypes.join(", ")}`);
          const request = answerRequest(model, parsed);
          const identity = { id: newId("resp_"), createdAt: nowSeconds(), model: parsed.model, customTools: parsed.customTools };
          if (parsed.stream) {
            await exchange.streamAnswer(request, responsesStreamEncoder(identity, newId));
            return;
          }
          const answer = responseAnswer(identity, await exchange.completeAnswer(request), newId);
          exchange.sendJson(answer.status, answer.body);
        },
      },
      {
        method: "GET",
        path: "/v1/models",
        accepts: isOpenAIClient,
        async handle(exchange) {
          exchange.sendJson(200, openAIModelList(await exchange.services.listModels(), nowSeconds()));
        },
      },
    ],
  };
}
