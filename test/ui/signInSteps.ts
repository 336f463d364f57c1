// The steps a person takes to sign a code-server window in to Kiro with AWS Builder ID (palette, method picker, code dialog, Copy & Open, approve on the OIDC simulator's page), shared by the UI tests that need a real session.
import type { Page } from "playwright-core";
import type { OidcSimulator } from "../sim/oidcSimulator";
import { UserSteps } from "./userSteps";
import type { Workbench } from "./workbench";

/** The Kiro item of the status bar (its DOM id ends with the item's id, kiro.status). */
export function kiroStatus(page: Page) {
  return page.locator('.part.statusbar [id$="kiro.status"]').first();
}

/** The Kiro status bar item's text as shown, whitespace collapsed ("" while it is not there). */
export async function statusText(page: Page): Promise<string> {
  return ((await kiroStatus(page).innerText().catch(() => "")) || "").replace(/\s+/g, " ").trim();
}

/** Waits until the Kiro status bar item shows text matching `pattern` and returns that text. */
export async function waitForStatus(page: Page, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await statusText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`the Kiro status bar item never showed ${pattern}; it shows "${text}"`);
}

/** The quick pick's rows as shown, read in one go (the picker re-renders while usage arrives). */
export async function pickRows(workbench: Workbench): Promise<string[]> {
  return (await workbench.quickInput.locator(".monaco-list-row").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
}

/**
 * Runs "Kiro: Sign In" from the palette and waits for its method picker. (The palette ranks "Kiro: Import Sign-in…" above
 * "Kiro: Sign In" for that text, so the row is clicked by its label; the picker reuses the palette's widget, so this does not
 * wait for the palette to close as Workbench.runCommand does.)
 */
export async function openSignInPicker(workbench: Workbench, steps = new UserSteps(workbench.page)): Promise<void> {
  const title = "Kiro: Sign In";
  await workbench.openCommandPalette();
  steps.record("key", "F1 (command palette)");
  await workbench.quickInput.locator("input").fill(`>${title}`);
  steps.record("type", `type "${title}"`);
  const row = workbench.quickInput.locator(`.monaco-list-row[aria-label^="${title}"]`).first();
  await row.waitFor({ state: "visible", timeout: 15_000 });
  await steps.click(row, `click "${title}"`);
  await workbench.quickInput.locator("input").waitFor({ state: "visible", timeout: 10_000 });
}

/** What the person saw on the way, for the caller's assertions. */
export interface BuilderIdSignIn {
  /** The method picker's rows when it opened. */
  methodsOffered: string[];
  /** The one-time code the dialog showed. */
  code: string;
  /** The tab "Copy & Open" opened (URL and HTML), when it opened one. */
  openedPage?: { url: string; content: string };
  /** The "Waiting for you to approve code" notification's text. */
  waitingNotice: string;
  /** The sign-in page the person approved on (its HTML before approving). */
  approvalPageContent: string;
  /** The Kiro status bar item once it names the account. */
  statusText: string;
}

export interface SignInStepOptions {
  /** Screenshots of each step are named `<prefix>-method-picker`, `<prefix>-code-dialog`, …; default "sign-in". */
  screenshotPrefix?: string;
  /** How long to wait for the status bar to name the account after approving; default 60 s. */
  statusTimeoutMs?: number;
  /**
   * Where the person starts: "Kiro: Sign In" in the command palette (default), the status bar's "Kiro: Sign In" item, or
   * "picker" when something else (e.g. a walkthrough button) already opened the sign-in method picker.
   */
  start?: "palette" | "statusBar" | "picker";
  /** Records every click and key of the sign-in (the approval page's click included); default: a recorder nobody reads. */
  steps?: UserSteps;
}

/**
 * Signs the window in with AWS Builder ID as a person would, against the OIDC simulator the window's `kiro.oidcEndpoint`
 * setting points at, and returns once the status bar shows the account ("AWS Builder ID", or its email once Kiro told it).
 * Throws with what was on screen when a step cannot go on; assertions on what was seen are the caller's.
 */
export async function signInWithBuilderId(
  workbench: Workbench,
  oidc: Pick<OidcSimulator, "url">,
  options: SignInStepOptions = {},
): Promise<BuilderIdSignIn> {
  const { page } = workbench;
  const steps = options.steps ?? new UserSteps(page);
  const shot = (step: string) => workbench.screenshot(`${options.screenshotPrefix ?? "sign-in"}-${step}`);
  if (options.start === "statusBar") {
    await steps.click(kiroStatus(page), 'click "Kiro: Sign In" in the status bar');
    await workbench.quickInput.locator("input").waitFor({ state: "visible", timeout: 10_000 });
  } else if (options.start === "picker") {
    await workbench.quickInput.locator("input").waitFor({ state: "visible", timeout: 20_000 });
  } else {
    await openSignInPicker(workbench, steps);
  }

  // The method picker.
  const builderId = workbench.quickInput.locator(".monaco-list-row", { hasText: "AWS Builder ID" }).first();
  await builderId.waitFor({ state: "visible", timeout: 10_000 });
  const methodsOffered = await pickRows(workbench);
  await shot("method-picker");
  await steps.click(builderId, 'pick "AWS Builder ID"');

  // The one-time code dialog.
  const dialog = page.locator(".monaco-dialog-box").first();
  await dialog.waitFor({ state: "visible", timeout: 30_000 });
  const message = (await dialog.locator(".dialog-message-text").innerText()).trim();
  const code = /Your code: ([A-Z]{4}-[A-Z]{4})/.exec(message)?.[1];
  if (!code) {
    await shot("code-dialog-without-code");
    throw new Error(`the sign-in dialog shows no code: "${message}"`);
  }
  await shot("code-dialog");

  // "Copy & Open": code-server first asks whether it may open an external website; a person says Open.
  const popup = page.waitForEvent("popup", { timeout: 15_000 }).catch(() => undefined);
  await steps.click(dialog.locator(".monaco-button", { hasText: "Copy & Open" }), 'click "Copy & Open" in the code dialog');
  const confirm = page.locator(".monaco-dialog-box", { hasText: "open the external website" }).first();
  if (await confirm.waitFor({ state: "visible", timeout: 5_000 }).then(() => true, () => false)) {
    await shot("open-external-confirm");
    await steps.click(confirm.locator(".monaco-button", { hasText: /^Open$/ }), 'click "Open" when asked to open the external website');
  }
  const opened = await popup;
  let openedPage: BuilderIdSignIn["openedPage"];
  if (opened) {
    await opened.waitForLoadState("domcontentloaded");
    openedPage = { url: opened.url(), content: await opened.content() };
  }

  // The waiting notification names the code and the page.
  const waiting = await workbench.waitForNotification(/Waiting for you to approve code/);
  const waitingNotice = await waiting.innerText();
  await shot("waiting");
  await opened?.close();

  // The person approves on the sign-in page at the address the notification shows (the simulator's own address; the tab
  // code-server opened goes through its /proxy/<port>/ path instead).
  const approvalPage = await workbench.browser.newPage();
  let approvalPageContent: string;
  try {
    await approvalPage.goto(`${oidc.url}/device?user_code=${encodeURIComponent(code)}`);
    approvalPageContent = await approvalPage.content();
    await steps.click(approvalPage.locator("#approve"), 'click "Approve" on the sign-in page');
    await approvalPage.locator("#result").waitFor({ state: "visible", timeout: 10_000 });
  } finally {
    await approvalPage.close();
  }

  const text = await waitForStatus(page, /AWS Builder ID|@/, options.statusTimeoutMs).catch(async (error: unknown) => {
    await shot("status-bar-not-signed-in");
    throw error;
  });
  await shot("status-bar-signed-in");
  return { methodsOffered, code, openedPage, waitingNotice, approvalPageContent, statusText: text };
}
