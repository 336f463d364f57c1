// Loads sql.js (SQLite compiled to WebAssembly) from bytes read here, so reading another tool's database needs no native module and never touches its file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import initSqlJs, { type SqlJsStatic } from "sql.js";

export const SQL_WASM_FILE = "sql-wasm.wasm";

/**
 * Where the .wasm can be: next to the bundle (`dist/sql-wasm.wasm`, copied by esbuild.mjs) in the
 * packaged extension and the pi bundle, or in node_modules when running from source and in tests.
 */
export function sqlWasmCandidates(): string[] {
  const candidates = [join(__dirname, SQL_WASM_FILE)];
  try {
    candidates.push(require.resolve(`sql.js/dist/${SQL_WASM_FILE}`));
  } catch {
    // sql.js not installed next to this file: only the copy beside the bundle can work.
  }
  candidates.push(join(__dirname, "..", "node_modules", "sql.js", "dist", SQL_WASM_FILE));
  return candidates;
}

let loading: Promise<SqlJsStatic> | undefined;

/** sql.js, initialised once per process. Rejects with an error naming every place it looked. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    loading = (async () => {
      const tried = sqlWasmCandidates();
      for (const path of tried) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(path);
        } catch {
          continue;
        }
        const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        return initSqlJs({ wasmBinary });
      }
      throw new Error(`kiro-pi cannot read SQLite databases: ${SQL_WASM_FILE} was not found (looked in ${tried.join(", ")}). Reinstall the extension.`);
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
