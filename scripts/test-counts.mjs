// Reads pass/fail counts from test output: node's test runner (`# pass N` / `ℹ pass N`) and plain `[name: ]N passed, N failed` lines.

/** Sums node test runner summaries in `output` (a run may print several); undefined when there is none. */
export function countsFromTestRunner(output) {
  let passed = 0;
  let failed = 0;
  let found = false;
  for (const match of output.matchAll(/^(?:#|ℹ) (pass|fail) (\d+)\s*$/gm)) {
    found = true;
    if (match[1] === "pass") passed += Number(match[2]);
    else failed += Number(match[2]);
  }
  return found ? { passed, failed } : undefined;
}

/** The last `N passed, N failed` line (optionally `word: ` before it, `, N skipped` after it); undefined when there is none. */
export function countsFromPlainLine(output) {
  let last;
  for (const match of output.matchAll(/^(?:[\w-]+: )?(\d+) passed, (\d+) failed(?:, \d+ skipped)?\s*$/gm)) {
    last = { passed: Number(match[1]), failed: Number(match[2]) };
  }
  return last;
}
