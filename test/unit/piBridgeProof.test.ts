// pi's side of the bridge proof: whatever listens at KIRO_BRIDGE_URL must prove it holds the bridge token before pi sends the token or a conversation, and the token travels only on the connection that proof was given on.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge/index";
import { bridgeProof, generateBridgeNonce } from "../../src/bridge/server/security";
import { builtInModels, toPiModel } from "../../src/kiro/catalog/models";
import { type AssistantMessage, type AssistantMessageEvent, type Context, type Model } from "../../src/kiro/types";
import { listModelsViaBridge, streamViaBridge, type BridgeConfig } from "../../src/pi/bridgeClient";
import { finishedAnswer, finishedAnswerStream, sendJson, startRecordingServer, type ReceivedRequest, type RecordingServer } from "../pi/fakeBridge";

const SONNET: Model = toPiModel(builtInModels().find((info) => info.id === "claude-sonnet-4-5")!);
const TOKEN = "the-windows-bridge-token-0123456789abcdefghijk";
const SECRET_PROMPT = "Deploy with the password hunter2";

function conversation(): Context {
  return { messages: [{ role: "user", content: SECRET_PROMPT, timestamp: 1_700_000_000_000 }] };
}

async function finalOf(stream: AsyncIterable<AssistantMessageEvent>): Promise<AssistantMessage> {
  let last: AssistantMessageEvent | undefined;
  for await (const event of stream) last = event;
  assert.ok(last && (last.type === "done" || last.type === "error"), `the stream ends with done or error, got ${last?.type}`);
  return last.type === "done" ? last.message : last.error;
}

/** Neither the token (in any header) nor any part of the conversation reached the server; it saw proof requests only. */
function assertGotNothing(received: readonly ReceivedRequest[]): void {
  assert.ok(received.length > 0, "the client asked for the proof");
  for (const request of received) {
    assert.equal(request.path, "/v1/bridge-proof", `only the proof was asked for, got ${request.method} ${request.path}`);
    assert.equal(request.headers.authorization, undefined, "no Authorization header");
    assert.equal(request.headers["x-api-key"], undefined, "no x-api-key header");
    assert.doesNotMatch(JSON.stringify(request.headers), new RegExp(TOKEN), "the token is in no header");
    assert.equal(request.body, "", "no body");
  }
}

const NOT_PROVEN = /The Kiro bridge at http:\/\/127\.0\.0\.1:\d+ did not prove it belongs to this VS Code window \(.+\), so pi sent it neither the bridge token nor the conversation\..*new terminal.*reload the window/;

describe("pi asks whatever listens at KIRO_BRIDGE_URL to prove it is the window's bridge", () => {
  const servers: RecordingServer[] = [];
  const impostor = async (answer: Parameters<typeof startRecordingServer>[0]): Promise<{ server: RecordingServer; config: BridgeConfig }> => {
    const server = await startRecordingServer(answer);
    servers.push(server);
    return { server, config: { url: server.url, token: TOKEN } };
  };
  after(async () => {
    for (const server of servers) await server.close();
  });

  test("a server that does not know the token (it answers 404, as any other program would) gets no token and no conversation, and pi says the bridge did not prove itself", async () => {
    const { server, config } = await impostor((_request, res) => sendJson(res, 404, { error: "not found" }));
    const message = await finalOf(streamViaBridge(config, SONNET, conversation()));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage ?? "", NOT_PROVEN);
    assert.match(message.errorMessage ?? "", /HTTP 404/);
    assert.doesNotMatch(message.errorMessage ?? "", new RegExp(TOKEN));
    await assert.rejects(listModelsViaBridge(config), NOT_PROVEN);
    assertGotNothing(server.received);
  });

  test("a server that answers the proof with a signature made with another token (another window's, or a made-up one) gets nothing", async () => {
    const { server, config } = await impostor((request, res) => sendJson(res, 200, { proof: bridgeProof("another-windows-token", String(request.headers["x-kiro-bridge-nonce"])) }));
    const message = await finalOf(streamViaBridge(config, SONNET, conversation()));
    assert.match(message.errorMessage ?? "", NOT_PROVEN);
    assert.match(message.errorMessage ?? "", /not signed with this terminal's bridge token/);
    await assert.rejects(listModelsViaBridge(config), NOT_PROVEN);
    assertGotNothing(server.received);
  });

  test("a server that replays a proof the real bridge once gave for another nonce, or echoes the nonce, gets nothing", async () => {
    const recorded = bridgeProof(TOKEN, generateBridgeNonce());
    let replay = true;
    const { server, config } = await impostor((request, res) => sendJson(res, 200, { proof: replay ? recorded : request.headers["x-kiro-bridge-nonce"] }));
    assert.match((await finalOf(streamViaBridge(config, SONNET, conversation()))).errorMessage ?? "", NOT_PROVEN);
    replay = false;
    assert.match((await finalOf(streamViaBridge(config, SONNET, conversation()))).errorMessage ?? "", NOT_PROVEN);
    assertGotNothing(server.received);
    const nonces = server.received.map((request) => request.headers["x-kiro-bridge-nonce"]);
    assert.equal(new Set(nonces).size, nonces.length, "every proof request carries a fresh nonce");
  });

  test("when the connection the proof came on closes before the request (someone else could hold the port by then), pi proves a new connection instead of sending the token unproven", async () => {
    // Proves itself correctly, then hangs up: the next connection would reach whoever listens at the port now.
    const { server, config } = await impostor((request, res) => {
      const nonce = String(request.headers["x-kiro-bridge-nonce"]);
      if (request.path === "/v1/bridge-proof") sendJson(res, 200, { proof: bridgeProof(TOKEN, nonce) }, { connection: "close" });
      else sendJson(res, 500, { error: "a request reached the server" });
    });
    const message = await finalOf(streamViaBridge(config, SONNET, conversation()));
    assert.equal(message.stopReason, "error");
    assert.match(message.errorMessage ?? "", /closed twice before the request could be sent; nothing was sent/);
    assertGotNothing(server.received);
    assert.deepEqual(
      server.received.map((request) => request.connection),
      [1, 2],
      "each proof came on a connection of its own, and nothing followed on a third",
    );
  });

  test("a server that holds the token gets the token and the conversation on the very connection it proved itself on", async () => {
    const { server, config } = await impostor((request, res) => {
      if (request.path === "/v1/bridge-proof") return sendJson(res, 200, { proof: bridgeProof(TOKEN, String(request.headers["x-kiro-bridge-nonce"])) });
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end(`${JSON.stringify({ type: "done", reason: "stop", message: finishedAnswer(SONNET, "ok") })}\n`);
    });
    const message = await finalOf(streamViaBridge(config, SONNET, conversation()));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    const [proof, stream] = server.received;
    assert.equal(proof?.path, "/v1/bridge-proof");
    assert.equal(proof?.headers.authorization, undefined);
    assert.equal(stream?.path, "/v1/stream");
    assert.equal(stream?.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(stream?.body ?? "", /hunter2/);
    assert.equal(stream?.connection, proof?.connection, "the token went on the proven connection");
    assert.equal(server.received.length, 2);
  });
});

describe("the real bridge proves itself to pi", () => {
  let bridge: BridgeServer;
  before(async () => {
    bridge = await startBridgeServer({
      stream: (model) => finishedAnswerStream(model, "proven"),
      listModels: () => [SONNET],
    });
  });
  after(async () => {
    await bridge?.dispose();
  });

  test("an answer and the model list come through, and its proof is the signature the fake servers above are checked with", async () => {
    const config = { url: bridge.url!, token: bridge.token };
    const message = await finalOf(streamViaBridge(config, SONNET, conversation()));
    assert.equal(message.stopReason, "stop", message.errorMessage);
    assert.deepEqual(message.content, [{ type: "text", text: "proven" }]);
    assert.deepEqual((await listModelsViaBridge(config)).map((model) => model.id), ["claude-sonnet-4-5"]);
    // What the fake servers above sign with is what the bridge answers.
    const nonce = generateBridgeNonce();
    const fromBridge = await fetch(`${bridge.url}/v1/bridge-proof`, { headers: { "x-kiro-bridge-nonce": nonce } }).then((response) => response.json());
    assert.deepEqual(fromBridge, { proof: bridgeProof(bridge.token, nonce) });
  });
});
