// UI test: a person signed in through "Kiro: Sign In" runs "Kiro: Open pi in Terminal", types a prompt into pi in the integrated terminal and reads Kiro's (the simulator's) answer there.
import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { repoRoot } from "./codeServer";
import { signInWithBuilderId, statusText } from "./signInSteps";
import { Workbench } from "./workbench";

/** The pi CLI that scripts/install-pi.mjs installs; its bin is what `npm install -g` would put on PATH. */
const PI_BIN = path.join(repoRoot, ".cache", "pi", "mariozechner", "node_modules", ".bin", "pi");

let oidc: OidcSimulator;
let sim: KiroSimulator;
let workbench: Workbench;
let home: string;

before(async () => {
  if (!existsSync(PI_BIN)) throw new Error(`${PI_BIN} is missing; run \`node scripts/install-pi.mjs\``);
  oidc = await startOidcSimulator({ interval: 1 });
  // Kiro accepts exactly the tokens the window's sign-in got (and their refreshes), as the real service would.
  sim = await startKiroSimulator({ acceptsToken: (token) => oidc.isValidAccessToken(token) });
  // pi keeps its settings and sessions under HOME: a throwaway one, so the test leaves nothing in the real home folder.
  home = mkdtempSync(path.join(tmpdir(), "kiro-pi-ui-home-"));
  mkdirSync(path.join(home, ".pi", "agent"), { recursive: true });
  workbench = await Workbench.open({
    env: {
      HOME: home,
      // Neither a token nor the endpoint is in the environment: the window signs in through "Kiro: Sign In" and only the
      // extension's kiro.endpoint setting knows the simulator, so an answer in the terminal can only have come through the bridge.
      KIRO_ACCESS_TOKEN: undefined,
      KIRO_ENDPOINT: undefined,
      PI_OFFLINE: "1",
      PI_SKIP_VERSION_CHECK: "1",
      PI_TELEMETRY: "0",
    },
    settings: { "kiro.oidcEndpoint": oidc.url, "kiro.endpoint": sim.url, "kiro.pi.command": PI_BIN },
  });
  await signInWithBuilderId(workbench, oidc, { screenshotPrefix: "pi-sign-in" });
});

after(async () => {
  await workbench?.close();
  await sim?.close();
  await oidc?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('the window is signed in through "Kiro: Sign In": the status bar names the account, not the KIRO_ACCESS_TOKEN fallback', async () => {
  const status = await statusText(workbench.page);
  assert.match(status, /AWS Builder ID|sim-user@example\.com/);
  assert.doesNotMatch(status, /KIRO_ACCESS_TOKEN/);
  assert.equal(oidc.issuedAccessTokens.length, 1, "the sign-in got one access token");
});

test('the "Get Started with Kiro" walkthrough lists its four steps, shows the sign-in done before it was opened as checked, and its "Open pi in Terminal" button opens pi and checks the step off', async () => {
  const page = workbench.page;
  await workbench.runCommand("Welcome: Open Walkthrough...");
  const row = workbench.quickInput.locator(".monaco-list-row", { hasText: "Get Started with Kiro" }).first();
  await row.waitFor({ state: "visible", timeout: 15_000 });
  await row.click();
  const steps = page.locator(".getting-started-step");
  await steps.first().waitFor({ state: "visible", timeout: 20_000 });
  const titles = async () => Promise.all((await steps.all()).map(async (step) => (await step.locator(".step-title").first().innerText()).trim()));
  assert.deepEqual(await titles(), ["Sign in to Kiro", "Chat with a Kiro model", "Open pi in the terminal", "Run Claude Code, Codex or opencode on Kiro"]);
  const stepDone = async (index: number) => (await steps.nth(index).locator("[role=checkbox]").first().getAttribute("aria-checked")) === "true";
  // The window signed in (before()) while no walkthrough was open: the step must show it anyway.
  assert.equal(await stepDone(0), true, "the sign-in done through Kiro: Sign In before the walkthrough was opened checked the sign-in step off");
  const piStep = steps.nth(2);
  const piStepDone = () => stepDone(2);
  assert.equal(await piStepDone(), false, "the pi step starts unchecked");
  await piStep.click();
  await piStep.locator(".monaco-button, a", { hasText: "Open pi in Terminal" }).first().click();
  await workbench.screenshot("walkthrough-get-started-with-kiro");

  const tab = page.locator(".terminal-tabs-entry, .single-terminal-tab, .terminal-tab", { hasText: "pi (Kiro)" }).first();
  await tab.waitFor({ state: "visible", timeout: 30_000 }).catch(async () => {
    await workbench.screenshot("pi-terminal-missing");
    throw new Error(`no "pi (Kiro)" terminal appeared; notifications: ${(await workbench.notifications()).join(" | ") || "(none)"}`);
  });
  const deadline = Date.now() + 10_000;
  while (!(await piStepDone()) && Date.now() < deadline) await page.waitForTimeout(250);
  assert.equal(await piStepDone(), true, "opening pi checked the walkthrough's pi step off");
});

test('"Kiro: Open pi in Terminal" starts pi in a "pi (Kiro)" terminal, and a prompt typed there is answered by Kiro through the bridge', async () => {
  const before = sim.generateRequests().length;
  // The walkthrough's pi terminal (previous test) goes; this one comes from the command palette.
  await workbench.runCommand("Terminal: Kill All Terminals").catch(() => undefined);
  await workbench.runCommand("Kiro: Open pi in Terminal");
  const tab = workbench.page.locator(".terminal-tabs-entry, .single-terminal-tab, .terminal-tab", { hasText: "pi (Kiro)" }).first();
  await tab.waitFor({ state: "visible", timeout: 30_000 }).catch(async () => {
    await workbench.screenshot("pi-terminal-missing");
    throw new Error(`no "pi (Kiro)" terminal appeared; notifications: ${(await workbench.notifications()).join(" | ") || "(none)"}`);
  });
  // pi's footer names the model once its TUI is up.
  await workbench.waitForTerminalText(/claude-sonnet-4-5/, 60_000).catch(async (error: unknown) => {
    await workbench.screenshot("pi-terminal-not-started");
    throw error;
  });
  // The command focused pi's terminal; a click on its screen makes sure keys go there (pi runs without a shell, so no shell-integration hover is in the way).
  await workbench.page.locator(".terminal-wrapper.active .xterm-screen, .terminal-wrapper .xterm-screen").first().click();
  const rows = await workbench.askInTerminal("Hello pi, this is the terminal UI test", /You said: Hello pi, this is the terminal UI test/).catch(async (error: unknown) => {
    await workbench.screenshot("pi-terminal-answer-missing");
    throw error;
  });
  await workbench.screenshot("pi-terminal-kiro-answer");

  const sent = sim.generateRequests().slice(before);
  assert.equal(sent.length, 1, "one request reached Kiro");
  assert.deepEqual(sent[0]!.validationErrors, [], "pi's request through the bridge was well formed for Kiro");
  const modelId = (sent[0]!.body as { conversationState?: { currentMessage?: { userInputMessage?: { modelId?: string } } } }).conversationState?.currentMessage
    ?.userInputMessage?.modelId;
  assert.equal(modelId, "claude-sonnet-4.5", "pi asked the default model, kiro/claude-sonnet-4-5");
  assert.ok(!rows.join("\n").includes("KIRO_BRIDGE_TOKEN="), "the terminal never prints the bridge token");
});
