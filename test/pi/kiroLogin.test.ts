// `/login kiro` as pi drives it (0.73 callbacks and 1.x callbacks), against the OIDC simulator: device code shown, credentials stored, refresh, revoked sign-in.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KiroPiCredentials } from "../../src/pi/kiroCredentials";
import { createKiroOAuthProvider } from "../../src/pi/kiroLogin";
import type { PiOAuthLoginCallbacks } from "../../src/pi/piApi";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";

const SECOND_MS = 10;

describe("/login kiro", () => {
  let oidc: OidcSimulator;
  before(async () => {
    oidc = await startOidcSimulator({ secondMs: SECOND_MS, interval: 1 });
  });
  after(async () => {
    await oidc?.close();
  });

  const provider = () => createKiroOAuthProvider({ env: { KIRO_OIDC_ENDPOINT: oidc.url }, pollIntervalUnitMs: SECOND_MS });

  test("without a selector it signs in with Builder ID and shows the verification link with the code", async () => {
    const shown: { url: string; instructions?: string }[] = [];
    const callbacks: PiOAuthLoginCallbacks = {
      onAuth: (info) => shown.push(info),
      onPrompt: async () => assert.fail("Builder ID needs no typing"),
    };
    const login = provider().login(callbacks);
    const userCode = await oidc.waitForUserCode();
    oidc.approve(userCode);
    const credentials = (await login) as KiroPiCredentials;
    assert.equal(shown.length, 1);
    assert.match(shown[0]!.url, new RegExp(userCode));
    assert.match(shown[0]!.instructions ?? "", new RegExp(`code ${userCode}`));
    assert.ok(oidc.isValidAccessToken(credentials.access));
    assert.equal(credentials.startUrl, "https://view.awsapps.com/start");
    assert.ok(credentials.refresh && credentials.clientId && credentials.clientSecret);
    assert.ok(credentials.expires > Date.now());
    assert.equal(provider().getApiKey(credentials), credentials.access);
  });

  test("with pi's selector it offers Identity Center, asks for the start URL and region, and shows the code", async () => {
    const links: string[] = [];
    const prompts: string[] = [];
    const callbacks: PiOAuthLoginCallbacks = {
      onAuth: (info) => links.push(info.instructions ?? ""),
      onSelect: async (prompt) => {
        assert.deepEqual(
          prompt.options.map((o) => o.id),
          ["builder-id", "identity-center"],
        );
        return "identity-center";
      },
      onPrompt: async (prompt) => {
        prompts.push(prompt.message);
        return prompt.message.includes("URL") ? "https://d-1234567890.awsapps.com/start/#/" : "";
      },
    };
    const login = provider().login(callbacks);
    const userCode = await oidc.waitForUserCode();
    oidc.approve(userCode);
    const credentials = (await login) as KiroPiCredentials;
    assert.equal(links.length, 1);
    assert.match(links[0]!, new RegExp(userCode));
    assert.deepEqual(prompts, ["Identity Center start URL", "Identity Center region"]);
    assert.equal(credentials.startUrl, "https://d-1234567890.awsapps.com/start");
    assert.equal(credentials.region, "us-east-1");
  });

  test("closing pi's selector cancels the sign-in", async () => {
    await assert.rejects(
      provider().login({ onAuth: () => undefined, onPrompt: async () => "", onSelect: async () => undefined }),
      /cancel/i,
    );
  });

  test("refresh gives a new access token; a revoked sign-in says to run /login kiro", async () => {
    const login = provider().login({ onAuth: () => undefined, onPrompt: async () => "" });
    oidc.approve(await oidc.waitForUserCode());
    const credentials = await login;
    const refreshed = await provider().refreshToken(credentials);
    assert.notEqual(refreshed.access, credentials.access);
    assert.ok(oidc.isValidAccessToken(refreshed.access));
    assert.equal(refreshed.clientId, (credentials as KiroPiCredentials).clientId, "the registration is kept for the next refresh");
    oidc.revokeRefreshTokens();
    await assert.rejects(provider().refreshToken(refreshed), (error: Error) => {
      assert.match(error.message, /\/login kiro/);
      assert.doesNotMatch(error.message, new RegExp(refreshed.refresh));
      return true;
    });
  });
});
