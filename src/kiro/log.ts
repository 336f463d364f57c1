// The logger the core writes to when a host gives it one (VS Code's output channel, pi's verbose output); the core never logs a secret.

export interface KiroLog {
  info(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
}
