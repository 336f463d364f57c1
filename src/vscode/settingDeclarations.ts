// The editor's own kiro.* settings declared once (the core ones are in src/kiro/settings.ts), without importing vscode so unit tests can hold package.json and the README to them.
import { declareSetting, KIRO_SETTINGS, matching, text, type SettingDeclaration } from "../kiro/settings";

/**
 * The settings only the editor has (sign-in defaults, the terminals' programs and models). Programs and models are
 * checked where they are used (src/vscode/terminal/), which says what is wrong in its own message.
 */
export const EDITOR_SETTINGS = {
  "auth.startUrl": declareSetting({ key: "auth.startUrl", type: "string", scope: "user", default: "", check: matching(/^https:\/\//, "an https:// start URL") }),
  "auth.region": declareSetting({ key: "auth.region", type: "string", scope: "user", default: "", check: matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1") }),
  "pi.command": declareSetting({ key: "pi.command", type: "string", scope: "user", default: "pi", check: text }),
  // Models go into a command line (pi's `--model`, Codex's `-c model=`), so they are user-only like the programs.
  "pi.model": declareSetting({ key: "pi.model", type: "string", scope: "user", default: "claude-sonnet-4-5", check: text }),
  "agents.claudeCode.command": declareSetting({ key: "agents.claudeCode.command", type: "string", scope: "user", default: "claude", check: text }),
  "agents.codex.command": declareSetting({ key: "agents.codex.command", type: "string", scope: "user", default: "codex", check: text }),
  "agents.opencode.command": declareSetting({ key: "agents.opencode.command", type: "string", scope: "user", default: "opencode", check: text }),
  "agents.model": declareSetting({ key: "agents.model", type: "string", scope: "user", default: "claude-sonnet-4-6", check: text }),
  "agents.backgroundModel": declareSetting({ key: "agents.backgroundModel", type: "string", scope: "user", default: "claude-haiku-4-5", check: text }),
} as const;

/** Every kiro.* setting the manifest contributes, each once (test/unit/settingRegistry.test.ts holds package.json and the README to it). */
export const ALL_SETTINGS: readonly SettingDeclaration[] = [...Object.values(KIRO_SETTINGS), ...Object.values(EDITOR_SETTINGS)];
