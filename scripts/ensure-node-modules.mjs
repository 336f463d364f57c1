// Installs the project's npm dependencies when any is missing (a fresh clone), so `npm start` and `npm test` work without a separate `npm ci`.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Names of the dependencies and devDependencies that node_modules lacks. */
export function missingNodeModules() {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
  return names.filter((name) => !existsSync(join(root, "node_modules", name, "package.json")));
}

/** Runs `npm ci` (no node_modules yet) or `npm install` (some missing) and checks the result. */
export function ensureNodeModules() {
  const missing = missingNodeModules();
  if (missing.length === 0) return;
  const fresh = !existsSync(join(root, "node_modules")) && existsSync(join(root, "package-lock.json"));
  const args = [fresh ? "ci" : "install", "--no-audit", "--no-fund"];
  console.error(`[deps] missing ${missing.join(", ")}: npm ${args.join(" ")}`);
  const result = spawnSync("npm", args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`npm ${args[0]} failed (exit ${result.status}); it needs the npm registry`);
  const still = missingNodeModules();
  if (still.length > 0) throw new Error(`npm ${args[0]} did not install ${still.join(", ")}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    ensureNodeModules();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
