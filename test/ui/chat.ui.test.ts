// UI test: a person opens VS Code's Chat view and finds Kiro's models in the model picker and the language model manager.
//
// Sending a chat message from the Chat view is not covered: VS Code 1.139 without a Copilot account routes every Chat view
// message to its Copilot setup ("Sign in to use GitHub Copilot") unless the context key github.copilot.hasByokModels is
// true, which it only is briefly while extensions load. The same models answer through vscode.lm (test/vscode/suite/chat.test.ts).
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { Workbench } from "./workbench";

let sim: KiroSimulator;
let workbench: Workbench;

before(async () => {
  sim = await startKiroSimulator();
  // Signed in through KIRO_ACCESS_TOKEN; the extension host inherits the server's environment.
  workbench = await Workbench.open({ env: { KIRO_ACCESS_TOKEN: sim.accessToken, KIRO_ENDPOINT: sim.url } });
});

after(async () => {
  await workbench?.close();
  await sim?.close();
});

/** Polls until `check` returns a value, or fails with what `describe` says was seen last. */
async function eventually<T>(check: () => Promise<T | undefined>, describe: () => Promise<string>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await workbench.page.waitForTimeout(250);
  }
  throw new Error(await describe());
}

test("Kiro's models reach the Chat view's model picker on their own, without a detour through Manage Models", async () => {
  const page = workbench.page;
  await eventually(
    async () => (sim.requests.some((r) => r.path === "/ListAvailableModels") ? true : undefined),
    async () => `the extension never asked Kiro for its models; requests: ${sim.requests.map((r) => r.path).join(", ") || "(none)"}`,
  );
  const picker = page.locator(".interactive-input-part .model-picker-item").first();
  await picker.waitFor({ state: "visible", timeout: 30_000 });
  await picker.click();
  const widget = page.locator(".action-widget.action-widget-dropdown").first();
  await widget.waitFor({ state: "visible", timeout: 10_000 });
  const rows = async () => (await widget.locator(".monaco-list-row").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
  await workbench.screenshot("chat-model-picker");
  const seen = await rows();
  await page.keyboard.press("Escape");
  assert.ok(
    seen.some((row) => /Kiro \(us-east-1\)/.test(row)),
    `the model picker shows no Kiro model (a first-time user would get "Sign in to use Copilot"): ${seen.join(" | ")}`,
  );
});

test("picking Claude Sonnet 4.5 from Kiro in the Chat view makes it the chat's model", async () => {
  const page = workbench.page;
  const picker = page.locator(".interactive-input-part .model-picker-item").first();
  await picker.waitFor({ state: "visible", timeout: 30_000 });
  await picker.click();
  const widget = page.locator(".action-widget.action-widget-dropdown").first();
  await widget.waitFor({ state: "visible", timeout: 10_000 });
  // The picker lists the current model first and the others under "Other Models"; its search finds either.
  await page.keyboard.type("Claude Sonnet 4.5");
  const row = widget.locator(".monaco-list-row", { hasText: /^\s*Claude Sonnet 4\.5(?!\s*\()/ }).first();
  await eventually(
    async () => ((await row.count()) > 0 ? true : undefined),
    async () => `no "Claude Sonnet 4.5" row in the picker: ${(await widget.locator(".monaco-list-row").allInnerTexts()).join(" | ")}`,
    10_000,
  );
  await row.click();
  await eventually(
    async () => ((await picker.innerText()).includes("Claude Sonnet 4.5") ? true : undefined),
    async () => `the picker shows "${await picker.innerText()}" after choosing Claude Sonnet 4.5`,
    10_000,
  );
  const input = page.locator(".interactive-input-part .native-edit-context").first();
  assert.match((await input.getAttribute("aria-label")) ?? "", /Claude Sonnet 4\.5/, "the chat input names the picked model");
  await workbench.screenshot("chat-kiro-model-picked");
});

test('"Chat: Manage Language Models" lists Kiro\'s catalog with tools and vision where the model has them', async () => {
  const page = workbench.page;
  await workbench.runCommand("Chat: Manage Language Models");
  const sonnet = page.getByText("Claude Sonnet 4.5 (Thinking)").first();
  await sonnet.waitFor({ state: "visible", timeout: 20_000 });
  const rows = (await page.locator(".monaco-list-row, tr").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
  await workbench.screenshot("chat-language-models");
  await page.keyboard.press("Escape");
  const row = (name: string) => rows.find((r) => r.startsWith(`${name} `));
  assert.match(row("Claude Sonnet 4.5") ?? "", /Tools.*Vision/, `Claude Sonnet 4.5's row: ${row("Claude Sonnet 4.5")}`);
  assert.match(row("DeepSeek 3.2") ?? "", /Tools/, "DeepSeek is listed with tools");
  assert.doesNotMatch(row("DeepSeek 3.2") ?? "", /Vision/, "DeepSeek takes no images, and says so");
});
