// Keeps the repository's cross-references true: every `docs/<file>.md#anchor` a source comment or the README cites, and every `#anchor` link in docs/ and the README, names an anchor the document has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..", "..", "..");

/** GitHub's anchor for a heading: lower case, punctuation (backticks, commas, colons, …) dropped, spaces as hyphens. */
function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors a Markdown text defines: explicit `<a id>` / `<a name>`, and its headings' slugs (repeats numbered as GitHub does), outside code blocks. */
function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  const seen = new Map<string, number>();
  let inCode = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    const heading = !inCode && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every file under `dir` ending in one of `extensions`. */
function filesUnder(dir: string, extensions: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, extensions));
    else if (extensions.some((extension) => name.endsWith(extension))) found.push(path);
  }
  return found;
}

const docNames = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"));
const docAnchors = new Map(docNames.map((name) => [name, markdownAnchors(readFileSync(join(root, "docs", name), "utf8"))]));

/** `docs/<file>.md#anchor` references in `text` that name a missing document or anchor, as `where: reference`. */
function brokenDocReferences(text: string, where: string): string[] {
  const broken: string[] = [];
  for (const match of text.matchAll(/docs\/([\w.-]+\.md)#([\w-]+)/g)) {
    const anchors = docAnchors.get(match[1]!);
    if (!anchors?.has(match[2]!)) broken.push(`${where}: ${match[0]}`);
  }
  return broken;
}

test("the anchor rules match GitHub's for the headings these docs use", () => {
  const anchors = markdownAnchors('# Top\n## The bridge: one server, a folder per wire format\n## `npm test`\n### Where to add …\n<a id="bridge-refusals"></a>\n```\n# not a heading\n```\n## Top\n');
  assert.deepEqual([...anchors].sort(), ["bridge-refusals", "npm-test", "the-bridge-one-server-a-folder-per-wire-format", "top", "top-1", "where-to-add-"].sort());
  assert.deepEqual(brokenDocReferences("see docs/architecture.md#no-such-anchor-here and docs/nothing.md#x", "sample"), [
    "sample: docs/architecture.md#no-such-anchor-here",
    "sample: docs/nothing.md#x",
  ]);
});

test("every docs/*.md#anchor a source file cites exists in that document", () => {
  const files = filesUnder(join(root, "src"), [".ts"]);
  assert.ok(files.length > 50, "the source files were found");
  const broken = files.flatMap((file) => brokenDocReferences(readFileSync(file, "utf8"), relative(root, file)));
  assert.deepEqual(broken, []);
});

test("every docs/*.md#anchor the README links to exists in that document", () => {
  assert.deepEqual(brokenDocReferences(readFileSync(join(root, "README.md"), "utf8"), "README.md"), []);
});

test("every #anchor link inside docs/ and the README (to the same or another document of docs/) exists", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const documents: { where: string; text: string; anchors: Set<string> }[] = [
    ...docNames.map((name) => ({ where: `docs/${name}`, text: readFileSync(join(root, "docs", name), "utf8"), anchors: docAnchors.get(name)! })),
    { where: "README.md", text: readme, anchors: markdownAnchors(readme) },
  ];
  const broken: string[] = [];
  for (const { where, text, anchors } of documents) {
    for (const match of text.matchAll(/\]\((?:\.\/)?([\w.-]+\.md)?#([\w-]+)\)/g)) {
      const target = match[1] === undefined ? anchors : docAnchors.get(match[1]);
      if (!target?.has(match[2]!)) broken.push(`${where}: ${match[0]}`);
    }
  }
  assert.deepEqual(broken, []);
});
