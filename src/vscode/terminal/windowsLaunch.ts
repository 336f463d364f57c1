// How a program is found and started on Windows without cmd.exe reading its arguments: a bare name resolves through PATHEXT only, and an npm `.cmd` shim is read so its script runs with node (or its program) directly. Pure over an injectable file system, so it is unit-tested on any OS.
import * as path from "node:path";

/** The file-system questions a launch asks; tests hand in a fake Windows disk. */
export interface LaunchFiles {
  /** A file (not a folder) that may be run: on POSIX it has the execute bit; on Windows any file. */
  isExecutableFile(file: string): Promise<boolean>;
  /** The file's text, or undefined when it cannot be read. */
  readText(file: string): Promise<string | undefined>;
}

/** A variable of a Windows environment, whose names are case-insensitive (Node keeps the case the parent used). */
export function windowsEnvValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** The extensions Windows runs, lower-case, from PATHEXT or its default. */
export function pathExtensions(env: Record<string, string | undefined>): string[] {
  return (windowsEnvValue(env, "PATHEXT") ?? ".COM;.EXE;.BAT;.CMD")
    .split(";")
    .map((ext) => ext.trim().toLowerCase())
    .filter((ext) => ext.startsWith("."));
}

/**
 * The files Windows may run for `base`: `base` itself when it already ends in a PATHEXT extension, else `base` with each
 * extension added. Never the bare name: npm puts an extensionless sh script next to every `.cmd` shim, which Windows
 * cannot run.
 */
export function windowsCandidates(base: string, extensions: readonly string[]): string[] {
  const lower = base.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext)) ? [base] : extensions.map((ext) => base + ext);
}

/** What an npm `.cmd` shim starts: a script run by node (with the shebang's node options), or a program. */
export type NpmShimTarget = { kind: "node"; script: string; nodeArgs: string[] } | { kind: "program"; program: string };

/**
 * Reads the shim npm writes for a package's bin (the `cmd-shim` format): its last line starts `"%_prog%" [args]
 * "%dp0%\<target>" %*`, where `_prog` is node (the `node.exe` next to the shim, else `node`), or `"%dp0%\<program>" %*`
 * for a bin without a shebang. Anything else (a hand-written batch file, npm's own `npx.cmd`) is undefined.
 */
export function parseNpmCmdShim(text: string, shimPath: string): NpmShimTarget | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const last = [...lines].reverse().find((line) => line.length > 0);
  if (!last) return undefined;
  const dir = path.win32.dirname(shimPath);
  // `..` is fine (a project's node_modules\.bin shims point up into node_modules); a variable or cmd.exe syntax is not a path.
  const local = (relative: string): string | undefined => (/^[^"%!^&|<>]+$/.test(relative) ? path.win32.join(dir, relative) : undefined);
  const viaNode = /"%_prog%"\s+((?:[^"%\s]+\s+)*)"%dp0%\\([^"]+)"\s+%\*$/.exec(last);
  if (viaNode) {
    const nodeIsProg = lines.some((line) => /^SET "_prog=%dp0%\\node\.exe"$/i.test(line)) && lines.some((line) => /^SET "_prog=node"$/i.test(line));
    const script = local(viaNode[2]!);
    if (!nodeIsProg || !script) return undefined;
    return { kind: "node", script, nodeArgs: viaNode[1]!.split(/\s+/).filter(Boolean) };
  }
  const direct = /^@?"%dp0%\\([^"]+)"\s+%\*$/.exec(last);
  const program = direct ? local(direct[1]!) : undefined;
  return program && /\.(exe|com)$/i.test(program) ? { kind: "program", program } : undefined;
}

/** Characters cmd.exe reads as syntax in an argument it did not get in quotes (and `"`, which ends quotes). */
const CMD_SYNTAX = /[&|<>^%!"\r\n]/;

export interface WindowsLaunch {
  executable: string;
  args: string[];
}

/**
 * How to start `resolved` (a file found through PATHEXT) with `args` on Windows. An `.exe` runs as it is. An npm shim runs
 * its script with node, or its program, directly: through cmd.exe, an argument such as `&calc.exe&` would be a command
 * (the terminal quotes only arguments with blanks). Another batch file needs cmd.exe, and is refused when an argument
 * or its path holds cmd.exe syntax.
 */
export async function planWindowsLaunch(
  resolved: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  files: LaunchFiles,
  /** `node` looked up through PATH and PATHEXT without `.js` (which the shim leaves out too). */
  nodeOnPath: () => Promise<string | undefined>,
): Promise<{ ok: true; launch: WindowsLaunch } | { ok: false; detail: string }> {
  if (!/\.(cmd|bat)$/i.test(resolved)) return { ok: true, launch: { executable: resolved, args: [...args] } };
  const target = parseNpmCmdShim((await files.readText(resolved)) ?? "", resolved);
  if (target?.kind === "program" && (await files.isExecutableFile(target.program))) return { ok: true, launch: { executable: target.program, args: [...args] } };
  if (target?.kind === "node" && (await files.isExecutableFile(target.script))) {
    const beside = path.win32.join(path.win32.dirname(resolved), "node.exe");
    const node = (await files.isExecutableFile(beside)) ? beside : await nodeOnPath();
    if (node) return { ok: true, launch: { executable: node, args: [...target.nodeArgs, target.script, ...args] } };
    return { ok: false, detail: `${resolved} runs its script with node, and no node.exe is next to it or on PATH` };
  }
  const unsafe = [resolved, ...args].find((arg) => CMD_SYNTAX.test(arg));
  if (unsafe !== undefined) {
    return { ok: false, detail: `${resolved} is a batch file, which only cmd.exe runs, and cmd.exe would read ${JSON.stringify(unsafe)} as a command; point the setting at the program itself (an .exe or the script's node)` };
  }
  const cmd = windowsEnvValue(env, "COMSPEC") ?? "cmd.exe";
  return { ok: true, launch: { executable: cmd, args: ["/d", "/c", resolved, ...args] } };
}
