// Where tools keep their data on each platform, for the sources' `paths` (each source's file says which file in there is its own).
import { homedir } from "node:os";
import { join } from "node:path";
import type { ImportLocation } from "./sourceShape";

export function homeOf(location: ImportLocation = {}): string {
  return location.home ?? homedir();
}

/**
 * The per-user data directories, as Rust's `dirs::data_local_dir()` names them (docs/kiro-protocol.md#kiro-cli-files):
 * `%LOCALAPPDATA%` on Windows (with `%APPDATA%` second, which older notes name), `~/Library/Application Support` on
 * macOS, `$XDG_DATA_HOME` or `~/.local/share` elsewhere.
 */
export function platformDataDirs(location: ImportLocation = {}): string[] {
  const env = location.env ?? process.env;
  const home = homeOf(location);
  switch (location.platform ?? process.platform) {
    case "darwin":
      return [join(home, "Library", "Application Support")];
    case "win32":
      return [env.LOCALAPPDATA || join(home, "AppData", "Local"), env.APPDATA || join(home, "AppData", "Roaming")];
    default:
      return [env.XDG_DATA_HOME || join(home, ".local", "share")];
  }
}
