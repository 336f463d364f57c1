// Importing kiro-cli's SQLite database and the Kiro IDE's JSON cache: every shape, every failure, renewal on import, and the source files left untouched.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { runDeviceFlow } from "../../src/auth/deviceFlow";
import { AuthError } from "../../src/auth/errors";
import { importKiroCliSession, importKiroIdeSession } from "../../src/auth/import/credentialImport";
import { kiroCliDatabasePaths } from "../../src/auth/import/importSources";
import { readKiroCliSession } from "../../src/auth/import/kiroCliDatabase";
import { readKiroIdeSession } from "../../src/auth/import/kiroIdeCache";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import { applyWriteAheadLog } from "../../src/auth/import/writeAheadLog";
import { startKiroAuthSimulator } from "../sim/kiroAuthSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";

const FUTURE = "2099-01-01T00:00:00Z";
const PAST = "2020-01-01T00:00:00Z";
const PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/IMPORTTEST";

/**
 * A kiro-cli database written by real SQLite (Python's sqlite3) in WAL mode while the writer was still
 * open: the main file holds "wal-fixture-access-checkpointed", the log holds the newer "wal-fixture-access-in-wal".
 */
const WAL_FIXTURE = { db: "H4sIAAAAAAACA+3Yz0vDMBQH8LQTUUHqRXbYJfSksG6rntaTU3bbwR87CVJil7nQztYkXTfEg/jX+a/4F3g07QqCCp7F74eEJu+9hEJPr1cXI6E5naZyzjQ9JnvEtskJpYQQ28wG+WSZufFl/xubdCJr13kntlMQp3BeCQAAAAAAAMD/cW5tNlsta6XZbcJZrmdhvKgf9tnlcDAe0vHgdDSkdfAg5iuq+VLTTIo5kytqAm26YEnOq/ihZ282By2LiPsJX6qHxHT1oTmcVvuwvib060XZ12+VL7JbNvIOJQ7FRwEAAAAAAID/6/nG2vBfWrGQaZSIIJ2IKNBpzO8fXRZFXKmw2rkBdQuWeFOx1Lnk3jrnRTMexZnpwTWfuG3qSj6VXM1+PlMnyzq+zIRZh0yXRUe9ft/r+WaMe72gGtfr2+5EWl2TK48zpT2/DCvNpA5zmZSZmdaZCrrdheBFhxWKZZnqROm8W1W5TztV//9GzAAAAAAAAACAP2+/4W9//43xAeKpVgUAMAAA", wal: "H4sIAAAAAAACAzOvZ2ti0H0kwcAgwAAEjEfVQybc/fC+Ns1a68Zcoc9RQDEmIGaGieedfbyxWtywhxekmF+NAYhGwSgYBaNgFIyCUTAKRsEoGAWjYBSMgpEMHjAwNIYzshg282dnFuUn52Ra5adkJluV5Gen5lUrJSYnpxYXx4N5SlYKSuWJObppmRUlpUWpuhA53cw8XaCoko6CUlFqWlFqcQZ21VBJkLrUioJMIDs+sQSkyMjA0lLXwBCIQgwMrMAoCmJaemY+2JjSYt3UxOISXUOQcHFJYlFJfGlRDkgmo6SkoNhKX78sM7VcL7G8OLGgoFgvOT9XH6xKqRYA+tiJOzgQAAA=" };

interface Home {
  home: string;
  cliDb: string;
  ideToken: string;
}

async function tempHome(t: { after(fn: () => Promise<void>): void }): Promise<Home> {
  const home = await mkdtemp(join(tmpdir(), "kiro-pi-import-"));
  t.after(() => rm(home, { recursive: true, force: true }));
  return { home, cliDb: join(home, ".local", "share", "kiro-cli", "data.sqlite3"), ideToken: join(home, ".aws", "sso", "cache", "kiro-auth-token.json") };
}

const location = (h: Home) => ({ home: h.home, env: {}, platform: "linux" as const });

/** Writes a real SQLite file with kiro-cli's tables; values are JSON-encoded unless they are strings already. */
async function writeCliDatabase(path: string, authKv: Record<string, unknown>, state: Record<string, unknown> = {}, withTables = true): Promise<void> {
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

function cliToken(access: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { access_token: access, refresh_token: `${access}-refresh`, expires_at: FUTURE, region: "us-east-1", start_url: "https://view.awsapps.com/start", oauth_flow: "DeviceCode", scopes: ["codewhisperer:completions", "codewhisperer:conversations"], ...extra };
}

async function fingerprint(path: string): Promise<{ bytes: string; mtimeMs: number; size: number }> {
  const info = await stat(path);
  return { bytes: (await readFile(path)).toString("base64"), mtimeMs: info.mtimeMs, size: info.size };
}

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => assert.fail("expected the import to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  return error;
}

function assertNoSecrets(error: AuthError, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!error.message.includes(secret), `the message "${error.message}" contains a secret`);
}

/** A registration and refresh token the OIDC simulator knows, as kiro-cli would have them after its own sign-in. */
async function cliSignInAgainst(sim: OidcSimulator): Promise<{ refreshToken: string; clientId: string; clientSecret: string }> {
  void sim.waitForPolls(sim.polls.length + 1).then(() => sim.approve());
  const flow = await runDeviceFlow({ oidcEndpoint: sim.url, pollIntervalUnitMs: 5, onUserCode: () => {} });
  return { refreshToken: flow.refreshToken!, clientId: flow.registration.clientId, clientSecret: flow.registration.clientSecret };
}

test("kiro-cli paths: Linux, macOS, Windows, the Amazon Q CLI folder and KIROCLI_DB_PATH", () => {
  assert.deepEqual(kiroCliDatabasePaths({ home: "/home/u", env: {}, platform: "linux" }), ["/home/u/.local/share/kiro-cli/data.sqlite3", "/home/u/.local/share/amazon-q/data.sqlite3"]);
  assert.deepEqual(kiroCliDatabasePaths({ home: "/Users/u", env: {}, platform: "darwin" }), ["/Users/u/Library/Application Support/kiro-cli/data.sqlite3", "/Users/u/Library/Application Support/amazon-q/data.sqlite3"]);
  assert.ok(kiroCliDatabasePaths({ home: "C:\\Users\\u", env: { APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, platform: "win32" })[0]!.includes("kiro-cli"));
  assert.deepEqual(kiroCliDatabasePaths({ home: "/h", env: { KIROCLI_DB_PATH: "/custom/db.sqlite3" }, platform: "linux" }), ["/custom/db.sqlite3"]);
});

test("a kiro-cli Builder ID sign-in imports with its registration and profile, and the database is left untouched", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(
    h.cliDb,
    {
      "kirocli:odic:token": cliToken("cli-access-1"),
      "kirocli:odic:device-registration": { client_id: "cli-client", client_secret: "cli-client-secret", client_secret_expires_at: "2098-06-01T00:00:00Z", region: "us-east-1", oauth_flow: "DeviceCode", scopes: ["codewhisperer:completions"] },
    },
    { "api.codewhisperer.profile": { arn: PROFILE_ARN, profile_name: "Test" } },
  );
  const before = await fingerprint(h.cliDb);
  const { session, sourcePath } = await importKiroCliSession({ location: location(h) });
  assert.equal(sourcePath, h.cliDb);
  assert.equal(session.method, "builder-id");
  assert.equal(session.source, "kiro-cli");
  assert.equal(session.accessToken, "cli-access-1");
  assert.equal(session.refreshToken, "cli-access-1-refresh");
  assert.equal(session.expiresAt, Date.parse(FUTURE));
  assert.equal(session.startUrl, "https://view.awsapps.com/start");
  assert.equal(session.account, "AWS Builder ID");
  assert.equal(session.profileArn, PROFILE_ARN);
  assert.deepEqual(session.registration, { clientId: "cli-client", clientSecret: "cli-client-secret", expiresAt: Date.parse("2098-06-01T00:00:00Z"), region: "us-east-1", scopes: ["codewhisperer:completions"] });
  assert.deepEqual(await fingerprint(h.cliDb), before, "bytes and mtime of kiro-cli's database are unchanged");
});

test("an Identity Center sign-in in kiro-cli imports as identity-center with the directory as label", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("idc-access", { start_url: "https://my-org.awsapps.com/start", region: "eu-central-1" }) });
  const { session } = await readKiroCliSession({ location: location(h) });
  assert.equal(session.method, "identity-center");
  assert.equal(session.region, "eu-central-1");
  assert.equal(session.account, "IAM Identity Center (my-org)");
});

test("a kiro-cli social sign-in imports as social with its profile ARN", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, { "kirocli:social:token": { access_token: "social-access", refresh_token: "social-refresh", expires_at: FUTURE, profile_arn: PROFILE_ARN, provider: "Github" } });
  const { session } = await readKiroCliSession({ location: location(h) });
  assert.equal(session.method, "social");
  assert.equal(session.profileArn, PROFILE_ARN);
  assert.equal(session.account, "Kiro (Github)");
  assert.equal(session.registration, undefined);
});

test("the older Amazon Q CLI keys (codewhisperer:odic:*) in the amazon-q folder are found too", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(join(h.home, ".local", "share", "amazon-q", "data.sqlite3"), {
    "codewhisperer:odic:token": cliToken("q-access"),
    "codewhisperer:odic:device-registration": { client_id: "q-client", client_secret: "q-secret", client_secret_expires_at: 4070908800 },
  });
  const { session } = await readKiroCliSession({ location: location(h) });
  assert.equal(session.accessToken, "q-access");
  assert.equal(session.registration?.clientId, "q-client");
  assert.equal(session.registration?.expiresAt, 4070908800 * 1000, "epoch seconds are understood as well as RFC 3339");
});

test("when several sign-ins are stored, the one that expires last wins", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {
    "kirocli:odic:token": cliToken("older", { expires_at: "2090-01-01T00:00:00Z" }),
    "kirocli:social:token": { access_token: "newer", refresh_token: "r", expires_at: FUTURE },
  });
  assert.equal((await readKiroCliSession({ location: location(h) })).session.accessToken, "newer");
});

test("KIROCLI_DB_PATH points the import at another database", async (t) => {
  const h = await tempHome(t);
  const custom = join(h.home, "elsewhere.sqlite3");
  await writeCliDatabase(custom, { "kirocli:odic:token": cliToken("custom-access") });
  const { session, sourcePath } = await readKiroCliSession({ location: { home: h.home, env: { KIROCLI_DB_PATH: custom }, platform: "linux" } });
  assert.equal(sourcePath, custom);
  assert.equal(session.accessToken, "custom-access");
});

test("an expired kiro-cli token is renewed on import with its refresh token; kiro-cli's file keeps the old one", async (t) => {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  const cli = await cliSignInAgainst(sim);
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {
    "kirocli:odic:token": cliToken("expired-access", { expires_at: PAST, refresh_token: cli.refreshToken }),
    "kirocli:odic:device-registration": { client_id: cli.clientId, client_secret: cli.clientSecret, client_secret_expires_at: FUTURE },
  });
  const before = await fingerprint(h.cliDb);
  const { session } = await importKiroCliSession({ location: location(h), oidcEndpoint: sim.url });
  assert.ok(sim.isValidAccessToken(session.accessToken), "the imported access token is a fresh one from the service");
  assert.ok(session.expiresAt > Date.now());
  assert.equal(sim.refreshCount, 1);
  assert.deepEqual(await fingerprint(h.cliDb), before);
});

test("an expired kiro-cli token whose refresh token was revoked fails as import-expired", async (t) => {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  const cli = await cliSignInAgainst(sim);
  sim.revokeRefreshTokens();
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {
    "kirocli:odic:token": cliToken("expired-access", { expires_at: PAST, refresh_token: cli.refreshToken }),
    "kirocli:odic:device-registration": { client_id: cli.clientId, client_secret: cli.clientSecret, client_secret_expires_at: FUTURE },
  });
  const error = await failure(importKiroCliSession({ location: location(h), oidcEndpoint: sim.url }));
  assert.equal(error.code, "import-expired");
  assert.match(error.message, /has expired and the sign-in service refused to renew it.*kiro-cli login/);
  assertNoSecrets(error, ["expired-access", cli.refreshToken, cli.clientSecret]);
});

test("an expired kiro-cli token without a refresh token fails as import-expired", async (t) => {
  const h = await tempHome(t);
  const token = cliToken("stale-access", { expires_at: PAST });
  delete token.refresh_token;
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": token });
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-expired");
  assert.match(error.message, /expired and cannot be renewed\. Sign in again with `kiro-cli login`/);
  assertNoSecrets(error, ["stale-access"]);
});

test("no kiro-cli database is import-missing, naming the path and what to do", async (t) => {
  const h = await tempHome(t);
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-missing");
  assert.ok(error.message.includes(h.cliDb));
  assert.match(error.message, /kiro-cli login/);
});

test("a file that is not a database is import-corrupt", async (t) => {
  const h = await tempHome(t);
  await mkdir(join(h.cliDb, ".."), { recursive: true });
  await writeFile(h.cliDb, "this is not a database, just text that is long enough to look like a header ".repeat(20));
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-corrupt");
  assert.match(error.message, /not a readable SQLite database/);
});

test("a database without kiro-cli's tables, or without any sign-in key, is import-no-credentials", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {}, {}, false);
  assert.equal((await failure(importKiroCliSession({ location: location(h) }))).code, "import-no-credentials");
  await writeCliDatabase(h.cliDb, { "some:other:key": { a: 1 } });
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-no-credentials");
  assert.match(error.message, /kirocli:odic:token/);
});

test("a sign-in value that is not JSON, or has no access_token, is import-corrupt", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": "{\"access_token\": \"half-written-secret" });
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-corrupt");
  assertNoSecrets(error, ["half-written-secret"]);
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": { refresh_token: "r", expires_at: FUTURE } });
  assert.equal((await failure(importKiroCliSession({ location: location(h) }))).code, "import-corrupt");
});

test("a database that cannot be read (here: a directory in its place) is import-unreadable", async (t) => {
  const h = await tempHome(t);
  await mkdir(h.cliDb, { recursive: true });
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-unreadable");
  assert.match(error.message, /Could not read .*EISDIR.*close kiro-cli/);
});

test("while kiro-cli runs, its newest token is in the write-ahead log, and that is the one imported", async (t) => {
  const h = await tempHome(t);
  await mkdir(join(h.cliDb, ".."), { recursive: true });
  await writeFile(h.cliDb, gunzipSync(Buffer.from(WAL_FIXTURE.db, "base64")));
  const wal = gunzipSync(Buffer.from(WAL_FIXTURE.wal, "base64"));
  await writeFile(`${h.cliDb}-wal`, wal);
  const before = await fingerprint(`${h.cliDb}-wal`);
  assert.equal((await readKiroCliSession({ location: location(h) })).session.accessToken, "wal-fixture-access-in-wal");
  assert.deepEqual(await fingerprint(`${h.cliDb}-wal`), before);

  // A log torn in the middle of its only commit is ignored, as SQLite itself would.
  await writeFile(`${h.cliDb}-wal`, wal.subarray(0, wal.length - 100));
  assert.equal((await readKiroCliSession({ location: location(h) })).session.accessToken, "wal-fixture-access-checkpointed");
  // A log with a damaged frame checksum is ignored from that frame on.
  const damaged = Buffer.from(wal);
  damaged[32 + 24 + 50] = damaged[32 + 24 + 50]! ^ 0xff;
  await writeFile(`${h.cliDb}-wal`, damaged);
  assert.equal((await readKiroCliSession({ location: location(h) })).session.accessToken, "wal-fixture-access-checkpointed");
  await rm(`${h.cliDb}-wal`);
  assert.equal((await readKiroCliSession({ location: location(h) })).session.accessToken, "wal-fixture-access-checkpointed");
});

test("applying a log never changes the buffers it was given", () => {
  const db = gunzipSync(Buffer.from(WAL_FIXTURE.db, "base64"));
  const wal = gunzipSync(Buffer.from(WAL_FIXTURE.wal, "base64"));
  const dbCopy = Buffer.from(db);
  const walCopy = Buffer.from(wal);
  const applied = applyWriteAheadLog(db, wal);
  assert.notDeepEqual(Buffer.from(applied), db);
  assert.deepEqual(db, dbCopy);
  assert.deepEqual(wal, walCopy);
  assert.equal(applyWriteAheadLog(db, new Uint8Array(10)), db, "too short to be a log");
});

async function writeIdeToken(h: Home, value: unknown, registration?: { hash: string; value: unknown }): Promise<void> {
  await mkdir(join(h.ideToken, ".."), { recursive: true });
  await writeFile(h.ideToken, typeof value === "string" ? value : JSON.stringify(value));
  if (registration) await writeFile(join(h.ideToken, "..", `${registration.hash}.json`), JSON.stringify(registration.value));
}

test("a Kiro IDE social sign-in imports from ~/.aws/sso/cache, leaving the file untouched", async (t) => {
  const h = await tempHome(t);
  await writeIdeToken(h, { accessToken: "ide-access", refreshToken: "ide-refresh", expiresAt: FUTURE, authMethod: "social", provider: "Google", profileArn: PROFILE_ARN, region: "us-east-1" });
  const before = await fingerprint(h.ideToken);
  const { session, sourcePath } = await importKiroIdeSession({ location: location(h) });
  assert.equal(sourcePath, h.ideToken);
  assert.equal(session.method, "social");
  assert.equal(session.source, "kiro-ide");
  assert.equal(session.provider, "Google");
  assert.equal(session.profileArn, PROFILE_ARN);
  assert.equal(session.account, "Kiro (Google)");
  assert.equal(session.expiresAt, Date.parse(FUTURE));
  assert.deepEqual(await fingerprint(h.ideToken), before);
});

test("a Kiro IDE Identity Center sign-in picks up its client registration through clientIdHash", async (t) => {
  const h = await tempHome(t);
  await writeIdeToken(
    h,
    { accessToken: "ide-idc-access", refreshToken: "ide-idc-refresh", expiresAt: FUTURE, authMethod: "IdC", provider: "Enterprise", region: "eu-west-1", startUrl: "https://corp.awsapps.com/start", clientIdHash: "abc123def" },
    { hash: "abc123def", value: { clientId: "ide-client", clientSecret: "ide-secret", expiresAt: "2098-01-01T00:00:00Z" } },
  );
  const { session } = await readKiroIdeSession({ location: location(h) });
  assert.equal(session.method, "identity-center");
  assert.equal(session.startUrl, "https://corp.awsapps.com/start");
  assert.equal(session.region, "eu-west-1");
  assert.deepEqual(session.registration, { clientId: "ide-client", clientSecret: "ide-secret", expiresAt: Date.parse("2098-01-01T00:00:00Z"), region: "eu-west-1", scopes: session.scopes });
});

test("an expired Kiro IDE social token is renewed at the Kiro auth service on import", async (t) => {
  const social = await startKiroAuthSimulator();
  t.after(() => social.close());
  social.addRefreshToken("ide-social-refresh");
  const h = await tempHome(t);
  await writeIdeToken(h, { accessToken: "ide-expired", refreshToken: "ide-social-refresh", expiresAt: PAST, authMethod: "social", provider: "Github" });
  const before = await fingerprint(h.ideToken);
  const { session } = await importKiroIdeSession({ location: location(h), socialAuthEndpoint: social.url });
  assert.ok(social.isValidAccessToken(session.accessToken));
  assert.deepEqual(await fingerprint(h.ideToken), before);

  social.revokeRefreshTokens();
  const error = await failure(importKiroIdeSession({ location: location(h), socialAuthEndpoint: social.url }));
  assert.equal(error.code, "import-expired");
  assertNoSecrets(error, ["ide-expired", "ide-social-refresh"]);
});

test("Kiro IDE failures: missing file, broken JSON, no access token", async (t) => {
  const h = await tempHome(t);
  const missing = await failure(importKiroIdeSession({ location: location(h) }));
  assert.equal(missing.code, "import-missing");
  assert.ok(missing.message.includes(h.ideToken));
  await writeIdeToken(h, '{"accessToken":"cut-off-secret');
  const corrupt = await failure(importKiroIdeSession({ location: location(h) }));
  assert.equal(corrupt.code, "import-corrupt");
  assertNoSecrets(corrupt, ["cut-off-secret"]);
  await writeIdeToken(h, { refreshToken: "x", expiresAt: FUTURE });
  assert.equal((await failure(importKiroIdeSession({ location: location(h) }))).code, "import-no-credentials");
});
