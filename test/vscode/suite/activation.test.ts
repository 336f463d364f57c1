// Extension-host tests: on a fresh profile the extension activates, registers what it declares, and opens its "Kiro" log.
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { suite, test } from "mocha";
import * as vscode from "vscode";
import type { KiroExtensionApi } from "../../../src/extension";

const EXTENSION_ID = "kiro-pi.kiro-pi";

interface DeclaredCommand {
  command: string;
  title: string;
}

async function activatedExtension(): Promise<vscode.Extension<KiroExtensionApi>> {
  const extension = vscode.extensions.getExtension<KiroExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in the extension host`);
  await extension.activate();
  return extension;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full));
    else found.push(full);
  }
  return found;
}

suite("activation", () => {
  test("the extension activates on a fresh profile without throwing", async () => {
    const extension = await activatedExtension();
    assert.equal(extension.isActive, true);
    const api = extension.exports;
    assert.ok(api, "activate() returned no API object");
    console.log(
      `[kiro-test] activation: activate() took ${api.activationMs.toFixed(1)} ms, done ${Math.round(api.sinceHostStartMs)} ms after the extension host started`,
    );
  });

  test("every command declared in package.json is registered", async () => {
    const extension = await activatedExtension();
    const declared = (extension.packageJSON.contributes?.commands ?? []) as DeclaredCommand[];
    assert.ok(declared.length > 0, "package.json contributes no commands");
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c.command)).map((c) => `${c.command} (${c.title})`);
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(", ")}`);
  });

  test('the "Kiro" log channel exists and records the activation', async () => {
    const extension = await activatedExtension();
    const log = extension.exports.log;
    assert.equal(log.name, "Kiro");
    const marker = `log check ${Date.now()}`;
    log.info(marker);
    // A LogOutputChannel writes Kiro.log under the window's log folder; VS Code flushes it asynchronously.
    const logsRoot = path.join(process.env.KIRO_TEST_USER_DATA_DIR ?? "", "logs");
    const deadline = Date.now() + 10_000;
    let contents = "";
    while (Date.now() < deadline) {
      const files = filesUnder(logsRoot).filter((f) => path.basename(f) === "Kiro.log");
      contents = files.map((f) => readFileSync(f, "utf8")).join("\n");
      if (contents.includes(marker)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(contents, /Kiro \S+ activated in/, "the activation line is not in Kiro.log");
    assert.ok(contents.includes(marker), "a line logged to the channel did not reach Kiro.log");
  });
});
