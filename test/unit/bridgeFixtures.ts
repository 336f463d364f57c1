// What the bridge tests share: a Kiro model as the extension's catalog lists it, a stream function that answers "ok" at once, and a bridge over a catalog, stopped after the file's tests.
import { after } from "node:test";
import { startBridgeServer, type BridgeServer, type BridgeStreamFunction } from "../../src/bridge";
import { findModel } from "../../src/kiro/catalog/models";
import { createAssistantMessageEventStream, type AssistantMessageEventStream } from "../../src/kiro/answer/eventStream";
import { emptyUsage, type AssistantMessage, type Model } from "../../src/kiro/types";

export function kiroModel(id: string, overrides: Partial<Model> = {}): Model {
  return {
    id,
    name: `Kiro ${id}`,
    api: "kiro-generate-assistant-response",
    provider: "kiro",
    baseUrl: "https://q.us-east-1.amazonaws.com",
    reasoning: true,
    input: ["text", "image"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: 200_000,
    maxTokens: 64_000,
    ...overrides,
  };
}

/** An assistant message for `model` with the given content, as a finished answer. */
export function answerMessage(model: Pick<Model, "id" | "api" | "provider">, content: AssistantMessage["content"] = []): AssistantMessage {
  return { role: "assistant", content, api: model.api, provider: model.provider, model: model.id, usage: emptyUsage(), stopReason: "stop", timestamp: 0 };
}

/** A stream whose only event is `done` with the text "ok". */
export function okAnswer(model: Model): AssistantMessageEventStream {
  const stream = createAssistantMessageEventStream();
  stream.push({ type: "done", reason: "stop", message: answerMessage(model, [{ type: "text", text: "ok" }]) });
  stream.end();
  return stream;
}

/** A bridge serving `stream` over `catalog`, resolving ids as the window's KiroClient.resolveModel does (dated forms, aliases); disposed after the tests. */
export async function catalogBridge(stream: BridgeStreamFunction, catalog: Model[]): Promise<BridgeServer> {
  const bridge = await startBridgeServer({ stream, listModels: () => catalog, resolveModel: (id) => catalog.find((model) => model.id === findModel(id)?.id) });
  after(() => bridge.dispose());
  return bridge;
}
