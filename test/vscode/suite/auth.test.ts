// Extension-host tests: the "kiro" authentication provider in a real VS Code against the OIDC and Kiro simulators started in this process (sign-in, storage, persistence, windows in step, refresh, invalid_grant, the chat token).
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { suite, suiteSetup, suiteTeardown, setup, test } from "mocha";
import * as vscode from "vscode";
import type { UserCodeInfo } from "../../../src/auth/deviceFlow";
import { AuthError } from "../../../src/auth/errors";
import { BUILDER_ID_START_URL, KIRO_SCOPES, parseAuthState, type KiroSession, type StoredAuthState } from "../../../src/auth/session";
import type { KiroExtensionApi } from "../../../src/extension";
import type { KiroAuthTestHooks } from "../../../src/vscode/auth/kiroAuth";
import { KIRO_AUTH_SECRET_KEY } from "../../../src/vscode/auth/secretAuthStore";
import type { SignInInteraction } from "../../../src/vscode/auth/signInFlow";
import { startKiroSimulator, type KiroSimulator } from "../../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../../sim/oidcSimulator";

const EXTENSION_ID = "kiro-pi.kiro-pi";

/** Polls `condition` until it holds; the deadline only keeps a broken build from hanging the run. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) found.push(...filesUnder(full));
    else if (stat.isFile()) found.push(full);
  }
  return found;
}

/** Everything the "Kiro" LogOutputChannel wrote to disk so far. */
function kiroLogText(): string {
  const logsRoot = path.join(process.env.KIRO_TEST_USER_DATA_DIR ?? "", "logs");
  return filesUnder(logsRoot)
    .filter((f) => path.basename(f) === "Kiro.log")
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

suite("Kiro sign-in (authentication provider)", function () {
  this.timeout(60_000);
  let oidc: OidcSimulator;
  let kiro: KiroSimulator;
  let hooks: KiroAuthTestHooks;
  let api: KiroExtensionApi;
  const shownCodes: string[] = [];
  const savedToken = process.env.KIRO_ACCESS_TOKEN;

  /** A person who picks AWS Builder ID and approves the code on the sign-in page (here: through the simulator). */
  const approvingPerson: SignInInteraction = {
    chooseSignIn: async () => ({ method: "builder-id", startUrl: BUILDER_ID_START_URL, region: "us-east-1" }),
    presentUserCode: async (code: UserCodeInfo) => {
      shownCodes.push(code.userCode);
      oidc.approve(code.userCode);
      return true;
    },
    waitForApproval: () => undefined,
  };

  async function stored(): Promise<StoredAuthState> {
    return parseAuthState(await hooks.secrets.get(KIRO_AUTH_SECRET_KEY));
  }

  async function signIn(): Promise<vscode.AuthenticationSession> {
    hooks.setInteraction(approvingPerson);
    return hooks.provider.createSession([]);
  }

  async function signOutEverywhere(): Promise<void> {
    for (const session of await hooks.provider.getSessions(undefined)) await hooks.provider.removeSession(session.id);
    await waitFor("the provider to see the sign-out", () => hooks.provider.current === undefined);
  }

  suiteSetup(async () => {
    delete process.env.KIRO_ACCESS_TOKEN;
    oidc = await startOidcSimulator({ interval: 1 });
    kiro = await startKiroSimulator();
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("oidcEndpoint", oidc.url, vscode.ConfigurationTarget.Global);
    await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);
    const extension = vscode.extensions.getExtension<KiroExtensionApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    api = await extension.activate();
    assert.ok(api.authTestHooks, "activate() exposes the sign-in test hooks in ExtensionMode.Test");
    hooks = api.authTestHooks;
    await hooks.provider.whenLoaded();
  });

  setup(async () => {
    await signOutEverywhere();
  });

  suiteTeardown(async () => {
    if (hooks) {
      hooks.setInteraction(undefined);
      hooks.setImportSources(undefined);
      await signOutEverywhere().catch(() => undefined);
    }
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("oidcEndpoint", undefined, vscode.ConfigurationTarget.Global);
    await config.update("endpoint", undefined, vscode.ConfigurationTarget.Global);
    if (savedToken !== undefined) process.env.KIRO_ACCESS_TOKEN = savedToken;
    await oidc?.close();
    await kiro?.close();
  });

  test('the "kiro" provider is registered: getSession("kiro", [], { silent: true }) answers without throwing', async () => {
    const session = await vscode.authentication.getSession("kiro", [], { silent: true });
    assert.equal(session, undefined, "nobody is signed in yet");
  });

  test("createSession signs in against the OIDC simulator and getSessions returns that session", async () => {
    const created = await signIn();
    assert.ok(oidc.isValidAccessToken(created.accessToken), "the access token is one the sign-in service issued");
    assert.equal(created.account.label, "AWS Builder ID");
    const sessions = await hooks.provider.getSessions(undefined);
    assert.deepEqual(
      sessions.map((s) => [s.id, s.accessToken]),
      [[created.id, created.accessToken]],
    );
    assert.equal(hooks.provider.current?.id, created.id);
    assert.ok(hooks.session.isSignedIn());
    assert.equal((await hooks.session.getCredentials())?.accessToken, created.accessToken);
  });

  test("a second sign-in replaces the first: one account at a time", async () => {
    const first = await signIn();
    const second = await signIn();
    assert.notEqual(first.id, second.id);
    assert.deepEqual((await stored()).sessions.map((s) => s.id), [second.id]);
    assert.equal(oidc.registerCount, 1, "the client registration kept from the first sign-in was reused");
  });

  test("the sign-in is stored only in SecretStorage under one key: no token, secret or code in settings, state or logs", async () => {
    const created = await signIn();
    const state = await stored();
    assert.equal(state.sessions.length, 1);
    const session = state.sessions[0]!;
    assert.equal(session.accessToken, created.accessToken);
    assert.ok(session.refreshToken, "the refresh token is stored with it");
    const secrets = hooks.secrets as vscode.SecretStorage & { keys?: () => Thenable<string[]> };
    // keys() exists in the VS Code these tests run (1.139) but not in the 1.104 typings the extension targets.
    if (secrets.keys) assert.deepEqual([...(await secrets.keys())].sort(), [KIRO_AUTH_SECRET_KEY]);

    const deviceCodes = oidc.requests.map((r) => (r.body as { deviceCode?: string } | undefined)?.deviceCode).filter((c): c is string => !!c);
    const sensitive = [session.accessToken, session.refreshToken!, session.registration!.clientSecret, ...deviceCodes, ...shownCodes];
    for (const key of hooks.globalState.keys()) {
      const value = JSON.stringify(hooks.globalState.get(key)) ?? "";
      for (const secret of sensitive) assert.ok(!value.includes(secret), `globalState "${key}" holds a token, secret or code`);
    }
    // Flush the log first, so "absent" means absent and not "not written yet".
    const marker = `auth storage check ${Date.now()}`;
    api.log.info(marker);
    const userDataDir = process.env.KIRO_TEST_USER_DATA_DIR;
    assert.ok(userDataDir, "the runner passes KIRO_TEST_USER_DATA_DIR");
    await waitFor("Kiro.log to be flushed", () => kiroLogText().includes(marker));
    assert.match(kiroLogText(), /Kiro sign-in: one-time code issued/, "the sign-in is logged");
    // Every file of the profile (settings.json, state databases, logs): none holds any of them in plain text.
    for (const file of filesUnder(userDataDir)) {
      const text = readFileSync(file).toString("latin1");
      for (const secret of sensitive) assert.ok(!text.includes(secret), `${path.relative(userDataDir, file)} holds a token, secret or code in plain text`);
    }
  });

  test("the session survives a new window: a second provider over the same SecretStorage returns it", async () => {
    const created = await signIn();
    const reloaded = hooks.createProvider();
    try {
      await reloaded.whenLoaded();
      const sessions = await reloaded.getSessions(undefined);
      assert.deepEqual(
        sessions.map((s) => [s.id, s.accessToken, s.account.label]),
        [[created.id, created.accessToken, created.account.label]],
      );
    } finally {
      reloaded.dispose();
    }
  });

  test("signing out in another window reaches this one (onDidChangeSessions, status) and empties SecretStorage of the session", async () => {
    const created = await signIn();
    const other = hooks.createProvider();
    const removedHere = new Promise<string[]>((resolve) => {
      const subscription = hooks.provider.onDidChangeSessions((e) => {
        if (e.removed?.length) {
          subscription.dispose();
          resolve(e.removed.map((s) => s.id));
        }
      });
    });
    try {
      await other.whenLoaded();
      await other.removeSession(created.id);
      assert.deepEqual(await removedHere, [created.id]);
      assert.equal(hooks.provider.current, undefined);
      assert.equal(hooks.session.isSignedIn(), false);
      assert.deepEqual((await stored()).sessions, []);
      assert.equal(await vscode.authentication.getSession("kiro", [], { silent: true }), undefined);
    } finally {
      other.dispose();
    }
  });

  test("a token about to expire is refreshed before it is handed out, once for concurrent callers, and the other window follows", async () => {
    const created = await signIn();
    const state = await stored();
    state.sessions[0]!.expiresAt = Date.now() + 60_000;
    await hooks.secrets.store(KIRO_AUTH_SECRET_KEY, JSON.stringify(state));
    const refreshesBefore = oidc.refreshCount;
    const window2 = hooks.createProvider();
    try {
      await window2.whenLoaded();
      const tokens = await Promise.all([window2.accessToken(), window2.accessToken(), window2.accessToken()]);
      assert.equal(new Set(tokens).size, 1, "every caller got the same token");
      const fresh = tokens[0]!;
      assert.notEqual(fresh, created.accessToken);
      assert.ok(oidc.isValidAccessToken(fresh));
      assert.equal(oidc.refreshCount, refreshesBefore + 1, "one refresh for three callers");
      const after = (await stored()).sessions[0]!;
      assert.equal(after.accessToken, fresh);
      assert.ok(after.expiresAt > Date.now() + 30 * 60_000);
      await waitFor("this window to hand out the refreshed token", async () => (await hooks.provider.getSessions(undefined))[0]?.accessToken === fresh);
      assert.equal(oidc.refreshCount, refreshesBefore + 1, "this window used the other window's refresh instead of refreshing again");
    } finally {
      window2.dispose();
    }
  });

  test("a token Kiro refused is replaced by a refreshed one", async () => {
    const created = await signIn();
    const fresh = (await hooks.session.refreshCredentials?.())?.accessToken;
    assert.ok(fresh && fresh !== created.accessToken);
    assert.ok(oidc.isValidAccessToken(fresh));
    assert.equal((await hooks.session.getCredentials())?.accessToken, fresh);
  });

  test("invalid_grant on refresh signs the user out once: one notice however many requests, no token afterwards", async () => {
    await signIn();
    let notices = 0;
    const subscription = hooks.provider.onDidSignOutExpired(() => notices++);
    try {
      oidc.revokeRefreshTokens();
      const refreshed = (await Promise.all([hooks.session.refreshCredentials?.(), hooks.session.refreshCredentials?.(), hooks.session.refreshCredentials?.()])).map((c) => c?.accessToken);
      assert.deepEqual(refreshed, [undefined, undefined, undefined]);
      assert.equal((await hooks.session.getCredentials())?.accessToken, undefined);
      assert.equal(await hooks.session.refreshCredentials?.(), undefined);
      assert.equal(notices, 1, "the user is told once");
      assert.equal(hooks.session.isSignedIn(), false);
      assert.deepEqual((await stored()).sessions, []);
    } finally {
      subscription.dispose();
    }
  });

  test('"Kiro: Import Sign-in" stores the sign-in the person picks as the one account; the log says why a source had none', async () => {
    const first = await signIn();
    const imported: KiroSession = {
      id: "imported-kiro-ide",
      method: "social",
      source: "kiro-ide",
      provider: "Github",
      accessToken: "kiro-ide-access-token",
      refreshToken: "kiro-ide-refresh-token",
      expiresAt: Date.now() + 3_600_000,
      region: "us-east-1",
      account: "Kiro (Github)",
      scopes: [...KIRO_SCOPES],
      createdAt: Date.now(),
    };
    let cliReads = 0;
    hooks.setImportSources([
      {
        name: "Kiro IDE",
        read: async () => ({ session: imported, sourcePath: "/home/someone/.aws/sso/cache/kiro-auth-token.json" }),
        import: async () => ({ session: imported, sourcePath: "/home/someone/.aws/sso/cache/kiro-auth-token.json" }),
      },
      {
        name: "kiro-cli",
        read: async () => {
          cliReads++;
          throw new AuthError("import-missing", "No kiro-cli database at /home/someone/.local/share/kiro-cli/data.sqlite3. Sign in with `kiro-cli login` first.");
        },
        import: async () => assert.fail("kiro-cli has nothing to import"),
      },
    ]);
    const running = Promise.resolve(vscode.commands.executeCommand("kiro.importSignIn"));
    let settled = false;
    void running.finally(() => (settled = true));
    // The quick pick lists the Kiro IDE sign-in first; a person presses Enter on it.
    await waitFor("the import to finish", async () => {
      if (!settled) await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      return settled;
    });
    await running;
    assert.equal(cliReads, 1, "every source was read to list what it holds");
    const sessions = (await stored()).sessions;
    assert.deepEqual(sessions.map((s) => [s.id, s.source, s.accessToken]), [["imported-kiro-ide", "kiro-ide", "kiro-ide-access-token"]]);
    assert.ok(!sessions.some((s) => s.id === first.id), "the earlier sign-in was replaced: one account at a time");
    assert.equal(hooks.provider.current?.source, "kiro-ide");
    assert.equal((await hooks.session.getCredentials())?.accessToken, "kiro-ide-access-token");
    await waitFor("the log to name why kiro-cli had nothing", () => kiroLogText().includes("Kiro import: kiro-cli: No kiro-cli database at /home/someone/.local/share/kiro-cli/data.sqlite3. Sign in with `kiro-cli login` first."));
  });

  test("a vscode.lm request to a Kiro model sends the signed-in account's token", async () => {
    const created = await signIn();
    kiro.setAccessToken(created.accessToken);
    await waitFor("Kiro models to be offered", async () => (await vscode.lm.selectChatModels({ vendor: "kiro" })).length > 0);
    const [model] = await vscode.lm.selectChatModels({ vendor: "kiro" });
    const response = await model!.sendRequest([vscode.LanguageModelChatMessage.User("Who am I?")], {}, new vscode.CancellationTokenSource().token);
    let text = "";
    for await (const part of response.text) text += part;
    assert.equal(text, "You said: Who am I?");
    assert.equal(kiro.generateRequests().at(-1)?.headers.authorization, `Bearer ${created.accessToken}`);
  });
});
