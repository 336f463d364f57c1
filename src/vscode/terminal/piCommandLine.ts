// Turns the `kiro.pi.command` setting into an executable plus arguments and finds that executable the way a shell would, before any terminal opens.
import { constants as fsConstants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { homedir } from "node:os";
import * as path from "node:path";

/** The npm command that installs pi; shown to people who do not have it. */
export const PI_INSTALL_COMMAND = "npm install -g @mariozechner/pi-coding-agent";
export const DEFAULT_PI_COMMAND = "pi";

/**
 * Splits a command line into words like a POSIX shell does for the simple cases people type into a setting:
 * blanks separate words, single and double quotes group, a backslash escapes the next character (outside single quotes,
 * and not on Windows, where it is a path separator). No variables, globs or pipes: the words are run directly, not by a shell.
 */
export function splitCommandLine(text: string, platform: NodeJS.Platform = process.platform): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  const backslashEscapes = platform !== "win32";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && backslashEscapes && (text[i + 1] === '"' || text[i + 1] === "\\")) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && backslashEscapes && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`the command line has an unclosed ${quote === '"' ? "double" : "single"} quote`);
  if (inWord) words.push(current);
  return words;
}

export interface ResolveOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Where a relative path (`./node_modules/.bin/pi`) is looked up; the workspace folder. */
  cwd?: string;
}

async function isExecutableFile(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    // Windows has no execute bit; the extension (PATHEXT) says what runs.
    if (platform !== "win32") await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pathValue(env: Record<string, string | undefined>, platform: NodeJS.Platform): string {
  if (platform !== "win32") return env.PATH ?? "";
  // Windows environment names are case-insensitive; Node keeps whatever case the parent used.
  const key = Object.keys(env).find((k) => k.toUpperCase() === "PATH");
  return key ? (env[key] ?? "") : "";
}

/**
 * The absolute path of `command` (a name looked up on PATH, `~/…`, or a path), or undefined when nothing executable is there.
 * Looking it up here, instead of letting a shell in the terminal do it, means a missing pi is a clear message rather than
 * "command not found" in a terminal that then sits there, and a login profile that rewrites PATH cannot hide it.
 */
export async function resolveExecutable(command: string, options: ResolveOptions = {}): Promise<string | undefined> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const pathApi = platform === "win32" ? path.win32 : path.posix;
  let name = command.trim();
  if (!name) return undefined;
  if (name === "~" || name.startsWith("~/")) name = pathApi.join(homedir(), name.slice(1));
  const extensions =
    platform === "win32" ? ["", ...(env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean).map((e) => e.toLowerCase())] : [""];
  const candidatesFor = (base: string): string[] => extensions.map((ext) => base + ext);
  const hasSeparator = name.includes("/") || (platform === "win32" && name.includes("\\"));
  if (hasSeparator || pathApi.isAbsolute(name)) {
    const absolute = pathApi.resolve(options.cwd ?? process.cwd(), name);
    for (const candidate of candidatesFor(absolute)) if (await isExecutableFile(candidate, platform)) return candidate;
    return undefined;
  }
  const separator = platform === "win32" ? ";" : ":";
  for (const dir of pathValue(env, platform).split(separator)) {
    if (!dir) continue;
    for (const candidate of candidatesFor(pathApi.join(dir, name))) if (await isExecutableFile(candidate, platform)) return candidate;
  }
  return undefined;
}

export interface PiLaunch {
  /** What the terminal runs: the resolved executable (or cmd.exe for a Windows .cmd/.bat shim). */
  executable: string;
  args: string[];
}

export interface PiLaunchRequest {
  /** The `kiro.pi.command` setting, e.g. `pi`, `/opt/pi/bin/pi`, `npx @mariozechner/pi-coding-agent`. */
  commandLine: string;
  /** Absolute path of dist/pi-extension.js in the installed extension. */
  piExtension: string;
  /** pi's model id without the provider, e.g. `claude-sonnet-4-5`. */
  model: string;
}

export type PiLaunchPlan =
  | { ok: true; launch: PiLaunch; /** The command as the user wrote it, first word only (for messages). */ program: string }
  | { ok: false; reason: "empty" | "unparsable" | "not-found"; program: string; detail?: string };

/**
 * `<command> [its own args] -e <pi extension> --model kiro/<model>`, with the command resolved to a file.
 * A `--model` the user put into the setting wins over ours.
 */
export async function planPiLaunch(request: PiLaunchRequest, options: ResolveOptions = {}): Promise<PiLaunchPlan> {
  const platform = options.platform ?? process.platform;
  let words: string[];
  try {
    words = splitCommandLine(request.commandLine, platform);
  } catch (error) {
    return { ok: false, reason: "unparsable", program: request.commandLine, detail: (error as Error).message };
  }
  const [program, ...ownArgs] = words;
  if (!program) return { ok: false, reason: "empty", program: "" };
  const resolved = await resolveExecutable(program, options);
  if (!resolved) return { ok: false, reason: "not-found", program };
  const userChoseModel = ownArgs.some((arg) => arg === "--model" || arg.startsWith("--model="));
  const args = [...ownArgs, "-e", request.piExtension, ...(userChoseModel ? [] : ["--model", `kiro/${request.model}`])];
  if (platform === "win32" && /\.(cmd|bat)$/i.test(resolved)) {
    // npm's Windows shims are batch files, which only cmd.exe can run.
    const env = options.env ?? process.env;
    return { ok: true, program, launch: { executable: env.ComSpec ?? env.COMSPEC ?? "cmd.exe", args: ["/d", "/c", resolved, ...args] } };
  }
  return { ok: true, program, launch: { executable: resolved, args } };
}
