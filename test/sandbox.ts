// A throwaway HOME and working folder for the real CLIs the tests run (pi, Claude Code, Codex, opencode), holding the given files; test/pi/piHarness.ts and test/agents/claudeCodeHarness.ts build theirs on it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface TestSandbox {
  home: string;
  workDir: string;
  /** Removes the HOME, the working folder and all they hold. */
  dispose(): void;
}

/** Makes `<tmp>/<prefix>XXXXXX/{home,work}` and writes `files` (paths relative to the working folder). */
export function createTestSandbox(prefix: string, files: Record<string, string> = {}): TestSandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const home = join(root, "home");
  const workDir = join(root, "work");
  mkdirSync(home, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(workDir, name)), { recursive: true });
    writeFileSync(join(workDir, name), content);
  }
  return { home, workDir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
