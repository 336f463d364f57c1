// tool_choice "none" honoured on every agent route: through the bridge and streamKiro to the strict Kiro simulator, no tool the client defines is offered, while the tool call and result already in the history stay valid (the simulator's rules pass).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBridgeServer, type BridgeServer } from "../../src/bridge";
import { builtInModels, toPiModel } from "../../src/kiro/catalog/models";
import { streamKiro } from "../../src/kiro/stream";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";

const CATALOG = builtInModels()
  .filter((info) => !info.forceThinking)
  .map((info) => toPiModel(info));
const DESCRIPTION = "Reads a file of the workspace.";
const SCHEMA = { type: "object", properties: { path: { type: "string" } }, required: ["path"] };

/** Each route's body: a conversation where the model read a file and got its content back, the tool still defined. */
const BODIES: Record<string, (toolChoice: unknown) => unknown> = {
  "/v1/messages": (toolChoice) => ({
    model: "claude-sonnet-4-5",
    max_tokens: 1000,
    tools: [{ name: "read_file", description: DESCRIPTION, input_schema: SCHEMA }],
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice === "none" ? { type: "none" } : toolChoice }),
    messages: [
      { role: "user", content: "Read a.txt" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read_file", input: { path: "a.txt" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "alpha" }, { type: "text", text: "Now just summarise." }] },
    ],
  }),
  "/v1/chat/completions": (toolChoice) => ({
    model: "claude-sonnet-4-5",
    tools: [{ type: "function", function: { name: "read_file", description: DESCRIPTION, parameters: SCHEMA } }],
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    messages: [
      { role: "user", content: "Read a.txt" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "alpha" },
    ],
  }),
  "/v1/responses": (toolChoice) => ({
    model: "claude-sonnet-4-5",
    tools: [{ type: "function", name: "read_file", description: DESCRIPTION, parameters: SCHEMA }],
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    input: [
      { type: "message", role: "user", content: [{ type: "input_text", text: "Read a.txt" }] },
      { type: "function_call", call_id: "call_1", name: "read_file", arguments: '{"path":"a.txt"}' },
      { type: "function_call_output", call_id: "call_1", output: "alpha" },
    ],
  }),
};

interface ToolSpec {
  toolSpecification: { name: string; description: string };
}

describe("tool_choice none through the bridge to Kiro", () => {
  let sim: KiroSimulator;
  let bridge: BridgeServer;

  before(async () => {
    sim = await startKiroSimulator({ seed: 5 });
    bridge = await startBridgeServer({
      stream: (model, context, options) => streamKiro(model, context, { ...options, accessToken: () => sim.accessToken, endpoint: sim.url, maxRetries: 0 }),
      listModels: () => CATALOG,
      resolveModel: (id) => CATALOG.find((model) => model.id === id),
    });
  });
  after(async () => {
    await bridge?.dispose();
    await sim?.close();
  });

  /** The tool specs the one Kiro request of this call carried, after checking it kept the simulator's rules. */
  async function toolsSent(path: string, toolChoice: unknown): Promise<ToolSpec[]> {
    const before = sim.generateRequests().length;
    const response = await fetch(new URL(path, bridge.url), {
      method: "POST",
      headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json", ...(path === "/v1/messages" ? { "anthropic-version": "2023-06-01" } : {}) },
      body: JSON.stringify(BODIES[path]!(toolChoice)),
    });
    assert.equal(response.status, 200, await response.clone().text());
    await response.text();
    const sent = sim.generateRequests().slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.validationErrors, [], "the request kept the simulator's rules");
    const body = sent[0]!.body as { conversationState: { currentMessage: { userInputMessage: { userInputMessageContext?: { tools?: ToolSpec[] } } } } };
    return body.conversationState.currentMessage.userInputMessage.userInputMessageContext?.tools ?? [];
  }

  for (const path of Object.keys(BODIES)) {
    it(`${path}: tool_choice "none" offers Kiro none of the client's tools, only the history's tool as unavailable`, async () => {
      const tools = await toolsSent(path, "none");
      assert.deepEqual(tools.map((tool) => tool.toolSpecification.name), ["read_file"], "the history's tool name stays defined");
      assert.notEqual(tools[0]!.toolSpecification.description, DESCRIPTION, "it is not offered as the client defined it");
      assert.match(tools[0]!.toolSpecification.description, /no longer available/);
    });

    it(`${path}: without tool_choice "none" the client's tool is offered as defined`, async () => {
      const tools = await toolsSent(path, path === "/v1/messages" ? { type: "auto" } : "auto");
      assert.deepEqual(tools.map((tool) => [tool.toolSpecification.name, tool.toolSpecification.description]), [["read_file", DESCRIPTION]]);
    });
  }
});
