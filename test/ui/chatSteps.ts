// Steps in VS Code's Chat view a person takes in the UI tests: picking a mode, a model and its thinking effort, sending a message, reading the answer.
import type { Workbench } from "./workbench";

/** Closes editors (the language model manager opens as a modal editor that takes every click) and dropdowns. */
export async function clearWorkbench(workbench: Workbench): Promise<void> {
  await workbench.page.keyboard.press("Escape");
  await workbench.runCommand("View: Close All Editors");
  await workbench.runCommand("Notifications: Clear All Notifications");
}

/** Opens the chat's mode picker and picks `mode` ("Ask", "Agent"), reopening it until the mode is offered. */
export async function pickChatMode(workbench: Workbench, mode: string): Promise<void> {
  const page = workbench.page;
  const input = page.locator(".interactive-input-part .native-edit-context").first();
  const isPicked = async () => new RegExp(`\\(${mode}\\)`).test((await input.getAttribute("aria-label")) ?? "");
  const modePicker = page.locator(".interactive-input-part .chat-mode-picker-item").first();
  await modePicker.waitFor({ state: "visible", timeout: 30_000 });
  const item = page.getByRole("menuitemcheckbox", { name: new RegExp(`^${mode}\\b`) }).first();
  let lastClickError = "";
  await workbench.eventually(
    async () => {
      if (await isPicked()) return true;
      if (!(await item.isVisible())) {
        await modePicker.click({ timeout: 5000 }).catch((error: unknown) => (lastClickError = String(error).split("\n").find((l) => /intercepts/.test(l)) ?? ""));
        await item.waitFor({ state: "visible", timeout: 3000 }).catch(() => undefined);
      }
      // Ask and Plan appear only once VS Code's chat extension has started; until then the picker offers Agent alone.
      if (await item.isVisible()) await item.click();
      else await page.keyboard.press("Escape");
      await page.waitForTimeout(500);
      return (await isPicked()) ? true : undefined;
    },
    async () => `${await workbench.screenshot(`chat-mode-${mode}-not-picked`)}: could not pick ${mode} (${lastClickError || "no click error"}): the chat input says "${await input.getAttribute("aria-label")}"; the mode picker offers ${(
      await page.getByRole("menuitemcheckbox").allInnerTexts()
    ).join(" | ")}`,
    60_000,
  );
}

/** Picks a Kiro model by its name in the Chat view's model picker. */
export async function pickChatModel(workbench: Workbench, name: string): Promise<void> {
  const page = workbench.page;
  const picker = page.locator(".interactive-input-part .model-picker-item").first();
  await picker.waitFor({ state: "visible", timeout: 30_000 });
  if ((await picker.innerText()).includes(name)) return;
  const widget = page.locator(".action-widget.action-widget-dropdown").first();
  // The picker lists the current model first and the others under "Other Models"; its search finds either.
  const row = widget.locator(".monaco-list-row", { hasText: new RegExp(`^\\s*${name.replace(/\./g, "\\.")}(?!\\s*\\()`) }).first();
  await workbench.eventually(
    async () => {
      if ((await picker.innerText()).includes(name)) return true;
      // While VS Code's chat extension starts, the picker closes or redraws its list at any moment (seen: a visible row,
      // or the search box, gone before the next action): each action gets a short timeout, and a failed one starts over.
      const done = (action: Promise<unknown>) => action.then(() => true, () => false);
      const picked =
        ((await widget.isVisible()) || (await done(picker.click({ timeout: 5000 })))) &&
        (await done(widget.locator("input").first().fill(name, { timeout: 3000 }))) &&
        (await done(row.click({ timeout: 3000 })));
      if (!picked && (await widget.isVisible())) await page.keyboard.press("Escape");
      return undefined;
    },
    async () =>
      `${await workbench.screenshot("chat-model-not-in-picker")}: no "${name}" row in the model picker: ${(await widget.locator(".monaco-list-row").allInnerTexts()).join(" | ") || "(none)"}`,
  );
}

/** Types a message into the Chat view's input and sends it with Enter. */
export async function sendChatMessage(workbench: Workbench, text: string): Promise<void> {
  const page = workbench.page;
  // "Chat: Open Chat" puts the focus in the input whatever covers it (toasts, the chat input's own notifications).
  await workbench.runCommand("Chat: Open Chat");
  await workbench.eventually(
    async () => ((await workbench.chatInputHasFocus()) ? true : undefined),
    async () => `${await workbench.screenshot("chat-input-not-focused")}: "Chat: Open Chat" left the Chat view's input without focus`,
    10_000,
  );
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/** Waits until the chat's last response shows text matching `pattern`, failing on Copilot's sign-in dialog. */
export async function waitForChatResponse(workbench: Workbench, pattern: RegExp, timeoutMs = 90_000, shot = "chat-response-missing"): Promise<string> {
  const page = workbench.page;
  const responses = page.locator(".interactive-item-container.interactive-response");
  return workbench.eventually(
    async () => {
      const dialog = page.locator(".monaco-dialog-box", { hasText: "Sign in to use GitHub Copilot" });
      if ((await dialog.count()) > 0) {
        await workbench.screenshot("chat-copilot-sign-in-dialog");
        throw new Error('the Chat view opened "Sign in to use GitHub Copilot" instead of asking the Kiro model');
      }
      const count = await responses.count();
      const last = count > 0 ? (await responses.nth(count - 1).innerText()).replace(/\u00a0/g, " ") : "";
      return pattern.test(last) ? last : undefined;
    },
    async () => {
      await workbench.screenshot(shot);
      const all = await responses.allInnerTexts();
      return `the chat never showed ${pattern}; responses: ${all.map((t) => t.replace(/\s+/g, " ").slice(0, 300)).join(" || ") || "(none)"}`;
    },
    timeoutMs,
  );
}

/** Picks `label` ("High", "Max", "Off") in the Thinking Effort control VS Code shows beside the model picker for the chat's model. */
export async function pickThinkingEffort(workbench: Workbench, label: string): Promise<void> {
  const page = workbench.page;
  const button = page.locator('.interactive-input-part [aria-label^="Thinking Effort"]').first();
  await button.waitFor({ state: "visible", timeout: 30_000 });
  const option = page.getByRole("menuitemradio", { name: new RegExp(`^${label}\\b`) }).first();
  await workbench.eventually(
    async () => {
      if ((await button.getAttribute("aria-label")) === `Thinking Effort: ${label}`) return true;
      if (!(await option.isVisible())) await button.click({ timeout: 5000 }).catch(() => undefined);
      await option.click({ timeout: 3000 }).catch(() => undefined);
      if (await option.isVisible()) await page.keyboard.press("Escape");
      return (await button.getAttribute("aria-label")) === `Thinking Effort: ${label}` ? true : undefined;
    },
    async () =>
      `${await workbench.screenshot(`chat-effort-${label}-not-picked`)}: could not pick the thinking effort ${label}; the control says "${await button.getAttribute("aria-label")}", the menu offers ${(
        await page.getByRole("menuitemradio").allInnerTexts()
      ).join(" | ")}`,
  );
}
