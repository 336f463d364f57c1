// What the import tests share: the AuthError an import that must fail rejects with.
import assert from "node:assert/strict";
import { AuthError } from "../../src/auth/errors";

/** The AuthError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => assert.fail("expected the import to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  return error;
}
