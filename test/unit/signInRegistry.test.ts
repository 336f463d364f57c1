// Keeps docs/architecture.md#where-to-add-a-sign-in-source true: the manifest's import title comes from the registry, the guide names every file a source touches, nothing outside a source's file names it, and the registry never imports what imports it.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { IMPORT_COMMAND_TITLE, SIGN_IN_SOURCES } from "../../src/auth/import/signInSources";

const root = join(__dirname, "..", "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(root, path)).isDirectory() ? sourceFiles(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** The guide's section on sign-in sources. */
function guide(): string {
  const text = read("docs/architecture.md");
  const start = text.indexOf("### Where to add a sign-in source");
  assert.ok(start >= 0, "docs/architecture.md has no section \"Where to add a sign-in source\"");
  const end = text.slice(start + 1).search(/\n#{2,3} /);
  return end < 0 ? text.slice(start) : text.slice(start, start + 1 + end);
}

/** The file under src/auth/import/ that defines each source (its defineSignInSource call names the id). */
function definingFile(id: string): string {
  const files = sourceFiles("src/auth/import").filter((path) => read(path).includes(`defineSignInSource({ id: "${id}"`));
  assert.equal(files.length, 1, `exactly one file defines the source ${id}: ${files.join(", ")}`);
  return files[0]!;
}

/** The code without its comments (string contents stay). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split("\n")
    .filter((line) => !line.trim().startsWith("//"))
    .map((line) => line.replace(/\s\/\/\s.*$/, ""))
    .join("\n");
}

test("the import command's title in package.json is the registry's (it lists every source's label)", () => {
  const manifest = JSON.parse(read("package.json")) as { contributes: { commands: { command: string; title: string }[] } };
  const command = manifest.contributes.commands.find((c) => c.command === "kiro.importSignIn");
  assert.equal(command?.title, IMPORT_COMMAND_TITLE);
  for (const source of SIGN_IN_SOURCES) assert.ok(IMPORT_COMMAND_TITLE.includes(source.label), source.id);
});

test("every source has a distinct id a session can store, a label, a login hint, a renew hint and a place it lives", () => {
  const ids = SIGN_IN_SOURCES.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length, `ids are distinct: ${ids.join(", ")}`);
  for (const source of SIGN_IN_SOURCES) {
    assert.match(source.id, /^[a-z][a-z0-9-]{0,40}$/);
    assert.notEqual(source.id, "sign-in", "sign-in is kiro-pi's own");
    for (const text of [source.label, source.loginHint, source.renewHint]) assert.ok(text.trim().length > 0, source.id);
    const paths = source.paths({ home: "/home/u", env: {}, platform: "linux" });
    assert.ok(paths.length > 0 && paths.every((p) => p.startsWith("/home/u/")), `${source.id} lives under the given home: ${paths.join(", ")}`);
  }
});

test("the guide names each source's file, every file that reads the registry, and only files that exist", () => {
  const section = guide();
  for (const source of SIGN_IN_SOURCES) assert.ok(section.includes(`\`${definingFile(source.id)}\``), `the guide names ${definingFile(source.id)}`);
  const readers = sourceFiles("src").filter((path) => /from "[./]+(auth\/)?import\/signInSources"|from "\.\/signInSources"/.test(read(path)) && !path.startsWith("src/auth/import/"));
  assert.ok(readers.length >= 8, `files reading the registry were found: ${readers.join(", ")}`);
  for (const path of readers) assert.ok(section.includes(`\`${path}\``), `the guide names ${path}, which reads the registry`);
  for (const helper of ["sourceDefinition.ts", "sourceShape.ts", "boundedRead.ts", "importErrors.ts", "fieldParsing.ts", "sourcePaths.ts", "credentialImport.ts", "signInSources.ts"]) {
    assert.ok(section.includes(`\`src/auth/import/${helper}\``), `the guide names src/auth/import/${helper}`);
  }
  for (const [, path] of section.matchAll(/`((?:src|test)\/[\w/.-]+\.ts)`/g)) assert.ok(existsSync(join(root, path!)), `${path} named by the guide exists`);
});

test("no file outside a source's own names that source in its code: they read the label and hints from the registry", () => {
  const checked = [
    ...sourceFiles("src/auth"),
    "src/pi/piErrors.ts",
    "src/pi/storedSignIn.ts",
    "src/pi/kiroCredentials.ts",
    "src/pi/kiroLogin.ts",
    "src/vscode/auth/importSignIn.ts",
  ];
  for (const source of SIGN_IN_SOURCES) {
    const own = definingFile(source.id);
    for (const path of checked.filter((p) => p !== own)) {
      const text = code(read(path));
      for (const name of new Set([source.label, source.id])) {
        assert.ok(!text.includes(`"${name}`) && !text.includes(`\`${name}`) && !text.includes(` ${name} `), `${path} names ${name} itself`);
      }
    }
  }
});

/** The project files `path` imports at run time (type-only imports are erased and cannot make a cycle). */
function runtimeImports(path: string): string[] {
  const found: string[] = [];
  for (const match of read(path).matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"(\.[^"]+)"/gm)) {
    const target = relative(root, resolve(join(root, dirname(path)), match[1]!)) + ".ts";
    if (existsSync(join(root, target))) found.push(target);
  }
  return found;
}

test("the registry's modules never import tokenRefresh.ts or sessionManager.ts, which import the registry", () => {
  const seen = new Set<string>();
  const queue = ["src/auth/import/signInSources.ts"];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    queue.push(...runtimeImports(path));
  }
  assert.ok(seen.has("src/auth/import/kiroCliDatabase.ts") && seen.has("src/auth/import/boundedRead.ts"), `the walk followed the imports: ${[...seen].join(", ")}`);
  for (const importer of ["src/auth/tokenRefresh.ts", "src/auth/sessionManager.ts"]) assert.ok(!seen.has(importer), `the registry reaches ${importer}`);
});
