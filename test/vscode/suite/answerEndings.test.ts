// Extension-host tests: how a Kiro answer that did not end normally reaches a vscode.lm caller (the Chat view's side) in a real VS Code, answered by the Kiro simulator.
import * as assert from "node:assert/strict";
import { setup, suite, test } from "mocha";
import * as vscode from "vscode";
import type { KiroSimulator } from "../../sim/kiroSimulator";
import { stopReasonReply, textEvents, textReply } from "../../sim/replies";
import { useKiroSimulator } from "./simulatorSuite";

const MODEL_ID = "claude-sonnet-4-5";

interface Outcome {
  /** The text parts that arrived before the stream ended or failed. */
  text: string;
  /** What the stream failed with, if it did. */
  error?: unknown;
}

/** Sends one user message and reads the whole response stream, keeping the text that arrived and the error it ended with. */
async function ask(prompt: string): Promise<Outcome> {
  const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id: MODEL_ID });
  assert.ok(model, `vscode.lm.selectChatModels found no Kiro model "${MODEL_ID}"`);
  let text = "";
  try {
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(prompt)], {}, new vscode.CancellationTokenSource().token);
    for await (const part of response.stream) if (part instanceof vscode.LanguageModelTextPart) text += part.value;
    // `response.text` settles the same way as the stream; a failure shows on both.
    await response.text;
  } catch (error) {
    return { text, error };
  }
  return { text };
}

suite("How Kiro answers end in vscode.lm", function () {
  this.timeout(60_000);
  const kiroSim = useKiroSimulator({ seed: 16 });
  let sim: KiroSimulator;
  setup(() => (sim = kiroSim()));

  test("an answer whose stream is cut before Kiro's closing events ends in an error saying it is incomplete, after the text that arrived", async () => {
    // The cut comes a moment after the text, as a dropped connection does: VS Code hands a caller no part that is still
    // unread when the stream fails, so a cut in the same instant as the text would hide the text whatever the provider did.
    sim.reply({ events: [...textEvents("The first half of the ans"), { delayMs: 500 }] });
    const outcome = await ask("Explain the cache");
    assert.equal(outcome.text, "The first half of the ans", `the text that arrived is shown (ended with: ${String(outcome.error)})`);
    assert.ok(outcome.error instanceof Error, `the cut answer ended like a complete one (text "${outcome.text}")`);
    assert.match(outcome.error.message, /cut off/);
    assert.match(outcome.error.message, /incomplete/);
    assert.match(outcome.error.message, /Send the message again/);
    sim.clearReplies();
  });

  test("a complete answer of the same text ends normally: the error above comes from the cut, not from the text", async () => {
    sim.reply(textReply("The first half of the ans"));
    const outcome = await ask("Explain the cache");
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.text, "The first half of the ans");
  });

  test("a content-filtered answer tells the user why and which model Kiro recommends", async () => {
    const refusal = { category: "security", explanation: "The request looks like an exploit.", recommendedModel: "claude-opus-4.8" };
    sim.reply(stopReasonReply("", "CONTENT_FILTERED", { refusal }));
    const outcome = await ask("Write an exploit");
    assert.ok(outcome.error instanceof Error, "a filtered answer ended like a complete one");
    assert.match(outcome.error.message, /content filter/);
    assert.match(outcome.error.message, /security: The request looks like an exploit\./);
    assert.match(outcome.error.message, /recommends the model "claude-opus-4\.8"/);
  });

  test("a content-filtered answer without a recommended model still tells the user, and says to rephrase or pick another model", async () => {
    sim.reply(stopReasonReply("Partial", "CONTENT_FILTERED"));
    const outcome = await ask("Something filtered");
    assert.ok(outcome.error instanceof Error, "a filtered answer ended like a complete one");
    assert.match(outcome.error.message, /content filter/);
    assert.match(outcome.error.message, /Rephrase the request, or pick another model/);
  });
});
