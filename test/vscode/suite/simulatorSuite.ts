// For the extension-host suites that chat through vscode.lm: starts a Kiro simulator for the suite, points the extension under test at it, and puts everything back afterwards.
import * as assert from "node:assert/strict";
import { suiteSetup, suiteTeardown } from "mocha";
import * as vscode from "vscode";
import { startKiroSimulator, type KiroSimulator, type KiroSimulatorOptions } from "../../sim/kiroSimulator";

export const EXTENSION_ID = "kiro-pi.kiro-pi";

/** Registers the suite's setup and teardown; the returned function gives the running simulator. */
export function useKiroSimulator(options?: KiroSimulatorOptions): () => KiroSimulator {
  let sim: KiroSimulator | undefined;
  const savedToken = process.env.KIRO_ACCESS_TOKEN;
  const kiroConfig = () => vscode.workspace.getConfiguration("kiro");

  suiteSetup(async () => {
    sim = await startKiroSimulator(options);
    // The extension host is this process: the provider's token source reads this on every request. The endpoint is a
    // user setting: in VS Code the environment never decides where tokens go.
    process.env.KIRO_ACCESS_TOKEN = sim.accessToken;
    await kiroConfig().update("endpoint", sim.url, vscode.ConfigurationTarget.Global);
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await extension.activate();
  });

  suiteTeardown(async () => {
    if (savedToken === undefined) delete process.env.KIRO_ACCESS_TOKEN;
    else process.env.KIRO_ACCESS_TOKEN = savedToken;
    await kiroConfig().update("endpoint", undefined, vscode.ConfigurationTarget.Global);
    await sim?.close();
  });

  return () => {
    assert.ok(sim, "the Kiro simulator is not running (outside the suite?)");
    return sim;
  };
}
