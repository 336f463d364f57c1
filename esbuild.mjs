// Bundles the VS Code extension and the pi extension; `--watch` rebuilds on change.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["vscode"],
  },
  {
    // pi loads extensions through jiti, which takes `module.exports` itself as the factory when the module is CommonJS:
    // esbuild's `exports.default` alone is not found (checked with pi 0.73.1 and 1.3.0), so the factory becomes module.exports
    // and keeps a `default` pointing at itself for require() callers.
    entryPoints: ["src/pi/extension.ts"],
    outfile: "dist/pi-extension.js",
    format: "cjs",
    platform: "node",
    target: "node20",
    footer: { js: "module.exports = Object.assign(module.exports.default, module.exports);" },
  },
  {
    // The SQLite reader's worker thread (src/auth/import/sqliteWorkerClient.ts starts it from next to either bundle above),
    // so a crafted kiro-cli database can be stopped at the import's time limit.
    entryPoints: ["src/auth/import/sqliteWorker.ts"],
    outfile: "dist/sqliteWorker.js",
    format: "cjs",
    platform: "node",
    target: "node20",
  },
];

// src/auth/import/sqlJsLoader.ts looks for sql.js's WebAssembly next to the bundle (kiro-cli database import).
mkdirSync("dist", { recursive: true });
copyFileSync("node_modules/sql.js/dist/sql-wasm.wasm", "dist/sql-wasm.wasm");

for (const options of builds) {
  const full = {
    bundle: true,
    sourcemap: !production,
    minify: production,
    logLevel: "info",
    ...options,
  };
  if (watch) {
    const ctx = await esbuild.context(full);
    await ctx.watch();
  } else {
    await esbuild.build(full);
  }
}
