// UI test: a person runs "Kiro: Sign In", picks AWS Builder ID, reads the code in the dialog, clicks "Copy & Open", approves the code on the sign-in page in a browser tab, and sees the account in the status bar (also after reloading the window).
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { Workbench } from "./workbench";

let oidc: OidcSimulator;
let kiro: KiroSimulator;
let workbench: Workbench;

before(async () => {
  oidc = await startOidcSimulator({ interval: 1 });
  kiro = await startKiroSimulator();
  workbench = await Workbench.open({ settings: { "kiro.oidcEndpoint": oidc.url, "kiro.endpoint": kiro.url } });
});

after(async () => {
  await workbench?.close();
  await oidc?.close();
  await kiro?.close();
});

/** The Kiro item of the status bar (its DOM id ends with the item's id, kiro.status). */
function kiroStatus(page: Page) {
  return page.locator('.part.statusbar [id$="kiro.status"]').first();
}

async function statusText(page: Page): Promise<string> {
  return ((await kiroStatus(page).innerText().catch(() => "")) || "").replace(/\s+/g, " ").trim();
}

async function waitForStatus(page: Page, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await statusText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`the Kiro status bar item never showed ${pattern}; it shows "${text}"`);
}

/**
 * Runs a palette command by its exact title. (The palette ranks "Kiro: Import Sign-in…" above "Kiro: Sign In" for the
 * text "Kiro: Sign In", so the row is clicked by its label instead of taking the top one.)
 */
async function runExactCommand(title: string): Promise<void> {
  await workbench.openCommandPalette();
  await workbench.quickInput.locator("input").fill(`>${title}`);
  const row = workbench.quickInput.locator(`.monaco-list-row[aria-label^="${title}"]`).first();
  await row.waitFor({ state: "visible", timeout: 15_000 });
  await row.click();
}

/** The quick pick's rows as shown, read in one go (the picker re-renders while usage arrives). */
async function pickRows(): Promise<string[]> {
  return (await workbench.quickInput.locator(".monaco-list-row").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
}

test("signed out, the status bar offers Kiro: Sign In", async () => {
  const text = await waitForStatus(workbench.page, /Kiro: Sign In/);
  assert.match(text, /Kiro: Sign In/);
});

test("Kiro: Sign In → AWS Builder ID → code dialog → Copy & Open → approve in the browser → the account is in the status bar", async () => {
  const { page } = workbench;
  await runExactCommand("Kiro: Sign In");

  // The method picker.
  await workbench.quickInput.locator("input").waitFor({ state: "visible", timeout: 10_000 });
  await workbench.quickInput.locator(".monaco-list-row", { hasText: "AWS Builder ID" }).first().waitFor({ state: "visible", timeout: 10_000 });
  const offered = await pickRows();
  assert.ok(offered.some((item) => item.startsWith("AWS Builder ID")), `the picker offers: ${offered.join(" | ")}`);
  assert.ok(offered.some((item) => item.startsWith("Your organization (IAM Identity Center)")), `the picker offers: ${offered.join(" | ")}`);
  await workbench.screenshot("sign-in-method-picker");
  await workbench.quickInput.locator(".monaco-list-row", { hasText: "AWS Builder ID" }).first().click();

  // The one-time code dialog.
  const dialog = page.locator(".monaco-dialog-box").first();
  await dialog.waitFor({ state: "visible", timeout: 30_000 });
  const message = (await dialog.locator(".dialog-message-text").innerText()).trim();
  const code = /Your code: ([A-Z]{4}-[A-Z]{4})/.exec(message)?.[1];
  assert.ok(code, `the dialog shows no code: "${message}"`);
  await workbench.screenshot("sign-in-code-dialog");

  // "Copy & Open": code-server first asks whether it may open an external website; a person says Open.
  const popup = page.waitForEvent("popup", { timeout: 15_000 }).catch(() => undefined);
  await dialog.locator(".monaco-button", { hasText: "Copy & Open" }).click();
  const confirm = page.locator(".monaco-dialog-box", { hasText: "open the external website" }).first();
  if (await confirm.waitFor({ state: "visible", timeout: 5_000 }).then(() => true, () => false)) {
    await workbench.screenshot("sign-in-open-external-confirm");
    await confirm.locator(".monaco-button", { hasText: /^Open$/ }).click();
  }
  const opened = await popup;
  assert.ok(opened, "Copy & Open opened the sign-in page in a new tab");
  await opened.waitForLoadState("domcontentloaded");
  // code-server sends loopback addresses through its own port proxy (/proxy/<port>/device?user_code=…).
  assert.match(opened.url(), new RegExp(`/device\\?user_code=${code}$`), "the tab opened on the verification page with the code filled in");
  assert.match(await opened.content(), new RegExp(code), "the sign-in page shows the same code");

  // The waiting notification names the code and the page.
  const waiting = await workbench.waitForNotification(/Waiting for you to approve code/);
  const waitingText = await waiting.innerText();
  assert.match(waitingText, new RegExp(code));
  assert.ok(waitingText.includes(`${oidc.url}/device`), `the notification names the sign-in page: ${waitingText}`);
  await workbench.screenshot("sign-in-waiting");
  await opened.close();

  // The person approves on the sign-in page at the address the notification shows. (Approving in the proxied tab is not
  // possible: the simulator's page posts its form to an absolute /device/approve, which the proxy path loses.)
  const approvalPage = await workbench.browser.newPage();
  await approvalPage.goto(`${oidc.url}/device?user_code=${encodeURIComponent(code)}`);
  assert.match(await approvalPage.content(), new RegExp(code), "the sign-in page shows the same code");
  await approvalPage.locator("#approve").click();
  await approvalPage.locator("#result").waitFor({ state: "visible", timeout: 10_000 });
  await approvalPage.close();

  const text = await waitForStatus(page, /AWS Builder ID|@/);
  await workbench.screenshot("sign-in-status-bar-signed-in");
  assert.match(text, /AWS Builder ID/);
  assert.ok(oidc.issuedAccessTokens.length === 1, "one access token was issued");
});

test("clicking the account shows Kiro's usage and names the account by its email", async () => {
  const { page } = workbench;
  // The Kiro simulator accepts only one token: the one this sign-in got.
  kiro.setAccessToken(oidc.issuedAccessTokens.at(-1)!);
  await kiroStatus(page).click();
  await workbench.quickInput.waitFor({ state: "visible", timeout: 10_000 });
  const deadline = Date.now() + 20_000;
  let rows: string[] = [];
  while (Date.now() < deadline) {
    rows = await pickRows();
    if (rows.some((row) => /Credits: 12\.5 \/ 50 used/.test(row))) break;
    await page.waitForTimeout(250);
  }
  await workbench.screenshot("account-usage-picker");
  assert.ok(rows.some((row) => /Credits: 12\.5 \/ 50 used/.test(row)), `the picker shows: ${rows.join(" | ")}`);
  assert.ok(rows.some((row) => /Plan: KIRO FREE/.test(row)), `the picker shows: ${rows.join(" | ")}`);
  assert.ok(rows.some((row) => /Switch Account/.test(row)) && rows.some((row) => /Sign Out/.test(row)), `the picker shows: ${rows.join(" | ")}`);
  await page.keyboard.press("Escape");
  const text = await waitForStatus(page, /sim-user@example\.com/);
  assert.match(text, /sim-user@example\.com/);
});

test("after reloading the window the account is still signed in", async () => {
  const { page } = workbench;
  await page.reload();
  await workbench.waitUntilReady();
  const text = await waitForStatus(page, /sim-user@example\.com|Kiro: Sign In/, 120_000);
  await workbench.screenshot("sign-in-after-reload");
  assert.match(text, /sim-user@example\.com/, "the window came back signed out");
});

test("Your organization: start URL and region pickers, Cancel on the code dialog changes nothing and shows no error, the start URL is offered next time", async () => {
  const { page } = workbench;
  const startUrl = "https://my-company.awsapps.com/start";
  await runExactCommand("Kiro: Sign In");
  await workbench.quickInput.locator(".monaco-list-row", { hasText: "Your organization" }).first().click();

  // Step 1/2: the start URL, checked while typing.
  const input = workbench.quickInput.locator("input");
  await workbench.quickInput.locator(".quick-input-title", { hasText: "(1/2)" }).waitFor({ state: "visible", timeout: 10_000 });
  await input.fill("http://my-company.awsapps.com/start");
  const message = workbench.quickInput.locator(".quick-input-message");
  await message.filter({ hasText: "must begin with https://" }).waitFor({ state: "visible", timeout: 10_000 });
  await workbench.screenshot("sign-in-org-start-url-invalid");
  await input.fill(startUrl);
  await message.filter({ hasText: "must begin with https://" }).waitFor({ state: "hidden", timeout: 10_000 });
  await input.press("Enter");

  // Step 2/2: the region.
  await workbench.quickInput.locator(".quick-input-title", { hasText: "(2/2)" }).waitFor({ state: "visible", timeout: 10_000 });
  await input.fill("eu-west-1");
  await workbench.quickInput.locator(".monaco-list-row", { hasText: "Europe (Ireland)" }).first().click();

  // The code dialog: Cancel.
  const dialog = page.locator(".monaco-dialog-box").first();
  await dialog.waitFor({ state: "visible", timeout: 30_000 });
  const authorization = oidc.requests.filter((r) => r.path === "/device_authorization").at(-1);
  assert.equal((authorization?.body as { startUrl?: string } | undefined)?.startUrl, startUrl);
  await dialog.locator(".monaco-button", { hasText: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden", timeout: 10_000 });
  await page.waitForTimeout(1500);
  const toasts = await workbench.notifications();
  await workbench.screenshot("sign-in-org-cancelled");
  assert.ok(!toasts.some((t) => /failed|error|cancel/i.test(t)), `a cancelled sign-in showed: ${toasts.join(" | ")}`);
  assert.match(await statusText(page), /sim-user@example\.com/, "cancelling kept the signed-in account");

  // Next time the organisation's start URL is already filled in.
  await runExactCommand("Kiro: Sign In");
  await workbench.quickInput.locator(".monaco-list-row", { hasText: "Your organization" }).first().click();
  await workbench.quickInput.locator(".quick-input-title", { hasText: "(1/2)" }).waitFor({ state: "visible", timeout: 10_000 });
  assert.equal(await input.inputValue(), startUrl);
  await page.keyboard.press("Escape");
});
