// The extensionTestsPath module VS Code loads in the extension host: runs every out/test/vscode/suite/*.test.js with mocha and reports through the console, which reaches the runner.
import * as path from "node:path";
import * as fs from "node:fs";
import Mocha from "mocha";
import { ConsoleReporter, SUMMARY_PREFIX } from "./consoleReporter";

export { SUMMARY_PREFIX };

/** Called by the workbench once the extension under development is loaded; resolving means every test passed. */
export async function run(): Promise<void> {
  const suiteDir = path.join(__dirname, "suite");
  const grep = process.env.KIRO_TEST_GREP;
  const mocha = new Mocha({
    ui: "bdd",
    color: false,
    timeout: Number(process.env.KIRO_TEST_TIMEOUT_MS ?? 30_000),
    reporter: ConsoleReporter,
    ...(grep ? { grep } : {}),
  });
  // Both interfaces, so a suite can be written with describe/it or suite/test.
  Mocha.interfaces.tdd(mocha.suite);
  const only = process.env.KIRO_TEST_FILE;
  const files = fs
    .readdirSync(suiteDir)
    .filter((name) => name.endsWith(".test.js"))
    .filter((name) => !only || name.startsWith(only))
    .sort();
  if (files.length === 0) throw new Error(`no test files in ${suiteDir}${only ? ` matching ${only}` : ""}`);
  for (const name of files) mocha.addFile(path.join(suiteDir, name));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
