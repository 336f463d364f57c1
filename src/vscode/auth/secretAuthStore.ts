// The auth layer's TokenStore over VS Code's SecretStorage: Kiro's sessions and client registrations as one JSON value under one secret key.
import * as vscode from "vscode";
import type { TokenStore } from "../../auth/tokenStore";

/** The only SecretStorage key the extension writes. */
export const KIRO_AUTH_SECRET_KEY = "kiro.auth";

/** `onDidChange` fires whenever the key changes, in this window or another one; that is how windows stay signed in (or out) together. */
export class SecretAuthStore implements TokenStore, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === KIRO_AUTH_SECRET_KEY) this.changed.fire();
    });
  }

  async get(): Promise<string | undefined> {
    return this.secrets.get(KIRO_AUTH_SECRET_KEY);
  }

  async set(value: string): Promise<void> {
    await this.secrets.store(KIRO_AUTH_SECRET_KEY, value);
  }

  async delete(): Promise<void> {
    await this.secrets.delete(KIRO_AUTH_SECRET_KEY);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
