// Turns a terminal program's setting (pi's, a coding agent's) into an executable plus arguments, finding the executable the way a shell would (Windows: windowsLaunch.ts) before any terminal opens; and the check every model id passes before it goes into a command line.
import { constants as fsConstants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import * as path from "node:path";
import { pathExtensions, planWindowsLaunch, windowsCandidates, windowsEnvValue, type LaunchFiles } from "./windowsLaunch";

/**
 * A model id that may go into a program's command line (pi's `--model kiro/<id>`, Codex's `-c model=<id>`) or an
 * agent's configuration: letters, digits, `.`, `_`, `-`, starting with a letter, at most 100 characters, and not a word
 * TOML reads as a value (Codex parses `-c key=value` as TOML first). Anything else could be shell or cmd.exe syntax, an
 * option, or a different setting.
 */
const MODEL_ID = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;
const TOML_WORDS = new Set(["true", "false", "inf", "nan"]);

export function isSafeModelId(id: string): boolean {
  return MODEL_ID.test(id) && !TOML_WORDS.has(id.toLowerCase());
}

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
  /** The disk, for tests that play another platform's; by default the real one. */
  files?: LaunchFiles;
}

function realFiles(platform: NodeJS.Platform): LaunchFiles {
  return {
    async isExecutableFile(file) {
      try {
        if (!(await stat(file)).isFile()) return false;
        // Windows has no execute bit; the extension (PATHEXT) says what runs.
        if (platform !== "win32") await access(file, fsConstants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    async readText(file) {
      try {
        return await readFile(file, "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The absolute path of `command` (a name looked up on PATH, `~/…`, or a path), or undefined when nothing executable is there.
 * Looking it up here, instead of letting a shell in the terminal do it, means a missing pi is a clear message rather than
 * "command not found" in a terminal that then sits there, and a login profile that rewrites PATH cannot hide it.
 */
export async function resolveExecutable(command: string, options: ResolveOptions = {}): Promise<string | undefined> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const files = options.files ?? realFiles(platform);
  const pathApi = platform === "win32" ? path.win32 : path.posix;
  let name = command.trim();
  if (!name) return undefined;
  if (name === "~" || name.startsWith("~/")) name = pathApi.join(homedir(), name.slice(1));
  // Windows runs only files whose extension PATHEXT lists (windowsLaunch.ts): never the extensionless sh shim npm puts
  // next to `pi.cmd`.
  const extensions = pathExtensions(env);
  const candidatesFor = (base: string): string[] => (platform === "win32" ? windowsCandidates(base, extensions) : [base]);
  const hasSeparator = name.includes("/") || (platform === "win32" && name.includes("\\"));
  if (hasSeparator || pathApi.isAbsolute(name)) {
    const absolute = pathApi.resolve(options.cwd ?? process.cwd(), name);
    for (const candidate of candidatesFor(absolute)) if (await files.isExecutableFile(candidate)) return candidate;
    return undefined;
  }
  const separator = platform === "win32" ? ";" : ":";
  const dirs = (platform === "win32" ? windowsEnvValue(env, "PATH") : env.PATH) ?? "";
  for (const dir of dirs.split(separator)) {
    if (!dir) continue;
    for (const candidate of candidatesFor(pathApi.join(dir, name))) if (await files.isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export interface Launch {
  /** What the terminal runs: the resolved executable (on Windows, the node or program behind an npm shim). */
  executable: string;
  args: string[];
}

export type LaunchPlan =
  | { ok: true; launch: Launch; /** The command as the user wrote it, first word only (for messages). */ program: string }
  | { ok: false; reason: "empty" | "unparsable" | "not-found" | "refused"; program: string; detail?: string };

/**
 * `<command> [its own args] <what argsAfter adds>`, with the command resolved to a file: the part every terminal
 * program (pi, the coding agents of agentLaunch.ts) shares. `argsAfter` sees the user's own arguments.
 */
export async function planCommandLaunch(commandLine: string, argsAfter: (ownArgs: readonly string[]) => string[], options: ResolveOptions = {}): Promise<LaunchPlan> {
  const platform = options.platform ?? process.platform;
  let words: string[];
  try {
    words = splitCommandLine(commandLine, platform);
  } catch (error) {
    return { ok: false, reason: "unparsable", program: commandLine, detail: (error as Error).message };
  }
  const [program, ...ownArgs] = words;
  if (!program) return { ok: false, reason: "empty", program: "" };
  const resolved = await resolveExecutable(program, options);
  if (!resolved) return { ok: false, reason: "not-found", program };
  const args = [...ownArgs, ...argsAfter(ownArgs)];
  if (platform !== "win32") return { ok: true, program, launch: { executable: resolved, args } };
  const env = options.env ?? process.env;
  const nodeEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name.toUpperCase() !== "PATHEXT"));
  nodeEnv.PATHEXT = pathExtensions(env).filter((ext) => ext !== ".js").join(";");
  const windows = await planWindowsLaunch(resolved, args, env, options.files ?? realFiles(platform), () => resolveExecutable("node", { ...options, env: nodeEnv }));
  return windows.ok ? { ok: true, program, launch: windows.launch } : { ok: false, reason: "refused", program, detail: windows.detail };
}
