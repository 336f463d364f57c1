// Extension-host test: the modelTag Kiro puts on an answer comes back on that answer in the next turn's history, as the Chat view sends it through vscode.lm.
import * as assert from "node:assert/strict";
import { setup, suite, test } from "mocha";
import * as vscode from "vscode";
import type { KiroSimulator } from "../../sim/kiroSimulator";
import { textReply } from "../../sim/replies";
import { useKiroSimulator } from "./simulatorSuite";

const TAG = "sim-tag-sonnet-4.5-chat";

async function answer(model: vscode.LanguageModelChat, messages: vscode.LanguageModelChatMessage[]): Promise<string> {
  const response = await model.sendRequest(messages, {}, new vscode.CancellationTokenSource().token);
  let text = "";
  for await (const part of response.text) text += part;
  return text;
}

async function kiroModel(id: string): Promise<vscode.LanguageModelChat> {
  const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id });
  assert.ok(model, `no Kiro model "${id}"`);
  return model;
}

/** The assistant messages of a recorded chat request's history. */
function historyAnswers(sim: KiroSimulator, index: number): { content?: string; modelTag?: string }[] {
  const body = sim.generateRequests()[index]!.body as { conversationState?: { history?: { assistantResponseMessage?: { content?: string; modelTag?: string } }[] } };
  return (body.conversationState?.history ?? []).flatMap((h) => (h.assistantResponseMessage ? [h.assistantResponseMessage] : []));
}

suite("Kiro's modelTag across Chat-view turns", function () {
  this.timeout(60_000);
  const kiroSim = useKiroSimulator();
  let sim: KiroSimulator;
  setup(() => (sim = kiroSim()));

  test("the second turn's history carries the modelTag Kiro gave the first answer, and another model's request does not", async () => {
    const sonnet = await kiroModel("claude-sonnet-4-5");
    sim.reply(textReply("Tagged first answer.", { modelTag: TAG }));
    const first = await answer(sonnet, [vscode.LanguageModelChatMessage.User("first question")]);
    assert.equal(first, "Tagged first answer.");
    const history = [
      vscode.LanguageModelChatMessage.User("first question"),
      vscode.LanguageModelChatMessage.Assistant(first),
      vscode.LanguageModelChatMessage.User("second question"),
    ];

    const before = sim.generateRequests().length;
    await answer(sonnet, history);
    const replayed = historyAnswers(sim, before);
    assert.deepEqual(sim.generateRequests()[before]!.validationErrors, []);
    assert.deepEqual(replayed.map((m) => [m.content, m.modelTag]), [["Tagged first answer.", TAG]], JSON.stringify(replayed));

    await answer(await kiroModel("claude-haiku-4-5"), history);
    assert.deepEqual(historyAnswers(sim, before + 1).map((m) => m.modelTag), [undefined], "the tag never goes to another model");
  });
});
