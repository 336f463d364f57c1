// Extension-host tests: the "kiro" authentication provider in a real VS Code against the OIDC and Kiro simulators started in this process (sign-in, storage, persistence, windows in step, refresh, invalid_grant, the chat token, API keys).
// Over 300 lines: one suite shares the simulators and the extension's sign-in hooks, and each test is one thing a person does with the sign-in.
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { suite, suiteSetup, suiteTeardown, setup, test } from "mocha";
import * as vscode from "vscode";
import type { UserCodeInfo } from "../../../src/auth/deviceFlow";
import { AuthError } from "../../../src/auth/errors";
import { BUILDER_ID_START_URL, KIRO_SCOPES, parseAuthState, type KiroSession, type StoredAuthState } from "../../../src/auth/session";
import { KiroSessionManager } from "../../../src/auth/sessionManager";
import type { KiroExtensionApi } from "../../../src/extension";
import type { KiroAuthTestHooks } from "../../../src/vscode/auth/authRegistration";
import { KiroAuthenticationProvider } from "../../../src/vscode/auth/kiroAuthenticationProvider";
import { KIRO_AUTH_SECRET_KEY, SecretAuthStore } from "../../../src/vscode/auth/secretAuthStore";
import type { SignInInteraction } from "../../../src/vscode/auth/signInFlow";
import { builtInModels, toPiModel } from "../../../src/kiro/catalog/models";
import type { AssistantMessage } from "../../../src/kiro/types";
import { streamViaBridge } from "../../../src/pi/bridgeClient";
import { DEFAULT_SIM_PROFILE, startKiroSimulator, type KiroSimulator } from "../../sim/kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "../../sim/oidcSimulator";
import { pointWindowAtSimulators, releaseSimulators } from "./builderIdSignIn";

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

/** The extension's SecretStorage, except that reads fail while `failReads()` says so (a locked or busy keychain). */
function flakySecrets(secrets: vscode.SecretStorage, failReads: () => boolean): vscode.SecretStorage {
  return {
    get: (key) => (failReads() ? Promise.reject(new Error("keychain is locked (test)")) : secrets.get(key)),
    store: (key, value) => secrets.store(key, value),
    delete: (key) => secrets.delete(key),
    onDidChange: secrets.onDidChange,
  };
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

  /** Another window whose keychain reads fail while `failReads()` holds; it shares this window's SecretStorage otherwise. */
  function windowWithFlakyKeychain(failReads: () => boolean): KiroAuthenticationProvider {
    const store = new SecretAuthStore(flakySecrets(hooks.secrets, failReads));
    const provider = new KiroAuthenticationProvider({
      auth: new KiroSessionManager({ store, oidcEndpoint: oidc.url }),
      onDidChangeStore: store.onDidChange,
      signIn: () => Promise.reject(new Error("this window does not sign in")),
    });
    const dispose = provider.dispose.bind(provider);
    provider.dispose = () => {
      dispose();
      store.dispose();
    };
    return provider;
  }

  /** Stores the signed-in session with a token that expires in a minute, so the next request refreshes it, and waits until `windows` see that. */
  async function expireSoon(...windows: KiroAuthenticationProvider[]): Promise<number> {
    const state = await stored();
    const expiresAt = Date.now() + 60_000;
    state.sessions[0]!.expiresAt = expiresAt;
    await hooks.secrets.store(KIRO_AUTH_SECRET_KEY, JSON.stringify(state));
    await waitFor("every window to see the expiring token", () => windows.every((w) => w.current?.expiresAt === expiresAt));
    return expiresAt;
  }

  async function signOutEverywhere(): Promise<void> {
    for (const session of await hooks.provider.getSessions(undefined)) await hooks.provider.removeSession(session.id);
    await waitFor("the provider to see the sign-out", () => hooks.provider.current === undefined);
  }

  suiteSetup(async () => {
    delete process.env.KIRO_ACCESS_TOKEN;
    oidc = await startOidcSimulator({ interval: 1 });
    kiro = await startKiroSimulator();
    await pointWindowAtSimulators(oidc, kiro);
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
    await releaseSimulators(oidc, kiro, savedToken);
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

  test("a keychain read that fails while signing out an unknown session changes nothing and says to try again", async () => {
    const created = await signIn();
    let locked = false;
    const window2 = windowWithFlakyKeychain(() => locked);
    try {
      await window2.whenLoaded();
      locked = true;
      const error = await window2.removeSession("a-session-nobody-has").then(
        () => undefined,
        (e: unknown) => e,
      );
      locked = false;
      assert.ok(error instanceof Error, "the sign-out reports that it could not read the stored sign-in");
      assert.equal((error as { code?: string }).code, "storage-unavailable");
      assert.match(error.message, /try again/i);
      assert.deepEqual((await stored()).sessions.map((s) => s.id), [created.id], "the stored sign-in is still there");
      assert.equal(hooks.provider.current?.id, created.id, "this window is still signed in");
    } finally {
      locked = false;
      window2.dispose();
    }
  });

  test("a keychain read that fails right after a refresh loses neither the sign-in nor its rotated refresh token", async () => {
    const created = await signIn();
    const before = oidc.refreshCount;
    let lockAfterRefresh = false;
    const window2 = windowWithFlakyKeychain(() => lockAfterRefresh && oidc.refreshCount > before);
    try {
      await window2.whenLoaded();
      await expireSoon(window2, hooks.provider);
      lockAfterRefresh = true;
      const token = await window2.accessToken();
      assert.equal(oidc.refreshCount, before + 1);
      assert.ok(token && token !== created.accessToken && oidc.isValidAccessToken(token), "the caller got the refreshed token");
      assert.deepEqual((await stored()).sessions.map((s) => s.id), [created.id], "the stored sign-in was not wiped");
      lockAfterRefresh = false;
      await waitFor("the refreshed sign-in to be saved once the keychain answers again", async () => (await stored()).sessions[0]?.accessToken === token);
      const saved = (await stored()).sessions[0]!;
      assert.ok(oidc.currentRefreshTokens.includes(saved.refreshToken!), "the store holds the refresh token the service now accepts");
      assert.equal(hooks.provider.current?.id, created.id, "this window is still signed in");
    } finally {
      lockAfterRefresh = false;
      window2.dispose();
    }
  });

  test("two windows refreshing the same sign-in 0–200 ms apart: 100 trials, nobody signed out, one refresh request per rotation", async function () {
    this.timeout(400_000);
    await signIn();
    const windowA = hooks.createProvider();
    const windowB = hooks.createProvider();
    let signOuts = 0;
    const subscriptions = [hooks.provider, windowA, windowB].map((w) => w.onDidSignOutExpired(() => signOuts++));
    const requestsPerTrial: number[] = [];
    // What the lease's settle time (100 ms) must exceed: one SecretStorage write plus a read, here.
    const roundTrips: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await hooks.secrets.store("kiro.auth.timing-probe", String(i));
      await hooks.secrets.get("kiro.auth.timing-probe");
      roundTrips.push(performance.now() - t0);
    }
    await hooks.secrets.delete("kiro.auth.timing-probe");
    roundTrips.sort((a, b) => a - b);
    console.log(`[kiro-test] SecretStorage write+read: median ${roundTrips[10]!.toFixed(1)} ms, 90th percentile ${roundTrips[17]!.toFixed(1)} ms, max ${roundTrips[19]!.toFixed(1)} ms (all: ${roundTrips.map((t) => t.toFixed(0)).join(" ")})`);
    const started = Date.now();
    try {
      await Promise.all([windowA.whenLoaded(), windowB.whenLoaded()]);
      for (let trial = 0; trial < 100; trial++) {
        if ((await stored()).sessions.length === 0) await signIn();
        await expireSoon(windowA, windowB);
        const gapMs = Math.round((trial * 200) / 99);
        const before = oidc.refreshCount;
        const first = windowA.accessToken();
        await new Promise((resolve) => setTimeout(resolve, gapMs));
        const second = windowB.accessToken();
        const tokens = await Promise.all([first, second]);
        requestsPerTrial.push(oidc.refreshCount - before);
        assert.ok(tokens.every((t) => t === undefined || oidc.isValidAccessToken(t)), `trial ${trial}: a window handed out a token the service did not issue`);
      }
      const extra = requestsPerTrial.map((n, trial) => [trial, n]).filter(([, n]) => n !== 1);
      console.log(`[kiro-test] two-window refresh: 100 trials in ${Date.now() - started} ms, ${signOuts} sign-outs, trials with other than one refresh request: ${JSON.stringify(extra)}`);
      assert.equal(signOuts, 0, "no window signed the user out");
      assert.deepEqual(extra, [], "each rotation took exactly one refresh request");
      assert.equal(await hooks.secrets.get("kiro.auth.refresh-lease"), undefined, "no lease is left behind");
    } finally {
      for (const s of subscriptions) s.dispose();
      windowA.dispose();
      windowB.dispose();
    }
  });

  test("setProfileArn remembers the chosen profile with the account: stored, onDidChangeSessions and onDidChangeAccount fire, another window sees it", async () => {
    const created = await signIn();
    const arn = "arn:aws:codewhisperer:us-east-1:123456789012:profile/PICKED";
    const changed = new Promise<string[]>((resolve) => {
      const subscription = hooks.provider.onDidChangeSessions((e) => {
        if (e.changed?.length) {
          subscription.dispose();
          resolve(e.changed.map((s) => s.id));
        }
      });
    });
    const accountChanged = new Promise<string | undefined>((resolve) => {
      const subscription = hooks.provider.onDidChangeAccount((session) => {
        subscription.dispose();
        resolve(session?.profileArn);
      });
    });
    const window2 = hooks.createProvider();
    try {
      await window2.whenLoaded();
      const updated = await window2.setProfileArn(created.id, arn);
      assert.equal(updated?.profileArn, arn);
      assert.equal((await stored()).sessions[0]?.profileArn, arn, "stored with the session in SecretStorage");
      assert.deepEqual(await changed, [created.id], "this window's onDidChangeSessions reports the change");
      assert.equal(await accountChanged, arn, "onDidChangeAccount fires with the chosen profile");
      assert.equal(hooks.provider.current?.profileArn, arn);
      assert.equal((await hooks.session.getCredentials())?.profileArn, arn, "the window's Kiro client gets it with the token");
    } finally {
      window2.dispose();
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
        label: "Kiro IDE",
        read: async () => ({ session: imported, sourcePath: "/home/someone/.aws/sso/cache/kiro-auth-token.json" }),
        import: async () => ({ session: imported, sourcePath: "/home/someone/.aws/sso/cache/kiro-auth-token.json" }),
      },
      {
        label: "kiro-cli",
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

  // Kiro API keys (docs/kiro-protocol.md#api-keys), on a simulator of their own: it takes a ksk_ key only with TokenType: API_KEY.
  const API_KEY = "ksk_vscodeTestKey0123456789abcdEFGH";
  const API_KEY_LABEL = "API key ksk_…EFGH";

  /** A person who picks "API key" in "Kiro: Sign In" and pastes `pasted` into the (hidden) input box. */
  const pastingKey = (pasted: string): SignInInteraction => ({
    chooseSignIn: async () => ({ method: "api-key", apiKey: pasted }),
    presentUserCode: async () => assert.fail("an API key sign-in shows no one-time code"),
    waitForApproval: () => undefined,
  });

  /** Runs `body` with kiro.endpoint on a simulator that knows `API_KEY`; the suite's endpoint and profile setting come back after. */
  async function withKeySimulator(options: { getProfile?: boolean }, body: (sim: KiroSimulator) => Promise<void>): Promise<void> {
    const sim = await startKiroSimulator({ accessToken: API_KEY, ...options });
    const config = vscode.workspace.getConfiguration("kiro");
    await config.update("endpoint", sim.url, vscode.ConfigurationTarget.Global);
    try {
      await body(sim);
    } finally {
      await config.update("profileArn", undefined, vscode.ConfigurationTarget.Global);
      await config.update("endpoint", kiro.url, vscode.ConfigurationTarget.Global);
      await sim.close();
    }
  }

  /** "Kiro: Sign In" → API key → `key`; the signed-in session, or undefined when the sign-in failed. */
  async function signInWithKey(key: string): Promise<KiroSession | undefined> {
    hooks.setInteraction(pastingKey(key));
    await vscode.commands.executeCommand("kiro.signIn");
    return hooks.provider.current;
  }

  /** Sends one Chat-view style request to the first Kiro model; its text, or the error it ended with. */
  async function askKiro(text: string): Promise<string> {
    await waitFor("Kiro models to be offered", async () => (await vscode.lm.selectChatModels({ vendor: "kiro" })).length > 0);
    const [model] = await vscode.lm.selectChatModels({ vendor: "kiro" });
    const response = await model!.sendRequest([vscode.LanguageModelChatMessage.User(text)], {}, new vscode.CancellationTokenSource().token);
    let answer = "";
    for await (const part of response.text) answer += part;
    return answer;
  }

  /** Sends one request as pi in a VS Code terminal does: through the window's bridge. Its final message. */
  async function askThroughBridge(text: string): Promise<AssistantMessage> {
    const bridge = await api.terminalTestHooks!.ready;
    const sonnet = builtInModels().find((m) => m.id === "claude-sonnet-4-5")!;
    return streamViaBridge(bridge, toPiModel(sonnet), { messages: [{ role: "user", content: text, timestamp: Date.now() }] }).result();
  }

  /** Asserts that no file of the test profile, no globalState value and no terminal variable holds `secrets` in plain text. */
  async function assertNowhereInPlainText(secrets: readonly string[]): Promise<void> {
    for (const name of hooks.globalState.keys()) {
      const value = JSON.stringify(hooks.globalState.get(name)) ?? "";
      for (const secret of secrets) assert.ok(!value.includes(secret), `globalState "${name}" holds an API key`);
    }
    const marker = `api key storage check ${Date.now()}`;
    api.log.info(marker);
    await waitFor("Kiro.log to be flushed", () => kiroLogText().includes(marker));
    const userDataDir = process.env.KIRO_TEST_USER_DATA_DIR!;
    for (const file of filesUnder(userDataDir)) {
      const content = readFileSync(file).toString("latin1");
      for (const secret of secrets) assert.ok(!content.includes(secret), `${path.relative(userDataDir, file)} holds an API key in plain text`);
    }
    const terminal = api.terminalTestHooks!.environment;
    terminal.forEach((name, mutator) => {
      for (const secret of secrets) assert.ok(!mutator.value.includes(secret), `the terminal variable ${name} holds an API key`);
    });
  }

  test('"Kiro: Sign In" → API key: Kiro is asked about the key before it is kept; it is kept in SecretStorage as the one account, shown by its last four characters, with the profile Kiro named', async () => {
    const builderId = await signIn();
    await withKeySimulator({}, async (keySim) => {
      const session = await signInWithKey(API_KEY);
      assert.equal(session?.method, "api-key", "signed in with the key");
      const asked = keySim.requestsFor("getProfile");
      assert.equal(asked.length, 1, "Kiro was asked (GetProfile) about the key before it was kept");
      assert.equal(asked[0]!.headers.authorization, `Bearer ${API_KEY}`);
      assert.equal(asked[0]!.headers.tokentype, "API_KEY");
      // The Builder ID sign-in's own calls may reach this simulator until the key replaced it; only the key's count here.
      const withKey = keySim.requests.filter((r) => r.headers.authorization === `Bearer ${API_KEY}`);
      assert.deepEqual(withKey.filter((r) => r.operation === "listAvailableProfiles"), [], "Kiro lists no profiles for an API key");
      assert.equal(session.profileArn, DEFAULT_SIM_PROFILE.arn, "the key's profile is the one GetProfile named");
      assert.equal(session.account, API_KEY_LABEL, "the account shows the key's last four characters only");

      const state = await stored();
      assert.deepEqual(state.sessions.map((s) => [s.method, s.accessToken, s.refreshToken]), [["api-key", API_KEY, undefined]], "the key replaced the Builder ID sign-in: one account at a time");
      assert.ok(!state.sessions.some((s) => s.id === builderId.id));
      const offered = await hooks.provider.getSessions(undefined);
      assert.deepEqual(offered.map((s) => [s.accessToken, s.account.label]), [[API_KEY, API_KEY_LABEL]], "VS Code's Accounts menu gets the session");
      assert.equal(hooks.session.accountLabel?.(), API_KEY_LABEL, '"Kiro: Manage Models and Sign-in" names the account');
      assert.equal((await hooks.session.getCredentials())?.tokenType, "API_KEY");

      await waitFor("the sign-in to be logged", () => kiroLogText().includes(`Kiro sign-in: signed in with ${API_KEY_LABEL} (profile ${DEFAULT_SIM_PROFILE.arn})`));
      await assertNowhereInPlainText([API_KEY]);
      assert.deepEqual(withKey.flatMap((r) => r.validationErrors), [], "every call made with the key was one Kiro accepts");
    });
  });

  test("signed in with an API key, a Chat request and pi through the bridge carry the key with TokenType: API_KEY and its profile; the key reaches no terminal", async () => {
    await withKeySimulator({}, async (keySim) => {
      await signInWithKey(API_KEY);
      assert.equal(await askKiro("Who am I?"), "You said: Who am I?");
      const chat = keySim.generateRequests().at(-1)!;
      assert.equal(chat.headers.authorization, `Bearer ${API_KEY}`);
      assert.equal(chat.headers.tokentype, "API_KEY");
      assert.equal(chat.profileArn, DEFAULT_SIM_PROFILE.arn);

      const answer = await askThroughBridge("Hello from pi");
      assert.equal(answer.stopReason, "stop", answer.errorMessage);
      const fromPi = keySim.generateRequests().at(-1)!;
      assert.equal(fromPi.headers.authorization, `Bearer ${API_KEY}`, "the bridge used the window's key");
      assert.equal(fromPi.headers.tokentype, "API_KEY");
      assert.equal(fromPi.profileArn, DEFAULT_SIM_PROFILE.arn);

      assert.ok(keySim.requests.every((r) => r.headers.tokentype === "API_KEY"), "every call said TokenType: API_KEY");
      assert.deepEqual(keySim.callsWithoutProfileArn().map((r) => `${r.method} ${r.path}`), []);
      assert.deepEqual(keySim.requests.flatMap((r) => r.validationErrors), []);
      await assertNowhereInPlainText([API_KEY]);
    });
  });

  test("a key Kiro refuses is not kept, and the sign-in failure says the key was refused and what to do, without the key", async () => {
    const refused = "ksk_unknownKey0123456789abcdefghijk";
    await withKeySimulator({}, async (keySim) => {
      assert.equal(await signInWithKey(refused), undefined, "a key Kiro refused is not signed in");
      assert.deepEqual((await stored()).sessions, [], "nor stored");
      assert.equal(keySim.requestsFor("getProfile").at(-1)?.headers.authorization, `Bearer ${refused}`, "Kiro was asked");
      await waitFor("the failure to be logged", () => kiroLogText().includes("Kiro sign-in failed: Kiro refused the API key (403"));
      assert.match(kiroLogText(), /Kiro refused the API key \(403[^\n]*make a new one in Kiro/);
      await assertNowhereInPlainText([refused]);
    });
  });

  test("an API key Kiro stops accepting: the Chat request says the key was refused and to sign in with a new one; nothing tries to refresh it", async () => {
    await withKeySimulator({}, async (keySim) => {
      await signInWithKey(API_KEY);
      assert.equal(await askKiro("Still there?"), "You said: Still there?");
      const oidcCalls = oidc.requests.length;
      const chats = keySim.generateRequests().length;
      keySim.setAccessToken("ksk_theKeyMadeAfterwards0123456789ab");
      await assert.rejects(
        () => askKiro("And now?"),
        (error: unknown) => {
          assert.ok(error instanceof vscode.LanguageModelError, `expected a LanguageModelError, got ${String(error)}`);
          assert.equal(error.code, "NoPermissions");
          assert.match(error.message, /Kiro refused the API key \(403/);
          assert.match(error.message, /make a new one in Kiro/);
          assert.match(error.message, /Kiro: Sign In/);
          assert.ok(!error.message.includes(API_KEY), "the key is not in the error");
          return true;
        },
      );
      assert.equal(keySim.generateRequests().length, chats + 1, "one refused request, not retried with the same key");
      assert.equal(oidc.requests.length, oidcCalls, "an API key is never refreshed");
      assert.equal(hooks.provider.current?.accessToken, API_KEY, "the key stays until the person signs out or in again");
    });
  });

  test("signing out of an API key removes it from SecretStorage and the Accounts menu, and no request carries it afterwards", async () => {
    await withKeySimulator({}, async (keySim) => {
      const session = await signInWithKey(API_KEY);
      assert.ok(session);
      await hooks.provider.removeSession(session.id);
      await waitFor("the sign-out to reach the provider", () => hooks.provider.current === undefined);
      assert.deepEqual((await stored()).sessions, []);
      assert.equal(await vscode.authentication.getSession("kiro", [], { silent: true }), undefined);
      assert.equal(await hooks.session.getCredentials(), undefined);
      const calls = keySim.requests.length;
      const answer = await askThroughBridge("Anyone?");
      assert.equal(answer.stopReason, "error");
      assert.match(answer.errorMessage ?? "", /not signed in to Kiro/i);
      assert.equal(keySim.requests.length, calls, "nothing reached Kiro after the sign-out");
      await waitFor("the sign-out to be logged", () => kiroLogText().includes(`Kiro: signed out of ${API_KEY_LABEL}`));
    });
  });

  test("an API key whose profile Kiro cannot name is kept; requests then say to set kiro.profileArn, and use that setting once it is set", async () => {
    await withKeySimulator({ getProfile: false }, async (keySim) => {
      const session = await signInWithKey(API_KEY);
      assert.equal(session?.method, "api-key", "a key Kiro did not refuse is kept");
      assert.equal(session.profileArn, undefined);
      await assert.rejects(() => askKiro("Hello?"), /profile this API key belongs to[^]*kiro\.profileArn/);
      assert.equal(keySim.generateRequests().length, 0, "no chat went out without a profile");

      await vscode.workspace.getConfiguration("kiro").update("profileArn", DEFAULT_SIM_PROFILE.arn, vscode.ConfigurationTarget.Global);
      assert.equal(await askKiro("Hello?"), "You said: Hello?");
      const chat = keySim.generateRequests().at(-1)!;
      assert.equal(chat.profileArn, DEFAULT_SIM_PROFILE.arn, "the profile in kiro.profileArn was named");
      assert.equal(chat.headers.tokentype, "API_KEY");

      // With the setting, a new sign-in checks the key on that profile (the account's usage) instead of GetProfile.
      await signOutEverywhere();
      const usageCalls = keySim.requestsFor("getUsageLimits").length;
      assert.equal((await signInWithKey(API_KEY))?.method, "api-key");
      const checked = keySim.requestsFor("getUsageLimits").slice(usageCalls);
      assert.ok(checked.some((r) => r.headers.authorization === `Bearer ${API_KEY}` && r.profileArn === DEFAULT_SIM_PROFILE.arn), "the key was checked with Kiro before it was kept");
    });
  });
});
