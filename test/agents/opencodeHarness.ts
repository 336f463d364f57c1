// Runs the real opencode CLI (installed by scripts/install-agents.mjs) against the bridge's Chat Completions route, configured as a Kiro terminal would be: the provider config of src/bridge/opencodeConfig.ts in OPENCODE_CONFIG_CONTENT, the token in an environment variable, a throwaway HOME.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { opencodeConfig, type OpencodeConfigInput } from "../../src/bridge/opencodeConfig";
import { PROJECT_ROOT, runAgentProgram, type AgentRunResult, type AgentSandbox, type AgentWindow } from "./claudeCodeHarness";
import type { OfflineGuard } from "./codexHarness";

/** The `opencode` program: the runner passes it (scripts/run-agent-tests.mjs), else where the installer puts it. */
export function opencodeCommand(): string {
  const command = process.env.KIRO_TEST_OPENCODE ?? join(PROJECT_ROOT, ".cache", "agents", "opencode", "node_modules", ".bin", "opencode");
  if (!existsSync(command)) throw new Error(`opencode is not installed at ${command}; run \`node scripts/install-agents.mjs\`.`);
  return command;
}

/** The environment variable the config tells opencode to read the bridge token from (`{env:…}`). */
export const OPENCODE_TOKEN_ENV = "KIRO_BRIDGE_TOKEN";

/**
 * What keeps opencode 1.18 on the machine (each one seen reaching out without it, through the refusing proxy):
 * - OPENCODE_DISABLE_MODELS_FETCH: the models.dev catalog (CONNECT models.opencode.ai); the config lists the models.
 * - npm_config_offline: at every start opencode npm-installs @opencode-ai/plugin (with its @opentui peers) into its
 *   config folder for local plugins (CONNECT registry.npmjs.org). Offline, the install fails in the background with a
 *   warning and the run goes on; no plugin is needed to answer.
 * - the rest (update check, default plugins, sharing, LSP downloads) are off so that no later version starts reaching.
 */
export const OPENCODE_OFFLINE_ENV: Readonly<Record<string, string>> = {
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
  OPENCODE_DISABLE_SHARE: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  npm_config_offline: "true",
};

/** The window's catalog as the launcher would pass it (the simulator's models, as the window's client lists them). */
export function windowModels(window: AgentWindow): OpencodeConfigInput["models"] {
  return window.sim.models.map((model) => ({
    id: model.modelId,
    name: model.modelName,
    contextWindow: model.tokenLimits.maxInputTokens,
    maxTokens: model.tokenLimits.maxOutputTokens,
    reasoning: model.additionalModelRequestFieldsSchema !== undefined,
    input: (model.supportedInputTypes ?? []).includes("IMAGE") ? ["text", "image"] : ["text"],
  }));
}

/** Runs `opencode run ...args` in the sandbox's work folder; nothing of the caller's environment but PATH. */
export function runOpencode(window: AgentWindow, sandbox: AgentSandbox, guard: OfflineGuard, model: string, args: readonly string[], o: { timeoutMs?: number } = {}): Promise<AgentRunResult> {
  const config = opencodeConfig({ bridgeUrl: window.bridge.url!, tokenEnv: OPENCODE_TOKEN_ENV, models: windowModels(window), model });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: sandbox.home,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
    [OPENCODE_TOKEN_ENV]: window.bridge.token,
    ...OPENCODE_OFFLINE_ENV,
    ...guard.env,
  };
  return runAgentProgram(opencodeCommand(), ["run", ...args], { cwd: sandbox.workDir, env, timeoutMs: o.timeoutMs, stdin: "" });
}
