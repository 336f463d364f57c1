// For the extension-host suites that chat through vscode.lm: starts a Kiro simulator for the suite, points the extension under test at it, and puts everything back afterwards.
import * as assert from "node:assert/strict";
import { suiteSetup, suiteTeardown } from "mocha";
import * as vscode from "vscode";
import { startKiroSimulator, type KiroSimulator, type KiroSimulatorOptions } from "../../sim/kiroSimulator";

export const EXTENSION_ID = "kiro-pi.kiro-pi";

/** Registers the suite's setup and teardown; the returned function gives the running simulator. */
export function useKiroSimulator(options?: KiroSimulatorOptions): () => KiroSimulator {
  let sim: KiroSimulator | undefined;
  const savedEnv = { token: process.env.KIRO_ACCESS_TOKEN, endpoint: process.env.KIRO_ENDPOINT };

  suiteSetup(async () => {
    sim = await startKiroSimulator(options);
    // The extension host is this process: the provider's token source and the Kiro core read these on every request.
    process.env.KIRO_ACCESS_TOKEN = sim.accessToken;
    process.env.KIRO_ENDPOINT = sim.url;
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await extension.activate();
  });

  suiteTeardown(async () => {
    if (savedEnv.token === undefined) delete process.env.KIRO_ACCESS_TOKEN;
    else process.env.KIRO_ACCESS_TOKEN = savedEnv.token;
    if (savedEnv.endpoint === undefined) delete process.env.KIRO_ENDPOINT;
    else process.env.KIRO_ENDPOINT = savedEnv.endpoint;
    await sim?.close();
  });

  return () => {
    assert.ok(sim, "the Kiro simulator is not running (outside the suite?)");
    return sim;
  };
}
