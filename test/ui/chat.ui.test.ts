// UI test: a person signs in to Kiro ("Kiro: Sign In", AWS Builder ID, approved on the OIDC simulator's page), reads Kiro's notice that VS Code's chat extension is off, closes it and turns the extension on from the walkthrough instead, finds Kiro's models in the Chat view and chats with them in Ask and Agent mode.
//
// VS Code 1.139 keeps its built-in chat extension (GitHub.copilot-chat) off in a profile that never finished Copilot's
// setup, and while it is off every message opens "Sign in to use GitHub Copilot" (docs/vscode-chat.md). Kiro's notice
// and the walkthrough's "Open Chat" turn on just that extension; the "Kiro" model group (github.copilot.hasByokModels)
// lets a message sent before the extension's agent registered wait for it instead of opening that dialog.
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { toolUseReply } from "../sim/replies";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { signInWithBuilderId, statusText } from "./signInSteps";
import { Workbench } from "./workbench";

let oidc: OidcSimulator;
let sim: KiroSimulator;
let workbench: Workbench;

before(async () => {
  oidc = await startOidcSimulator({ interval: 1 });
  // Kiro accepts exactly the tokens the sign-in got (and their refreshes), as the real service would.
  sim = await startKiroSimulator({ acceptsToken: (token) => oidc.isValidAccessToken(token) });
  // No KIRO_ACCESS_TOKEN / KIRO_ENDPOINT from the test's own environment: the window knows Kiro only through its settings and its sign-in.
  workbench = await Workbench.open({
    env: { KIRO_ACCESS_TOKEN: undefined, KIRO_ENDPOINT: undefined },
    settings: { "kiro.oidcEndpoint": oidc.url, "kiro.endpoint": sim.url },
  });
  await signInWithBuilderId(workbench, oidc, { screenshotPrefix: "chat-sign-in" });
});

after(async () => {
  await workbench?.close();
  await sim?.close();
  await oidc?.close();
});

test('the window is signed in through "Kiro: Sign In": the status bar names the account, not the KIRO_ACCESS_TOKEN fallback', async () => {
  const status = await statusText(workbench.page);
  assert.match(status, /AWS Builder ID|sim-user@example\.com/);
  assert.doesNotMatch(status, /KIRO_ACCESS_TOKEN/);
  assert.equal(oidc.issuedAccessTokens.length, 1, "the sign-in got one access token");
});

function eventually<T>(check: () => Promise<T | undefined>, describe: () => Promise<string>, timeoutMs = 30_000): Promise<T> {
  return workbench.eventually(check, describe, timeoutMs);
}

test("signed in on a fresh profile, Kiro records its model group and says VS Code's chat extension is off, offering to enable just that one", async () => {
  const groups = await eventually(
    async () => {
      if (!existsSync(chatLanguageModelsFile())) return undefined;
      const parsed = JSON.parse(readFileSync(chatLanguageModelsFile(), "utf8")) as Array<{ name?: string; vendor?: string }>;
      return parsed.some((g) => g.vendor === "kiro") ? parsed : undefined;
    },
    async () => `chatLanguageModels.json has no kiro group: ${existsSync(chatLanguageModelsFile()) ? readFileSync(chatLanguageModelsFile(), "utf8") : "(no file)"}`,
  );
  assert.deepEqual(groups.find((g) => g.vendor === "kiro"), { name: "Kiro", vendor: "kiro" });
  const notice = await workbench.waitForNotification(/built-in chat extension/);
  assert.match(await notice.innerText(), /just that extension/, "the notice says it enables one extension, not every disabled one");
  assert.equal(await notice.locator(".monaco-button", { hasText: "Enable Chat" }).count(), 1, "the notice has the Enable Chat button");
  await workbench.screenshot("chat-kiro-notice");
});

test('after the notice is closed, the walkthrough\'s "Open Chat" turns VS Code\'s chat extension on and opens the Chat view', async () => {
  await workbench.closeNotification(/built-in chat extension/);
  await workbench.runCommand("Notifications: Clear All Notifications");
  const chatStep = await workbench.openWalkthroughStep("Get Started with Kiro", "Chat with a Kiro model");
  await chatStep.click();
  await chatStep.locator(".monaco-button, a", { hasText: "Open Chat" }).first().click();
  await eventually(
    async () => ((await workbench.chatInputHasFocus()) ? true : undefined),
    async () => `${await workbench.screenshot("chat-walkthrough-not-opened")}: after the walkthrough's "Open Chat" the Chat view's input never got the focus`,
  );
  await workbench.screenshot("chat-walkthrough-open-chat");
  assert.deepEqual((await workbench.notifications()).filter((n) => /built-in chat extension/.test(n)), [], "the closed notice did not come back");
  await workbench.runCommand("View: Close All Editors");
});

test("Kiro's models reach the Chat view's model picker on their own, without a detour through Manage Models", async () => {
  const page = workbench.page;
  await eventually(
    async () => (sim.requests.some((r) => r.path === "/ListAvailableModels") ? true : undefined),
    async () => `the extension never asked Kiro for its models; requests: ${sim.requests.map((r) => r.path).join(", ") || "(none)"}`,
  );
  const picker = page.locator(".interactive-input-part .model-picker-item").first();
  await picker.waitFor({ state: "visible", timeout: 30_000 });
  await picker.click();
  const widget = page.locator(".action-widget.action-widget-dropdown").first();
  await widget.waitFor({ state: "visible", timeout: 10_000 });
  const rows = async () => (await widget.locator(".monaco-list-row").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
  await workbench.screenshot("chat-model-picker");
  const seen = await rows();
  await page.keyboard.press("Escape");
  assert.ok(
    seen.some((row) => /Kiro \(us-east-1\)/.test(row)),
    `the model picker shows no Kiro model (a first-time user would get "Sign in to use Copilot"): ${seen.join(" | ")}`,
  );
});

test("picking Claude Sonnet 4.5 from Kiro in the Chat view makes it the chat's model", async () => {
  const page = workbench.page;
  await pickChatModel("Claude Sonnet 4.5");
  const input = page.locator(".interactive-input-part .native-edit-context").first();
  assert.match((await input.getAttribute("aria-label")) ?? "", /Claude Sonnet 4\.5/, "the chat input names the picked model");
  await workbench.screenshot("chat-kiro-model-picked");
});

test('"Chat: Manage Language Models" lists Kiro\'s catalog with tools and vision where the model has them', async () => {
  const page = workbench.page;
  await workbench.runCommand("Chat: Manage Language Models");
  const sonnet = page.getByText("Claude Sonnet 4.5").first();
  await sonnet.waitFor({ state: "visible", timeout: 20_000 });
  const rows = (await page.locator(".monaco-list-row, tr").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
  await workbench.screenshot("chat-language-models");
  await page.keyboard.press("Escape");
  const row = (name: string) => rows.find((r) => r.startsWith(`${name} `));
  assert.match(row("Claude Sonnet 4.5") ?? "", /Tools.*Vision/, `Claude Sonnet 4.5's row: ${row("Claude Sonnet 4.5")}`);
  assert.match(row("DeepSeek 3.2") ?? "", /Tools/, "DeepSeek is listed with tools");
  assert.doesNotMatch(row("DeepSeek 3.2") ?? "", /Vision/, "DeepSeek takes no images, and says so");
});

/** Closes editors (the language model manager opens as a modal editor that takes every click) and dropdowns. */
async function clearWorkbench(): Promise<void> {
  await workbench.page.keyboard.press("Escape");
  await workbench.runCommand("View: Close All Editors");
  await workbench.runCommand("Notifications: Clear All Notifications");
}

/** Opens the chat's mode picker and picks `mode` ("Ask", "Agent"), reopening it until the mode is offered. */
async function pickChatMode(mode: string): Promise<void> {
  const page = workbench.page;
  const input = page.locator(".interactive-input-part .native-edit-context").first();
  const isPicked = async () => new RegExp(`\\(${mode}\\)`).test((await input.getAttribute("aria-label")) ?? "");
  const modePicker = page.locator(".interactive-input-part .chat-mode-picker-item").first();
  await modePicker.waitFor({ state: "visible", timeout: 30_000 });
  const item = page.getByRole("menuitemcheckbox", { name: new RegExp(`^${mode}\\b`) }).first();
  let lastClickError = "";
  await eventually(
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
async function pickChatModel(name: string): Promise<void> {
  const page = workbench.page;
  const picker = page.locator(".interactive-input-part .model-picker-item").first();
  await picker.waitFor({ state: "visible", timeout: 30_000 });
  if ((await picker.innerText()).includes(name)) return;
  const widget = page.locator(".action-widget.action-widget-dropdown").first();
  // The picker lists the current model first and the others under "Other Models"; its search finds either.
  const row = widget.locator(".monaco-list-row", { hasText: new RegExp(`^\\s*${name.replace(/\./g, "\\.")}(?!\\s*\\()`) }).first();
  await eventually(
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
async function sendChatMessage(text: string): Promise<void> {
  const page = workbench.page;
  // "Chat: Open Chat" puts the focus in the input whatever covers it (toasts, the chat input's own notifications).
  await workbench.runCommand("Chat: Open Chat");
  await eventually(
    async () => ((await workbench.chatInputHasFocus()) ? true : undefined),
    async () => `${await workbench.screenshot("chat-input-not-focused")}: "Chat: Open Chat" left the Chat view's input without focus`,
    10_000,
  );
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/** Waits until the chat's last response shows text matching `pattern`, failing on Copilot's sign-in dialog. */
async function waitForChatResponse(pattern: RegExp, timeoutMs = 90_000, shot = "chat-response-missing"): Promise<string> {
  const page = workbench.page;
  const responses = page.locator(".interactive-item-container.interactive-response");
  return eventually(
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

interface ToolSpec {
  name: string;
  schema: Record<string, unknown>;
}

/** The tools (name and JSON schema) a recorded generateAssistantResponse request offered the model. */
function toolsOffered(body: unknown): ToolSpec[] {
  const state = (body as { conversationState?: { currentMessage?: { userInputMessage?: { userInputMessageContext?: { tools?: unknown[] } } } } })
    .conversationState;
  const tools = state?.currentMessage?.userInputMessage?.userInputMessageContext?.tools ?? [];
  return tools.map((t) => {
    const spec = (t as { toolSpecification?: { name?: string; inputSchema?: { json?: Record<string, unknown> } } }).toolSpecification;
    return { name: spec?.name ?? "", schema: spec?.inputSchema?.json ?? {} };
  });
}

/** Arguments for a read-file tool: the file in its path property, a line range covering the file for its numeric ones. */
function readFileArguments(schema: Record<string, unknown>, file: string): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string }>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const pathProperty = Object.keys(properties).find((name) => /path|file|uri/i.test(name)) ?? required[0] ?? "filePath";
  const input: Record<string, unknown> = { [pathProperty]: file };
  for (const name of required) {
    if (name in input) continue;
    const type = properties[name]?.type;
    input[name] = type === "integer" || type === "number" ? (/end|limit|count/i.test(name) ? 50 : 1) : type === "boolean" ? false : file;
  }
  return input;
}

function chatLanguageModelsFile(): string {
  return path.join(workbench.profile.userDataDir, "User", "chatLanguageModels.json");
}

test("with VS Code's chat extension on, Ask mode answers with the Kiro model", async () => {
  await clearWorkbench();
  await pickChatMode("Ask");
  await pickChatModel("Claude Sonnet 4.5");
  const before = sim.generateRequests().length;
  await sendChatMessage("hello kiro, this is ask mode");
  await waitForChatResponse(/You said:[\s\S]*hello kiro, this is ask mode/, 90_000, "chat-ask-no-answer");
  // The model's label appears under the answer once the response has finished, which can trail the text by a moment.
  const answer = await waitForChatResponse(/You said:[\s\S]*hello kiro, this is ask mode[\s\S]*Claude Sonnet 4\.5|Claude Sonnet 4\.5[\s\S]*You said:[\s\S]*hello kiro, this is ask mode/, 30_000);
  await workbench.screenshot("chat-ask-answer");
  const sent = sim.generateRequests().slice(before);
  assert.ok(sent.length >= 1, "the Chat view asked Kiro");
  assert.deepEqual(sent.flatMap((r) => r.validationErrors), [], "every request passed the simulator's validation");
  assert.match(answer, /Claude Sonnet 4\.5/, "the answer is labelled with the Kiro model");
  // After the first answer Kiro offers its fast model for VS Code's utility tasks; this person says no (closes it), so the
  // following requests are the chat's own. Its toast sits over the chat input.
  await workbench.closeNotification(/utility tasks/);
});

test("in Agent mode the Kiro model calls VS Code's read-file tool and answers from its result", async () => {
  await clearWorkbench();
  const notes = path.join(workbench.profile.workspaceDir, "notes.txt");
  writeFileSync(notes, "The launch code is pelican-42.\nSecond line.\n");
  await pickChatMode("Agent");
  await pickChatModel("Claude Sonnet 4.5");
  const first = sim.generateRequests().length;
  await sendChatMessage("hello kiro, this is agent mode");
  await waitForChatResponse(/You said:[\s\S]*hello kiro, this is agent mode/);
  const agentRequest = sim.generateRequests()[first];
  assert.ok(agentRequest, "the agent asked Kiro");
  const tools = toolsOffered(agentRequest.body);
  const readTool = tools.find((t) => /^read_?file$/i.test(t.name)) ?? tools.find((t) => /read.?file/i.test(t.name));
  assert.ok(readTool, `the agent offered no read-file tool; it offered: ${tools.map((t) => t.name).join(", ")}`);

  sim.reply(toolUseReply([{ name: readTool.name, input: readFileArguments(readTool.schema, notes) }], { text: "Let me read notes.txt." }));
  const second = sim.generateRequests().length;
  await sendChatMessage("What does notes.txt say?");
  const answer = await waitForChatResponse(new RegExp(`The ${readTool.name} tool returned: "The launch code is pelican-42\\."`));
  await workbench.screenshot("chat-agent-tool-answer");
  const followUps = sim.generateRequests().slice(second);
  const withResult = followUps.find((r) => JSON.stringify(r.body).includes('"toolResults"'));
  assert.ok(withResult, `no request carried the tool's result back; ${followUps.length} request(s) after the tool call`);
  assert.deepEqual(followUps.flatMap((r) => r.validationErrors), [], "the follow-up passed the simulator's validation");
  assert.match(JSON.stringify(withResult.body), /pelican-42/, "the tool result sent to Kiro holds the file's text");
  assert.match(answer, /pelican-42/);
});

test('after Kiro answered in the Chat view, the "Get Started with Kiro" walkthrough shows its chat step checked off', async () => {
  const chatStep = await workbench.openWalkthroughStep("Get Started with Kiro", "Chat with a Kiro model");
  const checked = await chatStep.locator("[role=checkbox]").first().getAttribute("aria-checked");
  await workbench.screenshot("chat-walkthrough-step");
  assert.equal(checked, "true", "Kiro answered earlier in this profile, so the walkthrough's chat step is done");
});

test("everything the window sent Kiro named the account's profile: the model list, usage and each chat request", () => {
  const needsProfile = sim.requests.filter((r) => r.operation === "generateAssistantResponse" || r.operation === "listAvailableModels" || r.operation === "getUsageLimits");
  assert.ok(needsProfile.length > 0);
  assert.deepEqual(sim.callsWithoutProfileArn().map((r) => `${r.method} ${r.path}`), []);
});
