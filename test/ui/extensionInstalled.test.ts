// UI tests: after a person installs the packaged .vsix, VS Code shows the extension's commands and its "Kiro" log.
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Workbench } from "./workbench";

let workbench: Workbench;

before(async () => {
  workbench = await Workbench.open();
});

after(async () => {
  await workbench?.close();
});

test('the command palette offers "Kiro: Show Log" after installing the .vsix', async () => {
  await workbench.openCommandPalette();
  await workbench.quickInput.locator("input").fill(">Kiro:");
  await workbench.page.waitForTimeout(500);
  await workbench.screenshot("command-palette-kiro");
  const items = await workbench.quickPickItems();
  await workbench.page.keyboard.press("Escape");
  assert.ok(
    items.some((item) => item.startsWith("Kiro: Show Log")),
    `the palette offers: ${items.join(" | ") || "(nothing)"}`,
  );
});

test('"Kiro: Show Log" opens the Output view on the Kiro channel, which records the activation', async () => {
  await workbench.runCommand("Kiro: Show Log");
  const text = await workbench.waitForOutputText(/Kiro \S+ activated in/);
  await workbench.screenshot("output-kiro-log");
  assert.match(text, /Kiro \S+ activated in/, `the Output view shows:\n${text}`);
});

test('the Output view\'s channel list includes "Kiro"', async () => {
  await workbench.runCommand("Output: Show Output Channels...");
  await workbench.quickInput.locator("input").fill("Kiro");
  await workbench.page.waitForTimeout(500);
  const items = await workbench.quickPickItems();
  await workbench.screenshot("output-channel-list");
  await workbench.page.keyboard.press("Escape");
  assert.ok(items.some((item) => /^Kiro\b/.test(item)), `the channel list shows: ${items.join(" | ") || "(nothing)"}`);
});
