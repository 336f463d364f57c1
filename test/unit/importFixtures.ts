// What the import tests share: temporary homes with kiro-cli's SQLite database and the Kiro IDE's JSON file written for real, and the AuthError an import that must fail rejects with.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDeviceFlow } from "../../src/auth/deviceFlow";
import { AuthError } from "../../src/auth/errors";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import type { OidcSimulator } from "../sim/oidcSimulator";

export const FUTURE = "2099-01-01T00:00:00Z";
export const PAST = "2020-01-01T00:00:00Z";

export interface Home {
  home: string;
  cliDb: string;
  ideToken: string;
}


/** A temporary home folder, removed after the test, with where kiro-cli and the Kiro IDE keep their sign-ins in it. */
export async function tempHome(t: { after(fn: () => Promise<void>): void }): Promise<Home> {
  const home = await mkdtemp(join(tmpdir(), "kiro-pi-import-"));
  t.after(() => rm(home, { recursive: true, force: true }));
  return { home, cliDb: join(home, ".local", "share", "kiro-cli", "data.sqlite3"), ideToken: join(home, ".aws", "sso", "cache", "kiro-auth-token.json") };
}

export const location = (h: Home) => ({ home: h.home, env: {}, platform: "linux" as const });

/** Writes a real SQLite file with kiro-cli's tables; values are JSON-encoded unless they are strings already. */
export async function writeCliDatabase(path: string, authKv: Record<string, unknown>, state: Record<string, unknown> = {}, withTables = true): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE migrations (id INTEGER PRIMARY KEY, version INTEGER)");
  if (withTables) {
    db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
    db.run("CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB)");
    for (const [key, value] of Object.entries(authKv)) db.run("INSERT INTO auth_kv VALUES (?, ?)", [key, typeof value === "string" ? value : JSON.stringify(value)]);
    for (const [key, value] of Object.entries(state)) db.run("INSERT INTO state VALUES (?, ?)", [key, new TextEncoder().encode(JSON.stringify(value))]);
  }
  const bytes = db.export();
  db.close();
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, bytes);
}

export function cliToken(access: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { access_token: access, refresh_token: `${access}-refresh`, expires_at: FUTURE, region: "us-east-1", start_url: "https://view.awsapps.com/start", oauth_flow: "DeviceCode", scopes: ["codewhisperer:completions", "codewhisperer:conversations"], ...extra };
}

export async function fingerprint(path: string): Promise<{ bytes: string; mtimeMs: number; size: number }> {
  const info = await stat(path);
  return { bytes: (await readFile(path)).toString("base64"), mtimeMs: info.mtimeMs, size: info.size };
}

/** A registration and refresh token the OIDC simulator knows, as kiro-cli would have them after its own sign-in. */
export async function cliSignInAgainst(sim: OidcSimulator): Promise<{ refreshToken: string; clientId: string; clientSecret: string }> {
  void sim.waitForPolls(sim.polls.length + 1).then(() => sim.approve());
  const flow = await runDeviceFlow({ oidcEndpoint: sim.url, pollIntervalUnitMs: 5, onUserCode: () => {} });
  return { refreshToken: flow.refreshToken!, clientId: flow.registration.clientId, clientSecret: flow.registration.clientSecret };
}

export async function writeIdeToken(h: Home, value: unknown, registration?: { hash: string; value: unknown }): Promise<void> {
  await mkdir(join(h.ideToken, ".."), { recursive: true });
  await writeFile(h.ideToken, typeof value === "string" ? value : JSON.stringify(value));
  if (registration) await writeFile(join(h.ideToken, "..", `${registration.hash}.json`), JSON.stringify(registration.value));
}


/** The AuthError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => assert.fail("expected the import to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  return error;
}
