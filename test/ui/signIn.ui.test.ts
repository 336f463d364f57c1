// UI test: a person runs "Kiro: Sign In", picks AWS Builder ID, reads the code in the dialog, clicks "Copy & Open", approves the code on the sign-in page in a browser tab, and sees the account in the status bar (also after reloading the window).
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { kiroStatus, openSignInPicker, pickRows, signInWithBuilderId, statusText, waitForStatus } from "./signInSteps";
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

test("signed out, the status bar offers Kiro: Sign In", async () => {
  const text = await waitForStatus(workbench.page, /Kiro: Sign In/);
  assert.match(text, /Kiro: Sign In/);
});

test("Kiro: Sign In → AWS Builder ID → code dialog → Copy & Open → approve in the browser → the account is in the status bar", async () => {
  const seen = await signInWithBuilderId(workbench, oidc);
  const { code } = seen;

  // The method picker.
  assert.ok(seen.methodsOffered.some((item) => item.startsWith("AWS Builder ID")), `the picker offers: ${seen.methodsOffered.join(" | ")}`);
  assert.ok(
    seen.methodsOffered.some((item) => item.startsWith("Your organization (IAM Identity Center)")),
    `the picker offers: ${seen.methodsOffered.join(" | ")}`,
  );

  // (The one-time code dialog showed `code`: signInWithBuilderId stops with the dialog's text when it shows none.)

  // "Copy & Open" opened the verification page.
  assert.ok(seen.openedPage, "Copy & Open opened the sign-in page in a new tab");
  // code-server sends loopback addresses through its own port proxy (/proxy/<port>/device?user_code=…).
  assert.match(seen.openedPage.url, new RegExp(`/device\\?user_code=${code}$`), "the tab opened on the verification page with the code filled in");
  assert.match(seen.openedPage.content, new RegExp(code), "the sign-in page shows the same code");

  // The waiting notification names the code and the page.
  assert.match(seen.waitingNotice, new RegExp(code));
  assert.ok(seen.waitingNotice.includes(`${oidc.url}/device`), `the notification names the sign-in page: ${seen.waitingNotice}`);

  // The page the person approved on showed the same code.
  assert.match(seen.approvalPageContent, new RegExp(code), "the sign-in page shows the same code");

  assert.match(seen.statusText, /AWS Builder ID/);
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
    rows = await pickRows(workbench);
    // Rows render as the usage arrives; wait for the whole picker, not just its first row.
    const expected = [/Credits: 12\.5 \/ 50 used/, /Plan: KIRO FREE/, /Switch Account/, /Sign Out/];
    if (expected.every((pattern) => rows.some((row) => pattern.test(row)))) break;
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
  await openSignInPicker(workbench);
  await chooseByTyping(workbench, "Your organization");

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
  await openSignInPicker(workbench);
  await chooseByTyping(workbench, "Your organization");
  await workbench.quickInput.locator(".quick-input-title", { hasText: "(1/2)" }).waitFor({ state: "visible", timeout: 10_000 });
  assert.equal(await input.inputValue(), startUrl);
  await page.keyboard.press("Escape");
});

/**
 * Picks a sign-in choice the way a keyboard user does: typed into the picker's filter, then Enter. A click can land on
 * the hover VS Code shows for the row under the mouse (another choice's description), which swallows it.
 */
async function chooseByTyping(bench: typeof workbench, label: string): Promise<void> {
  await bench.quickInput.locator(".monaco-list-row", { hasText: label }).first().waitFor({ state: "visible", timeout: 10_000 });
  await bench.page.keyboard.type(label);
  await bench.quickInput.locator(".monaco-list-row.focused", { hasText: label }).waitFor({ state: "visible", timeout: 10_000 });
  await bench.page.keyboard.press("Enter");
}
