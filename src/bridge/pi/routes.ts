// The pi protocol's routes over the bridge server: POST /v1/stream (NDJSON stream events), GET /v1/models (the pi catalog) and GET /v1/health.
import type { Model } from "../../kiro/types";
import { BridgeRequestError } from "../server/body";
import { ReusedJsonStrings } from "../server/jsonReuse";
import type { AnswerEncoder, BridgeApi, BridgeExchange, BridgeLogger } from "../server/types";
import {
  BRIDGE_PROTOCOL_VERSION,
  BRIDGE_ROUTES,
  CLOSING_TEXT_FROM_DELTAS,
  CLOSING_TEXT_HEADER,
  ClosingTextOmission,
  STREAM_CONTENT_TYPE,
  encodeEventLine,
  isBridgeEventType,
  type BridgeErrorResponse,
  type BridgeHealthResponse,
  type BridgeModelsResponse,
} from "./protocol";
import { parseStreamRequest, type ParsedStreamRequest } from "./request";

/** Only the description fields of a client-sent Model survive; where the request goes (baseUrl, headers) is never the client's choice. */
function describedModelWithoutRouting(described: Model, template: Model): Model {
  const positive = (value: unknown, fallback: number): number =>
    typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
  const input = Array.isArray(described.input) ? described.input.filter((kind) => kind === "text" || kind === "image") : [];
  return {
    id: described.id,
    name: typeof described.name === "string" ? described.name : described.id,
    api: template.api,
    provider: template.provider,
    baseUrl: template.baseUrl,
    reasoning: typeof described.reasoning === "boolean" ? described.reasoning : false,
    input: input.length > 0 ? input : ["text"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: positive(described.contextWindow, template.contextWindow),
    maxTokens: positive(described.maxTokens, template.maxTokens),
  };
}

async function resolveRequestModel(exchange: BridgeExchange, reference: ParsedStreamRequest["model"]): Promise<Model> {
  const resolved = await exchange.services.resolveModel(reference.id);
  if (resolved) return resolved;
  const catalog = await exchange.services.listModels();
  const template = catalog[0];
  if (reference.described && template) return describedModelWithoutRouting(reference.described, template);
  const ids = catalog.map((model) => model.id);
  const shown = ids.length > 20 ? `${ids.slice(0, 20).join(", ")}, ...` : ids.join(", ");
  throw new BridgeRequestError(400, `Unknown Kiro model "${reference.id}". Known models: ${shown || "(none)"}.`);
}

/**
 * NDJSON lines; an event type the protocol does not list goes on as is, logged once per server (the stream contract
 * grew). The events that end a block or the answer repeat its text: left out for a client that rebuilds it from the
 * deltas (`CLOSING_TEXT_HEADER`), otherwise escaped once for all of them.
 */
function ndjsonEncoder(logger: BridgeLogger, unknownEventTypes: Set<string>, omitClosingText: boolean): AnswerEncoder {
  const reused = new ReusedJsonStrings();
  const stringify = (value: unknown): string => reused.stringify(value);
  const omission = omitClosingText ? new ClosingTextOmission() : undefined;
  return {
    contentType: `${STREAM_CONTENT_TYPE}; charset=utf-8`,
    encode(event) {
      if (!isBridgeEventType(event.type) && !unknownEventTypes.has(event.type)) {
        unknownEventTypes.add(event.type);
        logger.warn(`bridge: the stream produced event type "${String(event.type)}", which bridge protocol ${BRIDGE_PROTOCOL_VERSION} does not list; sent on as is`);
      }
      return encodeEventLine(omission ? omission.apply(event) : event, stringify);
    },
  };
}

export function piApi(): BridgeApi {
  const unknownEventTypes = new Set<string>();
  return {
    name: "pi",
    errorBody: (_status, message): BridgeErrorResponse => ({ error: message }),
    routes: [
      {
        ...BRIDGE_ROUTES.health,
        async handle(exchange) {
          const body: BridgeHealthResponse = { ok: true, signedIn: await exchange.services.isSignedIn(), version: exchange.services.version, protocol: BRIDGE_PROTOCOL_VERSION };
          exchange.sendJson(200, body);
        },
      },
      {
        ...BRIDGE_ROUTES.models,
        async handle(exchange) {
          const body: BridgeModelsResponse = { models: await exchange.services.listModels() };
          exchange.sendJson(200, body);
        },
      },
      {
        ...BRIDGE_ROUTES.stream,
        async handle(exchange) {
          const parsed = parseStreamRequest(await exchange.readJson());
          if (parsed.ignoredOptionKeys.length > 0) {
            exchange.logger.debug(`bridge: ignored client options ${parsed.ignoredOptionKeys.join(", ")} (the extension decides those)`);
          }
          const model = await resolveRequestModel(exchange, parsed.model);
          const omitClosingText = exchange.req.headers[CLOSING_TEXT_HEADER] === CLOSING_TEXT_FROM_DELTAS;
          await exchange.streamAnswer({ model, context: parsed.context, options: parsed.options }, ndjsonEncoder(exchange.logger, unknownEventTypes, omitClosingText));
        },
      },
    ],
  };
}
