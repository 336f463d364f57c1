// The Kiro simulator's service rules over real loopback HTTP, one accepted and one refused case each (docs/kiro-protocol.md#rules): profiles, both host generations, tool schemas, the history cap, service limits, external IdP tokens, and the reply builders for the output cap, invalidStateEvent and the service's error bodies.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  BUILDER_ID_SERVICE_PROFILE_ARN,
  DEFAULT_SIM_PROFILE,
  simProfile,
  startKiroSimulator,
  type KiroSimulator,
  type KiroSimulatorOptions,
} from "../sim/kiroSimulator";
import { FrameSplitter, decodeFrame, type DecodedFrame } from "../sim/frames";
import {
  bodyLengthLimitReply,
  errorTypeMismatchReply,
  highLoadReply,
  invalidJsonBodyReply,
  invalidStateMidAnswerReply,
  monthlyLimitReply,
  nestedErrorReply,
  outputCapReply,
} from "../sim/replies";
import { RULES, ruleOf } from "../sim/validation";
import { startDemoServers } from "../sim/demo";

const GENERATE_TARGET = "AmazonCodeWhispererStreamingService.GenerateAssistantResponse";
const LIST_PROFILES_TARGET = "AmazonCodeWhispererService.ListAvailableProfiles";
const EU_PROFILE = simProfile("eu-central-1");

interface Answer {
  status: number;
  headers: Headers;
  json?: any;
  frames: DecodedFrame[];
}

interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | null;
}

async function call(sim: KiroSimulator, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json", ...o.headers };
  if (o.token !== null) headers.authorization = `Bearer ${o.token ?? sim.accessToken}`;
  const res = await fetch(sim.url + path, {
    method: o.method ?? (o.body === undefined ? "GET" : "POST"),
    headers,
    ...(o.body === undefined ? {} : { body: typeof o.body === "string" ? o.body : JSON.stringify(o.body) }),
  });
  if (res.headers.get("content-type") !== "application/vnd.amazon.eventstream") {
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined, frames: [] };
  }
  const splitter = new FrameSplitter();
  const frames: DecodedFrame[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) frames.push(...splitter.push(chunk).map(decodeFrame));
  assert.equal(splitter.bufferedBytes, 0, "the stream ended on a frame boundary");
  return { status: res.status, headers: res.headers, frames };
}

type Body = { conversationState: Record<string, any>; profileArn?: string; agentMode?: string };

function chatBody(content = "hello", o: { profileArn?: string | null; tools?: unknown[]; images?: unknown[]; modelId?: string } = {}): Body {
  return {
    conversationState: {
      conversationId: "conv-rules",
      chatTriggerType: "MANUAL",
      currentMessage: {
        userInputMessage: {
          content,
          modelId: o.modelId ?? "claude-sonnet-4.5",
          origin: "AI_EDITOR",
          ...(o.images ? { images: o.images } : {}),
          ...(o.tools ? { userInputMessageContext: { tools: o.tools } } : {}),
        },
      },
    },
    ...(o.profileArn === null ? {} : { profileArn: o.profileArn ?? DEFAULT_SIM_PROFILE.arn }),
  };
}

/** `pairs` user/assistant turns, so the history has 2 × pairs entries and alternates. */
function withHistory(body: Body, pairs: number, user: (i: number) => Record<string, unknown> = () => ({})): Body {
  body.conversationState.history = Array.from({ length: pairs }, (_, i) => [
    { userInputMessage: { content: `question ${i}`, ...user(i) } },
    { assistantResponseMessage: { content: `answer ${i}` } },
  ]).flat();
  return body;
}

const chat = (sim: KiroSimulator, body: unknown, o: Omit<CallOptions, "body"> = {}) => call(sim, "/generateAssistantResponse", { ...o, body });
const textOf = (frames: DecodedFrame[]) => frames.filter((f) => f.eventType === "assistantResponseEvent").map((f) => (f.payload as { content: string }).content).join("");
const lastRequest = (sim: KiroSimulator) => sim.requests[sim.requests.length - 1]!;
const rulesOf = (sim: KiroSimulator) => lastRequest(sim).validationErrors.map(ruleOf);
const profileQuery = (arn = DEFAULT_SIM_PROFILE.arn) => `profileArn=${encodeURIComponent(arn)}`;

function tool(name: string, json: unknown) {
  return { toolSpecification: { name, description: `The ${name} tool`, inputSchema: { json } } };
}

/** A PNG header (signature and IHDR) of the given size: enough for the simulator's dimension reader. */
function png(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write("IHDR", 12, "latin1");
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes.toString("base64");
}
const image = (bytes = png(10, 10)) => ({ format: "png", source: { bytes } });

async function withSim(o: KiroSimulatorOptions, run: (sim: KiroSimulator) => Promise<void>): Promise<void> {
  const sim = await startKiroSimulator(o);
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

describe("profile ARN", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({ profiles: [DEFAULT_SIM_PROFILE, EU_PROFILE] });
  });
  after(() => sim.close());

  test("a chat without a top-level profileArn gets 400 profileArn is required, and is counted", async () => {
    const answer = await chat(sim, chatBody("hi", { profileArn: null }));
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { message: "profileArn is required for this request.", reason: null });
    assert.equal(answer.headers.get("x-amzn-errortype"), "ValidationException");
    assert.deepEqual(rulesOf(sim), [RULES.profileArnRequired]);
    assert.ok(sim.callsWithoutProfileArn().includes(lastRequest(sim)));
  });

  test("a chat naming one of the account's profiles, us-east-1 or eu-central-1, is answered and its ARN recorded", async () => {
    for (const profile of [DEFAULT_SIM_PROFILE, EU_PROFILE]) {
      const answer = await chat(sim, chatBody("hi", { profileArn: profile.arn }));
      assert.equal(answer.status, 200, profile.arn);
      assert.equal(lastRequest(sim).profileArn, profile.arn);
      assert.deepEqual(lastRequest(sim).validationErrors, []);
    }
    assert.match(EU_PROFILE.arn, /^arn:aws:codewhisperer:eu-central-1:\d{12}:profile\/[A-Z0-9]{12}$/);
  });

  test("a profile the account does not have gets 403 User is not authorized", async () => {
    const foreign = "arn:aws:codewhisperer:us-east-1:999999999999:profile/NOTMINE00000";
    const answer = await chat(sim, chatBody("hi", { profileArn: foreign }));
    assert.equal(answer.status, 403);
    assert.deepEqual(answer.json, { message: "User is not authorized to make this call.", reason: null });
    assert.equal(answer.headers.get("x-amzn-errortype"), "AccessDeniedException");
    assert.deepEqual(rulesOf(sim), [RULES.profileArnUnknown]);
    const models = await call(sim, `/ListAvailableModels?origin=AI_EDITOR&${profileQuery(foreign)}`);
    assert.equal(models.status, 403);
  });

  test("ListAvailableModels and getUsageLimits of both generations need the profileArn query parameter", async () => {
    const paths = ["/ListAvailableModels?origin=AI_EDITOR", "/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST", "/List-Available-Models?origin=KIRO_CLI", "/Get-Usage-Limits?origin=KIRO_CLI&resourceType=CREDIT&isEmailRequired=false"];
    for (const path of paths) {
      const without = await call(sim, path);
      assert.equal(without.status, 400, path);
      assert.deepEqual(without.json, { message: "profileArn is required for this request.", reason: null }, path);
      assert.ok(sim.callsWithoutProfileArn().includes(lastRequest(sim)), path);
      const withArn = await call(sim, `${path}&${profileQuery(EU_PROFILE.arn)}`);
      assert.equal(withArn.status, 200, path);
      assert.equal(lastRequest(sim).profileArn, EU_PROFILE.arn, path);
    }
  });

  test("ListAvailableProfiles needs no profile ARN and is not counted as a call without one", async () => {
    const before = sim.callsWithoutProfileArn().length;
    const answer = await call(sim, "/List-Available-Profiles", { body: {} });
    assert.equal(answer.status, 200);
    assert.equal(sim.callsWithoutProfileArn().length, before);
  });

  test("a rule can be switched off, and the call is still counted", async () => {
    await withSim({ disabledRules: [RULES.profileArnRequired] }, async (relaxed) => {
      assert.equal((await chat(relaxed, chatBody("hi", { profileArn: null }))).status, 200);
      assert.deepEqual(lastRequest(relaxed).validationErrors, []);
      assert.equal(relaxed.callsWithoutProfileArn().length, 1);
    });
  });
});

describe("ListAvailableProfiles", () => {
  const three = [DEFAULT_SIM_PROFILE, EU_PROFILE, simProfile("us-east-1", "SECONDUSEAST", "Team B")];
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({ profiles: three });
  });
  after(() => sim.close());

  const qStyle = (body: unknown, token?: string) =>
    call(sim, "/", { body, token, headers: { "x-amz-target": LIST_PROFILES_TARGET, "content-type": "application/x-amz-json-1.0" } });

  test("the q-style call (POST / with X-Amz-Target) and the management call answer the account's profiles", async () => {
    const q = await qStyle({});
    assert.equal(q.status, 200);
    assert.deepEqual(q.json, { profiles: three });
    assert.equal(q.headers.get("content-type"), "application/x-amz-json-1.0");
    assert.deepEqual([lastRequest(sim).operation, lastRequest(sim).generation], ["listAvailableProfiles", "q"]);
    const management = await call(sim, "/List-Available-Profiles", { body: {} });
    assert.deepEqual(management.json, { profiles: three });
    assert.deepEqual([lastRequest(sim).operation, lastRequest(sim).generation], ["listAvailableProfiles", "runtime"]);
  });

  test("pages by maxResults with nextToken, and refuses a maxResults below 1 or a foreign token", async () => {
    const first = await qStyle({ maxResults: 2 });
    assert.deepEqual(first.json.profiles, three.slice(0, 2));
    assert.equal(typeof first.json.nextToken, "string");
    const second = await call(sim, "/List-Available-Profiles", { body: { maxResults: 2, nextToken: first.json.nextToken } });
    assert.deepEqual(second.json, { profiles: three.slice(2) });
    assert.equal((await qStyle({ maxResults: 0 })).status, 400);
    assert.deepEqual(rulesOf(sim), [RULES.queryParameter]);
    assert.equal((await qStyle({ nextToken: "not-ours" })).status, 400);
  });

  test("with query-parameter disabled, a bad maxResults or nextToken falls back to the first full page", async () => {
    await withSim({ profiles: three, disabledRules: [RULES.queryParameter] }, async (relaxed) => {
      for (const body of [{ maxResults: 0 }, { nextToken: "not-ours" }, { maxResults: "two" }]) {
        const answer = await call(relaxed, "/List-Available-Profiles", { body });
        assert.deepEqual([answer.status, answer.json], [200, { profiles: three }], JSON.stringify(body));
      }
    });
  });

  test("profilesPageSize pages a request that gives no maxResults", async () => {
    await withSim({ profiles: three, profilesPageSize: 1 }, async (paged) => {
      const seen = [];
      let nextToken: string | undefined;
      do {
        const page = (await call(paged, "/List-Available-Profiles", { body: nextToken ? { nextToken } : {} })).json;
        assert.equal(page.profiles.length, 1);
        seen.push(...page.profiles);
        nextToken = page.nextToken;
      } while (nextToken);
      assert.deepEqual(seen, three);
    });
  });

  test("a bad token gets the bearer-invalid 403 on the q host and 403 Invalid token on the management host", async () => {
    const q = await qStyle({}, "expired");
    assert.equal(q.status, 403);
    assert.deepEqual(q.json, { message: "The bearer token included in the request is invalid.", reason: null });
    assert.deepEqual(rulesOf(sim), [RULES.bearerInvalid]);
    const management = await call(sim, "/List-Available-Profiles", { body: {}, token: "expired" });
    assert.equal(management.status, 403);
    assert.deepEqual(management.json, { message: "Invalid token" });
  });

  test("an AWS Builder ID account has no profiles to list, and its requests carry the shared Builder ID profile", async () => {
    await withSim({ builderId: true }, async (builder) => {
      for (const answer of [await call(builder, "/List-Available-Profiles", { body: {} }), await call(builder, "/", { body: {}, headers: { "x-amz-target": LIST_PROFILES_TARGET } })]) {
        assert.equal(answer.status, 403);
        assert.deepEqual(answer.json, { message: "AWS Builder ID is not supported for this operation.", reason: null });
      }
      assert.deepEqual(rulesOf(builder), [RULES.builderIdNoProfiles]);
      assert.equal((await chat(builder, chatBody("hi", { profileArn: BUILDER_ID_SERVICE_PROFILE_ARN }))).status, 200);
      assert.equal((await chat(builder, chatBody("hi", { profileArn: DEFAULT_SIM_PROFILE.arn }))).status, 403);
      assert.equal((await chat(builder, chatBody("hi", { profileArn: null }))).status, 400);
    });
  });
});

describe("two host generations on one port", () => {
  const q = ["/ListAvailableModels?origin=AI_EDITOR", "/getUsageLimits?origin=AI_EDITOR"];
  const runtime = ["/List-Available-Models?origin=KIRO_CLI", "/Get-Usage-Limits?origin=KIRO_CLI&resourceType=CREDIT&isEmailRequired=false"];

  test("both are served by default, and each request records the generation it was written for", async () => {
    await withSim({}, async (sim) => {
      for (const path of [...q, ...runtime]) {
        assert.equal((await call(sim, `${path}&${profileQuery()}`)).status, 200, path);
        assert.equal(lastRequest(sim).generation, runtime.includes(path) ? "runtime" : "q", path);
      }
      await chat(sim, { ...chatBody(), agentMode: "vibe" });
      assert.deepEqual([lastRequest(sim).status, lastRequest(sim).generation], [200, "runtime"]);
      await chat(sim, chatBody());
      assert.deepEqual([lastRequest(sim).status, lastRequest(sim).generation], [200, "q"]);
      await call(sim, "/", { body: chatBody(), headers: { "x-amz-target": GENERATE_TARGET } });
      assert.deepEqual([lastRequest(sim).status, lastRequest(sim).generation], [200, "q"]);
    });
  });

  test("with only q served, the runtime's own routes answer 404 and the shared chat path still answers", async () => {
    await withSim({ generations: ["q"] }, async (sim) => {
      for (const path of runtime) assert.equal((await call(sim, `${path}&${profileQuery()}`)).status, 404, path);
      assert.equal((await call(sim, "/List-Available-Profiles", { body: {} })).status, 404);
      assert.deepEqual(rulesOf(sim), [RULES.noRoute]);
      for (const path of q) assert.equal((await call(sim, `${path}&${profileQuery()}`)).status, 200, path);
      assert.equal((await chat(sim, { ...chatBody(), agentMode: "vibe" })).status, 200);
    });
  });

  test("with only runtime served, the q routes answer 404", async () => {
    await withSim({ generations: ["runtime"] }, async (sim) => {
      for (const path of q) assert.equal((await call(sim, `${path}&${profileQuery()}`)).status, 404, path);
      assert.equal((await call(sim, "/", { body: {}, headers: { "x-amz-target": LIST_PROFILES_TARGET } })).status, 404);
      assert.equal((await call(sim, "/", { body: chatBody(), headers: { "x-amz-target": GENERATE_TARGET } })).status, 404);
      for (const path of runtime) assert.equal((await call(sim, `${path}&${profileQuery()}`)).status, 200, path);
    });
  });
});

describe("tool schemas", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator();
  });
  after(() => sim.close());

  const objectSchema = { type: "object", properties: { path: { type: "string" } }, required: ["path"] };

  test("anyOf / oneOf / allOf at the top level is refused with the message and reason the service passes on", async () => {
    for (const keyword of ["anyOf", "oneOf", "allOf"]) {
      const tools = [tool("read", objectSchema), tool("pick", { type: "object", [keyword]: [{ properties: { a: { type: "string" } } }, { properties: { b: { type: "number" } } }] })];
      const answer = await chat(sim, chatBody("hi", { tools }));
      assert.equal(answer.status, 400, keyword);
      assert.deepEqual(answer.json, { message: "tools.1.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level", reason: "TOOL_SCHEMA_INVALID" });
      assert.deepEqual(rulesOf(sim), [RULES.toolSchemaTopLevelUnion]);
    }
  });

  test("anyOf inside a property is accepted", async () => {
    const nested = { type: "object", properties: { limit: { anyOf: [{ type: "integer" }, { type: "null" }] } } };
    assert.equal((await chat(sim, chatBody("hi", { tools: [tool("list", nested)] }))).status, 200);
  });

  test("a top level that is not type object is refused with the Bedrock message the service passes on", async () => {
    for (const schema of [{ type: "array", items: { type: "string" } }, { properties: { a: { type: "string" } } }]) {
      const answer = await chat(sim, chatBody("hi", { tools: [tool("odd", schema)] }));
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.json, { message: "Bedrock error message: The value at toolConfig.tools.0.toolSpec.inputSchema.json.type must be one of the following: object.", reason: null });
      assert.deepEqual(rulesOf(sim), [RULES.toolSchemaNotObject]);
    }
  });

  test("a property name starting with $ anywhere is an improperly formed request; $schema, $ref and $defs keywords are not", async () => {
    const odata = { type: "object", properties: { query: { type: "object", properties: { $select: { type: "string" } } } } };
    const answer = await chat(sim, chatBody("hi", { tools: [tool("graph", odata)] }));
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { message: "Improperly formed request.", reason: null });
    assert.deepEqual(rulesOf(sim), [RULES.toolSchemaDollarProperty]);
    const keywords = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { item: { $ref: "#/$defs/Item" } }, $defs: { Item: { type: "string" } } };
    assert.equal((await chat(sim, chatBody("hi", { tools: [tool("refs", keywords)] }))).status, 200);
  });

  test("properties or required that are null are an improperly formed request", async () => {
    for (const schema of [{ type: "object", properties: null }, { type: "object", properties: {}, required: null }]) {
      const answer = await chat(sim, chatBody("hi", { tools: [tool("mcp", schema)] }));
      assert.equal(answer.status, 400);
      assert.deepEqual(rulesOf(sim), [RULES.toolSchemaMalformed]);
    }
    assert.equal((await chat(sim, chatBody("hi", { tools: [tool("mcp", { type: "object", properties: {}, required: [] })] }))).status, 200);
  });
});

describe("history cap for clients that name no Kiro IDE version", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator();
  });
  after(() => sim.close());

  test("198 history entries are accepted, 200 refused as Input is too long, and both user agents are recorded", async () => {
    const honest = { "user-agent": "kiro-pi/0.1.0", "x-amz-user-agent": "kiro-pi/0.1.0 app/kiro-pi" };
    assert.equal((await chat(sim, withHistory(chatBody(), 99), { headers: honest })).status, 200);
    assert.equal(lastRequest(sim).headers["user-agent"], "kiro-pi/0.1.0");
    assert.equal(lastRequest(sim).headers["x-amz-user-agent"], "kiro-pi/0.1.0 app/kiro-pi");
    const answer = await chat(sim, withHistory(chatBody(), 100), { headers: honest });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" });
    assert.deepEqual(rulesOf(sim), [RULES.historyEntriesCapped]);
  });

  test("a KiroIDE-x.y.z token of 0.6.0 or later in either header lifts the cap; an older one does not", async () => {
    const long = () => withHistory(chatBody(), 100);
    assert.equal((await chat(sim, long(), { headers: { "user-agent": "aws-sdk-js/1.0.0 KiroIDE-0.75.0-abcdef" } })).status, 200);
    assert.equal((await chat(sim, long(), { headers: { "x-amz-user-agent": "aws-sdk-js/1.0.0 KiroIDE-0.6.0-abcdef" } })).status, 200);
    assert.equal((await chat(sim, long(), { headers: { "user-agent": "aws-sdk-js/1.0.0 KiroIDE-0.5.9" } })).status, 400);
  });
});

describe("service limits", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator();
  });
  after(() => sim.close());

  test("ten images in a message are accepted, eleven refused with IMAGE_COUNT_EXCEEDED", async () => {
    assert.equal((await chat(sim, chatBody("look", { images: Array.from({ length: 10 }, () => image()) }))).status, 200);
    const answer = await chat(sim, chatBody("look", { images: Array.from({ length: 11 }, () => image()) }));
    assert.equal(answer.status, 400);
    assert.equal(answer.json.reason, "IMAGE_COUNT_EXCEEDED");
    assert.deepEqual(rulesOf(sim), [RULES.imageCount]);
  });

  test("an image over 5 MiB of base64 is refused, in the current message or in history", async () => {
    const big = "A".repeat(5_242_881);
    const answer = await chat(sim, chatBody("look", { images: [image(big)] }));
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { message: "image exceeds 5 MB maximum: 5242881 bytes > 5242880 bytes", reason: null });
    const inHistory = withHistory(chatBody(), 1, () => ({ images: [image(big)] }));
    assert.equal((await chat(sim, inHistory)).status, 400);
    assert.deepEqual(rulesOf(sim), [RULES.imageTooLarge]);
    assert.equal((await chat(sim, chatBody("look", { images: [image("A".repeat(5_242_880))] }))).status, 200);
  });

  test("history images count: 100 in one request are accepted, 101 refused", async () => {
    const hundred = withHistory(chatBody("and this", { images: [] }), 10, () => ({ images: Array.from({ length: 10 }, () => image()) }));
    assert.equal((await chat(sim, hundred)).status, 200);
    const more = withHistory(chatBody("and this", { images: [image()] }), 10, () => ({ images: Array.from({ length: 10 }, () => image()) }));
    const answer = await chat(sim, more);
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { message: "too many images and documents: 101 + 0 > 100", reason: null });
    assert.deepEqual(rulesOf(sim), [RULES.imageTotalCount]);
  });

  test("above twenty images, one wider than 2000 pixels is refused; at twenty it is accepted", async () => {
    const images = (count: number) => withHistory(chatBody("see", { images: [image(png(2001, 100))] }), 2, () => ({ images: Array.from({ length: count / 2 }, () => image()) }));
    assert.equal((await chat(sim, images(18))).status, 200, "19 images");
    const answer = await chat(sim, images(20));
    assert.equal(answer.status, 400, "21 images");
    assert.deepEqual(answer.json, { message: "At least one of the image dimensions exceed max allowed size for many-image requests: 2000 pixels", reason: null });
    assert.deepEqual(rulesOf(sim), [RULES.imageDimensions]);
  });

  test("a user message of 600,000 characters is accepted, one more is an improperly formed request", async () => {
    assert.equal((await chat(sim, chatBody("u".repeat(600_000)))).status, 200);
    const answer = await chat(sim, chatBody("u".repeat(600_001)));
    assert.deepEqual([answer.status, answer.json], [400, { message: "Improperly formed request.", reason: null }]);
    assert.deepEqual(rulesOf(sim), [RULES.userMessageTooLong]);
  });

  test("a tool result of 800,000 characters is accepted, one more is an improperly formed request", async () => {
    const withResult = (chars: number): Body => ({
      conversationState: {
        chatTriggerType: "MANUAL",
        history: [
          { userInputMessage: { content: "read big.txt" } },
          { assistantResponseMessage: { content: "Reading.", toolUses: [{ toolUseId: "t1", name: "read", input: { path: "big.txt" } }] } },
        ],
        currentMessage: {
          userInputMessage: {
            content: "Tool results provided.",
            modelId: "claude-sonnet-4.6",
            userInputMessageContext: {
              tools: [tool("read", { type: "object", properties: { path: { type: "string" } } })],
              toolResults: [{ toolUseId: "t1", status: "success", content: [{ text: "r".repeat(chars) }] }],
            },
          },
        },
      },
      profileArn: DEFAULT_SIM_PROFILE.arn,
    });
    assert.equal((await chat(sim, withResult(800_000))).status, 200);
    const answer = await chat(sim, withResult(800_001));
    assert.equal(answer.status, 400);
    assert.deepEqual(rulesOf(sim), [RULES.toolResultTooLong]);
  });
});

describe("external identity provider tokens", () => {
  test("are accepted only with TokenType: EXTERNAL_IDP, refused like an invalid token without it", async () => {
    await withSim({ accessToken: "okta-token", externalIdpTokens: ["okta-token"] }, async (sim) => {
      const refused = await chat(sim, chatBody());
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.json, { message: "The bearer token included in the request is invalid.", reason: null });
      assert.deepEqual(rulesOf(sim), [RULES.externalIdpTokenType]);
      const management = await call(sim, "/List-Available-Profiles", { body: {} });
      assert.deepEqual([management.status, management.json], [403, { message: "Invalid token" }]);
      assert.equal((await chat(sim, chatBody(), { headers: { TokenType: "EXTERNAL_IDP" } })).status, 200);
      assert.equal((await call(sim, "/List-Available-Profiles", { body: {}, headers: { TokenType: "EXTERNAL_IDP" } })).status, 200);
    });
  });

  test("other tokens need no TokenType header", async () => {
    await withSim({ externalIdpTokens: (token) => token.startsWith("okta-") }, async (sim) => {
      assert.equal((await chat(sim, chatBody())).status, 200);
    });
  });
});

describe("reply builders", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator();
  });
  after(() => sim.close());

  test("the output cap: thinking, text, a finished tool call, a cut one, then ContentLengthExceededException", async () => {
    const cutInput = { path: "big.ts", content: "x".repeat(200) };
    sim.reply(
      outputCapReply({
        thinking: "Plan the file.",
        text: "Writing both files.",
        finishedToolCall: { name: "write", id: "t-done", input: { path: "a.ts", content: "ok" } },
        cutToolCall: { name: "write", id: "t-cut", input: cutInput, keepChars: 57 },
      }),
    );
    const { status, frames } = await chat(sim, chatBody());
    assert.equal(status, 200);
    assert.equal(frames.filter((f) => f.eventType === "reasoningContentEvent").map((f) => (f.payload as { text: string }).text).join(""), "Plan the file.");
    assert.equal(textOf(frames), "Writing both files.");
    const toolFrames = (id: string) => frames.filter((f) => f.eventType === "toolUseEvent" && (f.payload as { toolUseId: string }).toolUseId === id).map((f) => f.payload as { input?: string; stop?: boolean });
    assert.ok(toolFrames("t-done").some((p) => p.stop === true));
    assert.ok(!toolFrames("t-cut").some((p) => p.stop === true), "the cut call has no stop frame");
    assert.equal(toolFrames("t-cut").map((p) => p.input ?? "").join(""), JSON.stringify(cutInput).slice(0, 57));
    const last = frames[frames.length - 1]!;
    assert.deepEqual([last.messageType, last.exceptionType], ["exception", "ContentLengthExceededException"]);
    assert.equal(typeof (last.payload as { message: string }).message, "string");
  });

  test("invalidStateEvent arrives in the middle of an otherwise normal answer", async () => {
    sim.reply(invalidStateMidAnswerReply("Before the event. ", "After the event.", { usage: { input: 5, output: 6 } }));
    const { frames } = await chat(sim, chatBody());
    const kinds = frames.map((f) => f.eventType);
    const at = kinds.indexOf("invalidStateEvent");
    assert.ok(at > 0 && kinds.slice(at + 1).includes("assistantResponseEvent"), "text comes before and after the event");
    assert.deepEqual(frames[at]!.payload, { reason: "INVALID_TASK_ASSIST_PLAN", message: "The conversation is in an invalid state." });
    assert.equal(textOf(frames), "Before the event. After the event.");
    assert.equal(kinds[kinds.length - 1], "metadataEvent");
  });

  test("error bodies as the service writes them", async () => {
    sim.reply(
      monthlyLimitReply(),
      nestedErrorReply(400, "Something nested"),
      bodyLengthLimitReply(),
      errorTypeMismatchReply({ status: 400, headerType: "ThrottlingException", bodyType: "ValidationException", message: "Slow down" }),
      invalidJsonBodyReply(),
      highLoadReply(),
    );
    const monthly = await chat(sim, chatBody());
    assert.deepEqual([monthly.status, monthly.json], [400, { __type: "ThrottlingException", message: "Maximum Request reached for this month.", reason: "MONTHLY_REQUEST_COUNT" }]);
    assert.equal(monthly.headers.get("x-amzn-errortype"), null);
    assert.deepEqual((await chat(sim, chatBody())).json, { error: { message: "Something nested" } });
    const tooLarge = await chat(sim, chatBody());
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.json.error.message, "Failed to buffer the request body: length limit exceeded");
    const mismatch = await chat(sim, chatBody());
    assert.equal(mismatch.headers.get("x-amzn-errortype"), "ThrottlingException");
    assert.equal(mismatch.json.__type, "ValidationException");
    assert.deepEqual((await chat(sim, chatBody())).json, { message: "The request body is not valid JSON.", reason: null });
    const overloaded = await chat(sim, chatBody());
    assert.deepEqual([overloaded.status, typeof overloaded.json.error], [500, "string"]);
  });
});

describe("the demo backend", () => {
  test("its Kiro side has one profile and serves both generations", async () => {
    const servers = await startDemoServers();
    try {
      assert.equal(servers.kiro.profiles.length, 1);
      // Without a token every route answers 403, so none of them is missing (404).
      for (const path of ["/ListAvailableModels", "/List-Available-Models", "/getUsageLimits", "/Get-Usage-Limits"]) {
        assert.equal((await call(servers.kiro, `${path}?${profileQuery(servers.kiro.profiles[0]!.arn)}`, { token: null })).status, 403, path);
      }
      assert.equal((await call(servers.kiro, "/List-Available-Profiles", { body: {}, token: null })).status, 403);
      assert.equal((await call(servers.kiro, "/", { body: {}, token: null, headers: { "x-amz-target": LIST_PROFILES_TARGET } })).status, 403);
    } finally {
      await servers.close();
    }
  });
});
