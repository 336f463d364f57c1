// Installs the coding-agent CLIs the agent tests drive (test/agents/) from npm into .cache/agents/<name>, pinned and reused when present; prints a JSON summary.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * One entry per agent: `name` is its folder under .cache/agents, `bin` the command its package declares. Optional
 * dependencies install: Claude Code 2.1.x ships its program (a 400 MB native executable) as a per-platform optional
 * package. Add an agent by adding its line; the tests find it as KIRO_TEST_<BIN> (scripts/run-agent-tests.mjs).
 */
export const AGENTS = [
  { name: "claude-code", package: "@anthropic-ai/claude-code", version: "2.1.332", bin: "claude" },
  // Its Rust program comes as @openai/codex-<platform> (an npm alias of a platform build of @openai/codex).
  { name: "codex", package: "@openai/codex", version: "0.169.1", bin: "codex" },
  // A Bun-compiled program in opencode-<platform>; its postinstall links bin/opencode.exe to it. It bundles the
  // @ai-sdk/openai-compatible provider the bridge is reached with, so nothing more is installed for it.
  { name: "opencode", package: "opencode-ai", version: "1.18.33", bin: "opencode" },
];

function packageDir(prefix, packageName) {
  return join(prefix, "node_modules", ...packageName.split("/"));
}

function installedVersion(prefix, packageName) {
  const manifest = join(packageDir(prefix, packageName), "package.json");
  if (!existsSync(manifest)) return undefined;
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

/** The program npm linked for `bin` (run it directly; it may be a native executable or a node script with a shebang). */
function binPath(prefix, bin) {
  return join(prefix, "node_modules", ".bin", bin);
}

/**
 * Returns, per agent, `{ name, package, version, bin, command, prefix }`: run the agent as `command ...args`.
 * Installs an agent only when its pinned version is not already in its folder; `only` limits it to some names.
 */
export function ensureAgents({ quiet = false, only } = {}) {
  return AGENTS.filter((agent) => !only || only.includes(agent.name)).map((agent) => {
    const prefix = join(root, ".cache", "agents", agent.name);
    if (installedVersion(prefix, agent.package) !== agent.version || !existsSync(binPath(prefix, agent.bin))) {
      mkdirSync(prefix, { recursive: true });
      // Its own package.json keeps the agent out of the project's dependencies and lockfile.
      writeFileSync(join(prefix, "package.json"), JSON.stringify({ name: `kiro-pi-agent-${agent.name}`, private: true }) + "\n");
      if (!quiet) console.error(`Installing ${agent.package}@${agent.version} into ${prefix} ...`);
      execFileSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", `${agent.package}@${agent.version}`], {
        stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
      });
    }
    const version = installedVersion(prefix, agent.package);
    const command = binPath(prefix, agent.bin);
    if (version !== agent.version || !existsSync(command)) throw new Error(`${agent.package}@${agent.version} did not install into ${prefix}`);
    return { ...agent, command, prefix };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(ensureAgents(), null, 2));
}
