// Counts what a person does in the workbench (each click, each key, each text typed) while a UI test does it, so a test can say how many steps a task took.
import type { Locator, Page } from "playwright-core";

export interface UserStep {
  kind: "click" | "key" | "type";
  /** What the person did, in their words: `click "Enable Chat" on Kiro's notice`. */
  what: string;
}

/** Performs clicks, key presses and typing on behalf of a person, recording each as one step. */
export class UserSteps {
  readonly taken: UserStep[] = [];

  constructor(private readonly page: Page) {}

  get count(): number {
    return this.taken.length;
  }

  /** Records a step a helper performed itself (e.g. Workbench.openCommandPalette's F1). */
  record(kind: UserStep["kind"], what: string): void {
    this.taken.push({ kind, what });
  }

  /** Clicks `target` (waiting for it like Playwright does) and records one step. */
  async click(target: Locator, what: string): Promise<void> {
    await target.click();
    this.record("click", what);
  }

  /** Presses one key or chord (e.g. "F1", "Enter") and records one step. */
  async press(key: string, what: string): Promise<void> {
    await this.page.keyboard.press(key);
    this.record("key", what);
  }

  /** Types a text into whatever has focus and records it as one step, however long the text. */
  async type(text: string, what: string): Promise<void> {
    await this.page.keyboard.type(text);
    this.record("type", what);
  }

  /** The steps as numbered lines, from `from` (0-based) on. */
  describe(from = 0): string {
    return this.taken
      .slice(from)
      .map((step, i) => `${String(from + i + 1).padStart(3)}. ${step.kind.padEnd(5)} ${step.what}`)
      .join("\n");
  }
}
