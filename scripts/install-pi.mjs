// Installs the supported pi CLIs (0.73.1, 1.3.0, 1.6.0) from npm into .cache/pi/<generation> (reused when present) so the pi tests run the real CLIs; prints a JSON summary.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureNode24 } from "./ensure-node24.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The pi versions the project supports: 0.73.x, the last line of the mariozechner package; 1.3.0 and 1.6.0 (the newest,
 * engines node >= 22.19) of the earendil package, each in its own folder.
 */
export const PI_GENERATIONS = [
  { name: "mariozechner", packageName: "@mariozechner/pi-coding-agent", version: "0.73.1", needsNode24: false },
  { name: "earendil", packageName: "@earendil-works/pi-coding-agent", version: "1.3.0", needsNode24: true },
  { name: "earendil16", packageName: "@earendil-works/pi-coding-agent", version: "1.6.0", needsNode24: true },
];

function installedVersion(prefix, packageName) {
  const manifest = join(prefix, "node_modules", ...packageName.split("/"), "package.json");
  if (!existsSync(manifest)) return undefined;
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

function cliPath(prefix, packageName) {
  const dir = join(prefix, "node_modules", ...packageName.split("/"));
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.pi ?? Object.values(manifest.bin ?? {})[0];
  if (!bin) throw new Error(`${packageName} has no bin entry`);
  return join(dir, bin);
}

/**
 * Returns, per generation, `{ name, packageName, version, node, cli, prefix }`: run pi as `node cli ...args`.
 * Installs a generation only when the pinned version is not already in its folder.
 */
export function ensurePi({ quiet = false } = {}) {
  const node24 = PI_GENERATIONS.some((g) => g.needsNode24) ? ensureNode24() : undefined;
  return PI_GENERATIONS.map((generation) => {
    const prefix = join(root, ".cache", "pi", generation.name);
    const node = generation.needsNode24 ? node24.node : process.execPath;
    if (installedVersion(prefix, generation.packageName) !== generation.version) {
      mkdirSync(prefix, { recursive: true });
      // Its own package.json keeps pi out of the project's dependencies and lockfile.
      writeFileSync(join(prefix, "package.json"), JSON.stringify({ name: `kiro-pi-test-${generation.name}`, private: true }) + "\n");
      if (!quiet) console.error(`Installing ${generation.packageName}@${generation.version} into ${prefix} ...`);
      const npmCli = generation.needsNode24 ? join(node24.nodedir, "lib", "node_modules", "npm", "bin", "npm-cli.js") : undefined;
      const [command, prefixArgs] = npmCli && existsSync(npmCli) ? [node, [npmCli]] : ["npm", []];
      execFileSync(
        command,
        [...prefixArgs, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", "--omit=optional", `${generation.packageName}@${generation.version}`],
        {
          stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
          env: generation.needsNode24 ? { ...process.env, PATH: `${node24.bin}:${process.env.PATH ?? ""}` } : process.env,
        },
      );
    }
    const version = installedVersion(prefix, generation.packageName);
    if (version !== generation.version) throw new Error(`${generation.packageName}@${generation.version} did not install into ${prefix}`);
    return { name: generation.name, packageName: generation.packageName, version, node, cli: cliPath(prefix, generation.packageName), prefix };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(ensurePi(), null, 2));
}
