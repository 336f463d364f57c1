// pi's stored sign-in (direct mode): bounded in time so pi always starts, external identity provider sign-ins say they need TokenType EXTERNAL_IDP.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants as fsConstants, openSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import { signInSource, type SignInSource } from "../../src/auth/import/signInSources";
import { createStoredSignInFinder } from "../../src/pi/storedSignIn";

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kiro-pi-stored-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function cliDatabase(path: string, key: string, token: Record<string, unknown>): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
  db.run("INSERT INTO auth_kv VALUES (?, ?)", [key, JSON.stringify(token)]);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, db.export());
  db.close();
}

test("a stored sign-in that never finishes reading is given up after the time limit, once, and the reason is kept for the no-token message", async () => {
  let reads = 0;
  const never = new Promise<never>(() => {});
  const hanging: SignInSource = { id: "kiro-cli", label: "kiro-cli", loginHint: "run `kiro-cli login`", renewHint: "start kiro-cli once", paths: () => [], read: () => never, import: () => (reads++, never), reread: () => never };
  const find = createStoredSignInFinder({}, { sources: [hanging], timeLimitMs: 150 });
  const started = Date.now();
  assert.equal(await find(), undefined);
  assert.equal(await find(), undefined);
  assert.ok(Date.now() - started < 1500, `both lookups ended within their limits (${Date.now() - started} ms)`);
  assert.equal(reads, 1, "the second lookup waited for the first read instead of starting another");
  assert.match(find.problem() ?? "", /Reading the stored Kiro sign-ins \(kiro-cli\) took longer than 0 s, so pi went on without them\./);
});

test("kiro-cli's database being a named pipe does not hold pi: the lookup ends at once and says why", { skip: process.platform === "win32", timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  const fifo = join(dir, "data.sqlite3");
  execFileSync("mkfifo", [fifo]);
  t.after(async () => {
    try {
      closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    } catch {
      // nobody was reading the pipe
    }
  });
  const find = createStoredSignInFinder({ KIROCLI_DB_PATH: fifo }, { sources: [signInSource("kiro-cli")] });
  const started = Date.now();
  assert.equal(await find(), undefined);
  assert.ok(Date.now() - started < 2000);
  assert.match(find.problem() ?? "", /is a named pipe, not a regular file/);
});

test("a kiro-cli external identity provider sign-in found by pi carries tokenType EXTERNAL_IDP; other kinds carry none", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "data.sqlite3");
  const future = new Date(Date.now() + 3_600_000).toISOString();
  await cliDatabase(path, "kirocli:external-idp:token", { access_token: "ext-access", refresh_token: "ext-refresh", expires_at: future, token_endpoint: "https://idp.example.org/token", client_id: "c" });
  const external = await createStoredSignInFinder({ KIROCLI_DB_PATH: path }, { sources: [signInSource("kiro-cli")] })();
  assert.equal(external?.accessToken, "ext-access");
  assert.equal(external?.tokenType, "EXTERNAL_IDP");
  assert.equal(external?.source, "kiro-cli");

  await cliDatabase(path, "kirocli:social:token", { access_token: "social-access", refresh_token: "r", expires_at: future });
  const social = await createStoredSignInFinder({ KIROCLI_DB_PATH: path }, { sources: [signInSource("kiro-cli")] })();
  assert.equal(social?.accessToken, "social-access");
  assert.equal(social?.tokenType, undefined);
});
