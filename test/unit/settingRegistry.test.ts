// Keeps docs/architecture.md#where-to-add-a-setting true: every declared setting has its manifest entry (type, default, scope, restriction) and its README row, and every kiro.* manifest entry is declared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KIRO_SETTINGS } from "../../src/kiro/settings";
import { ALL_SETTINGS, EDITOR_SETTINGS } from "../../src/vscode/settingDeclarations";

const root = join(__dirname, "..", "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  contributes: { configuration: { properties: Record<string, { type: unknown; default: unknown; scope?: string }> } };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
const properties = manifest.contributes.configuration.properties;
const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
const readme = readFileSync(join(root, "README.md"), "utf8");

test("each registry's property names are the setting keys", () => {
  for (const [name, declaration] of [...Object.entries(KIRO_SETTINGS), ...Object.entries(EDITOR_SETTINGS)]) assert.equal(declaration.key, name);
  assert.equal(new Set(ALL_SETTINGS.map((s) => s.key)).size, ALL_SETTINGS.length, "a key is declared twice");
});

test("every declared setting has a package.json entry with its type, default and scope", () => {
  for (const declaration of ALL_SETTINGS) {
    const id = `kiro.${declaration.key}`;
    const entry = properties[id];
    assert.ok(entry, `${id} is declared but package.json contributes no such setting`);
    assert.equal(entry.type, declaration.type, `${id}: the manifest's type`);
    assert.deepEqual(entry.default, declaration.default, `${id}: the manifest's default`);
    if (declaration.scope === "user") {
      assert.equal(entry.scope, "application", `${id} is user-only, so its manifest entry needs "scope": "application"`);
      assert.ok(restricted.includes(id), `${id} is user-only, so it belongs in capabilities.untrustedWorkspaces.restrictedConfigurations`);
    } else {
      assert.notEqual(entry.scope, "application", `${id} may come from a workspace, yet the manifest makes it application-scoped`);
      assert.ok(!restricted.includes(id), `${id} may come from a workspace, yet it is listed as restricted`);
    }
  }
});

test("every kiro.* setting in package.json is declared, and every restricted one is user-only", () => {
  const declared = new Set(ALL_SETTINGS.map((s) => `kiro.${s.key}`));
  for (const id of Object.keys(properties)) assert.ok(declared.has(id), `package.json contributes ${id}, but no declaration reads it (src/kiro/settings.ts or src/vscode/settingDeclarations.ts)`);
  for (const id of restricted) assert.ok(declared.has(id), `${id} is restricted but not declared`);
});

test("every declared setting has a README row, naming its environment variable", () => {
  for (const declaration of ALL_SETTINGS) {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`kiro.${declaration.key}\` |`));
    assert.ok(row, `README.md's settings table has no row for kiro.${declaration.key}`);
    if (declaration.env) assert.ok(row.includes(`\`${declaration.env}\``), `README.md's row for kiro.${declaration.key} does not name ${declaration.env}`);
    if (declaration.scope === "user") assert.match(row, /user settings only/, `README.md's row for kiro.${declaration.key} does not say it is user-only`);
  }
});

test("every default passes its own check (a blank string means not set)", () => {
  for (const declaration of ALL_SETTINGS) {
    if (declaration.default === "" || declaration.default === undefined) continue;
    assert.ok("value" in declaration.check(declaration.default), `kiro.${declaration.key}: its default ${JSON.stringify(declaration.default)} fails its check`);
  }
});
