// Where the auth layer keeps its secret value: the TokenStore interface (one value, plus named companions for a backup and the refresh lease), an in-memory store, and a 0600 file store for pi without VS Code.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** Values kept beside the main one: a damaged value KiroSessionManager replaced, and the lease that serialises refreshes across windows. */
export type TokenStoreCompanion = "backup" | "refresh-lease";

/** One value under one key, like VS Code's SecretStorage; the only storage the auth layer knows. */
export interface TokenStore {
  /** Rejects when the storage cannot be read (a locked keychain); undefined only when nothing is stored. */
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
  delete(): Promise<void>;
  /**
   * Another value in the same storage under a name derived from this one's (`kiro.auth.backup`, `auth.json.refresh-lease`),
   * the same object for the same name. A store without companions keeps no backup and refreshes without a lease.
   */
  companion?(name: TokenStoreCompanion): TokenStore;
}

/** Holds the value in the process; for tests and for callers that persist elsewhere. */
export class MemoryTokenStore implements TokenStore {
  private value: string | undefined;
  private readonly companions = new Map<TokenStoreCompanion, MemoryTokenStore>();

  constructor(initial?: string) {
    this.value = initial;
  }

  companion(name: TokenStoreCompanion): MemoryTokenStore {
    let store = this.companions.get(name);
    if (!store) this.companions.set(name, (store = new MemoryTokenStore()));
    return store;
  }

  async get(): Promise<string | undefined> {
    return this.value;
  }

  async set(value: string): Promise<void> {
    this.value = value;
  }

  async delete(): Promise<void> {
    this.value = undefined;
  }
}

export interface TokenFileLocation {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

/** `$XDG_CONFIG_HOME/kiro-pi/auth.json` (default `~/.config`), `%APPDATA%\kiro-pi\auth.json` on Windows; `KIRO_PI_AUTH_FILE` wins. */
export function defaultTokenFilePath(location: TokenFileLocation = {}): string {
  const env = location.env ?? process.env;
  const platform = location.platform ?? process.platform;
  const home = location.home ?? homedir();
  if (env.KIRO_PI_AUTH_FILE) return env.KIRO_PI_AUTH_FILE;
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "kiro-pi", "auth.json");
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "kiro-pi", "auth.json");
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? ((error as { code?: unknown }).code as string | undefined) : undefined;
}

/**
 * A file only its owner can read (0600 in a 0700 folder). Writes go to a temporary file that is
 * renamed over the old one, so a crash or a second process never leaves half a file behind.
 */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  private readonly companions = new Map<TokenStoreCompanion, FileTokenStore>();

  constructor(path: string = defaultTokenFilePath()) {
    this.path = path;
  }

  /** `auth.json.backup`, `auth.json.refresh-lease` beside the file, with the same owner-only permissions. */
  companion(name: TokenStoreCompanion): FileTokenStore {
    let store = this.companions.get(name);
    if (!store) this.companions.set(name, (store = new FileTokenStore(`${this.path}.${name}`)));
    return store;
  }

  async get(): Promise<string | undefined> {
    try {
      return await readFile(this.path, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    }
  }

  async set(value: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, value, { encoding: "utf8", mode: 0o600 });
      // The mode given to writeFile passes through the umask; make sure of it before the file goes live.
      await chmod(temporary, 0o600);
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async delete(): Promise<void> {
    try {
      await unlink(this.path);
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
    }
  }
}
