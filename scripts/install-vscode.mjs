// Installs what running a real VS Code here needs (Node 24, code-server, its native build deps, Chromium, playwright-core), reusing whatever is already present;
// `--oldest` also installs the code-server of the oldest VS Code package.json's engines.vscode claims.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureNode24 } from "./ensure-node24.mjs";
import { ensureNodeModules } from "./ensure-node-modules.mjs";

export const CODE_SERVER_VERSION = "4.139.1";
/** code-server of VS Code 1.133.0, the oldest package.json's engines.vscode claims (docs/vscode-chat.md#the-oldest-vs-code). */
export const OLDEST_CODE_SERVER_VERSION = "4.133.0";
export const CHROMIUM_PATH = "/usr/bin/chromium";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const codeServerPrefix = join(root, ".vscode-test", "code-server");

/** Where code-server `version` goes: .vscode-test/code-server for CODE_SERVER_VERSION, .vscode-test/code-server-<version> for another. */
function codeServerFolders(version) {
  const prefix = version === CODE_SERVER_VERSION ? codeServerPrefix : join(root, ".vscode-test", `code-server-${version}`);
  const dir = join(prefix, "node_modules", "code-server");
  // Marker written only after a complete install, so an interrupted install is redone rather than half-reused.
  return { prefix, dir, marker: join(prefix, `.installed-${version}`) };
}

const APT_PACKAGES = {
  // node-gyp's toolchain.
  "build-essential": "/usr/bin/g++",
  python3: "/usr/bin/python3",
  "pkg-config": "/usr/bin/pkg-config",
  // code-server's post-install compiles kerberos, node-pty, @vscode/spdlog and friends against these headers.
  "libkrb5-dev": "/usr/include/krb5.h",
  "libsecret-1-dev": "/usr/include/libsecret-1/libsecret/secret.h",
  "libx11-dev": "/usr/include/X11/Xlib.h",
  "libxkbfile-dev": "/usr/include/X11/extensions/XKBfile.h",
  chromium: CHROMIUM_PATH,
};

// Native modules VS Code's server cannot work without (terminals, logging, storage, file watching); a skipped install script leaves the server starting but broken later.
const NATIVE_MODULES = ["node-pty", "@vscode/spdlog", "kerberos", "@vscode/sqlite3", "@parcel/watcher"];

function log(message) {
  console.error(`[install-vscode] ${message}`);
}

function fail(message) {
  throw new Error(`[install-vscode] ${message}`);
}

function isInstalled(pkg) {
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

/** Installs the Debian packages that are missing; runs `apt-get update` only when an install fails for want of package lists. */
export function ensureAptPackages() {
  const missing = Object.entries(APT_PACKAGES)
    .filter(([pkg, file]) => !existsSync(file) || !isInstalled(pkg))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    fail(`missing Debian packages: ${missing.join(" ")}. Install them with: sudo apt-get install -y ${missing.join(" ")}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: ["ignore", "inherit", "inherit"], env });
  log(`apt-get install ${missing.join(" ")}`);
  let result = install();
  if (result.status !== 0) {
    log("apt-get install failed; refreshing package lists with apt-get update and retrying");
    const update = spawnSync("apt-get", ["update"], { stdio: ["ignore", "inherit", "inherit"], env });
    if (update.status !== 0) fail("apt-get update failed; check the machine's access to Debian's package mirror");
    result = install();
  }
  if (result.status !== 0) fail(`apt-get install ${missing.join(" ")} failed (exit ${result.status})`);
}

/** Environment with Node 24 first on PATH and node-gyp pointed at its headers, so native modules build for the Node that runs them. */
export function node24Env(node24, base = process.env) {
  const env = {};
  for (const [key, value] of Object.entries(base)) {
    // Under `npm test` the environment carries the outer npm's settings: its user agent (which code-server's post-install reads
    // to check the Node version: it would see Node 20), its local prefix (the clone, not this folder). npm rereads .npmrc anyway.
    if (/^npm_/i.test(key) || key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, PATH: `${node24.bin}${delimiter}${base.PATH ?? ""}`, npm_config_nodedir: node24.nodedir };
}

/** Installs code-server `version` (default CODE_SERVER_VERSION) once; returns the path of its `out/node/entry.js`. */
export function ensureCodeServer(node24, version = CODE_SERVER_VERSION) {
  const { prefix: codeServerPrefix, dir: codeServerDir, marker: completeMarker } = codeServerFolders(version);
  const entry = join(codeServerDir, "out", "node", "entry.js");
  if (existsSync(completeMarker) && existsSync(entry)) return entry;
  // Without the marker a previous install was interrupted somewhere inside code-server's nested post-install, which `npm install` would not redo.
  rmSync(join(codeServerPrefix, "node_modules"), { recursive: true, force: true });
  mkdirSync(codeServerPrefix, { recursive: true });
  // Its own package.json keeps code-server out of the project's dependencies and carries the install-script approvals npm 11 requires:
  // code-server's post-install (which installs VS Code's own dependencies, whose package.json approves their native builds) and argon2's prebuild loader.
  writeFileSync(
    join(codeServerPrefix, "package.json"),
    JSON.stringify(
      {
        name: "kiro-pi-code-server",
        private: true,
        dependencies: { "code-server": version },
        allowScripts: { "code-server": true, argon2: true },
      },
      null,
      2,
    ) + "\n",
  );
  log(`npm install code-server@${version} into ${codeServerPrefix} with Node 24 (takes a few minutes on 2 cores) ...`);
  rmSync(completeMarker, { force: true });
  const started = Date.now();
  const npmCli = findNpmCli();
  const result = spawnSync(
    node24.node,
    [npmCli, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"],
    // Before 4.139 code-server's post-install refuses to run as root unless npm says unsafe-perm (npm 11 no longer has the option; the script only reads the variable).
    { cwd: codeServerPrefix, stdio: ["ignore", "inherit", "inherit"], env: { ...node24Env(node24), npm_config_unsafe_perm: "true" } },
  );
  if (result.status !== 0) {
    fail(
      `npm install code-server@${version} failed (exit ${result.status}). ` +
        "It needs the npm registry, a C++ toolchain (build-essential, python3) and the -dev packages listed in scripts/install-vscode.mjs.",
    );
  }
  if (!existsSync(entry)) fail(`code-server installed but ${entry} is missing`);
  const unloadable = NATIVE_MODULES.filter((name) => !loadsUnderNode24(node24, name, codeServerDir));
  if (unloadable.length > 0) {
    fail(`code-server's native modules do not load under Node 24: ${unloadable.join(", ")}. An install script was probably skipped (npm allowScripts).`);
  }
  writeFileSync(completeMarker, new Date().toISOString() + "\n");
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return entry;
}

function loadsUnderNode24(node24, name, codeServerDir) {
  const vscodeDir = join(codeServerDir, "lib", "vscode");
  const script = `require(require.resolve(${JSON.stringify(name)}, { paths: [${JSON.stringify(vscodeDir)}] }))`;
  const result = spawnSync(node24.node, ["-e", script], { encoding: "utf8" });
  if (result.status !== 0) log(`${name}: ${result.stderr.trim().split("\n").slice(-3).join(" ")}`);
  return result.status === 0;
}

/** The npm that ships with the running Node (npm 11 here); Node 24's package has no npm of its own. */
function findNpmCli() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && fromEnv.endsWith("npm-cli.js") && existsSync(fromEnv)) return fromEnv;
  const npmPath = execFileSync("bash", ["-c", "readlink -f \"$(command -v npm)\""], { encoding: "utf8" }).trim();
  const cli = join(dirname(npmPath), "npm-cli.js");
  if (existsSync(cli)) return cli;
  const fallback = join(dirname(npmPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");
  if (existsSync(fallback)) return fallback;
  fail(`cannot find npm-cli.js next to ${npmPath}`);
}

/** The oldest code-server the manifest claims, installed when absent (the same way, with Node 24): `{ node, entry, version }`. */
export function ensureOldestCodeServer() {
  const node24 = ensureNode24();
  return { node: node24.node, entry: ensureCodeServer(node24, OLDEST_CODE_SERVER_VERSION), version: OLDEST_CODE_SERVER_VERSION };
}

/** Everything the VS Code test runners need, installed when absent. */
export function ensureVsCodeTools() {
  ensureAptPackages();
  const node24 = ensureNode24();
  const codeServerEntry = ensureCodeServer(node24);
  // playwright-core and the build tools are devDependencies.
  ensureNodeModules();
  const version = JSON.parse(readFileSync(join(codeServerFolders(CODE_SERVER_VERSION).dir, "package.json"), "utf8")).version;
  return { node24, codeServerEntry, codeServerVersion: version, chromium: CHROMIUM_PATH };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const tools = ensureVsCodeTools();
    console.log(`node 24: ${tools.node24.node}`);
    console.log(`code-server ${tools.codeServerVersion}: ${tools.codeServerEntry}`);
    console.log(`chromium: ${tools.chromium}`);
    if (process.argv.includes("--oldest")) {
      const oldest = ensureOldestCodeServer();
      console.log(`code-server ${oldest.version} (the oldest engines.vscode claims): ${oldest.entry}`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
