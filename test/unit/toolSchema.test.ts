// Tests for toKiroToolSchema against published MCP tool schemas and TypeBox output: Kiro-safe shape, every property kept, required-ness right, arguments untouched.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { toKiroToolSchema } from "../../src/kiro/request/toolSchema";
import { buildKiroRequest } from "../../src/kiro/request/request";
import { findModel, getModel } from "../../src/kiro/catalog/models";
import { streamKiro } from "../../src/kiro/stream";
import type { Context, JsonSchema, Tool, ToolCall } from "../../src/kiro/types";
import { startKiroSimulator, type KiroSimulator } from "../sim/kiroSimulator";
import { toolUseReply } from "../sim/replies";
import githubIssueWrite from "./fixtures/tool-schemas/github-mcp-server.issue_write.json";
import githubProjectsWrite from "./fixtures/tool-schemas/github-mcp-server.projects_write.json";
import githubUpdateIssueLabels from "./fixtures/tool-schemas/github-mcp-server.update_issue_labels.json";
import sentryUpdateIssue from "./fixtures/tool-schemas/sentry-mcp.update_issue.json";
import sentryGetEventStacktrace from "./fixtures/tool-schemas/sentry-mcp.get_event_stacktrace.json";
import sentryWhoami from "./fixtures/tool-schemas/sentry-mcp.whoami.json";
import filesystemEditFile from "./fixtures/tool-schemas/mcp-server-filesystem.edit_file.json";
import memoryCreateEntities from "./fixtures/tool-schemas/mcp-server-memory.create_entities.json";
import referenceGithubReview from "./fixtures/tool-schemas/mcp-server-github.create_pull_request_review.json";
import radarIpDetails from "./fixtures/tool-schemas/cloudflare-radar.get_ip_details.json";
import radarAsDetails from "./fixtures/tool-schemas/cloudflare-radar.get_as_details.json";
import sapVersionDiff from "./fixtures/tool-schemas/mcp-sap-docs.ui5_version_diff.json";
import gitlabCatalogResource from "./fixtures/tool-schemas/gitlab-mcp.get_ci_catalog_resource.json";
import fastmcpComplex from "./fixtures/tool-schemas/mcp-python-sdk.fastmcp_complex_arguments.json";
import typeboxUnion from "./fixtures/tool-schemas/typebox.union_discriminated.json";
import typeboxCyclicTree from "./fixtures/tool-schemas/typebox.cyclic_tree.json";
import typeboxCyclicRoot from "./fixtures/tool-schemas/typebox.cyclic_root.json";
import typeboxIntersect from "./fixtures/tool-schemas/typebox.intersect.json";

interface Fixture {
  source: string;
  tool: string;
  expect: { properties: string[]; required: string[]; alternatives?: string[][] };
  inputSchema: unknown;
}

const FIXTURES: Fixture[] = [
  githubIssueWrite,
  githubProjectsWrite,
  githubUpdateIssueLabels,
  sentryUpdateIssue,
  sentryGetEventStacktrace,
  sentryWhoami,
  filesystemEditFile,
  memoryCreateEntities,
  referenceGithubReview,
  radarIpDetails,
  radarAsDetails,
  sapVersionDiff,
  gitlabCatalogResource,
  fastmcpComplex,
  typeboxUnion,
  typeboxCyclicTree,
  typeboxCyclicRoot,
  typeboxIntersect,
] as Fixture[];

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const INT32 = 2147483647;
/** Keywords no schema sent to Kiro may carry anywhere (see the header of src/kiro/toolSchema.ts for the evidence). */
const NEVER = new Set([
  "definitions",
  "if",
  "then",
  "else",
  "not",
  "additionalProperties",
  "patternProperties",
  "propertyNames",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
  "unevaluatedProperties",
  "unevaluatedItems",
  "additionalItems",
  "prefixItems",
  "contains",
  "const",
  "exclusiveMinimum",
  "exclusiveMaximum",
]);

/** What Kiro (and the gateways' reports) would refuse in a tool schema; [] when it is fine. Property names count only when they start with "$". */
function kiroRefusals(schema: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(schema)) return ["the top level is not an object"];
  if (schema.type !== "object") problems.push("the top level is not type object");
  if (!isObject(schema.properties)) problems.push("the top level has no properties object");
  for (const k of ["anyOf", "oneOf", "allOf"]) if (k in schema) problems.push(`top-level ${k}`);
  const visit = (node: unknown, path: string, depth: number): void => {
    if (depth > 200) return void problems.push(`${path}: nested beyond reason`);
    if (!isObject(node)) return void problems.push(`${path}: a schema that is not an object`);
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("$") || NEVER.has(key)) problems.push(`${path}.${key}`);
      if (["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"].includes(key) && (typeof value !== "number" || Math.abs(value) > INT32)) {
        problems.push(`${path}.${key} = ${String(value)}`);
      }
    }
    if ("required" in node) {
      const r = node.required;
      if (!Array.isArray(r) || r.length === 0 || r.some((n) => typeof n !== "string")) problems.push(`${path}.required is not a non-empty list of names`);
    }
    if ("properties" in node) {
      if (!isObject(node.properties)) problems.push(`${path}.properties is not an object`);
      else
        for (const [name, child] of Object.entries(node.properties)) {
          if (name.startsWith("$")) problems.push(`${path}.properties[${JSON.stringify(name)}]: a name starting with $`);
          visit(child, `${path}.properties[${JSON.stringify(name)}]`, depth + 1);
        }
    }
    if ("items" in node) visit(node.items, `${path}.items`, depth + 1);
    for (const k of ["anyOf", "oneOf", "allOf"]) {
      const branches = node[k];
      if (k in node && (!Array.isArray(branches) || branches.length < 2)) problems.push(`${path}.${k} is not a list of alternatives`);
      if (Array.isArray(branches)) branches.forEach((b, i) => visit(b, `${path}.${k}[${i}]`, depth + 1));
    }
  };
  visit(schema, "$", 0);
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function propertiesOf(schema: JsonSchema): JsonObject {
  assert.ok(isObject(schema.properties));
  return schema.properties;
}

function countNodes(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countNodes(v), 1);
  if (isObject(value)) return Object.values(value).reduce((n: number, v) => n + countNodes(v), 1);
  return 0;
}

describe("published tool schemas come out in a shape Kiro accepts, with every parameter and the right required ones", () => {
  for (const fixture of FIXTURES) {
    it(`${fixture.tool} (${fixture.source.split(" ")[0]})`, () => {
      const input = deepFreeze(structuredClone(fixture.inputSchema));
      const { schema, descriptionNote } = toKiroToolSchema(input);
      assert.deepEqual(input, fixture.inputSchema, "the input is left as it was");
      assert.deepEqual(kiroRefusals(schema), []);
      assert.deepEqual(Object.keys(propertiesOf(schema)).sort(), [...fixture.expect.properties].sort(), "every parameter a caller could pass is offered");
      assert.deepEqual([...((schema.required as string[] | undefined) ?? [])].sort(), [...fixture.expect.required].sort(), "required are exactly those every alternative requires");
      for (const group of fixture.expect.alternatives ?? []) {
        assert.ok(descriptionNote.includes(group.map((n) => `"${n}"`).join(", ")), `the note names the group ${group.join(" + ")}: ${descriptionNote}`);
      }
      if (!fixture.expect.alternatives) assert.equal(descriptionNote, "", "nothing needs saying when no alternatives were merged");
      assert.deepEqual(toKiroToolSchema(schema).schema, schema, "reshaping a reshaped schema changes nothing");
    });
  }
});

describe("top-level unions and intersections", () => {
  it("a top-level anyOf of objects offers every branch's parameters, requires only what all require, and names the groups", () => {
    const { schema, descriptionNote } = toKiroToolSchema(gitlabCatalogResource.inputSchema);
    const properties = propertiesOf(schema);
    // Both branches define `id` alike (only the key order differs): one definition, not an anyOf of twins.
    assert.deepEqual(properties.id, { type: "string", minLength: 1, description: "CI/CD Catalog resource global ID. Required when full_path is omitted." });
    assert.equal(schema.required, undefined);
    assert.match(descriptionNote, /at least one group: \(1\) "id"; \(2\) "full_path"\./);
  });

  it("a oneOf says to pass exactly one group and not to mix them", () => {
    const { descriptionNote, schema } = toKiroToolSchema({
      oneOf: [
        { type: "object", properties: { path: { type: "string" }, mode: { type: "string" } }, required: ["path", "mode"] },
        { type: "object", properties: { path: { type: "string" }, url: { type: "string" } }, required: ["path", "url"] },
      ],
    });
    assert.deepEqual(schema.required, ["path"]);
    assert.match(descriptionNote, /exactly one group, not a mix: \(1\) "mode"; \(2\) "url"\./);
  });

  it("TypeBox's discriminated Union gets one enum for the discriminator and the branch descriptions in the note", () => {
    const { schema, descriptionNote } = toKiroToolSchema(typeboxUnion.inputSchema);
    const properties = propertiesOf(schema);
    assert.deepEqual(properties.action, { type: "string", enum: ["click", "type", "navigate"] });
    assert.deepEqual(properties.button, { type: "string", enum: ["left", "right"] }, "a Union of Literals is one enum");
    assert.match(descriptionNote, /\(2\) "ref", "text" — Type text into an element/);
  });

  it("a property two branches define differently accepts either definition", () => {
    const { schema } = toKiroToolSchema({
      anyOf: [
        { type: "object", properties: { limit: { type: "integer", description: "Rows" } }, required: ["limit"] },
        { type: "object", properties: { limit: { type: "string", pattern: "^\\d+$", description: "Rows" } } },
        { type: "object", properties: { limit: { type: "null" } } },
      ],
    });
    assert.deepEqual(propertiesOf(schema).limit, { anyOf: [{ type: "integer" }, { type: "string", pattern: "^\\d+$" }, { type: "null" }], description: "Rows" });
    assert.equal(schema.required, undefined, "only one branch requires limit");
  });

  it("a top-level allOf applies every part: properties merged, required joined", () => {
    const { schema, descriptionNote } = toKiroToolSchema(typeboxIntersect.inputSchema);
    assert.deepEqual(schema.required, ["path", "content"]);
    assert.deepEqual(propertiesOf(schema).position, { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 }, "a tuple is a list of its members' type with its length");
    assert.deepEqual(propertiesOf(schema).env, { type: "object", description: "(Each value: string.)" }, "a Record keeps its value type in words");
    assert.equal(descriptionNote, "");
  });

  it("root properties next to a top-level anyOf of required lists stay, and the lists become the groups", () => {
    const { schema, descriptionNote } = toKiroToolSchema(sapVersionDiff.inputSchema);
    assert.equal(propertiesOf(schema).library && (propertiesOf(schema).library as JsonObject).default, "SAPUI5");
    assert.match(descriptionNote, /\(1\) "version"; \(2\) "from_version", "to_version"; \(3\) "from_version"; \(4\) "to_version"/);
  });
});

describe("references", () => {
  it("local $defs references are inlined, with their siblings (pydantic's default) kept", () => {
    const { schema } = toKiroToolSchema(fastmcpComplex.inputSchema);
    const properties = propertiesOf(schema);
    assert.deepEqual(properties.my_model_b, {
      properties: {
        how_many_shrimp: { description: "How many shrimp in the tank???", title: "How Many Shrimp", type: "integer" },
        ok: { properties: { x: { title: "X", type: "integer" } }, title: "InnerModel", type: "object", required: ["x"] },
        y: { title: "Y", type: "null" },
      },
      title: "SomeModelB",
      type: "object",
      required: ["how_many_shrimp", "ok", "y"],
    });
    assert.deepEqual(properties.my_model_a_with_default, { default: {}, properties: {}, title: "SomeModelA", type: "object" }, "allOf:[{$ref}] with a default is the model itself");
  });

  it("JSON-pointer references into properties (zod-to-json-schema's style) and to the root resolve", () => {
    const { schema } = toKiroToolSchema({
      type: "object",
      properties: {
        from: { type: "object", properties: { line: { type: "integer" } }, required: ["line"] },
        to: { $ref: "#/properties/from", description: "End" },
        "a/b": { type: "string" },
        slash: { $ref: "#/properties/a~1b" },
      },
    });
    const properties = propertiesOf(schema);
    assert.deepEqual(properties.to, { type: "object", properties: { line: { type: "integer" } }, required: ["line"], description: "End" });
    assert.deepEqual(properties.slash, { type: "string" });
  });

  it("recursive references unroll twice and then accept any value of that type, saying so", () => {
    const { schema } = toKiroToolSchema(typeboxCyclicTree.inputSchema);
    const node = propertiesOf(schema).root as JsonSchema;
    const child = (propertiesOf(node).children as JsonSchema).items as JsonSchema;
    const cut = (propertiesOf(child).children as JsonSchema).items as JsonSchema;
    assert.deepEqual(Object.keys(propertiesOf(child)).sort(), ["children", "name"]);
    assert.equal(cut.type, "object");
    assert.equal(cut.properties, undefined);
    assert.match(String(cut.description), /Same structure as the enclosing "Node"/);
  });

  it("a schema that refers to itself through # stops too", () => {
    const { schema } = toKiroToolSchema({ type: "object", properties: { name: { type: "string" }, parent: { $ref: "#" } } });
    assert.deepEqual(kiroRefusals(schema), []);
    assert.match(JSON.stringify(schema), /recursion is not spelled out further/);
  });

  it("references that cannot be resolved (remote, missing) accept any value and say why", () => {
    const { schema } = toKiroToolSchema({
      type: "object",
      properties: { remote: { $ref: "https://example.com/schemas/thing.json", description: "A thing" }, missing: { $ref: "#/$defs/Nope" } },
      required: ["remote"],
    });
    assert.deepEqual(propertiesOf(schema).remote, { description: "A thing (Its schema is not available: the reference could not be resolved.)" });
    assert.deepEqual(schema.required, ["remote"], "the parameter stays required");
    assert.deepEqual(kiroRefusals(schema), []);
  });
});

describe("keywords", () => {
  it("exclusive bounds become words; bounds beyond 32 bits are dropped; draft-4 boolean bounds are read", () => {
    const { schema } = toKiroToolSchema({
      type: "object",
      properties: {
        count: { type: "integer", exclusiveMinimum: 0, maximum: 9007199254740991 },
        ratio: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true, description: "Share" },
        small: { type: "integer", minimum: -5, maximum: 10 },
      },
    });
    const p = propertiesOf(schema);
    assert.deepEqual(p.count, { type: "integer", description: "(Must be greater than 0.)" });
    assert.deepEqual(p.ratio, { type: "number", minimum: 0, maximum: 1, description: "Share (Must be greater than 0 and less than 1.)" });
    assert.deepEqual(p.small, { type: "integer", minimum: -5, maximum: 10 });
  });

  it("if/then/else, not, additionalProperties and vendor keys are dropped everywhere; const becomes enum", () => {
    const { schema } = toKiroToolSchema({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "urn:tool",
      type: "object",
      additionalProperties: false,
      if: { properties: { kind: { const: "a" } } },
      then: { required: ["a"] },
      else: { required: ["b"] },
      properties: {
        kind: { const: "a", "x-order": 1 },
        a: { type: "string", not: { enum: [""] }, markdownDescription: "**A**" },
        b: { type: "object", additionalProperties: { type: "number" }, propertyNames: { pattern: "^x" } },
      },
      required: [],
    });
    assert.deepEqual(schema, {
      type: "object",
      properties: { kind: { enum: ["a"] }, a: { type: "string" }, b: { type: "object", description: "(Each value: number.)" } },
    });
  });

  it("parameters named like keywords are parameters; __proto__ stays one; an empty name and names starting with $ are dropped and said", () => {
    const input = JSON.parse('{"type":"object","properties":{"if":{"type":"string"},"definitions":{"type":"array","items":{"type":"string"}},"$ref":{"type":"string"},"__proto__":{"type":"number"},"":{"type":"string"}},"required":["if","__proto__",""]}');
    const { schema, descriptionNote } = toKiroToolSchema(input);
    // A property name starting with "$" alone made the service answer "Improperly formed request." (docs/kiro-protocol.md#tool-schemas).
    assert.deepEqual(Object.keys(propertiesOf(schema)), ["if", "definitions", "__proto__"]);
    assert.match(descriptionNote, /"\$ref" cannot be offered through Kiro/);
    assert.ok(Object.prototype.hasOwnProperty.call(propertiesOf(schema), "__proto__"));
    assert.deepEqual(schema.required, ["if", "__proto__"]);
    assert.equal(JSON.parse(JSON.stringify(schema)).properties.__proto__.type, "number", "it survives serialisation");
  });

  it("required lists that are null, not lists, or name nothing known are dropped; toString is not a property", () => {
    for (const required of [null, "a", [], [1, 2], ["toString"]]) {
      const { schema } = toKiroToolSchema({ type: "object", properties: { a: { type: "string", required } }, required });
      assert.equal(schema.required, undefined, JSON.stringify(required));
      assert.deepEqual(kiroRefusals(schema), []);
    }
    const { schema } = toKiroToolSchema({ type: "object", properties: null });
    assert.deepEqual(schema, { type: "object", properties: {} });
  });
});

describe("unusual top levels", () => {
  it("a missing, empty or non-object schema becomes an object without parameters", () => {
    for (const input of [undefined, null, "string", 42, [], {}, { type: "object" }, { description: "" }]) {
      const { schema, descriptionNote } = toKiroToolSchema(input);
      assert.equal(schema.type, "object", JSON.stringify(input));
      assert.deepEqual(schema.properties, {});
      assert.equal(descriptionNote, "");
    }
  });

  it("a top level that is a single value is offered as the parameter input", () => {
    const { schema, descriptionNote } = toKiroToolSchema({ type: "string", description: "A search query" });
    assert.deepEqual(schema, { type: "object", properties: { input: { type: "string", description: "A search query" } }, required: ["input"] });
    assert.match(descriptionNote, /"input" parameter/);
  });

  it("a TypeBox Cyclic at the top level is the object it refers to", () => {
    const { schema } = toKiroToolSchema(typeboxCyclicRoot.inputSchema);
    assert.deepEqual(schema.required, ["field"]);
    assert.deepEqual(Object.keys(propertiesOf(schema)), ["field", "and"]);
  });
});

describe("hostile schemas take bounded work and never throw", () => {
  it("nesting thousands of levels deep is cut off and said", () => {
    let deep: JsonObject = { type: "string" };
    for (let i = 0; i < 5000; i++) deep = { type: "object", properties: { next: deep } };
    const { schema, descriptionNote } = toKiroToolSchema(deep);
    assert.deepEqual(kiroRefusals(schema), []);
    assert.ok(countNodes(schema) < 500, "the copy stays small");
    assert.match(descriptionNote, /too large or too deeply nested/);
  });

  it("an object graph with a cycle (not JSON, but a caller's object) ends", () => {
    const node: JsonObject = { type: "object", properties: {} };
    (node.properties as JsonObject).self = node;
    const { schema } = toKiroToolSchema(node);
    assert.deepEqual(kiroRefusals(schema), []);
  });

  it("references that double at every level (a billion-laughs schema) stay within the node budget", () => {
    const defs: JsonObject = { d0: { type: "string" } };
    for (let i = 1; i <= 40; i++) defs[`d${i}`] = { type: "object", properties: { a: { $ref: `#/$defs/d${i - 1}` }, b: { $ref: `#/$defs/d${i - 1}` } } };
    const { schema, descriptionNote } = toKiroToolSchema({ $defs: defs, $ref: "#/$defs/d40" });
    assert.deepEqual(kiroRefusals(schema), []);
    assert.ok(countNodes(schema) < 20_000, `bounded: ${countNodes(schema)} nodes`);
    assert.match(descriptionNote, /too large or too deeply nested/);
  });

  it("a union of hundreds of branches gives one object with every property; tens of thousands are cut off and said", () => {
    const union = (n: number): JsonObject => ({
      anyOf: Array.from({ length: n }, (_, i) => ({ type: "object", properties: { [`p${i}`]: { type: "string" }, common: { type: "string" } }, required: ["common", `p${i}`] })),
    });
    const { schema } = toKiroToolSchema(union(300));
    assert.deepEqual(kiroRefusals(schema), []);
    assert.equal(Object.keys(propertiesOf(schema)).length, 301);
    assert.deepEqual(schema.required, ["common"]);
    const huge = toKiroToolSchema(union(30_000));
    assert.deepEqual(kiroRefusals(huge.schema), []);
    assert.ok(countNodes(huge.schema) < 20_000, `bounded: ${countNodes(huge.schema)} nodes`);
    assert.match(huge.descriptionNote, /too large or too deeply nested/);
    assert.match(huge.descriptionNote, /and 29988 more/);
    assert.ok(huge.descriptionNote.length < 2000, "the note stays short");
  });

  it("a getter that throws gives an empty object schema and a note instead of an exception", () => {
    const hostile = { type: "object", get properties(): never { throw new Error("boom"); } };
    const { schema, descriptionNote } = toKiroToolSchema(hostile);
    assert.deepEqual(schema, { type: "object", properties: {} });
    assert.match(descriptionNote, /could not be read/);
  });
});

describe("requests carry the reshaped schemas", () => {
  const sonnet = findModel("claude-sonnet-4-5")!;
  const tools: Tool[] = [
    { name: "get_ci_catalog_resource", description: "Get a CI/CD catalog resource.", parameters: gitlabCatalogResource.inputSchema as JsonSchema },
    { name: "browser_act", description: "", parameters: typeboxUnion.inputSchema as JsonSchema },
  ];

  it("buildKiroRequest sends each tool's reshaped schema and appends the note to its description", () => {
    const req = buildKiroRequest(sonnet, { messages: [{ role: "user", content: "hi", timestamp: 1 }], tools });
    const specs = req.body.conversationState.currentMessage.userInputMessage.userInputMessageContext?.tools ?? [];
    assert.equal(specs.length, 2);
    for (const spec of specs) assert.deepEqual(kiroRefusals(spec.toolSpecification.inputSchema.json), []);
    assert.match(specs[0]!.toolSpecification.description, /^Get a CI\/CD catalog resource\.\n\nParameters come in alternative groups/);
    assert.match(specs[1]!.toolSpecification.description, /^The browser_act tool\.\n\nParameters come in alternative groups/);
    assert.deepEqual(tools[0]!.parameters, gitlabCatalogResource.inputSchema, "the caller's tool is untouched");
  });

  let sim: KiroSimulator | undefined;
  after(async () => sim?.close());

  it("a call the model makes with one branch's parameters reaches the caller exactly as sent", async () => {
    sim = await startKiroSimulator({ chunking: "random", seed: 7 });
    const args = { full_path: "gitlab-org/components/sast", version_limit: 3, include_readme: true };
    const act = { action: "type", ref: "e12", text: "hello ✓ \"quoted\"", submit: false };
    sim.reply(toolUseReply([{ name: "get_ci_catalog_resource", input: args, id: "t1" }, { name: "browser_act", input: act, id: "t2" }], { fragmentSize: 7 }));
    const context: Context = { messages: [{ role: "user", content: "Look it up.", timestamp: 1_700_000_000_000 }], tools };
    const message = await streamKiro(getModel("kiro", "claude-sonnet-4-5"), context, { accessToken: sim.accessToken, endpoint: sim.url, env: {}, retryBaseDelayMs: 5 }).result();
    assert.equal(message.stopReason, "toolUse", message.errorMessage);
    const calls = message.content.filter((c): c is ToolCall => c.type === "toolCall");
    assert.deepEqual(calls.map((c) => [c.name, c.arguments]), [["get_ci_catalog_resource", args], ["browser_act", act]]);
    const sent = sim.generateRequests()[0]!.body as { conversationState: { currentMessage: { userInputMessage: { userInputMessageContext: { tools: { toolSpecification: { inputSchema: { json: unknown } } }[] } } } } };
    for (const spec of sent.conversationState.currentMessage.userInputMessage.userInputMessageContext.tools) {
      assert.deepEqual(kiroRefusals(spec.toolSpecification.inputSchema.json), [], "what went over the wire is Kiro-safe");
    }
  });
});
