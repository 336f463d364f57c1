// Drives a code-server workbench in headless Chromium the way a person would (command palette, notifications, Output view, terminal, screenshots); reused by every UI test.
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import {
  createTestProfile,
  installExtension,
  launchChromium,
  repoRoot,
  startCodeServer,
  workbenchUrl,
  writeUserSettings,
  type CodeServer,
  type TestProfile,
} from "./codeServer";

/** Screenshots land here (ignored by git). */
export const SCREENSHOT_DIR = path.join(repoRoot, "test-results", "ui");

export interface OpenWorkbenchOptions {
  /** The .vsix to install; defaults to $KIRO_UI_VSIX (set by scripts/run-ui-tests.mjs), else kiro-pi.vsix in the repo root. */
  vsix?: string;
  /** Variables for the server process (the extension host and terminals inherit them). */
  env?: Record<string, string | undefined>;
  /** User settings merged over the test defaults before the server starts (e.g. { "kiro.endpoint": sim.url }). */
  settings?: Record<string, unknown>;
  /** Browser viewport; screenshots have this size. */
  viewport?: { width: number; height: number };
}

/** A running workbench with a fresh profile that has the packaged extension installed. Always `close()` it (in `after`). */
export class Workbench {
  private constructor(
    readonly page: Page,
    readonly browser: Browser,
    readonly server: CodeServer,
    readonly profile: TestProfile,
  ) {}

  /** Fresh profile → install the .vsix → start code-server → open the workbench in headless Chromium and wait until it is ready. */
  static async open(options: OpenWorkbenchOptions = {}): Promise<Workbench> {
    const vsix = options.vsix ?? process.env.KIRO_UI_VSIX ?? path.join(repoRoot, "kiro-pi.vsix");
    const profile = createTestProfile("kiro-ui-");
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    try {
      if (options.settings) writeUserSettings(profile.userDataDir, options.settings);
      installExtension(profile, vsix);
      server = await startCodeServer({
        userDataDir: profile.userDataDir,
        extensionsDir: profile.extensionsDir,
        logFile: profile.logFile,
        env: options.env,
      });
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 900 } });
      const workbench = new Workbench(page, browser, server, profile);
      await page.goto(workbenchUrl(server.url, profile.workspaceDir));
      await workbench.waitUntilReady();
      await workbench.waitForKiroCommands();
      return workbench;
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      profile.dispose();
      throw error;
    }
  }

  /** Waits for the workbench's parts and for the extension host to have started extensions. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await this.page.locator(".monaco-workbench .part.statusbar").waitFor({ state: "visible", timeout: timeoutMs });
    await this.page.locator(".monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar").first().waitFor({ timeout: timeoutMs });
  }

  /**
   * Waits until the command palette offers "Kiro: Show Log", i.e. the remote extension host has registered the extension's contributions.
   * The workbench draws well before that (tens of seconds on a busy machine), and a palette opened earlier simply lacks them.
   */
  async waitForKiroCommands(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let offered: string[] = [];
    while (Date.now() < deadline) {
      await this.openCommandPalette();
      await this.quickInput.locator("input").fill(">Kiro: Show Log");
      await this.page.waitForTimeout(500);
      offered = await this.quickPickItems();
      await this.page.keyboard.press("Escape");
      if (offered.some((label) => isCommandLabel(label, "Kiro: Show Log"))) return;
      await this.page.waitForTimeout(1000);
    }
    await this.screenshot("kiro-commands-missing");
    throw new Error(`the extension's commands never appeared in the command palette; it offers: ${offered.join(" | ")}`);
  }

  /** Stops the browser and the server and removes the profile. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    this.profile.dispose();
  }

  /** Saves a PNG of the whole window as test-results/ui/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, "-")}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The quick input (command palette, quick picks). */
  get quickInput(): Locator {
    return this.page.locator(".quick-input-widget");
  }

  /** Opens the command palette with F1 (Ctrl+Shift+P as fallback) and waits for its input box. */
  async openCommandPalette(): Promise<void> {
    await this.page.locator(".monaco-workbench").click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
    for (const key of ["F1", "Control+Shift+P"]) {
      await this.page.keyboard.press(key);
      try {
        await this.quickInput.locator("input").waitFor({ state: "visible", timeout: 5000 });
        return;
      } catch {
        // Try the other shortcut.
      }
    }
    throw new Error("the command palette did not open (F1, Ctrl+Shift+P)");
  }

  /** The labels of the visible quick-pick rows, top to bottom. */
  async quickPickItems(): Promise<string[]> {
    const rows = this.quickInput.locator(".monaco-list-row");
    const labels: string[] = [];
    for (const row of await rows.all()) labels.push(((await row.getAttribute("aria-label")) ?? (await row.innerText())).trim());
    return labels;
  }

  /** Command titles the palette offers for `filter` (e.g. "Kiro:"), as a person typing it would see them. */
  async findCommands(filter: string): Promise<string[]> {
    await this.openCommandPalette();
    await this.quickInput.locator("input").fill(`>${filter}`);
    await this.page.waitForTimeout(500);
    const items = await this.quickPickItems();
    await this.page.keyboard.press("Escape");
    return items;
  }

  /** Runs a command by its palette title (e.g. "Kiro: Show Log"): types it and clicks the row that is exactly that command. */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    await this.openCommandPalette();
    await this.quickInput.locator("input").fill(`>${title}`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const index = (await this.quickPickItems()).findIndex((label) => isCommandLabel(label, title));
      if (index >= 0) {
        await this.quickInput.locator(".monaco-list-row").nth(index).click();
        await this.quickInput.waitFor({ state: "hidden", timeout: 5000 }).catch(() => undefined);
        return;
      }
      await this.page.waitForTimeout(200);
    }
    const offered = await this.quickPickItems();
    await this.page.keyboard.press("Escape");
    throw new Error(`command "${title}" is not in the command palette; it offers: ${offered.slice(0, 10).join(" | ") || "(nothing)"}`);
  }

  /** Texts of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    const messages = this.page.locator(".notifications-toasts .notification-list-item-message");
    return (await messages.allInnerTexts()).map((t) => t.trim());
  }

  /** Waits for a notification toast whose text matches, and returns its locator (for its buttons). */
  async waitForNotification(text: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
    const toast = this.page.locator(".notifications-toasts .notification-list-item").filter({ hasText: text }).first();
    await toast.waitFor({ state: "visible", timeout: timeoutMs });
    return toast;
  }

  /** Closes the notification matching `text` with its × (what a person does to say no to it). */
  async closeNotification(text: string | RegExp): Promise<void> {
    const toast = await this.waitForNotification(text);
    await toast.hover();
    await toast.getByRole("button", { name: /Clear Notification/i }).click();
    await toast.waitFor({ state: "hidden", timeout: 10_000 });
  }

  /** Clicks a button (e.g. "Open", "Sign In") on the notification matching `text`. */
  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    const toast = await this.waitForNotification(text);
    await toast.locator(".monaco-button", { hasText: button }).first().click();
  }

  /** Polls until `check` returns a value, or fails with what `describe` says (it may take a screenshot) once `timeoutMs` passed. */
  async eventually<T>(check: () => Promise<T | undefined>, describe: () => Promise<string>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await check();
      if (value !== undefined) return value;
      await this.page.waitForTimeout(250);
    }
    throw new Error(await describe());
  }

  /** Opens a walkthrough through "Welcome: Open Walkthrough..." and returns the step titled `stepTitle`, once shown. */
  async openWalkthroughStep(walkthroughTitle: string, stepTitle: string): Promise<Locator> {
    await this.runCommand("Welcome: Open Walkthrough...");
    const row = this.quickInput.locator(".monaco-list-row", { hasText: walkthroughTitle }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 });
    await row.click();
    const step = this.page.locator(".getting-started-step", { hasText: stepTitle }).first();
    await step.waitFor({ state: "visible", timeout: 20_000 });
    return step;
  }

  /** Whether keyboard focus is in the Chat view's input, i.e. a person can type a message right away. */
  async chatInputHasFocus(): Promise<boolean> {
    return this.page.evaluate(() => !!document.activeElement?.closest(".interactive-input-part"));
  }

  /** Waits for a modal dialog (e.g. a sign-in code, an "open the external website?" question) and returns its message and detail text. */
  async waitForDialog(timeoutMs = 30_000): Promise<string> {
    const dialog = this.page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible", timeout: timeoutMs });
    return (await dialog.locator(".dialog-message-text, .dialog-message-detail").allInnerTexts()).join("\n").trim();
  }

  /** Clicks a button of the modal dialog by its label (e.g. "Copy & Continue", "Open", "Cancel"). */
  async clickDialogButton(label: string | RegExp): Promise<void> {
    const dialog = this.page.locator(".monaco-dialog-box");
    await dialog.locator(".dialog-buttons .monaco-button", { hasText: label }).first().click();
    await dialog.waitFor({ state: "hidden", timeout: 10_000 });
  }

  /** Opens a channel in the Output view through "Output: Show Output Channels..." and returns the text it shows. */
  async showOutputChannel(name: string): Promise<string> {
    await this.runCommand("Output: Show Output Channels...");
    await this.quickInput.locator("input").fill(name);
    const row = this.quickInput.locator(".monaco-list-row", { hasText: name }).first();
    await row.waitFor({ state: "visible", timeout: 10_000 });
    await row.click();
    return this.outputText();
  }

  /** The text the Output view currently shows (its visible lines). The panel can hold editors that are hidden (an earlier channel's, another view's), so only a visible one counts. */
  async outputText(timeoutMs = 10_000): Promise<string> {
    const lines = this.page.locator(".part.panel .monaco-editor .view-lines").filter({ visible: true }).first();
    await lines.waitFor({ state: "visible", timeout: timeoutMs });
    return (await lines.innerText()).replace(/\u00a0/g, " ");
  }

  /** Waits until the Output view shows text matching `pattern` and returns it; on timeout returns what it showed last, read once more after the deadline (a channel written to under load can fill just then). */
  async waitForOutputText(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
      text = await this.outputText(2_000).catch(() => text);
      if (pattern.test(text)) return text;
      await this.page.waitForTimeout(250);
    }
    return this.outputText(2_000).catch(() => text);
  }

  /** Focuses the integrated terminal, creating one when none is open ("Terminal: Focus Terminal" is reliable where clicks are intercepted by hovers). */
  async focusTerminal(): Promise<void> {
    await this.runCommand("Terminal: Focus Terminal");
    await this.page.locator(".terminal-wrapper .xterm").first().waitFor({ state: "visible", timeout: 20_000 });
  }

  /**
   * Asks a terminal agent's TUI (Claude Code, pi) a question as a person does: types it, waits until the prompt shows
   * it, then presses Enter, and waits for `answer`. Typed at machine speed on a loaded machine, the keys and the Enter
   * can reach the TUI in one read, which it takes for a paste (the Enter then stays in the prompt); a person's Enter
   * comes after they see the text. If the text still sits in the prompt `retryAfterMs` after Enter, with no answer,
   * Enter is pressed again, as that person would.
   */
  async askInTerminal(line: string, answer: RegExp, o: { timeoutMs?: number; retryAfterMs?: number } = {}): Promise<string[]> {
    const { timeoutMs = 60_000, retryAfterMs = 15_000 } = o;
    await this.page.keyboard.type(line);
    // A long line may wrap: its end is what the prompt row shows.
    const tail = line.slice(-24);
    await this.waitForTerminalText(tail, 15_000);
    await this.page.keyboard.press("Enter");
    const deadline = Date.now() + timeoutMs;
    let enteredAt = Date.now();
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await this.terminalRows();
      if (answer.test(rows.join("\n"))) return rows;
      const stillInPrompt = rows.some((row) => /^\s*[❯>]\s/.test(row) && row.trimEnd().endsWith(tail));
      if (stillInPrompt && Date.now() - enteredAt >= retryAfterMs) {
        await this.page.keyboard.press("Enter");
        enteredAt = Date.now();
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`the terminal never showed ${answer}; it shows:\n${rows.filter((r) => r.trim()).join("\n")}`);
  }

  /** The terminal's visible rows (needs "terminal.integrated.gpuAcceleration": "off", which test profiles set). */
  async terminalRows(): Promise<string[]> {
    const rows = this.page.locator(".terminal-wrapper.active .xterm-rows > div, .terminal-wrapper .xterm-rows > div");
    return (await rows.allInnerTexts()).map((t) => t.replace(/\u00a0/g, " ").trimEnd());
  }

  /** Waits until the terminal shows text matching `pattern`; returns the rows then. */
  async waitForTerminalText(pattern: string | RegExp, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await this.terminalRows();
      const screen = rows.join("\n");
      if (typeof pattern === "string" ? screen.includes(pattern) : pattern.test(screen)) return rows;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`the terminal never showed ${pattern}; it shows:\n${rows.filter((r) => r.trim()).join("\n")}`);
  }
}

/** A palette row's aria-label is the title, then ", <keybinding>" or ", similar commands" when there is one. */
function isCommandLabel(label: string, title: string): boolean {
  const l = label.toLowerCase();
  const t = title.toLowerCase();
  return l === t || l.startsWith(`${t}, `);
}
