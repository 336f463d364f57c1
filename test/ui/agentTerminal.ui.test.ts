// UI test: a person signed in through "Kiro: Sign In" runs "Kiro: Open Claude Code in Terminal", asks the real Claude Code a question in the integrated terminal and reads Kiro's (the simulator's) answer there.
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { startOfflineGuard, type OfflineGuard } from "../agents/codexHarness";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { repoRoot } from "./codeServer";
import { signInWithBuilderId } from "./signInSteps";
import { Workbench } from "./workbench";

/** The Claude Code that scripts/install-agents.mjs installs; its bin is what `npm install -g @anthropic-ai/claude-code` would put on PATH. */
const CLAUDE_BIN = path.join(repoRoot, ".cache", "agents", "claude-code", "node_modules", ".bin", "claude");

let oidc: OidcSimulator;
let sim: KiroSimulator;
let guard: OfflineGuard;
let workbench: Workbench;
let home: string;

before(async () => {
  if (!existsSync(CLAUDE_BIN)) throw new Error(`${CLAUDE_BIN} is missing; run \`node scripts/install-agents.mjs\``);
  oidc = await startOidcSimulator({ interval: 1 });
  // Kiro accepts exactly the tokens the window's sign-in got, as the real service would.
  sim = await startKiroSimulator({ acceptsToken: (token) => oidc.isValidAccessToken(token) });
  // Anything that tries to leave the machine (Claude Code's telemetry, update checks) meets a refusing loopback proxy.
  guard = await startOfflineGuard();
  // Claude Code keeps its settings under HOME: a throwaway one, so the test leaves nothing in the real home folder.
  home = mkdtempSync(path.join(tmpdir(), "kiro-agent-ui-home-"));
  workbench = await Workbench.open({
    env: {
      HOME: home,
      // Neither a Kiro token nor an Anthropic credential in the environment: the answer can only come through the window's bridge.
      KIRO_ACCESS_TOKEN: undefined,
      KIRO_ENDPOINT: undefined,
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_AUTH_TOKEN: undefined,
      ANTHROPIC_BASE_URL: undefined,
      ...guard.env,
    },
    settings: { "kiro.oidcEndpoint": oidc.url, "kiro.endpoint": sim.url, "kiro.agents.claudeCode.command": CLAUDE_BIN },
  });
  // A person who has used Claude Code before: its first-run screens (theme, security notes) are done and the workspace
  // folder is trusted, as Claude Code records them in ~/.claude.json.
  writeFileSync(
    path.join(home, ".claude.json"),
    JSON.stringify({ hasCompletedOnboarding: true, theme: "dark", projects: { [workbench.profile.workspaceDir]: { hasTrustDialogAccepted: true } } }),
  );
  await signInWithBuilderId(workbench, oidc, { screenshotPrefix: "agent-sign-in" });
});

after(async () => {
  await workbench?.close();
  await sim?.close();
  await oidc?.close();
  await guard?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('"Kiro: Open Claude Code in Terminal" starts the real Claude Code in a "Claude Code (Kiro)" terminal, and a question typed there is answered by Kiro through the bridge', async () => {
  const before = sim.generateRequests().length;
  await workbench.runCommand("Kiro: Open Claude Code in Terminal");
  const tab = workbench.page.locator(".terminal-tabs-entry, .single-terminal-tab, .terminal-tab", { hasText: "Claude Code (Kiro)" }).first();
  await tab.waitFor({ state: "visible", timeout: 30_000 }).catch(async () => {
    await workbench.screenshot("claude-code-terminal-missing");
    throw new Error(`no "Claude Code (Kiro)" terminal appeared; notifications: ${(await workbench.notifications()).join(" | ") || "(none)"}`);
  });
  // Claude Code's header names the model the launcher chose (kiro.agents.model, claude-sonnet-4-6) once its TUI is up.
  await workbench.waitForTerminalText(/Sonnet 4\.6/, 60_000).catch(async (error: unknown) => {
    await workbench.screenshot("claude-code-not-started");
    throw error;
  });
  await workbench.page.locator(".terminal-wrapper.active .xterm-screen, .terminal-wrapper .xterm-screen").first().click();
  const rows = await workbench.askInTerminal("Hello Claude Code, this is the terminal UI test", /You said: Hello Claude Code, this is the terminal UI test/).catch(async (error: unknown) => {
    await workbench.screenshot("claude-code-answer-missing");
    throw error;
  });
  await workbench.screenshot("claude-code-terminal-kiro-answer");

  const sent = sim.generateRequests().slice(before);
  assert.ok(sent.length >= 1, "the question reached Kiro");
  assert.deepEqual(
    sent.map((request) => request.validationErrors).filter((errors) => errors.length > 0),
    [],
    "every request Claude Code made through the bridge was well formed for Kiro",
  );
  const modelIds = sent.map(
    (request) => (request.body as { conversationState?: { currentMessage?: { userInputMessage?: { modelId?: string } } } }).conversationState?.currentMessage?.userInputMessage?.modelId,
  );
  assert.ok(modelIds.includes("claude-sonnet-4.6"), `the question went to the launcher's model: ${modelIds.join(", ")}`);
  for (const request of sent) assert.equal(request.headers.authorization, `Bearer ${oidc.issuedAccessTokens.at(-1)}`, "with the window's own Kiro sign-in");
  // code-server's own requests go through the same proxy; the hosts Claude Code reaches on its own must not appear.
  assert.deepEqual(
    guard.attempts.filter((attempt) => /anthropic|claude|statsig|sentry|github/i.test(attempt)),
    [],
    "Claude Code tried to reach nothing but the bridge (no telemetry, update check, model catalog or plugin marketplace)",
  );
  const screen = rows.join("\n");
  assert.doesNotMatch(screen, /ANTHROPIC_AUTH_TOKEN=|KIRO_BRIDGE_TOKEN=/, "the terminal never prints the bridge token");
});
