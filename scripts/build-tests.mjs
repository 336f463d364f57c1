// Bundles every test/**/*.ts entry (tests, simulators, harness code) to out/ with esbuild, so one file's type error does not stop the others; `npm run typecheck` checks types.
import * as esbuild from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

function walk(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) found.push(path);
  }
  return found;
}

/** Bundles the given test entry points into out/, each self-contained, with the project's dependencies left external. */
export async function bundleTests(entryPoints, absWorkingDir = process.cwd()) {
  await esbuild.build({
    entryPoints,
    absWorkingDir,
    outbase: ".",
    outdir: "out",
    bundle: true,
    packages: "external",
    external: ["vscode"],
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
  });
  // The SQLite import's worker thread, next to the unit tests that start it (src/auth/import/sqliteWorkerClient.ts looks beside its bundle).
  await esbuild.build({
    entryPoints: ["src/auth/import/sqliteWorker.ts"],
    absWorkingDir,
    outfile: "out/test/unit/sqliteWorker.js",
    bundle: true,
    packages: "external",
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await bundleTests(walk("test"));
}
