// `npm start`: builds and packages the extension, installs it into a persistent dev profile, serves VS Code (code-server) on 127.0.0.1 and opens it in the browser; `-- --demo` adds the offline Kiro and sign-in simulators.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  --demo          offline demo: also start the Kiro and AWS sign-in simulators and point the extension at them
                  (kiro.endpoint, kiro.oidcEndpoint); sign in with "Kiro: Sign In" and approve on the simulator's page
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
/** Remembers the settings a --demo run wrote, so a later plain start removes them instead of pointing at simulators that are gone. */
const demoSettingsFile = join(profileDir, "demo-settings.json");
/** The pi that `node scripts/install-pi.mjs` installs; the demo points kiro.pi.command at it when it is there. */
const installedPi = join(root, ".cache", "pi", "mariozechner", "node_modules", ".bin", "pi");

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
    step(`${signal}: stopping code-server${flags.demo ? " and the simulators" : ""}`);
    void stopAll(0);
  });
}

/** Starts `node out/test/sim/demo.js` (the Kiro and OIDC simulators) as its own process group and reads the `{"kiroEndpoint","oidcEndpoint"}` line it prints. */
async function startDemoServers() {
  const demo = join(root, "out", "test", "sim", "demo.js");
  if (!existsSync(demo)) throw new Error(`${demo} is missing (the demo simulators); npm run compile-tests builds it`);
  const child = spawn(process.execPath, [demo], { cwd: root, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  stops.push(async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error("the demo simulators printed nothing within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the demo simulators exited (code ${code})`)));
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line);
        if (typeof parsed.kiroEndpoint === "string" && typeof parsed.oidcEndpoint === "string") {
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

/** Removes the settings the last --demo run wrote, each only while it still has the value the demo gave it. */
function removeDemoSettings(settingsFile) {
  let written = {};
  if (existsSync(demoSettingsFile)) written = readSettings(demoSettingsFile);
  else return;
  const settings = readSettings(settingsFile);
  const removed = Object.keys(written).filter((key) => settings[key] !== undefined && settings[key] === written[key]);
  for (const key of removed) delete settings[key];
  if (removed.length > 0) {
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + "\n");
    step(`removed the previous --demo run's ${removed.join(", ")} from the dev profile`);
  }
  rmSync(demoSettingsFile, { force: true });
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

/** What a person does next in the demo, from signing in to chatting and pi. */
function demoNextSteps(pi) {
  const piLine = pi
    ? `kiro.pi.command points at ${pi} (installed by node scripts/install-pi.mjs).`
    : `pi is not installed here: run node scripts/install-pi.mjs and restart the demo (or set kiro.pi.command to your pi).`;
  return `Offline demo: the Kiro service and the AWS sign-in are local simulators; no Kiro account is needed.
  1. Sign in: F1 → "Kiro: Sign In" → "AWS Builder ID" → "Copy & Open" (say Open if VS Code asks) → on the
     simulator's "Authorize request" page (a new tab) click Approve. The status bar then shows sim-user@example.com.
     The sign-in is kept in this browser's storage: another browser or a private window starts signed out.
  2. Chat: the first time in this profile VS Code keeps its built-in chat extension off and Kiro says so: click
     "Enable Chat" on that notice; it turns on just that extension and opens the Chat view. The model picker offers
     Kiro's models (Auto; Claude Sonnet 4.5 and the others under "Other Models"); ask something and the simulator
     answers "You said: …".
  3. pi: F1 → "Kiro: Open pi in Terminal". ${piLine}
  Trouble? F1 → "Kiro: Show Log".
`;
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
  // Settings an earlier --demo run wrote point at simulators that are gone (or at old ports): take them out first.
  removeDemoSettings(settingsFile);
  let piForDemo;
  if (flags.demo) {
    step("starting the demo's Kiro and sign-in simulators");
    const demo = await startDemoServers();
    const demoSettings = { "kiro.endpoint": demo.kiroEndpoint, "kiro.oidcEndpoint": demo.oidcEndpoint };
    // A pi the person chose stays; otherwise the one install-pi.mjs put into .cache/ (if any) saves installing pi globally.
    if (readSettings(settingsFile)["kiro.pi.command"] === undefined && existsSync(installedPi)) {
      demoSettings["kiro.pi.command"] = installedPi;
      piForDemo = installedPi;
    }
    harness.writeUserSettings(profile.userDataDir, demoSettings);
    writeFileSync(demoSettingsFile, JSON.stringify(demoSettings, null, 2) + "\n");
    // The demo signs in like a person does; a token from the calling shell would skip that (and be refused by the simulator).
    env.KIRO_ACCESS_TOKEN = undefined;
    step(`Kiro simulator on ${demo.kiroEndpoint}, AWS sign-in simulator on ${demo.oidcEndpoint}; set in the dev profile's settings`);
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
  if (flags.demo) console.log(demoNextSteps(piForDemo));
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
