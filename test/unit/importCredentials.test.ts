// Importing kiro-cli's SQLite database and the Kiro IDE's JSON cache: every shape, every failure, an expired sign-in refused without spending its refresh token, and the source files left untouched.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants as fsConstants, openSync } from "node:fs";
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { AuthError } from "../../src/auth/errors";
import { IMPORT_LIMITS } from "../../src/auth/import/boundedRead";
import { readWithinTimeLimit, SIGN_IN_SOURCES, signInSource, type SignInSourceOptions } from "../../src/auth/import/signInSources";
import { kiroTokenType } from "../../src/auth/session";
import type { ImportOptions } from "../../src/auth/import/credentialImport";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import { applyWriteAheadLog } from "../../src/auth/import/writeAheadLog";
import { startKiroAuthSimulator } from "../sim/kiroAuthSimulator";
import { startOidcSimulator } from "../sim/oidcSimulator";
import { cliSignInAgainst, cliToken, failure, fingerprint, FUTURE, location, PAST, tempHome, writeCliDatabase, writeIdeToken } from "./importFixtures";

const kiroCli = signInSource("kiro-cli");
const kiroIde = signInSource("kiro-ide");
const importKiroCliSession = (options: SignInSourceOptions & ImportOptions) => kiroCli.import(options);
const readKiroCliSession = (options: SignInSourceOptions) => kiroCli.read(options);
const importKiroIdeSession = (options: SignInSourceOptions & ImportOptions) => kiroIde.import(options);
const readKiroIdeSession = (options: SignInSourceOptions) => kiroIde.read(options);

const PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/IMPORTTEST";

/**
 * A kiro-cli database written by real SQLite (Python's sqlite3) in WAL mode while the writer was still
 * open: the main file holds "wal-fixture-access-checkpointed", the log holds the newer "wal-fixture-access-in-wal".
 */
const WAL_FIXTURE = { db: "H4sIAAAAAAACA+3Yz0vDMBQH8LQTUUHqRXbYJfSksG6rntaTU3bbwR87CVJil7nQztYkXTfEg/jX+a/4F3g07QqCCp7F74eEJu+9hEJPr1cXI6E5naZyzjQ9JnvEtskJpYQQ28wG+WSZufFl/xubdCJr13kntlMQp3BeCQAAAAAAAMD/cW5tNlsta6XZbcJZrmdhvKgf9tnlcDAe0vHgdDSkdfAg5iuq+VLTTIo5kytqAm26YEnOq/ihZ282By2LiPsJX6qHxHT1oTmcVvuwvib060XZ12+VL7JbNvIOJQ7FRwEAAAAAAID/6/nG2vBfWrGQaZSIIJ2IKNBpzO8fXRZFXKmw2rkBdQuWeFOx1Lnk3jrnRTMexZnpwTWfuG3qSj6VXM1+PlMnyzq+zIRZh0yXRUe9ft/r+WaMe72gGtfr2+5EWl2TK48zpT2/DCvNpA5zmZSZmdaZCrrdheBFhxWKZZnqROm8W1W5TztV//9GzAAAAAAAAACAP2+/4W9//43xAeKpVgUAMAAA", wal: "H4sIAAAAAAACAzOvZ2ti0H0kwcAgwAAEjEfVQybc/fC+Ns1a68Zcoc9RQDEmIGaGieedfbyxWtywhxekmF+NAYhGwSgYBaNgFIyCUTAKRsEoGAWjYBSMgpEMHjAwNIYzshg282dnFuUn52Ra5adkJluV5Gen5lUrJSYnpxYXx4N5SlYKSuWJObppmRUlpUWpuhA53cw8XaCoko6CUlFqWlFqcQZ21VBJkLrUioJMIDs+sQSkyMjA0lLXwBCIQgwMrMAoCmJaemY+2JjSYt3UxOISXUOQcHFJYlFJfGlRDkgmo6SkoNhKX78sM7VcL7G8OLGgoFgvOT9XH6xKqRYA+tiJOzgQAAA=" };






function assertNoSecrets(error: AuthError, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!error.message.includes(secret), `the message "${error.message}" contains a secret`);
}


test("where kiro-cli lives: Linux, macOS, Windows, the Amazon Q CLI folder and KIROCLI_DB_PATH; the Kiro IDE: ~/.aws/sso/cache", () => {
  assert.deepEqual(kiroCli.paths({ home: "/home/u", env: {}, platform: "linux" }), ["/home/u/.local/share/kiro-cli/data.sqlite3", "/home/u/.local/share/amazon-q/data.sqlite3"]);
  assert.deepEqual(kiroCli.paths({ home: "/Users/u", env: {}, platform: "darwin" }), ["/Users/u/Library/Application Support/kiro-cli/data.sqlite3", "/Users/u/Library/Application Support/amazon-q/data.sqlite3"]);
  // Windows: the CLI's data directory is %LOCALAPPDATA% (dirs::data_local_dir); %APPDATA% is still looked at, after it.
  const windows = kiroCli.paths({ home: "C:\\Users\\u", env: { LOCALAPPDATA: "L:", APPDATA: "R:" }, platform: "win32" }).map((p) => p.replace(/\\/g, "/"));
  assert.deepEqual(windows, ["L:/kiro-cli/data.sqlite3", "L:/amazon-q/data.sqlite3", "R:/kiro-cli/data.sqlite3", "R:/amazon-q/data.sqlite3"]);
  const defaults = kiroCli.paths({ home: "/home/u", env: {}, platform: "win32" }).map((p) => p.replace(/\\/g, "/"));
  assert.equal(defaults[0], "/home/u/AppData/Local/kiro-cli/data.sqlite3", "without LOCALAPPDATA the usual folder under the home");
  assert.deepEqual(kiroCli.paths({ home: "/h", env: { KIROCLI_DB_PATH: "/custom/db.sqlite3" }, platform: "linux" }), ["/custom/db.sqlite3"]);
  assert.deepEqual(kiroIde.paths({ home: "/home/u", env: {}, platform: "linux" }), ["/home/u/.aws/sso/cache/kiro-auth-token.json"]);
});

test("a kiro-cli Builder ID sign-in reads with its registration and profile, and the database is left untouched", async (t) => {
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
  const { session, sourcePath } = await readKiroCliSession({ location: location(h) });
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

test("an expired kiro-cli token is not renewed on import: nothing reaches the OIDC token endpoint, and the error says to start kiro-cli once or sign in with kiro-pi", async (t) => {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  const cli = await cliSignInAgainst(sim);
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {
    "kirocli:odic:token": cliToken("expired-access", { expires_at: PAST, refresh_token: cli.refreshToken }),
    "kirocli:odic:device-registration": { client_id: cli.clientId, client_secret: cli.clientSecret, client_secret_expires_at: FUTURE },
  });
  const before = await fingerprint(h.cliDb);
  const error = await failure(importKiroCliSession({ location: location(h) }));
  assert.equal(error.code, "import-expired");
  assert.match(error.message, /The kiro-cli sign-in in .*data\.sqlite3 has expired\. Start kiro-cli once \(for example `kiro-cli chat`\) so it renews its sign-in, then try again; or sign in with kiro-pi itself \("Kiro: Sign In"\)\. kiro-pi does not renew kiro-cli's sign-in itself: that would sign kiro-cli out\./);
  assert.equal(sim.refreshCount, 0, "kiro-cli's refresh token was not spent");
  assert.deepEqual(await fingerprint(h.cliDb), before);
  assertNoSecrets(error, ["expired-access", cli.refreshToken, cli.clientSecret]);
});

test("an imported sign-in keeps neither the other tool's refresh token nor its client secret", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {
    "kirocli:odic:token": cliToken("cli-access"),
    "kirocli:odic:device-registration": { client_id: "cli-client", client_secret: "cli-secret", client_secret_expires_at: FUTURE },
  });
  const { session } = await importKiroCliSession({ location: location(h) });
  assert.equal(session.accessToken, "cli-access");
  assert.equal(session.refreshToken, undefined);
  assert.equal(session.registration, undefined);
  assert.ok(!JSON.stringify(session).includes("cli-secret"));
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
  assert.match(error.message, /is a directory, not a regular file/);
  assert.ok(error.message.includes(h.cliDb));
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

test("an expired Kiro IDE social token is not renewed at the Kiro auth service on import: the IDE keeps its sign-in", async (t) => {
  const social = await startKiroAuthSimulator();
  t.after(() => social.close());
  social.addRefreshToken("ide-social-refresh");
  const h = await tempHome(t);
  await writeIdeToken(h, { accessToken: "ide-expired", refreshToken: "ide-social-refresh", expiresAt: PAST, authMethod: "social", provider: "Github" });
  const before = await fingerprint(h.ideToken);
  const error = await failure(importKiroIdeSession({ location: location(h) }));
  assert.equal(error.code, "import-expired");
  assert.match(error.message, /The Kiro IDE sign-in in .*kiro-auth-token\.json has expired\. Open the Kiro IDE once so it renews its sign-in/);
  assert.equal(social.refreshCount, 0);
  assert.deepEqual(await fingerprint(h.ideToken), before);
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

/** A sparse file of `bytes` (no disk used): the size check must refuse it before reading. */
async function sparseFile(path: string, bytes: number): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const handle = await open(path, "w");
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

/** SQLite's WAL checksum (as in writeAheadLog.ts; little-endian words for magic 0x377f0682). */
function walChecksum(data: Buffer, start: number, end: number, seed: [number, number]): [number, number] {
  let [s0, s1] = seed;
  for (let offset = start; offset < end; offset += 8) {
    s0 = (s0 + data.readUInt32LE(offset) + s1) >>> 0;
    s1 = (s1 + data.readUInt32LE(offset + 4) + s0) >>> 0;
  }
  return [s0, s1];
}

/** A write-ahead log with valid checksums whose one commit says the database has `pages` pages. */
function craftedWal(pageSize: number, pages: number): Buffer {
  const wal = Buffer.alloc(32 + 24 + pageSize);
  wal.writeUInt32BE(0x377f0682, 0);
  wal.writeUInt32BE(3007000, 4);
  wal.writeUInt32BE(pageSize, 8);
  wal.writeUInt32BE(0x11111111, 16);
  wal.writeUInt32BE(0x22222222, 20);
  let sum = walChecksum(wal, 0, 24, [0, 0]);
  wal.writeUInt32BE(sum[0], 24);
  wal.writeUInt32BE(sum[1], 28);
  wal.writeUInt32BE(1, 32);
  wal.writeUInt32BE(pages, 36);
  wal.writeUInt32BE(0x11111111, 40);
  wal.writeUInt32BE(0x22222222, 44);
  sum = walChecksum(wal, 32, 40, sum);
  sum = walChecksum(wal, 56, 56 + pageSize, sum);
  wal.writeUInt32BE(sum[0], 48);
  wal.writeUInt32BE(sum[1], 52);
  return wal;
}

const unix = process.platform !== "win32";

test("a database path that is a named pipe fails at once as import-unreadable instead of waiting for a writer", { skip: !unix, timeout: 10_000 }, async (t) => {
  const h = await tempHome(t);
  await mkdir(join(h.cliDb, ".."), { recursive: true });
  execFileSync("mkfifo", [h.cliDb]);
  t.after(() => {
    // If a read did block on the pipe (the bug), a writer that opens and closes it lets the read end.
    try {
      closeSync(openSync(h.cliDb, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    } catch {
      // nobody was reading: nothing to release
    }
  });
  const started = Date.now();
  const error = await failure(kiroCli.import({ location: location(h) }));
  assert.equal(error.code, "import-unreadable");
  assert.match(error.message, /is a named pipe, not a regular file/);
  assert.ok(Date.now() - started < 2000, "refused without waiting");
});

test("a path pointing at /dev/zero is refused as a device without reading from it", { skip: !unix }, async () => {
  const error = await failure(kiroCli.import({ path: "/dev/zero" }));
  assert.equal(error.code, "import-unreadable");
  assert.match(error.message, /\/dev\/zero is a device, not a regular file/);
  const ide = await failure(kiroIde.import({ path: "/dev/zero" }));
  assert.equal(ide.code, "import-unreadable");
});

test("files over the caps (database 64 MB, write-ahead log 64 MB, Kiro IDE JSON 1 MB) are refused before they are read", async (t) => {
  const h = await tempHome(t);
  await sparseFile(h.cliDb, IMPORT_LIMITS.sqliteBytes + 1);
  const database = await failure(kiroCli.import({ location: location(h) }));
  assert.equal(database.code, "import-unreadable");
  assert.match(database.message, /is 65 MB, more than the 64 MB a kiro-cli sign-in file can be/);

  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("cli-access") });
  await sparseFile(`${h.cliDb}-wal`, IMPORT_LIMITS.walBytes + 1);
  const wal = await failure(kiroCli.import({ location: location(h) }));
  assert.equal(wal.code, "import-unreadable");
  assert.ok(wal.message.includes(`${h.cliDb}-wal`), wal.message);

  await sparseFile(h.ideToken, IMPORT_LIMITS.jsonBytes + 1);
  const json = await failure(kiroIde.import({ location: location(h) }));
  assert.equal(json.code, "import-unreadable");
  assert.match(json.message, /more than the 1 MB a Kiro IDE sign-in file can be/);
});

test("a reader that never answers is given up after the time limit with import-unreadable", async () => {
  const hanging = { id: "hanging", label: "Hanging tool", loginHint: "sign in there", renewHint: "open it", paths: () => [], read: () => new Promise<never>(() => {}) };
  const started = Date.now();
  const error = await failure(readWithinTimeLimit(hanging, { timeLimitMs: 200, path: "/mnt/hung/token.json" }));
  assert.equal(error.code, "import-unreadable");
  assert.match(error.message, /Reading the Hanging tool sign-in from \/mnt\/hung\/token\.json took longer than 0 s|took longer than/);
  assert.ok(Date.now() - started < 2000);
});

test("a reader's unexpected exception comes out as a named AuthError (import-corrupt)", async () => {
  const broken = { id: "broken", label: "Broken tool", loginHint: "sign in there", renewHint: "open it", paths: () => [], read: async () => { throw new TypeError("Cannot read properties of undefined (reading 'x')"); } };
  const error = await failure(readWithinTimeLimit(broken));
  assert.equal(error.code, "import-corrupt");
  assert.match(error.message, /The Broken tool sign-in could not be read \(Cannot read properties/);
});

test("a kiro-cli database whose auth_kv has no value column is import-corrupt, not a raw SQLite error", async (t) => {
  const h = await tempHome(t);
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, val TEXT)");
  db.run("INSERT INTO auth_kv VALUES (?, ?)", ["kirocli:odic:token", JSON.stringify(cliToken("no-value-column-access"))]);
  await mkdir(join(h.cliDb, ".."), { recursive: true });
  await writeFile(h.cliDb, db.export());
  db.close();
  const error = await failure(kiroCli.import({ location: location(h) }));
  assert.equal(error.code, "import-corrupt");
  assert.match(error.message, /does not have the shape of a kiro-cli database \(no such column: value\)/);
  assertNoSecrets(error, ["no-value-column-access"]);
});

test("a crafted write-ahead log that claims a huge database is import-corrupt, not a RangeError", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("cli-access") });
  for (const pages of [0xffffffff, 0x10000000, IMPORT_LIMITS.sqliteBytes / 4096 + 1]) {
    await writeFile(`${h.cliDb}-wal`, craftedWal(4096, pages));
    const error = await failure(kiroCli.import({ location: location(h) }));
    assert.equal(error.code, "import-corrupt", `${pages} pages`);
    assert.match(error.message, /write-ahead log describes a database of \d+ pages/);
  }
  // The same log describing a database of a sane size is applied (and its zero page is no database: still a named error).
  await writeFile(`${h.cliDb}-wal`, craftedWal(4096, 2));
  assert.equal((await failure(kiroCli.import({ location: location(h) }))).code, "import-corrupt");
});

test("kiro-cli's profile ARN is kept from every place it lives: profile_arn, profileArn, the state table", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, { "kirocli:social:token": { access_token: "a", refresh_token: "r", expires_at: FUTURE, profileArn: PROFILE_ARN } });
  assert.equal((await kiroCli.read({ location: location(h) })).session.profileArn, PROFILE_ARN, "camelCase profileArn in the token");
  await writeCliDatabase(h.cliDb, { "kirocli:social:token": { access_token: "a", refresh_token: "r", expires_at: FUTURE, profile_arn: PROFILE_ARN } });
  assert.equal((await kiroCli.read({ location: location(h) })).session.profileArn, PROFILE_ARN, "snake_case profile_arn in the token");
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("idc") }, { "api.codewhisperer.profile": { arn: PROFILE_ARN } });
  assert.equal((await kiroCli.read({ location: location(h) })).session.profileArn, PROFILE_ARN, "the state table's api.codewhisperer.profile");
  const other = "arn:aws:codewhisperer:eu-central-1:123456789012:profile/TOKEN";
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("idc", { profile_arn: other }) }, { "api.codewhisperer.profile": { arn: PROFILE_ARN } });
  assert.equal((await kiroCli.read({ location: location(h) })).session.profileArn, other, "the token's own ARN wins over the state table");
});

test("a kiro-cli external identity provider sign-in imports as external-idp with what its refresh needs, and asks for TokenType EXTERNAL_IDP", async (t) => {
  const h = await tempHome(t);
  await writeCliDatabase(
    h.cliDb,
    {
      "kirocli:external-idp:token": {
        access_token: "ext-access",
        refresh_token: "ext-refresh",
        expires_at: FUTURE,
        issuer_url: "https://login.example.com/tenant/v2.0",
        token_endpoint: "https://login.example.com/tenant/oauth2/v2.0/token",
        client_id: "ext-client",
        scopes: ["openid", "offline_access", "api://kiro/.default"],
      },
    },
    { "api.codewhisperer.profile": { arn: "arn:aws:codewhisperer:eu-central-1:123456789012:profile/EXT" } },
  );
  const { session } = await kiroCli.read({ location: location(h) });
  assert.equal(session.method, "external-idp");
  assert.equal(session.source, "kiro-cli");
  assert.equal(session.refreshToken, "ext-refresh");
  assert.deepEqual(session.externalIdp, {
    tokenEndpoint: "https://login.example.com/tenant/oauth2/v2.0/token",
    clientId: "ext-client",
    issuerUrl: "https://login.example.com/tenant/v2.0",
    scope: "openid offline_access api://kiro/.default",
  });
  assert.equal(session.profileArn, "arn:aws:codewhisperer:eu-central-1:123456789012:profile/EXT");
  assert.equal(session.region, "eu-central-1", "without a region of its own, the profile's region");
  assert.equal(session.account, "Kiro (external identity provider)");
  assert.equal(kiroTokenType(session), "EXTERNAL_IDP");
  assert.equal(kiroTokenType({ method: "builder-id" }), undefined);
});

test("a Kiro IDE sign-in with authMethod external_idp imports as external-idp with its tokenEndpoint", async (t) => {
  const h = await tempHome(t);
  await writeIdeToken(h, {
    accessToken: "ide-ext-access",
    refreshToken: "ide-ext-refresh",
    expiresAt: FUTURE,
    authMethod: "external_idp",
    provider: "ExternalIdp",
    tokenEndpoint: "https://idp.example.org/oauth2/token",
    issuerUrl: "https://idp.example.org",
    clientId: "ide-ext-client",
    scopes: "openid offline_access",
    profileArn: PROFILE_ARN,
    region: "us-east-1",
  });
  const { session } = await kiroIde.read({ location: location(h) });
  assert.equal(session.method, "external-idp");
  assert.deepEqual(session.externalIdp, { tokenEndpoint: "https://idp.example.org/oauth2/token", clientId: "ide-ext-client", issuerUrl: "https://idp.example.org", scope: "openid offline_access" });
  assert.equal(session.profileArn, PROFILE_ARN);
  assert.equal(session.registration, undefined);
  assert.equal(kiroTokenType(session), "EXTERNAL_IDP");
});

test("an expired external identity provider sign-in is not renewed at its token endpoint on import", async (t) => {
  const sim = await startOidcSimulator();
  t.after(() => sim.close());
  const idp = sim.externalIdp;
  const signedIn = idp.signIn();
  const h = await tempHome(t);
  await writeCliDatabase(h.cliDb, {
    "kirocli:external-idp:token": { access_token: signedIn.accessToken, refresh_token: signedIn.refreshToken, expires_at: PAST, issuer_url: idp.issuerUrl, token_endpoint: idp.tokenEndpoint, client_id: idp.clientId, scopes: ["openid", "offline_access"] },
  });
  const error = await failure(kiroCli.import({ location: location(h) }));
  assert.equal(error.code, "import-expired");
  assert.equal(idp.refreshCount, 0);
  assert.ok(!sim.requests.some((r) => r.path === "/idp/oauth2/token"), "nothing was sent to the provider");
  assertNoSecrets(error, [signedIn.refreshToken, signedIn.accessToken]);
});


test("the registry lists kiro-cli then the Kiro IDE, each with a label, a login hint and what makes it renew its sign-in", () => {
  assert.deepEqual(
    SIGN_IN_SOURCES.map((s) => [s.id, s.label, s.loginHint, s.renewHint]),
    [
      ["kiro-cli", "kiro-cli", "run `kiro-cli login`", "start kiro-cli once (for example `kiro-cli chat`)"],
      ["kiro-ide", "Kiro IDE", "sign in to Kiro in the Kiro IDE", "open the Kiro IDE once"],
    ],
  );
});
