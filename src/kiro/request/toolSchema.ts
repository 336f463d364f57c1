// Reshapes a tool's JSON Schema into one Kiro accepts: an object at the top, no top-level unions, no references, none of the refused keywords.
// Over 300 lines: each reshaping rule carries its evidence, and hostile input (cycles, depth, size) is handled in bounded work.
//
// Why each rule (docs/kiro-protocol.md#tool-schemas; the gateways named are public Kiro clients):
// - Top level must be `{"type":"object"}`: Kiro relays tools to Bedrock, which answers
//   "toolConfig.tools.N.toolSpec.inputSchema.json.type must be one of the following: object"
//   (kirodotdev/Kiro #10270, #11026; d-kuro/kirocc #92, reason TOOL_SCHEMA_INVALID).
// - No `anyOf`/`oneOf`/`allOf` at the top level: "input_schema does not support oneOf, allOf, or anyOf at the
//   top level" (Kiro #9721, #10672 with Notion's MCP server). Nested combinators stay: the message names the top
//   level only, hank9999/kiro.rs and jwadow/kiro-gateway pass nested ones through, and 9router's Kiro executor
//   flattens "root-level only, matching what Kiro actually rejects" (decolua/9router #3627). GitHub's and Sentry's
//   MCP servers use nested `anyOf`/`oneOf` in nearly every tool.
// - No `$ref`/`$defs`/`definitions`: Kiro's own MCP client fails on them (Kiro #7042, #8257); they are inlined.
// - No `if`/`then`/`else`: stripped by d-kuro/kirocc and diegosouzapw/OmniRoute #4847 ("Improperly formed request").
// Other keywords dropped, with the report behind each:
// - every other `$` keyword (`$schema`, `$id`, `$anchor`, `$comment`, …): `$schema` found by bisection to cause
//   "Improperly formed request" (hank9999/kiro.rs #162); kiro-gateway drops every `$` key but `$defs`.
// - `additionalProperties`: "Kiro rejects these fields in tool schemas" (Quorinex/Kiro-Go #74), also dropped by
//   kiro-gateway (its sanitizer header) and kirocc.
// - `required` that is empty, `null` or not a list of strings: `required: null` gave TOOL_SCHEMA_INVALID
//   (jwadow/kiro-gateway #169) and "Improperly formed request" (kiro.rs #71); empty lists are dropped by
//   kiro-gateway, kirocc and Kiro-Go. `properties` that is not an object (kiro.rs #71) becomes `{}`.
// - `exclusiveMinimum`/`exclusiveMaximum`, and `minimum`/`maximum`/length and count limits outside the 32-bit
//   integer range (zod's `.int()` writes ±9007199254740991): both found by bisection (kiro.rs #162); kirocc drops
//   the exclusive bounds too. An exclusive bound is kept as words in the description.
// - `not`, `patternProperties`, `propertyNames`, `dependentRequired`, `dependentSchemas`, `dependencies`,
//   `unevaluatedProperties`, `unevaluatedItems`, `additionalItems`, `prefixItems`, `contains`: dropped by kirocc
//   (and `not` by OmniRoute) as keywords Kiro rejects. They only narrow what is valid, so dropping them never makes
//   a valid call invalid; a tuple (`items` as a list, or `prefixItems`) becomes an `items` union of its members.
// - `const` becomes a one-value `enum` (same meaning; kirocc does the same, Kiro #7042 names `const` unions).
// - Anything else that is not a standard annotation or validation keyword (vendor `x-…` keys, UI metadata) is
//   left out: the service validates against JSON Schema, and the model does not need them.
// Kept although some gateway strips them, because no failure is reported: `default`, `examples`, `title`,
// `format`, `pattern`, `minLength`/`maxLength`, `minItems`/`maxItems`, `minimum`/`maximum` within range.
//
// The model's tool-call arguments go back to the caller unchanged: a flattened union keeps every property of every
// branch, so whatever the model sends for one branch is already a valid call of the original tool.
import type { JsonSchema } from "../types";

export interface KiroToolSchema {
  /** `{"type":"object","properties":{…}}` plus `required` and a `description` when the tool has them. */
  schema: JsonSchema;
  /** Text for the caller to append to the tool description (what the reshaping lost); empty when nothing was lost. */
  descriptionNote: string;
}

type JsonObject = Record<string, unknown>;

/** Output schema objects built per tool at most; beyond it, nested parts accept any value (bounded work on huge or hostile schemas). */
const MAX_SCHEMA_NODES = 4000;
/** Deepest nesting followed; deeper parts accept any value. Also ends cycles in the input's object graph. */
const MAX_DEPTH = 32;
/** How often a recursive reference is unrolled on one path before it is cut off. */
const MAX_RECURSION = 2;
/** Entries of the `$id` index built for references like TypeBox's `{"$ref":"Node"}`. */
const MAX_INDEXED_NODES = 20000;
/** Largest bound kept in a numeric keyword (32-bit signed integer). */
const MAX_BOUND = 2147483647;

const TYPE_NAMES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const COMBINATORS = ["anyOf", "oneOf", "allOf"] as const;
type Combinator = (typeof COMBINATORS)[number];
const NON_NEGATIVE_COUNTS = new Set(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]);
const ANNOTATION_STRINGS = new Set(["description", "title", "format", "pattern"]);
const FLAGS = new Set(["uniqueItems", "deprecated", "readOnly", "writeOnly"]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function own(object: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function hasOwn(object: unknown, key: string): boolean {
  return isObject(object) && Object.prototype.hasOwnProperty.call(object, key);
}

/** Texts already computed; the schemas built here are not changed once finished, so the cache stays right. */
const canonicalCache = new WeakMap<object, string>();

/** Stable text of a JSON value (keys sorted), to tell equal schemas apart from different ones whatever their key order. */
function canonical(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  const cached = canonicalCache.get(value);
  if (cached !== undefined) return cached;
  const text = Array.isArray(value)
    ? `[${value.map(canonical).join(",")}]`
    : `{${Object.keys(value)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((value as JsonObject)[k])}`)
        .join(",")}}`;
  canonicalCache.set(value, text);
  return text;
}

function uniqueSchemas(schemas: readonly JsonSchema[]): JsonSchema[] {
  const seen = new Set<string>();
  return schemas.filter((s) => {
    const key = canonical(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function withDescription(schema: JsonSchema, note: string): JsonSchema {
  const current = typeof schema.description === "string" ? schema.description.trim() : "";
  return { ...schema, description: current ? `${current} ${note}` : note };
}

/** Longest list written into a note; beyond it the rest is counted, so a hostile union cannot make the description huge. */
const MAX_LISTED = 12;

function listed<T>(items: readonly T[], show: (item: T) => string, separator: string): string {
  const shown = items.slice(0, MAX_LISTED).map(show).join(separator);
  return items.length > MAX_LISTED ? `${shown}${separator}and ${items.length - MAX_LISTED} more` : shown;
}

function quoteNames(names: Iterable<string>): string {
  return listed([...names], (n) => `"${clip(n, 60)}"`, ", ");
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Finds the target of a local `$ref`: `#`, a JSON pointer `#/…`, an anchor `#name`, or an `$id` (TypeBox writes `{"$ref":"Node"}`). */
class RefResolver {
  private ids: Map<string, JsonObject> | undefined;

  constructor(private readonly root: JsonObject) {}

  resolve(ref: string): JsonObject | undefined {
    const hash = ref.indexOf("#");
    const base = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? "" : ref.slice(hash + 1);
    let document: JsonObject | undefined = this.root;
    if (base) document = this.index().get(base);
    if (!document) return undefined;
    if (!fragment) return document;
    if (!fragment.startsWith("/")) return this.index().get(`#${fragment}`);
    let node: unknown = document;
    const segments = fragment.slice(1).split("/");
    if (segments.length > MAX_DEPTH) return undefined;
    for (const raw of segments) {
      let segment: string;
      try {
        segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      } catch {
        return undefined;
      }
      if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
      else if (isObject(node)) node = own(node, segment);
      else return undefined;
    }
    return isObject(node) ? node : undefined;
  }

  /** `$id` and `$anchor` (as `#name`) of every subschema, gathered once, on the first reference that needs it. */
  private index(): Map<string, JsonObject> {
    if (this.ids) return this.ids;
    const ids = new Map<string, JsonObject>();
    const stack: { node: unknown; depth: number }[] = [{ node: this.root, depth: 0 }];
    const seen = new Set<unknown>();
    while (stack.length > 0 && seen.size < MAX_INDEXED_NODES) {
      const { node, depth } = stack.pop()!;
      if (typeof node !== "object" || node === null || seen.has(node) || depth > MAX_DEPTH * 2) continue;
      seen.add(node);
      if (isObject(node)) {
        const id = own(node, "$id");
        const key = typeof id === "string" ? id.replace(/#$/, "") : "";
        if (key && !ids.has(key)) ids.set(key, node);
        const anchor = own(node, "$anchor");
        if (typeof anchor === "string" && anchor && !ids.has(`#${anchor}`)) ids.set(`#${anchor}`, node);
      }
      for (const child of Object.values(node)) if (typeof child === "object" && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
    this.ids = ids;
    return ids;
  }
}

class SchemaReshaper {
  private budget = MAX_SCHEMA_NODES;
  private readonly resolver: RefResolver;
  /** Targets of the references being expanded on the current path, to spot recursion. */
  private readonly expanding: JsonObject[] = [];
  truncated = false;
  /** Parameter names that start with "$", left out (their names alone make the service refuse the request). */
  readonly droppedDollarNames = new Set<string>();

  constructor(root: JsonObject) {
    this.resolver = new RefResolver(root);
  }

  /**
   * Follows `$ref` (with its siblings laid over the target, as pydantic writes `{"$ref":…,"default":{}}`).
   * Returns the schema to read and a cleanup for the recursion bookkeeping, or a finished stand-in when the
   * reference cannot be followed.
   */
  private follow(node: JsonObject): { schema: JsonObject; leave: () => void } | { stopped: JsonSchema } {
    const ref = own(node, "$ref");
    if (typeof ref !== "string") return { schema: node, leave: () => undefined };
    const { $ref: _ref, ...siblings } = node;
    const target = this.resolver.resolve(ref);
    const described = typeof siblings.description === "string" ? { description: siblings.description } : {};
    if (!target) return { stopped: withDescription(described, "(Its schema is not available: the reference could not be resolved.)") };
    if (this.expanding.filter((t) => t === target).length >= MAX_RECURSION) {
      const name = clip(ref.split(/[/#]/).filter(Boolean).pop() ?? "the enclosing value", 60);
      const type = typeof target.type === "string" && TYPE_NAMES.has(target.type) ? { type: target.type } : {};
      return { stopped: withDescription({ ...type, ...described }, `(Same structure as the enclosing "${name}"; recursion is not spelled out further.)`) };
    }
    this.expanding.push(target);
    return { schema: { ...target, ...siblings }, leave: () => void this.expanding.pop() };
  }

  /** A Kiro-safe copy of any subschema below the top level; nested combinators are kept. */
  sanitize(input: unknown, depth: number): JsonSchema {
    if (input === true || input === undefined) return {};
    if (!isObject(input) || depth > MAX_DEPTH || --this.budget < 0) {
      if (isObject(input)) this.truncated = true;
      return {};
    }
    const followed = this.follow(input);
    if ("stopped" in followed) return followed.stopped;
    try {
      // A reference to a reference: follow the chain (each step counts against the depth).
      if (typeof own(followed.schema, "$ref") === "string") return this.sanitize(followed.schema, depth + 1);
      return this.sanitizeResolved(followed.schema, depth);
    } finally {
      followed.leave();
    }
  }

  private sanitizeResolved(node: JsonObject, depth: number): JsonSchema {
    const out: JsonSchema = {};
    const bounds: string[] = [];
    let tupleLength: number | undefined;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (key === "type") {
        const type = cleanType(value);
        if (type !== undefined) out.type = type;
      } else if (ANNOTATION_STRINGS.has(key)) {
        if (typeof value === "string") out[key] = value;
      } else if (FLAGS.has(key)) {
        if (typeof value === "boolean") out[key] = value;
      } else if (NON_NEGATIVE_COUNTS.has(key)) {
        if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_BOUND) out[key] = value;
      } else if (key === "minimum" || key === "maximum") {
        if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= MAX_BOUND) out[key] = value;
      } else if (key === "multipleOf") {
        if (typeof value === "number" && Number.isFinite(value) && value > 0) out[key] = value;
      } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
        const bound = typeof value === "number" ? value : value === true ? node[key === "exclusiveMinimum" ? "minimum" : "maximum"] : undefined;
        if (typeof bound === "number" && Number.isFinite(bound)) bounds.push(`${key === "exclusiveMinimum" ? "greater" : "less"} than ${bound}`);
      } else if (key === "enum") {
        const values = Array.isArray(value) ? this.cloneJson(value, depth) : undefined;
        if (Array.isArray(values) && values.length > 0) out.enum = values;
      } else if (key === "const") {
        const copy = this.cloneJson(value, depth);
        if (copy !== undefined && !hasOwn(node, "enum")) out.enum = [copy];
      } else if (key === "default") {
        const copy = this.cloneJson(value, depth);
        if (copy !== undefined) out.default = copy;
      } else if (key === "examples") {
        const copy = Array.isArray(value) ? this.cloneJson(value, depth) : undefined;
        if (copy !== undefined) out.examples = copy;
      } else if (key === "properties") {
        out.properties = this.sanitizeProperties(value, depth);
      } else if (key === "items") {
        const items = Array.isArray(value) ? this.tupleItems(value, depth) : this.sanitize(value, depth + 1);
        if (items) out.items = items;
        if (Array.isArray(value) && own(node, "additionalItems") === false) tupleLength = value.length;
      } else if (key === "prefixItems") {
        const items = Array.isArray(value) && !hasOwn(node, "items") ? this.tupleItems(value, depth) : undefined;
        if (items) out.items = items;
        if (Array.isArray(value) && own(node, "items") === false) tupleLength = value.length;
      }
      // Everything else (required and combinators below; refused or unknown keywords) is left out.
    }
    const required = cleanRequired(own(node, "required"), out.properties);
    if (required) out.required = required;
    if (bounds.length > 0) Object.assign(out, withDescription(out, `(Must be ${bounds.join(" and ")}.)`));
    if (tupleLength !== undefined && out.maxItems === undefined && tupleLength <= MAX_BOUND) out.maxItems = tupleLength;
    const valueType = mapValueType(node);
    if (valueType && out.properties === undefined) Object.assign(out, withDescription(out, `(Each value: ${valueType}.)`));
    return this.applyNestedCombinators(node, out, depth);
  }

  private sanitizeProperties(value: unknown, depth: number): JsonObject {
    if (!isObject(value)) return {};
    const entries: [string, JsonSchema][] = [];
    for (const name of Object.keys(value)) {
      // Empty keys in tool input are refused, so no call could pass this property.
      if (name === "" || value[name] === false) continue;
      // A property name starting with "$" alone got "Improperly formed request" in a bisection (docs/kiro-protocol.md#tool-schemas).
      if (name.startsWith("$")) {
        this.droppedDollarNames.add(name);
        continue;
      }
      entries.push([name, this.sanitize(value[name], depth + 1)]);
    }
    // fromEntries defines own properties, so a property named "__proto__" stays a property.
    return Object.fromEntries(entries);
  }

  /** A tuple becomes a list whose items may be any of the member schemas. */
  private tupleItems(members: unknown[], depth: number): JsonSchema | undefined {
    const schemas = uniqueSchemas(members.map((m) => this.sanitize(m, depth + 1)));
    if (schemas.length === 0) return undefined;
    return schemas.length === 1 ? schemas[0] : { anyOf: schemas };
  }

  private applyNestedCombinators(node: JsonObject, out: JsonSchema, depth: number): JsonSchema {
    let result = out;
    for (const keyword of COMBINATORS) {
      const branches = own(node, keyword);
      if (!Array.isArray(branches) || branches.length === 0) continue;
      const sanitized = uniqueSchemas(branches.map((b) => this.sanitize(b, depth + 1)));
      if (sanitized.length === 1 || (keyword === "allOf" && sanitized.every((b) => !hasCombinator(b)))) {
        // One branch (pydantic's `allOf: [{$ref}]`), or an allOf of plain parts: the same constraints, inline.
        let merged: JsonSchema | undefined = result;
        for (const branch of sanitized) merged = merged && mergeConjunction(merged, branch);
        if (merged) {
          result = merged;
          continue;
        }
      }
      if (keyword === "allOf") {
        result = { ...result, allOf: sanitized };
        continue;
      }
      if (sanitized.some((b) => Object.keys(b).length === 0)) continue; // one branch accepts anything
      // Alternatives that are all lists of values (TypeBox's Union of Literals, zod's const branches) are one enum.
      const joined = sanitized.every((b) => Array.isArray(b.enum)) ? joinAlternatives(sanitized) : undefined;
      result = (joined && joined.anyOf === undefined && mergeConjunction(result, joined)) || { ...result, [keyword]: sanitized };
    }
    return result;
  }

  /** A deep copy of a JSON value for `enum`/`default`/`examples`; undefined when it is not JSON or too big. */
  private cloneJson(value: unknown, depth: number): unknown {
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
    if (depth > MAX_DEPTH || --this.budget < 0) return undefined;
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      for (const item of value) {
        const c = this.cloneJson(item, depth + 1);
        if (c === undefined) return undefined;
        copy.push(c);
      }
      return copy;
    }
    if (isObject(value)) {
      const entries: [string, unknown][] = [];
      for (const key of Object.keys(value)) {
        const c = this.cloneJson(value[key], depth + 1);
        if (c === undefined) return undefined;
        entries.push([key, c]);
      }
      return Object.fromEntries(entries);
    }
    return undefined;
  }

  /** The top level as one object: its own properties, every `allOf` part, and every `anyOf`/`oneOf` branch laid together. */
  flattenTop(input: unknown, depth: number): FlatObject {
    const flat: FlatObject = { properties: new Map(), required: new Set(), notes: [], objectLike: true };
    if (!isObject(input)) return flat;
    if (depth > MAX_DEPTH || this.budget <= 0) {
      this.truncated = true;
      return flat;
    }
    const followed = this.follow(input);
    if ("stopped" in followed) {
      flat.objectLike = followed.stopped.type === undefined || followed.stopped.type === "object";
      return flat;
    }
    try {
      const node = followed.schema;
      if (typeof own(node, "$ref") === "string") return this.flattenTop(node, depth + 1);
      const { anyOf: _a, oneOf: _o, allOf: _l, ...rest } = node;
      const base = this.sanitize(rest, depth);
      flat.objectLike = isObjectType(base.type) || isObject(base.properties);
      if (!flat.objectLike) {
        flat.nonObject = base;
        return flat;
      }
      if (typeof base.description === "string") flat.description = base.description;
      for (const [name, schema] of Object.entries(base.properties ?? {})) flat.properties.set(name, schema as JsonSchema);
      for (const name of (base.required as string[] | undefined) ?? []) flat.required.add(name);
      const allOf = own(node, "allOf");
      if (Array.isArray(allOf)) {
        for (const part of allOf) {
          const sub = this.flattenTop(part, depth + 1);
          if (!sub.objectLike) continue;
          for (const [name, schema] of sub.properties) addProperty(flat.properties, name, schema, "all");
          for (const name of sub.required) flat.required.add(name);
          flat.notes.push(...sub.notes);
        }
      }
      for (const keyword of ["anyOf", "oneOf"] as const) {
        const branches = own(node, keyword);
        if (Array.isArray(branches) && branches.length > 0) this.layAlternatives(flat, keyword, branches, depth);
      }
      return flat;
    } finally {
      followed.leave();
    }
  }

  private layAlternatives(flat: FlatObject, keyword: "anyOf" | "oneOf", branches: unknown[], depth: number): void {
    const subs = branches.map((b) => this.flattenTop(b, depth + 1)).filter((s) => s.objectLike);
    if (subs.length === 0) return;
    for (const sub of subs) {
      for (const [name, schema] of sub.properties) addProperty(flat.properties, name, schema, "any");
      flat.notes.push(...sub.notes);
    }
    const common = new Set([...subs[0]!.required].filter((name) => subs.every((s) => s.required.has(name))));
    for (const name of common) flat.required.add(name);
    if (subs.length === 1) return;
    const groups = subs.map((sub, i) => {
      const specific = [...sub.required].filter((n) => !flat.required.has(n) && flat.properties.has(n));
      const names = specific.length > 0 ? quoteNames(specific) : sub.properties.size > 0 ? `none required (accepts ${quoteNames(sub.properties.keys())})` : "nothing more";
      const about = sub.description ? ` — ${clip(sub.description, 100)}` : "";
      return `(${i + 1}) ${names}${about}`;
    });
    const how =
      keyword === "oneOf"
        ? "Parameters come in alternative groups; pass the parameters of exactly one group, not a mix"
        : "Parameters come in alternative groups; pass all parameters of at least one group";
    flat.notes.push(`${how}: ${listed(groups, (g) => g, "; ")}.`);
  }
}

interface FlatObject {
  properties: Map<string, JsonSchema>;
  required: Set<string>;
  notes: string[];
  objectLike: boolean;
  description?: string;
  /** The sanitized schema of a top level that is not an object. */
  nonObject?: JsonSchema;
}

function cleanType(value: unknown): string | string[] | undefined {
  if (typeof value === "string") return TYPE_NAMES.has(value) ? value : undefined;
  if (!Array.isArray(value)) return undefined;
  const names = [...new Set(value.filter((v): v is string => typeof v === "string" && TYPE_NAMES.has(v)))];
  if (names.length === 0) return undefined;
  return names.length === 1 ? names[0] : names;
}

/** The value type of a map (`additionalProperties` or a single `patternProperties` schema, as TypeBox's Record writes it). */
function mapValueType(node: JsonObject): string | undefined {
  const patterns = own(node, "patternProperties");
  const values = isObject(patterns) ? Object.values(patterns) : [];
  const schema = values.length === 1 ? values[0] : own(node, "additionalProperties");
  const type = isObject(schema) ? schema.type : undefined;
  return typeof type === "string" && TYPE_NAMES.has(type) ? type : undefined;
}

function isObjectType(type: unknown): boolean {
  return type === undefined || type === "object" || (Array.isArray(type) && type.includes("object"));
}

function hasCombinator(schema: JsonSchema): boolean {
  return COMBINATORS.some((k) => k in schema);
}

/** `required` as a non-empty list of distinct names, limited to the properties listed (when there is a list). */
function cleanRequired(value: unknown, properties: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const names = [...new Set(value.filter((v): v is string => typeof v === "string" && v !== ""))].filter(
    (name) => !isObject(properties) || hasOwn(properties, name),
  );
  return names.length > 0 ? names : undefined;
}

/**
 * Both schemas apply (allOf): properties and `required` are merged, other keywords filled in; undefined when
 * they disagree on a keyword that cannot be merged, so the caller keeps them apart.
 */
function mergeConjunction(a: JsonSchema, b: JsonSchema): JsonSchema | undefined {
  const merged: JsonSchema = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (!(key in merged)) {
      merged[key] = value;
    } else if (key === "properties" && isObject(value) && isObject(merged.properties)) {
      const properties = new Map(Object.entries(merged.properties) as [string, JsonSchema][]);
      for (const [name, schema] of Object.entries(value)) addProperty(properties, name, schema as JsonSchema, "all");
      merged.properties = Object.fromEntries(properties);
    } else if (key === "required" && Array.isArray(value) && Array.isArray(merged.required)) {
      merged.required = [...new Set([...(merged.required as string[]), ...(value as string[])])];
    } else if (key === "description" || key === "title" || key === "default" || key === "examples") {
      // Annotations: the outer one wins.
    } else if (canonical(merged[key]) !== canonical(value)) {
      return undefined;
    }
  }
  return merged;
}

/**
 * Adds one definition of a property. Two different definitions of the same name become one that accepts what
 * either accepts ("any": the property came from alternative branches; enums are joined, other shapes go into a
 * nested anyOf) or what both accept ("all": the definitions are merged, or kept as a nested allOf).
 */
function addProperty(properties: Map<string, JsonSchema>, name: string, schema: JsonSchema, mode: "any" | "all"): void {
  const existing = properties.get(name);
  if (!existing || canonical(existing) === canonical(schema)) {
    if (!existing) properties.set(name, schema);
    return;
  }
  if (mode === "all") {
    properties.set(name, mergeConjunction(existing, schema) ?? { allOf: uniqueSchemas([...branchesOf(existing, "allOf"), schema]) });
    return;
  }
  properties.set(name, joinAlternatives([...branchesOf(existing, "anyOf"), schema]));
}

/** The parts of a schema built by an earlier join, so a third definition extends the list instead of nesting it. */
function branchesOf(schema: JsonSchema, keyword: Combinator): JsonSchema[] {
  const parts = schema[keyword];
  const keys = Object.keys(schema).filter((k) => k !== keyword && k !== "description");
  return Array.isArray(parts) && keys.length === 0 ? (parts as JsonSchema[]).map((p) => (typeof schema.description === "string" && !p.description ? { ...p, description: schema.description } : p)) : [schema];
}

function joinAlternatives(variants: JsonSchema[]): JsonSchema {
  const withoutDescription = (s: JsonSchema): JsonSchema => {
    const { description: _d, ...rest } = s;
    return rest;
  };
  const unique = uniqueSchemas(variants);
  const shapes = uniqueSchemas(unique.map(withoutDescription));
  const descriptions = [...new Set(unique.map((s) => s.description).filter((d): d is string => typeof d === "string" && d !== ""))];
  const description = descriptions.length > 0 ? { description: descriptions.join(" / ") } : {};
  if (shapes.length === 1) return { ...shapes[0], ...description };
  const enumOnly = shapes.every((s) => Array.isArray(s.enum) && Object.keys(s).every((k) => k === "enum" || k === "type"));
  if (enumOnly) {
    const types = new Set(shapes.map((s) => canonical(s.type)));
    const values = uniqueByCanonical(shapes.flatMap((s) => s.enum as unknown[]));
    const type = types.size === 1 && shapes[0]!.type !== undefined ? { type: shapes[0]!.type } : {};
    return { ...type, enum: values, ...description };
  }
  return { anyOf: shapes, ...description };
}

function uniqueByCanonical(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = canonical(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const EMPTY_OBJECT_SCHEMA: JsonSchema = { type: "object", properties: {} };

/**
 * The schema Kiro gets for one tool, and a note for its description. Never throws and never changes `input`;
 * anything that is not a usable schema becomes an object without properties.
 */
export function toKiroToolSchema(input: unknown): KiroToolSchema {
  if (!isObject(input)) return { schema: { ...EMPTY_OBJECT_SCHEMA, properties: {} }, descriptionNote: "" };
  try {
    const reshaper = new SchemaReshaper(input);
    const flat = reshaper.flattenTop(input, 0);
    const notes = [...new Set(flat.notes)];
    let schema: JsonSchema;
    if (flat.nonObject) {
      // Tool input is always an object: a tool whose input is a single value gets it as "input".
      schema = { type: "object", properties: { input: flat.nonObject }, required: ["input"] };
      notes.push('Pass the value as the "input" parameter.');
    } else {
      schema = { type: "object" };
      if (flat.description) schema.description = flat.description;
      for (const name of flat.properties.keys()) {
        if (name.startsWith("$")) {
          reshaper.droppedDollarNames.add(name);
          flat.properties.delete(name);
        }
      }
      schema.properties = Object.fromEntries(flat.properties);
      const required = [...flat.required].filter((name) => flat.properties.has(name));
      if (required.length > 0) schema.required = required;
    }
    if (reshaper.truncated) notes.push("Parts of its parameter schema were too large or too deeply nested to send and accept any value.");
    if (reshaper.droppedDollarNames.size > 0) notes.push(`Its parameters ${[...reshaper.droppedDollarNames].map((n) => `"${n}"`).join(", ")} cannot be offered through Kiro (names starting with "$" are refused).`);
    return { schema, descriptionNote: notes.join(" ") };
  } catch {
    // A getter that throws or a proxy: nothing of the schema can be trusted.
    return { schema: { ...EMPTY_OBJECT_SCHEMA, properties: {} }, descriptionNote: "Its parameter schema could not be read." };
  }
}
