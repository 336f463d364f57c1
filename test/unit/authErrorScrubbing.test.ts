// Upstream error fields that echo what was sent (refresh token, client secret, device code) never reach an AuthError's text or fields.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runDeviceFlow } from "../../src/auth/deviceFlow";
import { AuthError } from "../../src/auth/errors";
import { parseOidcError } from "../../src/auth/oidcClient";
import { refreshOidcTokens } from "../../src/auth/tokenRefresh";
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";

async function signedIn(t: { after(fn: () => Promise<void>): void }): Promise<{ sim: OidcSimulator; refreshToken: string; clientId: string; clientSecret: string }> {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  void sim.waitForPolls(1).then(() => sim.approve());
  const flow = await runDeviceFlow({ oidcEndpoint: sim.url, pollIntervalUnitMs: 5, onUserCode: () => {} });
  return { sim, refreshToken: flow.refreshToken!, clientId: flow.registration.clientId, clientSecret: flow.registration.clientSecret };
}

/** Everything an AuthError carries that could end up in a message box or a log line. */
function visibleText(error: AuthError): string {
  return [error.message, error.userMessage, error.oauthError ?? "", String(error.stack ?? "")].join("\n");
}

test("a refresh answered with error / __type / message fields that echo the refresh token or client secret: none of it reaches the AuthError", async (t) => {
  const { sim, refreshToken, clientId, clientSecret } = await signedIn(t);
  const echoes: unknown[] = [
    { error: refreshToken, error_description: `refresh token ${refreshToken} was rejected` },
    { error: `${clientSecret}_error`, error_description: clientSecret },
    { __type: `com.amazonaws.ssooidc#${refreshToken}`, message: `client ${clientSecret}` },
    { __type: `${clientSecret}:http://internal`, Message: refreshToken },
  ];
  for (const body of echoes) {
    sim.failNext("/token", 400, body);
    const error = await refreshOidcTokens({ clientId, clientSecret }, refreshToken, "us-east-1", { oidcEndpoint: sim.url }).then(
      () => assert.fail("the refresh was expected to fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    const text = visibleText(error);
    assert.ok(!text.includes(refreshToken), `the refresh token leaked for ${JSON.stringify(Object.keys(body as object))}: ${error.message}`);
    assert.ok(!text.includes(clientSecret), `the client secret leaked for ${JSON.stringify(Object.keys(body as object))}: ${error.message}`);
    assert.match(error.message, /\[redacted\]/, "the message shows where something was cut out");
  }
});

test("a device-code sign-in whose service echoes the client secret in its error code does not show the secret", async (t) => {
  const { sim, clientId, clientSecret } = await signedIn(t);
  sim.failNext("/device_authorization", 400, { error: clientSecret, error_description: "no" });
  const registration = { clientId, clientSecret, expiresAt: Date.now() + 86_400_000, region: "us-east-1", scopes: ["codewhisperer:completions", "codewhisperer:analysis", "codewhisperer:conversations", "codewhisperer:transformations", "codewhisperer:taskassist"] };
  const error = await runDeviceFlow({ oidcEndpoint: sim.url, pollIntervalUnitMs: 5, registration, onUserCode: () => {} }).then(
    () => assert.fail("the sign-in was expected to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthError, String(error));
  assert.ok(!visibleText(error).includes(clientSecret), error.message);
});

test("the x-amzn-errortype header is scrubbed like the body", () => {
  const secret = "a-client-secret-value-0123456789";
  const parsed = parseOidcError(400, "<html>proxy error</html>", `${secret}:http://x`, [secret]);
  assert.ok(!parsed.oauthError.includes(secret));
  assert.ok(!parsed.message.includes(secret));
});

test("a secret echoed URL-encoded (query or form body) or as an escaped JSON string is scrubbed too", async () => {
  const { scrubSecrets } = await import("../../src/util/secrets");
  const secret = "aoa/Xy+z9=Ab c&d\"e";
  const echoes = [
    `?refresh_token=${encodeURIComponent(secret)}&x=1`,
    `refresh_token=${new URLSearchParams({ s: secret }).toString().slice(2)}`,
    `?refresh_token=${encodeURIComponent(secret).toLowerCase().replace(/%[0-9a-f]{2}/g, (m) => m)}`,
    `{"echo":${JSON.stringify(secret)}}`,
    `{"echo":"${JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/")}"}`,
  ];
  for (const echo of echoes) {
    const scrubbed = scrubSecrets(echo, [secret]);
    assert.ok(scrubbed.includes("[redacted]"), `the echo ${echo} was cut out`);
    const decoded = [scrubbed, decodeURIComponent(scrubbed.replace(/\+/g, " "))];
    for (const text of decoded) assert.ok(!text.includes(secret), `no form of the secret is left in ${scrubbed}`);
    assert.ok(!scrubbed.includes("Xy"), `no part of the secret is left in ${scrubbed}`);
  }
});
