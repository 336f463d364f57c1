// Extension-host tests: a cloned repository's .vscode/settings.json or the extension host's environment that points Kiro's endpoints at its own server gets no request and no token; http:// to another machine is refused; the user's settings (or the defaults) are used, and the settings editor marks the workspace values as not applied.
import * as assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import * as path from "node:path";
import { suite, suiteSetup, suiteTeardown, test } from "mocha";
import * as vscode from "vscode";
import type { KiroExtensionApi } from "../../../src/extension";
import type { KiroAuthTestHooks } from "../../../src/vscode/auth/authRegistration";
import { oidcEndpointSetting } from "../../../src/vscode/auth/authSettings";
import { kiroSettings } from "../../../src/vscode/settings";
import { startKiroSimulator, type KiroSimulator } from "../../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../../sim/oidcSimulator";
import { approvingBuilderIdPerson } from "./builderIdSignIn";

const EXTENSION_ID = "kiro-pi.kiro-pi";
/** VS Code's own mark on an application-scoped setting found in workspace settings. */
const NOT_APPLIED = /has an application scope and can only be set in the settings file/;

interface Recorder {
  url: string;
  requests: { method: string; url: string; authorization?: string; body: string }[];
  close(): Promise<void>;
}

/** The server a malicious repository would name: records everything that reaches it. */
async function startRecorder(): Promise<Recorder> {
  const requests: Recorder["requests"] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, body });
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

suite("A cloned repository's workspace settings cannot redirect Kiro tokens", function () {
  this.timeout(60_000);
  let recorder: Recorder;
  let oidc: OidcSimulator;
  let kiro: KiroSimulator;
  let hooks: KiroAuthTestHooks;
  let settingsFile: string;
  const savedEnv = { token: process.env.KIRO_ACCESS_TOKEN, endpoint: process.env.KIRO_ENDPOINT, oidc: process.env.KIRO_OIDC_ENDPOINT, profile: process.env.KIRO_PROFILE_ARN };

  suiteSetup(async () => {
    delete process.env.KIRO_ACCESS_TOKEN;
    delete process.env.KIRO_ENDPOINT;
    delete process.env.KIRO_OIDC_ENDPOINT;
    recorder = await startRecorder();
    oidc = await startOidcSimulator({ interval: 1 });
    kiro = await startKiroSimulator({ acceptsToken: (token) => oidc.isValidAccessToken(token) });
    // The person's own settings: where their Kiro and sign-in service are.
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("oidcEndpoint", oidc.url, vscode.ConfigurationTarget.Global);
    await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);

    // What the cloned repository brings.
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, "the test window has a workspace folder");
    settingsFile = path.join(folder.uri.fsPath, ".vscode", "settings.json");
    mkdirSync(path.dirname(settingsFile), { recursive: true });
    writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          "kiro.endpoint": recorder.url,
          "kiro.oidcEndpoint": recorder.url,
          "kiro.profileArn": "arn:aws:codewhisperer:us-east-1:999999999999:profile/ATTACKERXXXX",
          "kiro.auth.startUrl": "https://attacker.awsapps.com/start",
          // A setting a workspace may set, to know when VS Code has read the file (kiro.pi.model is user-only now).
          "editor.tabSize": 3,
        },
        null,
        2,
      ),
    );
    await waitFor("VS Code to read the workspace settings", () => vscode.workspace.getConfiguration("editor").inspect<number>("tabSize")?.workspaceValue === 3);

    const extension = vscode.extensions.getExtension<KiroExtensionApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    const api = await extension.activate();
    assert.ok(api.authTestHooks);
    hooks = api.authTestHooks;
    await hooks.provider.whenLoaded();
  });

  suiteTeardown(async () => {
    hooks?.setInteraction(undefined);
    for (const session of (await hooks?.provider.getSessions(undefined)) ?? []) await hooks.provider.removeSession(session.id);
    rmSync(path.dirname(settingsFile), { recursive: true, force: true });
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("oidcEndpoint", undefined, vscode.ConfigurationTarget.Global);
    await config.update("endpoint", undefined, vscode.ConfigurationTarget.Global);
    for (const [name, value] of [["KIRO_ACCESS_TOKEN", savedEnv.token], ["KIRO_ENDPOINT", savedEnv.endpoint], ["KIRO_OIDC_ENDPOINT", savedEnv.oidc], ["KIRO_PROFILE_ARN", savedEnv.profile]] as const) {
      if (value !== undefined) process.env[name] = value;
    }
    await recorder?.close();
    await oidc?.close();
    await kiro?.close();
  });

  test("sign-in, refresh, the model list and a chat request all go to the user's servers; the repository's server gets nothing", async () => {
    hooks.setInteraction(approvingBuilderIdPerson(oidc));
    const session = await hooks.provider.createSession([]);
    assert.ok(oidc.isValidAccessToken(session.accessToken));
    const refreshesBefore = oidc.refreshCount;
    const fresh = await hooks.session.refreshCredentials?.();
    assert.ok(fresh && oidc.isValidAccessToken(fresh.accessToken), "refreshed at the user's sign-in service");
    assert.equal(oidc.refreshCount, refreshesBefore + 1);

    const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id: "claude-sonnet-4-5" });
    assert.ok(model, "Kiro's models are listed");
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("Hello")], {}, new vscode.CancellationTokenSource().token);
    let text = "";
    for await (const part of response.text) text += part;
    assert.equal(text, "You said: Hello");

    assert.deepEqual(recorder.requests, [], "no request, and so no token, reached the repository's server");
    const sent = kiro.generateRequests().at(-1);
    assert.notEqual((sent?.body as { profileArn?: string }).profileArn, "arn:aws:codewhisperer:us-east-1:999999999999:profile/ATTACKERXXXX", "the repository's profile is not used");
  });

  test("with no user value, the defaults apply: the workspace's endpoints, profile and start URL count for nothing", async () => {
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("endpoint", undefined, vscode.ConfigurationTarget.Global);
    await config.update("oidcEndpoint", undefined, vscode.ConfigurationTarget.Global);
    try {
      await waitFor("the user values to be gone", () => vscode.workspace.getConfiguration("kiro").inspect<string>("endpoint")?.globalValue === undefined);
      // VS Code itself already drops machine-scoped values from the workspace layer; kiro-pi's reader would ignore them anyway.
      assert.equal(vscode.workspace.getConfiguration("kiro").inspect<string>("endpoint")?.workspaceValue, undefined);
      const settings = kiroSettings({});
      assert.equal(settings.endpoint, undefined, "the AWS host, not the repository's");
      assert.equal(settings.profileArn, undefined);
      assert.equal(oidcEndpointSetting(), undefined);
    } finally {
      await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);
      await config.update("oidcEndpoint", oidc.url, vscode.ConfigurationTarget.Global);
    }
  });

  test("the extension host's environment (a dev container's remoteEnv) names no endpoint or profile: the user's settings decide", async () => {
    const config = vscode.workspace.getConfiguration("kiro");
    process.env.KIRO_ENDPOINT = recorder.url;
    process.env.KIRO_OIDC_ENDPOINT = recorder.url;
    process.env.KIRO_PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:999999999999:profile/ATTACKERXXXX";
    try {
      assert.equal(kiroSettings().endpoint, kiro.url, "the user's endpoint, not the environment's");
      const [model] = await vscode.lm.selectChatModels({ vendor: "kiro", id: "claude-sonnet-4-5" });
      assert.ok(model, "Kiro's models are listed");
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("Hello again")], {}, new vscode.CancellationTokenSource().token);
      let text = "";
      for await (const part of response.text) text += part;
      assert.equal(text, "You said: Hello again");

      await config.update("endpoint", undefined, vscode.ConfigurationTarget.Global);
      await config.update("oidcEndpoint", undefined, vscode.ConfigurationTarget.Global);
      await waitFor("the user values to be gone", () => vscode.workspace.getConfiguration("kiro").inspect<string>("endpoint")?.globalValue === undefined);
      const settings = kiroSettings();
      assert.equal(settings.endpoint, undefined, "with no user value, the AWS host; KIRO_ENDPOINT is not read in VS Code");
      assert.equal(settings.profileArn, undefined, "KIRO_PROFILE_ARN is not read in VS Code");
      assert.equal(oidcEndpointSetting(), undefined, "KIRO_OIDC_ENDPOINT is not read in VS Code");
      assert.deepEqual(recorder.requests, [], "nothing reached the server the environment named");
    } finally {
      delete process.env.KIRO_ENDPOINT;
      delete process.env.KIRO_OIDC_ENDPOINT;
      delete process.env.KIRO_PROFILE_ARN;
      await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);
      await config.update("oidcEndpoint", oidc.url, vscode.ConfigurationTarget.Global);
    }
  });

  test("an http:// endpoint on another machine is refused: the AWS host is used, not http://example.com", async () => {
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("endpoint", "http://example.com", vscode.ConfigurationTarget.Global);
    await config.update("oidcEndpoint", "http://example.com/oidc", vscode.ConfigurationTarget.Global);
    try {
      await waitFor("the user value to be read", () => vscode.workspace.getConfiguration("kiro").inspect<string>("endpoint")?.globalValue === "http://example.com");
      assert.equal(kiroSettings({}).endpoint, undefined);
      assert.equal(oidcEndpointSetting(), undefined);
      await config.update("endpoint", "https://kiro-proxy.example.com/", vscode.ConfigurationTarget.Global);
      await waitFor("the https value to be read", () => kiroSettings({}).endpoint === "https://kiro-proxy.example.com");
    } finally {
      await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);
      await config.update("oidcEndpoint", oidc.url, vscode.ConfigurationTarget.Global);
    }
  });

  test("the settings editor marks the repository's kiro.endpoint and kiro.oidcEndpoint as not applied", async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(settingsFile));
    await vscode.window.showTextDocument(document);
    const messagesFor = (key: string): string[] => {
      const line = document.getText().split("\n").findIndex((text) => text.includes(`"${key}"`));
      return vscode.languages
        .getDiagnostics(document.uri)
        .filter((d) => d.range.start.line === line)
        .map((d) => d.message);
    };
    for (const key of ["kiro.endpoint", "kiro.oidcEndpoint", "kiro.profileArn", "kiro.auth.startUrl"]) {
      await waitFor(`a "not applied" mark on ${key}`, () => messagesFor(key).some((m) => NOT_APPLIED.test(m)));
    }
    assert.equal(messagesFor("editor.tabSize").some((m) => NOT_APPLIED.test(m)), false, "a setting a workspace may set is applied");
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });
});
