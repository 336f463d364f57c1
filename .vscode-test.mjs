// `npm run test:electron`: the same extension-host suite (out/test/vscode/suite) on a desktop VS Code that @vscode/test-electron downloads; needs internet, so `npm test` never uses it.
import { defineConfig } from "@vscode/test-cli";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const userDataDir = join(root, ".vscode-test", "electron-user-data");
const workspaceDir = join(root, ".vscode-test", "electron-workspace");
mkdirSync(workspaceDir, { recursive: true });

export default defineConfig({
  label: "extension host (desktop)",
  files: "out/test/vscode/suite/**/*.test.js",
  version: "stable",
  extensionDevelopmentPath: root,
  workspaceFolder: workspaceDir,
  // Other installed extensions stay out of the way; an explicit profile lets tests find its logs, as in scripts/run-vscode-tests.mjs.
  launchArgs: ["--disable-extensions", `--user-data-dir=${userDataDir}`],
  env: { KIRO_TEST_USER_DATA_DIR: userDataDir },
  mocha: { ui: "tdd", timeout: 30_000, color: true },
});
