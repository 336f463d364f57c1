// UI test: a person signs in to Kiro ("Kiro: Sign In", AWS Builder ID, approved on the OIDC simulator's page), reads Kiro's notice that VS Code's chat extension is off, closes it and turns the extension on from the walkthrough instead, finds Kiro's models in the Chat view and chats with them in Ask and Agent mode.
// Over 300 lines because every test here builds on the one signed-in window with the chat extension on (a second file would sign in and enable chat again); the steps themselves are in chatSteps.ts.
//
// VS Code 1.139 keeps its built-in chat extension (GitHub.copilot-chat) off in a profile that never finished Copilot's
// setup, and while it is off every message opens "Sign in to use GitHub Copilot" (docs/vscode-chat.md). Kiro's notice
// and the walkthrough's "Open Chat" turn on just that extension; the "Kiro" model group (github.copilot.hasByokModels)
// lets a message sent before the extension's agent registered wait for it instead of opening that dialog.
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { reasoningReply, textReply, toolUseReply } from "../sim/replies";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";
import { clearWorkbench, pickChatMode, pickChatModel, pickThinkingEffort, sendChatMessage, waitForChatResponse } from "./chatSteps";
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
  await pickChatModel(workbench, "Claude Sonnet 4.5");
  const input = page.locator(".interactive-input-part .native-edit-context").first();
  assert.match((await input.getAttribute("aria-label")) ?? "", /Claude Sonnet 4\.5/, "the chat input names the picked model");
  await workbench.screenshot("chat-kiro-model-picked");
});

test('"Chat: Manage Language Models" lists Kiro\'s catalog with tools and vision where the model has them', async () => {
  const page = workbench.page;
  await workbench.runCommand("Chat: Manage Language Models");
  // The language model manager lists Kiro's rows a moment after it opens; read them once DeepSeek's is there too.
  const rows = await workbench.eventually(
    async () => {
      const seen = (await page.locator(".monaco-list-row, tr").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
      return seen.some((r) => r.startsWith("Claude Sonnet 4.5 ")) && seen.some((r) => r.startsWith("DeepSeek 3.2 ")) ? seen : undefined;
    },
    async () => `${await workbench.screenshot("chat-language-models-missing")}: the language model manager never listed Claude Sonnet 4.5 and DeepSeek 3.2`,
    20_000,
  );
  await workbench.screenshot("chat-language-models");
  await page.keyboard.press("Escape");
  const row = (name: string) => rows.find((r) => r.startsWith(`${name} `));
  assert.match(row("Claude Sonnet 4.5") ?? "", /Tools.*Vision/, `Claude Sonnet 4.5's row: ${row("Claude Sonnet 4.5")}`);
  assert.match(row("DeepSeek 3.2") ?? "", /Tools/, "DeepSeek is listed with tools");
  assert.doesNotMatch(row("DeepSeek 3.2") ?? "", /Vision/, "DeepSeek takes no images, and says so");
});

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
  await clearWorkbench(workbench);
  await pickChatMode(workbench, "Ask");
  await pickChatModel(workbench, "Claude Sonnet 4.5");
  const before = sim.generateRequests().length;
  await sendChatMessage(workbench, "hello kiro, this is ask mode");
  await waitForChatResponse(workbench, /You said:[\s\S]*hello kiro, this is ask mode/, 90_000, "chat-ask-no-answer");
  // The model's label appears under the answer once the response has finished, which can trail the text by a moment.
  const answer = await waitForChatResponse(workbench, /You said:[\s\S]*hello kiro, this is ask mode[\s\S]*Claude Sonnet 4\.5|Claude Sonnet 4\.5[\s\S]*You said:[\s\S]*hello kiro, this is ask mode/, 30_000);
  await workbench.screenshot("chat-ask-answer");
  const sent = sim.generateRequests().slice(before);
  assert.ok(sent.length >= 1, "the Chat view asked Kiro");
  assert.deepEqual(sent.flatMap((r) => r.validationErrors), [], "every request passed the simulator's validation");
  assert.match(answer, /Claude Sonnet 4\.5/, "the answer is labelled with the Kiro model");
  // After the first answer Kiro offers its fast model for VS Code's utility tasks; this person says no (closes it), so the
  // following requests are the chat's own. Its toast sits over the chat input.
  await workbench.closeNotification(/utility tasks/);
});

/** The thinking fields of a recorded generateAssistantResponse request (`additionalModelRequestFields`). */
function thinkingFields(body: unknown): { thinking?: { type?: string }; output_config?: { effort?: string } } | undefined {
  return (body as { additionalModelRequestFields?: { thinking?: { type?: string }; output_config?: { effort?: string } } }).additionalModelRequestFields;
}

test("the model picker lists each Kiro model once, without (Thinking) twins, and a model that thinks gets a Thinking Effort control", async () => {
  await clearWorkbench(workbench);
  const page = workbench.page;
  const picker = page.locator(".interactive-input-part .model-picker-item").first();
  const widget = page.locator(".action-widget.action-widget-dropdown").first();
  const rows = await workbench.eventually(
    async () => {
      if (!(await widget.isVisible())) await picker.click({ timeout: 5000 }).catch(() => undefined);
      await widget.locator("input").first().fill("Claude", { timeout: 3000 }).catch(() => undefined);
      const seen = (await widget.locator(".monaco-list-row").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim()).filter((t) => /Kiro/.test(t));
      return seen.length >= 5 ? seen : undefined;
    },
    async () => `${await workbench.screenshot("chat-picker-no-kiro-rows")}: the picker's search for "Claude" listed ${(await widget.locator(".monaco-list-row").allInnerTexts()).join(" | ")}`,
  );
  await workbench.screenshot("chat-picker-one-entry-per-model");
  await page.keyboard.press("Escape");
  const names = rows.map((r) => r.replace(/\s*Kiro \(us-east-1\)[\s\S]*$/, ""));
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], `a model is listed twice: ${rows.join(" | ")}`);
  assert.ok(!rows.some((r) => /\(Thinking\)/.test(r)), `a "(Thinking)" entry is still listed: ${rows.join(" | ")}`);
  assert.ok(names.includes("Claude Sonnet 4.6"), `Claude Sonnet 4.6 is listed: ${rows.join(" | ")}`);
  await pickChatModel(workbench, "Claude Sonnet 4.6");
  const effort = page.locator('.interactive-input-part [aria-label^="Thinking Effort"]').first();
  await effort.waitFor({ state: "visible", timeout: 30_000 });
  assert.equal(await effort.getAttribute("aria-label"), "Thinking Effort: Off", "the catalog lets Sonnet 4.6 think or not, and the picker starts at Off");
  await workbench.screenshot("chat-thinking-effort-control");
});

test("choosing a thinking effort in the picker changes the effort Kiro receives: High, then Max", async () => {
  await clearWorkbench(workbench);
  await pickChatModel(workbench, "Claude Sonnet 4.6");
  const sentWith = async (label: string, message: string) => {
    await pickThinkingEffort(workbench, label);
    const before = sim.generateRequests().length;
    await sendChatMessage(workbench, message);
    await waitForChatResponse(workbench, new RegExp(`You said:[\\s\\S]*${message}`), 90_000, `chat-effort-${label}-no-answer`);
    const sent = sim.generateRequests().slice(before);
    assert.deepEqual(sent.flatMap((r) => r.validationErrors), [], "the requests passed the simulator's validation");
    return sent.map((r) => thinkingFields(r.body));
  };
  const high = await sentWith("High", "effort high please");
  assert.deepEqual(high.at(-1), { thinking: { type: "adaptive" }, output_config: { effort: "high" } });
  const max = await sentWith("Max", "effort max please");
  assert.deepEqual(max.at(-1), { thinking: { type: "adaptive" }, output_config: { effort: "max" } });
  await workbench.screenshot("chat-effort-max-answer");
});

test("after an answer the Chat view's context indicator shows how full the context is, from the usage Kiro reported", async () => {
  await clearWorkbench(workbench);
  await pickChatModel(workbench, "Claude Sonnet 4.5");
  // 50,000 prompt + 100 output tokens of Sonnet 4.5's 200K window: a quarter.
  sim.reply(textReply("A measured answer.", { usage: { input: 50_000, output: 100 }, contextUsagePercentage: 25 }));
  await sendChatMessage(workbench, "how full is the context?");
  await waitForChatResponse(workbench, /A measured answer\./);
  const indicator = workbench.page.locator(".interactive-input-part .chat-context-usage-widget").first();
  const label = await workbench.eventually(
    async () => {
      if (!(await indicator.isVisible())) return undefined;
      const text = (await indicator.locator(".percentage-label").innerText()).trim();
      return /\d/.test(text) ? text : undefined;
    },
    async () => `${await workbench.screenshot("chat-context-indicator-missing")}: the context indicator never showed a share (visible: ${await indicator.isVisible()})`,
  );
  await workbench.screenshot("chat-context-indicator");
  assert.match(label, /^25\s*%$/, `the indicator says ${label}`);
});

test("a second turn sends Kiro the reasoning signature of the first turn's thinking", async () => {
  await clearWorkbench(workbench);
  await pickChatModel(workbench, "Claude Sonnet 4.6");
  await pickThinkingEffort(workbench, "High");
  sim.reply(reasoningReply("Weighing the question carefully.", "sig-ui-first-turn", "A thought-through answer."));
  await sendChatMessage(workbench, "think before you answer");
  await waitForChatResponse(workbench, /A thought-through answer\./);
  await workbench.screenshot("chat-reasoning-first-turn");
  const before = sim.generateRequests().length;
  await sendChatMessage(workbench, "and the second turn");
  await waitForChatResponse(workbench, /You said:[\s\S]*and the second turn/);
  const second = sim.generateRequests().slice(before);
  assert.ok(second.length >= 1, "the second turn asked Kiro");
  assert.deepEqual(second.flatMap((r) => r.validationErrors), [], "the second turn passed the simulator's validation");
  const history = JSON.stringify((second.at(-1)!.body as { conversationState?: { history?: unknown } }).conversationState?.history ?? []);
  assert.match(history, /sig-ui-first-turn/, `the history sent with the second turn lost the first turn's signature: ${history.slice(0, 1500)}`);
  assert.match(history, /Weighing the question carefully\./, "and its thinking text");
});

test("in Agent mode the Kiro model calls VS Code's read-file tool and answers from its result", async () => {
  await clearWorkbench(workbench);
  const notes = path.join(workbench.profile.workspaceDir, "notes.txt");
  writeFileSync(notes, "The launch code is pelican-42.\nSecond line.\n");
  await pickChatMode(workbench, "Agent");
  await pickChatModel(workbench, "Claude Sonnet 4.5");
  const first = sim.generateRequests().length;
  await sendChatMessage(workbench, "hello kiro, this is agent mode");
  await waitForChatResponse(workbench, /You said:[\s\S]*hello kiro, this is agent mode/);
  const agentRequest = sim.generateRequests()[first];
  assert.ok(agentRequest, "the agent asked Kiro");
  const tools = toolsOffered(agentRequest.body);
  const readTool = tools.find((t) => /^read_?file$/i.test(t.name)) ?? tools.find((t) => /read.?file/i.test(t.name));
  assert.ok(readTool, `the agent offered no read-file tool; it offered: ${tools.map((t) => t.name).join(", ")}`);

  sim.reply(toolUseReply([{ name: readTool.name, input: readFileArguments(readTool.schema, notes) }], { text: "Let me read notes.txt." }));
  const second = sim.generateRequests().length;
  await sendChatMessage(workbench, "What does notes.txt say?");
  const answer = await waitForChatResponse(workbench, new RegExp(`The ${readTool.name} tool returned: "The launch code is pelican-42\\."`));
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
