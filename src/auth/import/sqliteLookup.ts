// What the SQLite worker does with a database image: applies its write-ahead log, refuses tables whose reads could run code (hidden or generated columns, virtual tables), and looks up the few keys an import needs.
import type { Database, SqlValue } from "sql.js";
import { loadSqlJs } from "./sqlJsLoader";
import { applyWriteAheadLog } from "./writeAheadLog";

/** Which keys to look up in which key/value table (kiro-cli's `auth_kv` and `state` have a `key` and a `value` column). */
export interface SqliteLookupRequest {
  database: Uint8Array;
  wal?: Uint8Array;
  /** Largest database the log may describe (the log's own header says how big; a crafted one could ask for gigabytes). */
  maxBytes: number;
  tables: readonly { name: string; keys: readonly string[] }[];
}

/** Per table: the value of each key found (as text), or null when the table does not exist. */
export type SqliteLookupAnswer = Record<string, Record<string, string> | null>;

/**
 * Why a lookup failed, as the import reports it: SQLite itself could not be loaded, not a database at all, a table kiro-pi refuses to read, or a table
 * of an unexpected shape. Crosses the worker boundary as `{ kind, message }`.
 */
export type SqliteFailureKind = "unavailable" | "not-a-database" | "refused" | "shape";

export class SqliteLookupError extends Error {
  constructor(
    readonly kind: SqliteFailureKind,
    message: string,
  ) {
    super(message);
  }
}

function text(value: SqlValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  return undefined;
}

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    const found: SqlValue[][] = [];
    while (statement.step()) found.push(statement.get());
    return found;
  } finally {
    statement.free();
  }
}

/** Identifier quoting for the table names the caller gives (its own constants). */
function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Null when `name` is not a table. Refuses a virtual table, or one with a hidden or generated column: reading such a
 * column evaluates an expression per row, which is how a crafted 254 KB file held a reader for 35 s. kiro-cli's tables
 * have none.
 */
function checkTable(db: Database, name: string): boolean {
  const schema = rows(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [name]);
  if (schema.length === 0) return false;
  if (/^\s*create\s+virtual\b/i.test(text(schema[0]![0]) ?? "")) {
    throw new SqliteLookupError("refused", `its table ${name} is a virtual table`);
  }
  // table_xinfo's columns: cid, name, type, notnull, dflt_value, pk, hidden (0 ordinary, 1 hidden, 2/3 generated).
  for (const column of rows(db, `PRAGMA table_xinfo(${quoted(name)})`)) {
    if (column[6] !== 0) throw new SqliteLookupError("refused", `its table ${name} has a ${column[6] === 1 ? "hidden" : "generated"} column (${text(column[1]) ?? "?"})`);
  }
  return true;
}

function open(SQL: Awaited<ReturnType<typeof loadSqlJs>>, request: SqliteLookupRequest): Database {
  let db: Database | undefined;
  try {
    const image = request.wal && request.wal.length > 0 ? applyWriteAheadLog(request.database, request.wal, request.maxBytes) : request.database;
    db = new SQL.Database(image);
    // sql.js opens lazily; the first query is what finds out whether this is a database at all.
    db.exec("SELECT count(*) FROM sqlite_master");
    return db;
  } catch (error) {
    db?.close();
    throw new SqliteLookupError("not-a-database", error instanceof Error ? error.message : String(error));
  }
}

/** Runs the lookup in this thread; the import runs it in a worker (sqliteWorkerClient.ts) so it can be stopped. */
export async function lookUpKeys(request: SqliteLookupRequest): Promise<SqliteLookupAnswer> {
  const SQL = await loadSqlJs().catch((error: unknown) => {
    throw new SqliteLookupError("unavailable", error instanceof Error ? error.message : String(error));
  });
  const db = open(SQL, request);
  try {
    const answer: SqliteLookupAnswer = {};
    for (const table of request.tables) {
      if (!checkTable(db, table.name)) {
        answer[table.name] = null;
        continue;
      }
      const values: Record<string, string> = {};
      for (const key of table.keys) {
        let found: SqlValue[][];
        try {
          found = rows(db, `SELECT value FROM ${quoted(table.name)} WHERE key = ?`, [key]);
        } catch (error) {
          throw new SqliteLookupError("shape", error instanceof Error ? error.message : String(error));
        }
        const value = text(found[0]?.[0]);
        if (value !== undefined) values[key] = value;
      }
      answer[table.name] = values;
    }
    return answer;
  } finally {
    db.close();
  }
}
