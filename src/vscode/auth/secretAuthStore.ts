// The auth layer's TokenStore over VS Code's SecretStorage: Kiro's sessions and client registrations as one JSON value under one secret key (plus, beside it, a backup of a damaged value and the refresh lease).
import * as vscode from "vscode";
import type { TokenStore, TokenStoreCompanion } from "../../auth/tokenStore";

/** The SecretStorage key the extension keeps its sign-ins under. */
export const KIRO_AUTH_SECRET_KEY = "kiro.auth";

/** `kiro.auth.backup` (a damaged value the extension replaced, until the next sign-in) and `kiro.auth.refresh-lease` (while a window refreshes). */
export function companionSecretKey(name: TokenStoreCompanion): string {
  return `${KIRO_AUTH_SECRET_KEY}.${name}`;
}

/** One SecretStorage key as a TokenStore. */
class SecretValue implements TokenStore {
  constructor(
    readonly secrets: vscode.SecretStorage,
    readonly key: string,
  ) {}

  async get(): Promise<string | undefined> {
    return this.secrets.get(this.key);
  }

  async set(value: string): Promise<void> {
    await this.secrets.store(this.key, value);
  }

  async delete(): Promise<void> {
    await this.secrets.delete(this.key);
  }
}

/** `onDidChange` fires whenever the key changes, in this window or another one; that is how windows stay signed in (or out) together. */
export class SecretAuthStore extends SecretValue implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly companions = new Map<TokenStoreCompanion, SecretValue>();

  constructor(secrets: vscode.SecretStorage) {
    super(secrets, KIRO_AUTH_SECRET_KEY);
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === KIRO_AUTH_SECRET_KEY) this.changed.fire();
    });
  }

  companion(name: TokenStoreCompanion): TokenStore {
    let value = this.companions.get(name);
    if (!value) this.companions.set(name, (value = new SecretValue(this.secrets, companionSecretKey(name))));
    return value;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
