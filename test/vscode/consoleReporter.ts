// A mocha reporter that writes one console line per test and a final summary, because only the extension host's console reaches the runner (through the page console).
import Mocha from "mocha";

/** The summary line starts with this; scripts/run-vscode-tests.mjs looks for it. */
export const SUMMARY_PREFIX = "kiro-vscode-suite:";
/** Every line the reporter writes starts with this, so the runner can tell test output from the workbench's own console noise. */
export const LINE_PREFIX = "[kiro-test]";

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

function emit(line: string): void {
  for (const part of line.split("\n")) console.log(`${LINE_PREFIX} ${part}`);
}

export class ConsoleReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      passed++;
      emit(`ok ${test.fullTitle()} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      skipped++;
      emit(`skip ${test.fullTitle()}`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, error: Error) => {
      failed++;
      emit(`FAIL ${test.fullTitle()}`);
      emit(`  ${error?.stack ?? String(error)}`);
    });
    runner.once(EVENT_RUN_END, () => {
      emit(`${SUMMARY_PREFIX} ${passed} passed, ${failed} failed, ${skipped} skipped`);
    });
  }
}
