// `npm start`: builds and packages the extension, installs it into a persistent dev profile, serves VS Code (code-server) on 127.0.0.1 and opens it in the browser; `-- --demo` adds the Kiro simulator.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureAptPackages, ensureCodeServer } from "./install-vscode.mjs";
import { ensureNode24 } from "./ensure-node24.mjs";
import { ensureNodeModules } from "./ensure-node-modules.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: {
    port: { type: "string" },
    demo: { type: "boolean", default: false },
    folder: { type: "string" },
    "no-open": { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (flags.help) {
  console.log(`npm start [-- options]
  --port N        serve on 127.0.0.1:N (default: a free port)
  --demo          also start the Kiro simulator and point the extension at it (kiro.endpoint)
  --folder DIR    folder to open (default: the folder npm start was run from)
  --no-open       only print the URL, do not open a browser
  --skip-build    reuse dist/ and kiro-pi.vsix as they are`);
  process.exit(0);
}

function step(message) {
  console.error(`[start] ${message}`);
}

function npmRun(script) {
  const result = spawnSync("npm", ["run", "--silent", script], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`npm run ${script} failed (exit ${result.status})`);
}

/** The dev profile lives in the clone, so sign-ins, settings and installed extensions survive restarts. */
const profileDir = join(root, ".vscode-test", "dev-profile");
const profile = {
  userDataDir: join(profileDir, "data"),
  extensionsDir: join(profileDir, "extensions"),
  logFile: join(profileDir, "code-server.log"),
};
/** Remembers the endpoint a --demo run wrote, so a later plain start removes it instead of pointing at a simulator that is gone. */
const demoEndpointFile = join(profileDir, "demo-endpoint");

const stops = [];
let stopping;
/** Stops everything once; a second caller waits for the first stop to finish. */
function stopAll(code) {
  stopping ??= (async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`[start] stopping failed: ${error instanceof Error ? error.message : error}`);
      }
    }
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    step(`${signal}: stopping code-server${flags.demo ? " and the simulator" : ""}`);
    void stopAll(0);
  });
}

/** Starts `node out/test/sim/cli.js` as its own process group and reads the `{"url","accessToken"}` line it prints. */
async function startSimulator() {
  const cli = join(root, "out", "test", "sim", "cli.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing (the Kiro simulator); npm run compile-tests builds it`);
  const child = spawn(process.execPath, [cli], { cwd: root, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  stops.push(async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error("the Kiro simulator printed nothing within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the Kiro simulator exited (code ${code})`)));
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line);
        if (typeof parsed.url === "string" && typeof parsed.accessToken === "string") {
          clearTimeout(timer);
          resolveInfo(parsed);
        }
      } catch {
        // Not the JSON line.
      }
    });
  });
  return info;
}

function readSettings(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return {};
  }
}

function hasCommand(name) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

/** Opens the URL where a person can see it: $BROWSER, or xdg-open on a desktop session; otherwise the printed URL is all there is. */
function openInBrowser(url) {
  if (flags["no-open"] || process.env.CI) return false;
  const browser = process.env.BROWSER;
  const desktop = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  const opener = browser || (desktop && hasCommand("xdg-open") ? "xdg-open" : undefined);
  if (!opener) return false;
  const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
  child.on("error", () => step(`could not run ${opener}; open ${url} yourself`));
  child.unref();
  return true;
}

try {
  step("checking npm dependencies, Node 24 and code-server");
  ensureNodeModules();
  ensureAptPackages();
  ensureCodeServer(ensureNode24());
  if (!flags["skip-build"]) {
    step("building and packaging the extension");
    npmRun("package");
    npmRun("compile-tests");
  }
  const harness = createRequire(import.meta.url)(join(root, "out", "test", "ui", "codeServer.js"));
  const vsix = join(root, "kiro-pi.vsix");
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing; run npm run package`);
  mkdirSync(profileDir, { recursive: true });

  step(`installing kiro-pi.vsix into the dev profile ${profileDir}`);
  harness.installExtension(profile, vsix);

  const settingsFile = join(profile.userDataDir, "User", "settings.json");
  const firstStart = !existsSync(settingsFile);
  if (firstStart) {
    harness.writeUserSettings(profile.userDataDir, {
      "security.workspace.trust.enabled": false,
      "workbench.startupEditor": "none",
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
    });
  }
  const env = {};
  if (flags.demo) {
    step("starting the Kiro simulator");
    const sim = await startSimulator();
    harness.writeUserSettings(profile.userDataDir, { "kiro.endpoint": sim.url });
    writeFileSync(demoEndpointFile, sim.url);
    // Until sign-in exists the extension takes the token from the environment, like pi's direct mode.
    env.KIRO_ACCESS_TOKEN = sim.accessToken;
    step(`Kiro simulator on ${sim.url}; kiro.endpoint set in the dev profile`);
  } else if (existsSync(demoEndpointFile)) {
    const demoEndpoint = readFileSync(demoEndpointFile, "utf8").trim();
    const settings = readSettings(settingsFile);
    if (settings["kiro.endpoint"] === demoEndpoint) {
      delete settings["kiro.endpoint"];
      writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + "\n");
      step("removed the previous --demo run's kiro.endpoint from the dev profile");
    }
  }

  const folder = resolve(flags.folder ?? process.env.INIT_CWD ?? root);
  step("starting code-server");
  const server = await harness.startCodeServer({
    ...profile,
    port: flags.port ? Number(flags.port) : undefined,
    env,
  });
  stops.push(() => server.stop());
  const url = harness.workbenchUrl(server.url, folder);
  console.log(`\nVS Code with kiro-pi: ${url}\n(server log: ${profile.logFile}; Ctrl-C stops everything)\n`);
  if (!openInBrowser(url)) step("no browser to open here; open the URL above in one (e.g. through an SSH tunnel to this port)");

  // code-server stopping on its own (a crash) ends the session too.
  await server.exited;
  if (!stopping) {
    step(`code-server exited on its own; see ${profile.logFile}`);
    await stopAll(1);
  }
} catch (error) {
  console.error(`[start] ${error instanceof Error ? error.message : error}`);
  await stopAll(1);
}
