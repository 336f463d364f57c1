// UI test: a person who has not signed in yet clicks "Open Chat" in the "Get Started with Kiro" walkthrough; it signs them in, turns on VS Code's chat extension without a second notice, and the Chat view answers with Kiro.
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { signInWithBuilderId, waitForStatus } from "./signInSteps";
import { Workbench } from "./workbench";

let oidc: OidcSimulator;
let sim: KiroSimulator;
let workbench: Workbench;

before(async () => {
  oidc = await startOidcSimulator({ interval: 1 });
  sim = await startKiroSimulator({ acceptsToken: (token) => oidc.isValidAccessToken(token) });
  workbench = await Workbench.open({
    env: { KIRO_ACCESS_TOKEN: undefined, KIRO_ENDPOINT: undefined },
    settings: { "kiro.oidcEndpoint": oidc.url, "kiro.endpoint": sim.url },
  });
});

after(async () => {
  await workbench?.close();
  await sim?.close();
  await oidc?.close();
});

test('signed out, the walkthrough\'s "Open Chat" signs in first, then turns VS Code\'s chat extension on and opens the Chat view, with no notice about it', async () => {
  const page = workbench.page;
  await waitForStatus(page, /Kiro: Sign In/);
  const chatStep = await workbench.openWalkthroughStep("Get Started with Kiro", "Chat with a Kiro model");
  await chatStep.click();
  await chatStep.locator(".monaco-button, a", { hasText: "Open Chat" }).first().click();
  // The button's first stop is Kiro's sign-in (its method picker); the person signs in as usual.
  await signInWithBuilderId(workbench, oidc, { start: "picker", screenshotPrefix: "walkthrough-chat-sign-in" });
  await workbench.eventually(
    async () => ((await workbench.chatInputHasFocus()) ? true : undefined),
    async () => `${await workbench.screenshot("walkthrough-chat-not-opened")}: after signing in, "Open Chat" never focused the Chat view's input`,
    60_000,
  );
  await workbench.screenshot("walkthrough-chat-opened");
  assert.deepEqual(
    (await workbench.notifications()).filter((n) => /built-in chat extension/.test(n)),
    [],
    "no notice that the chat extension is off while Open Chat was turning it on",
  );
  await page.keyboard.type("Hello from the walkthrough");
  await page.keyboard.press("Enter");
  const responses = page.locator(".interactive-item-container.interactive-response");
  await workbench.eventually(
    async () => {
      if ((await page.locator(".monaco-dialog-box", { hasText: "Sign in to use GitHub Copilot" }).count()) > 0) {
        throw new Error('the Chat view opened "Sign in to use GitHub Copilot" instead of asking Kiro');
      }
      return /You said:[\s\S]*Hello from the walkthrough/.test((await responses.allInnerTexts()).join("\n")) ? true : undefined;
    },
    async () => `${await workbench.screenshot("walkthrough-chat-no-answer")}: the Chat view never showed Kiro's answer`,
    90_000,
  );
  assert.equal(sim.generateRequests().length, 1, "the question reached Kiro once");
});
