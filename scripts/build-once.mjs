// Builds what the test suites need (the packaged extension with its dist/ bundles, the bundled tests) only when its inputs changed since the last build: a warm `npm test` with nothing changed builds nothing.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const stampDir = join(root, "out", ".build-stamps");

function filesUnder(path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [full];
  const found = [];
  for (const name of readdirSync(full)) found.push(...filesUnder(join(path, name)));
  return found;
}

/** A hash of every input file's path and content; any edit, addition or removal changes it. */
function hashInputs(inputs) {
  const hash = createHash("sha256");
  for (const file of inputs.flatMap(filesUnder).sort()) {
    hash.update(relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const SHARED = ["src", "package.json", "package-lock.json", "tsconfig.json"];

/** What each build reads and writes; the build runs when an output is missing or the inputs' hash differs from its stamp. */
const BUILDS = {
  // `npm run package` runs the production build (vscode:prepublish) and writes the .vsix; the suites use both.
  extension: {
    inputs: [...SHARED, "esbuild.mjs", "media", "README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore"],
    outputs: ["dist/extension.js", "dist/pi-extension.js", "dist/sqliteWorker.js", "dist/sql-wasm.wasm", "kiro-pi.vsix"],
    command: ["npm", ["run", "--silent", "package"]],
  },
  tests: {
    inputs: [...SHARED, "test", "scripts/build-tests.mjs"],
    outputs: ["out/test"],
    command: ["npm", ["run", "--silent", "compile-tests"]],
  },
};

/**
 * Runs the named builds that are out of date; returns what it did per build ("built" or "up to date"). Throws when a
 * build fails (its stamp is then not written, so the next run tries again).
 */
export function buildOnce(names = Object.keys(BUILDS), log = (message) => console.error(`[build] ${message}`)) {
  mkdirSync(stampDir, { recursive: true });
  const done = {};
  for (const name of names) {
    const build = BUILDS[name];
    const stampFile = join(stampDir, name);
    const hash = hashInputs(build.inputs);
    const upToDate = build.outputs.every((output) => existsSync(join(root, output))) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash;
    if (upToDate) {
      done[name] = "up to date";
      continue;
    }
    log(`${name}: building (${build.command[0]} ${build.command[1].join(" ")})`);
    const result = spawnSync(build.command[0], build.command[1], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    if (result.status !== 0) throw new Error(`the ${name} build failed (exit ${result.status})`);
    writeFileSync(stampFile, hash);
    done[name] = "built";
  }
  return done;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const done = buildOnce(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
  console.error(`[build] ${Object.entries(done).map(([name, state]) => `${name} ${state}`).join(", ")}`);
}
