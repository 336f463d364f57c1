// The kiro-cli database is read in a worker thread: a crafted database (a generated column, a schema that takes seconds to load) is refused or stopped at the time limit while the event loop keeps running.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { signInSource } from "../../src/auth/import/signInSources";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import { failure } from "./importFixtures";

const kiroCli = signInSource("kiro-cli");
const TOKEN = JSON.stringify({ access_token: "worker-access-secret", refresh_token: "worker-refresh-secret", expires_at: "2099-01-01T00:00:00Z", region: "us-east-1" });

async function databaseFile(t: { after(fn: () => Promise<void>): void }, build: (db: import("sql.js").Database) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kiro-pi-sqlite-worker-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  build(db);
  const path = join(dir, "kiro-cli", "data.sqlite3");
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, db.export());
  db.close();
  return path;
}

test("a kiro-cli database whose auth_kv has a generated column is refused, naming the file, without evaluating it", async (t) => {
  const path = await databaseFile(t, (db) => {
    // Evaluated per row when read: here a few million multiplications each, the shape of the 35 s freeze.
    db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT, slow INTEGER GENERATED ALWAYS AS (length(hex(zeroblob(5000000)))) VIRTUAL)");
    db.run("INSERT INTO auth_kv (key, value) VALUES (?, ?)", ["kirocli:odic:token", TOKEN]);
  });
  const error = await failure(kiroCli.read({ path }));
  assert.equal(error.code, "import-corrupt");
  assert.ok(error.message.includes(path), `the message names the file: ${error.message}`);
  assert.match(error.message, /auth_kv has a generated column \(slow\)/);
  assert.ok(!error.message.includes("worker-access-secret"));
});

test("a generated column in kiro-cli's state table is refused too, and an ordinary database still imports", async (t) => {
  const refused = await databaseFile(t, (db) => {
    db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
    db.run("CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB, copy BLOB GENERATED ALWAYS AS (value) STORED)");
    db.run("INSERT INTO auth_kv VALUES (?, ?)", ["kirocli:odic:token", TOKEN]);
  });
  assert.match((await failure(kiroCli.read({ path: refused }))).message, /state has a generated column \(copy\)/);
  const ordinary = await databaseFile(t, (db) => {
    db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
    db.run("INSERT INTO auth_kv VALUES (?, ?)", ["kirocli:odic:token", TOKEN]);
  });
  assert.equal((await kiroCli.read({ path: ordinary })).session.accessToken, "worker-access-secret");
});

test("a database that takes seconds to open is stopped at the time limit, and a timer set during the import fires before the import ends", async (t) => {
  // 2,000 views of 400-term expressions: nothing hidden or generated, but SQLite parses every one before the first
  // query (about 5 s here). Written as schema rows directly, so building the file takes a fraction of that.
  const path = await databaseFile(t, (db) => {
    db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
    db.run("INSERT INTO auth_kv VALUES (?, ?)", ["kirocli:odic:token", TOKEN]);
    const condition = Array.from({ length: 400 }, (_, i) => `(key + ${i}) * 2 > ${i}`).join(" OR ");
    db.run("PRAGMA writable_schema = ON");
    db.run("BEGIN");
    const insert = db.prepare("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('view', ?, ?, 0, ?)");
    for (let i = 0; i < 2000; i++) insert.run([`v${i}`, `v${i}`, `CREATE VIEW v${i} AS SELECT key FROM auth_kv WHERE ${condition}`]);
    insert.free();
    db.run("COMMIT");
  });
  const timeLimitMs = 400;
  const events: string[] = [];
  // Set before the import, for half its limit: it can only fire first if the reading leaves the event loop free.
  const timer = setTimeout(() => events.push("timer"), timeLimitMs / 2);
  t.after(() => clearTimeout(timer));
  const error = await failure(kiroCli.read({ path, timeLimitMs }).finally(() => events.push("import ended")));
  assert.equal(error.code, "import-unreadable");
  assert.match(error.message, /took longer than 0 s, so kiro-pi stopped it/);
  assert.deepEqual(events, ["timer", "import ended"]);
});
