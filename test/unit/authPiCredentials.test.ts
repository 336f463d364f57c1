// The pi-shaped sign-in functions: device-flow login through onAuth, refresh of stored pi credentials, and kiro-cli credentials for direct mode.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AuthError } from "../../src/auth/errors";
import { loadSqlJs } from "../../src/auth/import/sqlJsLoader";
import { signInSource } from "../../src/auth/import/signInSources";
import { loginKiroDeviceFlow, PI_EXPIRY_MARGIN_MS, piCredentialsToSession, readSignInSourceCredentials, refreshKiroCredentials, sessionToPiCredentials, type KiroPiCredentials } from "../../src/pi/kiroCredentials";
import { needsNewSignIn } from "../../src/auth/tokenRefresh";
import { startOidcSimulator } from "../sim/oidcSimulator";

test("pi login: onAuth gets the verification page with the code, and the credentials refresh later", async (t) => {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  const shown: { url: string; instructions?: string }[] = [];
  const progress: string[] = [];
  void sim.waitForPolls(1).then(() => sim.approve());
  const credentials = await loginKiroDeviceFlow({ onAuth: (info) => void shown.push(info), onProgress: (m) => void progress.push(m) }, { oidcEndpoint: sim.url, pollIntervalUnitMs: 5 });

  assert.equal(shown.length, 1);
  const userCode = new URL(shown[0]!.url).searchParams.get("user_code")!;
  assert.ok(shown[0]!.url.startsWith(`${sim.url}/device?user_code=`));
  assert.ok(shown[0]!.instructions?.includes(userCode));
  assert.equal(progress.length, 1);
  assert.ok(sim.isValidAccessToken(credentials.access));
  assert.equal(credentials.expires, credentials.expiresAt - PI_EXPIRY_MARGIN_MS, "pi refreshes five minutes early");
  assert.equal(credentials.method, "builder-id");
  assert.ok(credentials.clientId && credentials.clientSecret);

  // pi stores the object as JSON and hands it back for refresh.
  const stored = JSON.parse(JSON.stringify(credentials)) as KiroPiCredentials;
  const refreshed = await refreshKiroCredentials(stored, { oidcEndpoint: sim.url });
  assert.ok(sim.isValidAccessToken(refreshed.access));
  assert.notEqual(refreshed.refresh, credentials.refresh, "the rotated refresh token replaces the old one");
  assert.equal(refreshed.clientId, credentials.clientId);

  sim.revokeRefreshTokens();
  const error = await refreshKiroCredentials(refreshed, { oidcEndpoint: sim.url }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && needsNewSignIn(error), String(error));
});

test("pi login cancelled through pi's signal rejects with the cancelled error", async (t) => {
  const sim = await startOidcSimulator({ interval: 30 });
  t.after(() => sim.close());
  const controller = new AbortController();
  const error = await loginKiroDeviceFlow({ onAuth: () => controller.abort(), signal: controller.signal }, { oidcEndpoint: sim.url }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "cancelled", String(error));
});

test("direct mode: kiro-cli's sign-in becomes pi credentials", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "kiro-pi-picli-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)");
  db.run("INSERT INTO auth_kv VALUES (?, ?)", ["kirocli:social:token", JSON.stringify({ access_token: "cli-social-access", refresh_token: "cli-social-refresh", expires_at: "2099-01-01T00:00:00Z", profile_arn: "arn:aws:codewhisperer:us-east-1:1:profile/X" })]);
  const path = join(dir, "kiro-cli", "data.sqlite3");
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, db.export());
  db.close();
  const credentials = await readSignInSourceCredentials(signInSource("kiro-cli"), { location: { home: dir, env: { KIROCLI_DB_PATH: path }, platform: "linux" } });
  assert.equal(credentials.access, "cli-social-access");
  assert.equal(credentials.refresh, "", "pi never gets kiro-cli's refresh token");
  assert.equal(credentials.method, "social");
  assert.equal(credentials.source, "kiro-cli");
  assert.equal(credentials.profileArn, "arn:aws:codewhisperer:us-east-1:1:profile/X");
  assert.equal(credentials.expiresAt, Date.parse("2099-01-01T00:00:00Z"));
});

test("external identity provider credentials survive pi's JSON round trip and say tokenType EXTERNAL_IDP; imported ones are never refreshed with the other tool's refresh token", async (t) => {
  const sim = await startOidcSimulator();
  t.after(() => sim.close());
  const idp = sim.externalIdp;
  const signedIn = idp.signIn();
  const credentials: KiroPiCredentials = JSON.parse(
    JSON.stringify({
      access: signedIn.accessToken,
      refresh: signedIn.refreshToken,
      expires: 0,
      expiresAt: Date.now(),
      method: "external-idp",
      source: "kiro-ide",
      region: "us-east-1",
      clientId: idp.clientId,
      tokenEndpoint: idp.tokenEndpoint,
      issuerUrl: idp.issuerUrl,
      tokenType: "EXTERNAL_IDP",
    }),
  ) as KiroPiCredentials;
  const session = piCredentialsToSession(credentials);
  assert.equal(session.source, "kiro-ide");
  assert.deepEqual(session.externalIdp, { tokenEndpoint: idp.tokenEndpoint, clientId: idp.clientId, issuerUrl: idp.issuerUrl });
  assert.equal(sessionToPiCredentials(session).tokenType, "EXTERNAL_IDP");
  const error = await refreshKiroCredentials(credentials).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError && error.code === "import-expired", String(error));
  assert.match(error.message, /imported from Kiro IDE; kiro-pi does not renew it with that tool's refresh token, which would sign Kiro IDE out\. Open the Kiro IDE once so it renews its sign-in/);
  assert.equal(idp.refreshCount, 0, "the Kiro IDE's refresh token was not spent");
});
