// An imported sign-in is borrowed, never renewed with the other tool's refresh token: near expiry kiro-pi (the session manager, and pi in direct mode) reads the tool's store again, and says what to do when that token has expired too.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AuthError } from "../../src/auth/errors";
import { signInSource } from "../../src/auth/import/signInSources";
import { KiroSessionManager } from "../../src/auth/sessionManager";
import { MemoryTokenStore } from "../../src/auth/tokenStore";
import { createStoredSignInFinder } from "../../src/pi/storedSignIn";
import { startKiroAuthSimulator } from "../sim/kiroAuthSimulator";
import { startOidcSimulator } from "../sim/oidcSimulator";
import { clock } from "./authFixtures";
import { cliSignInAgainst, cliToken, failure, FUTURE, location, PAST, tempHome, writeCliDatabase, writeIdeToken } from "./importFixtures";

const kiroCli = signInSource("kiro-cli");
const kiroIde = signInSource("kiro-ide");
const inMinutes = (now: number, minutes: number) => new Date(now + minutes * 60_000).toISOString();

test("an imported kiro-cli sign-in near expiry is never sent to the OIDC token endpoint: kiro-pi reads kiro-cli's database again and uses the token kiro-cli renewed", async (t) => {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  const cli = await cliSignInAgainst(sim);
  const h = await tempHome(t);
  const time = clock();
  const registration = { client_id: cli.clientId, client_secret: cli.clientSecret, client_secret_expires_at: FUTURE };
  // Two minutes left: inside the five minutes before expiry in which kiro-pi renews a token.
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("cli-access-1", { expires_at: inMinutes(time.now(), 2), refresh_token: cli.refreshToken }), "kirocli:odic:device-registration": registration });
  const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), oidcEndpoint: sim.url, now: time.now, signInSourceOptions: { location: location(h) } });
  const imported = await kiro.importSession((await kiroCli.import({ location: location(h) })).session);

  assert.equal(await kiro.getAccessToken(), "cli-access-1", "kiro-cli has not renewed yet: its token still works for two minutes");
  assert.equal(sim.refreshCount, 0, "kiro-cli's refresh token was not spent");

  // kiro-cli renews its own sign-in (here: its database is written as kiro-cli would after a refresh).
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("cli-access-2", { expires_at: inMinutes(time.now(), 60), refresh_token: `${cli.refreshToken}-rotated` }), "kirocli:odic:device-registration": registration });
  assert.equal(await kiro.getAccessToken(), "cli-access-2");
  const stored = (await kiro.getSession(imported.id))!;
  assert.equal(stored.accessToken, "cli-access-2", "the renewed token is kept with the same account");
  assert.equal(stored.refreshToken, undefined, "kiro-pi keeps no refresh token of kiro-cli's");
  assert.equal(sim.refreshCount, 0);

  // Kiro refuses the token and kiro-cli has nothing newer: nothing is spent, the user is told what to do.
  const refused = await failure(kiro.getAccessToken({ forceRefresh: true }));
  assert.equal(refused.code, "import-expired");
  assert.match(refused.message, /Kiro refused the kiro-cli sign-in's token in .*, and kiro-cli has not renewed it yet\. Start kiro-cli once/);

  // Both expired: kiro-cli was not run for hours.
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("cli-access-2", { expires_at: inMinutes(time.now(), 60), refresh_token: `${cli.refreshToken}-rotated` }), "kirocli:odic:device-registration": registration });
  time.advance(2 * 60 * 60_000);
  const expired = await failure(kiro.getAccessToken());
  assert.equal(expired.code, "import-expired");
  assert.match(expired.message, /The kiro-cli sign-in in .*data\.sqlite3 has expired\. Start kiro-cli once \(for example `kiro-cli chat`\) so it renews its sign-in, then try again; or sign in with kiro-pi itself \("Kiro: Sign In"\)/);
  assert.equal((await kiro.getSessions()).length, 1, "nothing was deleted: the session is still there for when kiro-cli has renewed");
  assert.equal(sim.refreshCount, 0);
});

test("an imported Kiro IDE social sign-in near expiry is renewed from the IDE's token file, never at the Kiro auth service", async (t) => {
  const social = await startKiroAuthSimulator();
  t.after(() => social.close());
  social.addRefreshToken("ide-refresh");
  const h = await tempHome(t);
  const now = Date.now();
  await writeIdeToken(h, { accessToken: "ide-access-1", refreshToken: "ide-refresh", expiresAt: inMinutes(now, 1), authMethod: "social", provider: "Github" });
  const kiro = new KiroSessionManager({ store: new MemoryTokenStore(), socialAuthEndpoint: social.url, signInSourceOptions: { location: location(h) } });
  await kiro.importSession((await kiroIde.import({ location: location(h) })).session);
  assert.equal(await kiro.getAccessToken(), "ide-access-1");

  await writeIdeToken(h, { accessToken: "ide-access-2", refreshToken: "ide-refresh-2", expiresAt: inMinutes(now, 60), authMethod: "social", provider: "Github" });
  assert.equal(await kiro.getAccessToken(), "ide-access-2");
  assert.equal(social.refreshCount, 0, "the IDE's refresh token was not spent, so the IDE stays signed in");

  // The IDE now holds another account: kiro-pi does not slip it into this one.
  await writeIdeToken(h, { accessToken: "ide-access-3", expiresAt: inMinutes(now, 60), authMethod: "IdC", provider: "BuilderId" });
  const other = await failure(kiro.getAccessToken({ forceRefresh: true }));
  assert.match(other.message, /Kiro IDE is now signed in to another account \(AWS Builder ID\) than the one kiro-pi borrowed \(Kiro \(Github\)\)/);
});

test("pi in direct mode renews kiro-cli's sign-in by reading kiro-cli's database again, never with its refresh token", async (t) => {
  const sim = await startOidcSimulator({ secondMs: 5, interval: 1 });
  t.after(() => sim.close());
  const cli = await cliSignInAgainst(sim);
  const h = await tempHome(t);
  const registration = { client_id: cli.clientId, client_secret: cli.clientSecret, client_secret_expires_at: FUTURE };
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("pi-access-1", { expires_at: inMinutes(Date.now(), 60), refresh_token: cli.refreshToken }), "kirocli:odic:device-registration": registration });
  const env = { KIROCLI_DB_PATH: h.cliDb, KIRO_OIDC_ENDPOINT: sim.url };
  const found = await createStoredSignInFinder(env, { sources: [kiroCli] })();
  assert.equal(found?.accessToken, "pi-access-1");

  // Kiro refused the token and kiro-cli has nothing newer.
  const refused = await found!.refresh!().then(
    () => assert.fail("expected the renewal to fail"),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof AuthError && refused.code === "import-expired", String(refused));
  assert.match(refused.message, /kiro-cli has not renewed it yet\. Start kiro-cli once/);
  assert.equal(sim.refreshCount, 0, "pi did not spend kiro-cli's refresh token");

  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("pi-access-2", { expires_at: inMinutes(Date.now(), 60), refresh_token: `${cli.refreshToken}-rotated` }), "kirocli:odic:device-registration": registration });
  assert.equal(await found!.refresh!(), "pi-access-2");
  assert.equal(found!.accessToken, "pi-access-2");

  // Expired in kiro-cli too: pi goes on without it and the no-token message says what to do.
  await writeCliDatabase(h.cliDb, { "kirocli:odic:token": cliToken("pi-access-3", { expires_at: PAST, refresh_token: cli.refreshToken }), "kirocli:odic:device-registration": registration });
  const finder = createStoredSignInFinder(env, { sources: [kiroCli] });
  assert.equal(await finder(), undefined);
  assert.match(finder.problem() ?? "", /The kiro-cli sign-in in .* has expired\. Start kiro-cli once .* or sign in with kiro-pi itself/);
  assert.equal(sim.refreshCount, 0);
});
