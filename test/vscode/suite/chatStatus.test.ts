// Extension-host tests: what Kiro's model entries tell a person about the account: signed out (a sign-in icon and text) and the quota nearly used up (a warning line).
import * as assert from "node:assert/strict";
import { setup, suite, teardown, test } from "mocha";
import * as vscode from "vscode";
import type { KiroExtensionApi } from "../../../src/extension";
import type { KiroChatModelInformation } from "../../../src/vscode/chatModels";
import { defaultSimUsageLimits, type KiroSimulator, type SimUsageLimits } from "../../sim/kiroSimulator";
import { EXTENSION_ID, useKiroSimulator } from "./simulatorSuite";

type Entry = KiroChatModelInformation & { statusIcon?: vscode.ThemeIcon; warningText?: Record<string, string> };

/** The running VS Code shows `warningText` (from 1.133, the oldest checked); before, the same words lead the tooltip. */
const showsWarningText = /^1\.(13[3-9]|1[4-9]\d)|^[2-9]\./.test(vscode.version);

/** The free plan's usage with `used` of its 50 credits used. */
function usageWith(used: number): SimUsageLimits {
  const usage = defaultSimUsageLimits();
  const row = usage.usageBreakdownList[0]!;
  row.currentUsage = Math.floor(used);
  row.currentUsageWithPrecision = used;
  return usage;
}

/** The words an entry warns with, wherever this VS Code shows them. */
function warnings(entry: Entry): string {
  return showsWarningText ? Object.values(entry.warningText ?? {}).join("\n") : String(entry.tooltip);
}

suite("Kiro model entries show the account's state", function () {
  this.timeout(60_000);
  const kiroSim = useKiroSimulator();
  let sim: KiroSimulator;
  let api: KiroExtensionApi;
  setup(() => {
    sim = kiroSim();
    api = vscode.extensions.getExtension<KiroExtensionApi>(EXTENSION_ID)!.exports;
    assert.ok(api.chatProvider, "activate() exposes the chat provider in ExtensionMode.Test");
  });
  teardown(() => {
    sim.usageLimits = defaultSimUsageLimits();
  });

  /** What VS Code gets when it asks for Kiro's models without prompting (as the Chat view's picker does). */
  const listed = async (): Promise<Entry[]> =>
    (await api.chatProvider!.provideLanguageModelChatInformation({ silent: true }, new vscode.CancellationTokenSource().token)) as Entry[];

  async function answerOnce(text: string): Promise<void> {
    const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id: "claude-sonnet-4-5" });
    assert.ok(model, "a Kiro model is offered");
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(text)], {}, new vscode.CancellationTokenSource().token);
    for await (const _ of response.text) void _;
  }

  test("signed out, the models are still listed, each with a sign-in icon and text saying to run Kiro: Sign In", async () => {
    const token = process.env.KIRO_ACCESS_TOKEN;
    delete process.env.KIRO_ACCESS_TOKEN;
    try {
      const entries = await listed();
      assert.ok(entries.some((e) => e.id === "claude-sonnet-4-5"), `the built-in models are listed: ${entries.map((e) => e.id).join(", ")}`);
      for (const entry of entries) {
        assert.ok(entry.statusIcon instanceof vscode.ThemeIcon, `${entry.id} has a status icon`);
        assert.equal(entry.statusIcon.id, "account");
        assert.match(warnings(entry), /Not signed in to Kiro\. Sign in with "Kiro: Sign In"/);
      }
    } finally {
      process.env.KIRO_ACCESS_TOKEN = token;
    }
    const signedIn = await listed();
    assert.ok(signedIn.length > 0);
    assert.deepEqual(signedIn.filter((e) => e.statusIcon !== undefined).map((e) => e.id), [], "signed in, no entry has the sign-in icon");
  });

  test("after an answer with 46 of 50 credits used, every entry warns that the quota is nearly used up; below 90% the warning goes", async () => {
    sim.usageLimits = usageWith(46);
    // A settings change or sign-in lets the next answer look at the usage at once (otherwise at most once a minute).
    api.chatProvider!.refreshModels("test: usage changed");
    const before = sim.requestsFor("getUsageLimits").length;
    await answerOnce("spend a credit");
    await api.chatProvider!.settled();
    assert.equal(sim.requestsFor("getUsageLimits").length, before + 1, "the answer was followed by one usage call");
    const near = await listed();
    for (const entry of near) {
      assert.match(warnings(entry), /Kiro quota nearly used up: 92% of this period's credits used \(46 of 50, 4 left, resets on \d{4}-\d\d-\d\d\)\./, entry.id);
      assert.equal(entry.statusIcon, undefined, "near the quota is a warning line, not the used-up icon");
    }

    sim.usageLimits = usageWith(20);
    api.chatProvider!.refreshModels("test: usage changed");
    await answerOnce("spend another");
    await api.chatProvider!.settled();
    assert.deepEqual((await listed()).filter((e) => /quota/.test(warnings(e))).map((e) => e.id), [], "at 40% no entry warns");
  });
});
