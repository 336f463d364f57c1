// The Kiro simulator over real loopback HTTP: frames decode back from random chunking, scripted replies and failures, auth, models, usage, stalls, control API (the rules of docs/kiro-protocol.md have their own file, simulatorRules.test.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { DEFAULT_SIM_PROFILE, startKiroSimulator, type KiroSimulator, type SimEvent } from "../sim/kiroSimulator";
import { FrameSplitter, concatBytes, createRandom, cutAtRandomOffsets, decodeFrame, decodeFrames, encodeEventFrame, type DecodedFrame } from "../sim/frames";
import {
  defaultSimReply,
  errorReply,
  everyEventKindReply,
  exceptionMidStream,
  quotaReply,
  reasoningReply,
  resetReply,
  stalledReply,
  suspendedReply,
  textReply,
  thinkingTagReply,
  throttledReply,
  toolUseReply,
} from "../sim/replies";

function userBody(content: string, extra: Record<string, unknown> = {}) {
  return {
    conversationState: {
      conversationId: "conv-1",
      chatTriggerType: "MANUAL",
      currentMessage: { userInputMessage: { content, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR", ...extra } },
    },
    profileArn: DEFAULT_SIM_PROFILE.arn,
  };
}

const PROFILE_QUERY = `profileArn=${encodeURIComponent(DEFAULT_SIM_PROFILE.arn)}`;

const readTool = {
  toolSpecification: {
    name: "read",
    description: "Read a file",
    inputSchema: { json: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
  },
};

interface Answer {
  status: number;
  headers: Headers;
  chunks: number;
  frames: DecodedFrame[];
  json?: unknown;
}

async function generate(sim: KiroSimulator, body: unknown, o: { token?: string; path?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(sim.url + (o.path ?? "/generateAssistantResponse"), {
    method: "POST",
    headers: { authorization: `Bearer ${o.token ?? sim.accessToken}`, "content-type": "application/json", ...o.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  if (res.headers.get("content-type") !== "application/vnd.amazon.eventstream") {
    return { status: res.status, headers: res.headers, chunks: 0, frames: [], json: await res.json() };
  }
  const splitter = new FrameSplitter();
  const frames: DecodedFrame[] = [];
  let chunks = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks++;
    frames.push(...splitter.push(chunk).map(decodeFrame));
  }
  assert.equal(splitter.bufferedBytes, 0, "the stream ended on a frame boundary");
  return { status: res.status, headers: res.headers, chunks, frames };
}

const textOf = (frames: DecodedFrame[]) =>
  frames.filter((f) => f.eventType === "assistantResponseEvent").map((f) => (f.payload as { content: string }).content).join("");

describe("frames", () => {
  test("frames cut at random offsets reassemble and decode to the same events, for many seeds", () => {
    const events = Array.from({ length: 40 }, (_, i) => encodeEventFrame(i % 3 === 0 ? "toolUseEvent" : "assistantResponseEvent", { content: `piece ${i} ${"é".repeat(i)}` }));
    const whole = concatBytes(events);
    for (let seed = 1; seed <= 50; seed++) {
      const splitter = new FrameSplitter();
      const decoded = cutAtRandomOffsets(whole, createRandom(seed), 64).flatMap((piece) => splitter.push(piece)).map(decodeFrame);
      assert.equal(decoded.length, 40, `seed ${seed}`);
      assert.deepEqual(decoded[39]!.payload, { content: `piece 39 ${"é".repeat(39)}` }, `seed ${seed}`);
      assert.equal(decoded[3]!.eventType, "toolUseEvent");
    }
  });

  test("a frame with a corrupted byte fails its CRC check", () => {
    const frame = encodeEventFrame("assistantResponseEvent", { content: "hello" });
    frame[frame.length - 8] ^= 0xff;
    assert.throws(() => decodeFrame(frame));
  });

  test("a truncated stream is reported", () => {
    const frame = encodeEventFrame("assistantResponseEvent", { content: "hello" });
    assert.throws(() => decodeFrames(frame.subarray(0, frame.length - 3)), /trailing bytes/);
  });
});

describe("generateAssistantResponse", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({ seed: 7 });
  });
  after(() => sim.close());

  test("answers with event-stream frames carrying the service's headers", async () => {
    sim.reply(textReply("Hello from the simulator, in several pieces.", { usage: { input: 10, output: 12 }, credits: 0.02, contextUsagePercentage: 3.5 }));
    const answer = await generate(sim, userBody("hi"));
    assert.equal(answer.status, 200);
    assert.equal(textOf(answer.frames), "Hello from the simulator, in several pieces.");
    const first = answer.frames[0]!;
    assert.equal(first.messageType, "event");
    assert.equal(first.contentType, "application/json");
    assert.deepEqual(
      answer.frames.filter((f) => f.eventType !== "assistantResponseEvent").map((f) => [f.eventType, f.payload]),
      [
        ["metadataEvent", { stopReason: "END_TURN", tokenUsage: { uncachedInputTokens: 10, outputTokens: 12, totalTokens: 22, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } }],
        ["contextUsageEvent", { contextUsagePercentage: 3.5 }],
        ["meteringEvent", { unit: "credit", usage: 0.02 }],
      ],
    );
  });

  test("random chunking splits a long answer across many network chunks that still decode", async () => {
    const text = "0123456789".repeat(500);
    sim.reply(textReply(text, { pieceLength: 50 }));
    const answer = await generate(sim, userBody("long please"));
    assert.equal(textOf(answer.frames), text);
    assert.ok(answer.chunks > 5, `expected several network chunks, got ${answer.chunks}`);
  });

  test("whole chunking keeps frames intact", async () => {
    sim.reply({ ...textReply("abc"), chunking: "whole" });
    const answer = await generate(sim, userBody("hi"));
    assert.equal(textOf(answer.frames), "abc");
  });

  test("the SDK-style POST / with x-amz-target is served like /generateAssistantResponse", async () => {
    sim.reply(textReply("sdk style"));
    const answer = await generate(sim, userBody("hi"), {
      path: "/",
      headers: { "x-amz-target": "AmazonCodeWhispererStreamingService.GenerateAssistantResponse", "content-type": "application/x-amz-json-1.0" },
    });
    assert.equal(textOf(answer.frames), "sdk style");
  });

  test("scripted replies are used in order, then the default reply", async () => {
    sim.reply(textReply("first"), textReply("second"));
    assert.equal(textOf((await generate(sim, userBody("a"))).frames), "first");
    assert.equal(textOf((await generate(sim, userBody("b"))).frames), "second");
    assert.equal(textOf((await generate(sim, userBody("system text\n\nthird"))).frames), "You said: third");
    assert.equal(sim.pendingReplies, 0);
  });

  test("thinking in tags, native reasoning, tool calls and every event kind come through", async () => {
    sim.reply(thinkingTagReply("plan", "answer"));
    assert.equal(textOf((await generate(sim, userBody("t"))).frames), "<thinking>plan</thinking>\n\nanswer");

    sim.reply(reasoningReply("deep thought", "sig-1", "answer"));
    const reasoning = (await generate(sim, userBody("r"))).frames.filter((f) => f.eventType === "reasoningContentEvent").map((f) => f.payload);
    assert.deepEqual(reasoning, [{ text: "deep thought" }, { signature: "sig-1" }]);

    sim.reply(toolUseReply([{ name: "write", input: { path: "a.txt", content: "x".repeat(40) }, id: "tu-9" }], { fragmentSize: 7 }));
    const tool = (await generate(sim, userBody("w"))).frames.filter((f) => f.eventType === "toolUseEvent").map((f) => f.payload as Record<string, unknown>);
    assert.deepEqual(tool[0], { toolUseId: "tu-9", name: "write", input: "" });
    assert.deepEqual(tool[tool.length - 1], { toolUseId: "tu-9", name: "write", stop: true });
    assert.deepEqual(JSON.parse(tool.map((p) => p.input ?? "").join("")), { path: "a.txt", content: "x".repeat(40) });
    assert.ok(tool.length > 5);

    sim.reply(toolUseReply([{ name: "list", input: {}, rawInput: "" }], { omitStop: true }));
    const bare = (await generate(sim, userBody("l"))).frames.filter((f) => f.eventType === "toolUseEvent");
    assert.deepEqual(bare.map((f) => f.payload), [{ toolUseId: (bare[0]!.payload as { toolUseId: string }).toolUseId, name: "list", input: "" }]);

    sim.reply(everyEventKindReply());
    const kinds = new Set((await generate(sim, userBody("e"))).frames.map((f) => f.eventType));
    for (const kind of ["messageMetadataEvent", "reasoningContentEvent", "assistantResponseEvent", "toolUseEvent", "metadataEvent", "meteringEvent", "contextUsageEvent", "followupPromptEvent", "codeReferenceEvent"]) {
      assert.ok(kinds.has(kind), kind);
    }
  });

  test("an exception mid-stream arrives as an exception frame after the text", async () => {
    sim.reply(exceptionMidStream("partial ", "ThrottlingException", "Too many requests", "INSUFFICIENT_MODEL_CAPACITY"));
    const answer = await generate(sim, userBody("x"));
    assert.equal(answer.status, 200);
    const last = answer.frames[answer.frames.length - 1]!;
    assert.equal(last.messageType, "exception");
    assert.equal(last.exceptionType, "ThrottlingException");
    assert.deepEqual(last.payload, { message: "Too many requests", reason: "INSUFFICIENT_MODEL_CAPACITY" });
    assert.equal(textOf(answer.frames), "partial ");
  });

  test("error frames, raw bytes and pre-encoded bytes are written as given", async () => {
    const corrupt = encodeEventFrame("assistantResponseEvent", { content: "bad" });
    corrupt[corrupt.length - 1] ^= 0xff;
    sim.reply({
      events: [
        { bytes: encodeEventFrame("assistantResponseEvent", { content: "pre-encoded " }) },
        { errorCode: "InternalError", errorMessage: "it broke" },
        { rawBase64: Buffer.from(corrupt).toString("base64") },
      ],
    });
    const res = await fetch(sim.url + "/generateAssistantResponse", {
      method: "POST",
      headers: { authorization: `Bearer ${sim.accessToken}` },
      body: JSON.stringify(userBody("x")),
    });
    const splitter = new FrameSplitter();
    const frames = splitter.push(new Uint8Array(await res.arrayBuffer()));
    assert.equal(frames.length, 3);
    assert.deepEqual(decodeFrame(frames[0]!).payload, { content: "pre-encoded " });
    const error = decodeFrame(frames[1]!);
    assert.equal(error.messageType, "error");
    assert.equal(error.errorCode, "InternalError");
    assert.equal(error.headers[":error-message"], "it broke");
    assert.throws(() => decodeFrame(frames[2]!), "the corrupted frame fails its CRC");
  });

  test("HTTP error replies carry their status, body and headers", async () => {
    sim.reply(throttledReply(2), quotaReply("MONTHLY_REQUEST_COUNT"), suspendedReply(), errorReply(503, { message: "busy" }));
    const throttled = await generate(sim, userBody("x"));
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get("retry-after"), "2");
    const quota = await generate(sim, userBody("x"));
    assert.equal(quota.status, 429);
    assert.equal((quota.json as { reason: string }).reason, "MONTHLY_REQUEST_COUNT");
    const suspended = await generate(sim, userBody("x"));
    assert.equal(suspended.status, 403);
    assert.equal((suspended.json as { reason: string }).reason, "TEMPORARILY_SUSPENDED");
    assert.equal((await generate(sim, userBody("x"))).status, 503);
  });

  test("a reset reply drops the connection before the first byte", async () => {
    sim.reply(resetReply());
    await assert.rejects(generate(sim, userBody("x")), TypeError);
    assert.equal(sim.requests[sim.requests.length - 1]!.status, 0);
  });

  test("an improperly formed request gets the service's 400 and the broken rule is recorded", async () => {
    const bad = userBody("");
    const answer = await generate(sim, bad);
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { message: "Improperly formed request.", reason: null });
    assert.equal(answer.headers.get("x-amzn-errortype"), "ValidationException");
    const recorded = sim.requests[sim.requests.length - 1]!;
    assert.match(recorded.validationErrors.join("\n"), /^empty-content: currentMessage\.content is empty/);
    assert.deepEqual(recorded.body, bad);
  });

  test("malformed JSON, unknown models and too-long input get their own answers", async () => {
    assert.deepEqual((await generate(sim, "{not json")).json, { message: "Improperly formed request.", reason: null });
    assert.deepEqual((await generate(sim, userBody("hi", { modelId: "gpt-5" }))).json, {
      message: "Invalid model. Please select a different model to continue.",
      reason: "INVALID_MODEL_ID",
    });
    const long = userBody("y".repeat(500_000));
    (long.conversationState as Record<string, unknown>).history = [
      { userInputMessage: { content: "z".repeat(500_000) } },
      { assistantResponseMessage: { content: "ok" } },
    ];
    assert.deepEqual((await generate(sim, long)).json, {
      message: "Input is too long.",
      reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD",
    });
  });

  test("a wrong or missing bearer token gets 403 bearer-invalid, and setAccessToken changes the accepted token", async () => {
    const wrong = await generate(sim, userBody("x"), { token: "expired" });
    assert.equal(wrong.status, 403);
    assert.deepEqual(wrong.json, { message: "The bearer token included in the request is invalid.", reason: null });
    const missing = await fetch(sim.url + "/generateAssistantResponse", { method: "POST", body: JSON.stringify(userBody("x")) });
    assert.equal(missing.status, 403);
    await missing.body?.cancel();
    sim.setAccessToken("rotated");
    assert.equal((await generate(sim, userBody("x"), { token: "sim-access-token" })).status, 403);
    assert.equal((await generate(sim, userBody("x"), { token: "rotated" })).status, 200);
    sim.setAccessToken("sim-access-token");
  });

  test("every request is recorded with its headers and parsed body", async () => {
    const before = sim.requests.length;
    await generate(sim, userBody("record me"), { headers: { "x-amzn-kiro-agent-mode": "vibe" } });
    const recorded = sim.requests[before]!;
    assert.equal(recorded.method, "POST");
    assert.equal(recorded.path, "/generateAssistantResponse");
    assert.equal(recorded.headers["x-amzn-kiro-agent-mode"], "vibe");
    assert.equal(recorded.status, 200);
    assert.deepEqual(recorded.validationErrors, []);
    assert.equal((recorded.body as ReturnType<typeof userBody>).conversationState.currentMessage.userInputMessage.content, "record me");
  });
});

describe("the default reply", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator();
  });
  after(() => sim.close());

  test("echoes the last paragraph with usage, credits and context usage", async () => {
    const answer = await generate(sim, userBody("You are pi.\n\nWhat is 2+2?"));
    assert.equal(textOf(answer.frames), "You said: What is 2+2?");
    assert.ok(answer.frames.filter((f) => f.eventType === "assistantResponseEvent").length >= 2);
    const kinds = answer.frames.map((f) => f.eventType);
    for (const kind of ["messageMetadataEvent", "metadataEvent", "meteringEvent", "contextUsageEvent"]) assert.ok(kinds.includes(kind), kind);
  });

  test("asks the read tool when the user says read <file> and a read tool exists", async () => {
    const answer = await generate(sim, userBody("Please read notes/todo.md.", { userInputMessageContext: { tools: [readTool] } }));
    assert.equal(textOf(answer.frames), "I'll read notes/todo.md.");
    const input = answer.frames.filter((f) => f.eventType === "toolUseEvent").map((f) => (f.payload as { input?: string }).input ?? "").join("");
    assert.deepEqual(JSON.parse(input), { path: "notes/todo.md" });
  });

  test("without a read tool it only echoes", async () => {
    const answer = await generate(sim, userBody("read notes.md"));
    assert.equal(textOf(answer.frames), "You said: read notes.md");
    assert.ok(!answer.frames.some((f) => f.eventType === "toolUseEvent"));
  });

  test("fills a VS Code style readFile schema's required properties", () => {
    const tools = [{ toolSpecification: { name: "copilot_readFile", description: "r", inputSchema: { json: { type: "object", properties: { filePath: { type: "string" }, startLine: { type: "number" }, endLine: { type: "number" } }, required: ["filePath", "startLine", "endLine"] } } } }];
    const reply = defaultSimReply(
      { method: "POST", path: "/generateAssistantResponse", query: {}, headers: {}, body: userBody("read /tmp/x.ts", { userInputMessageContext: { tools } }), bodyBytes: 100, validationErrors: [], status: 200 },
      sim.models,
    );
    assert.ok("events" in reply);
    const input = (reply.events as SimEvent[]).flatMap((e) => ("type" in e && e.type === "toolUseEvent" ? [(e.payload as { input?: string }).input ?? ""] : [])).join("");
    assert.deepEqual(JSON.parse(input), { filePath: "/tmp/x.ts", startLine: 1, endLine: 200 });
  });

  test("quotes the first line of a tool result", async () => {
    const body = {
      conversationState: {
        conversationId: "conv-2",
        chatTriggerType: "MANUAL",
        history: [
          { userInputMessage: { content: "read a.txt", modelId: "claude-sonnet-4.5" } },
          { assistantResponseMessage: { content: "I'll read a.txt.", toolUses: [{ toolUseId: "t1", name: "read", input: { path: "a.txt" } }] } },
        ],
        currentMessage: {
          userInputMessage: {
            content: "Tool results provided.",
            modelId: "claude-sonnet-4.5",
            userInputMessageContext: { tools: [readTool], toolResults: [{ toolUseId: "t1", status: "success", content: [{ text: "\nalpha line\nbeta" }] }] },
          },
        },
      },
      profileArn: DEFAULT_SIM_PROFILE.arn,
    };
    const answer = await generate(sim, body);
    assert.equal(textOf(answer.frames), 'The read tool returned: "alpha line"');
  });

  test("streams native reasoning when the request asks for it", async () => {
    const answer = await generate(sim, {
      ...userBody("think", { modelId: "claude-opus-4.6" }),
      additionalModelRequestFields: { thinking: { type: "adaptive" }, output_config: { effort: "high" } },
    });
    assert.equal(answer.status, 200);
    assert.ok(answer.frames.some((f) => f.eventType === "reasoningContentEvent" && typeof (f.payload as { signature?: string }).signature === "string"));
  });
});

describe("ListAvailableModels and getUsageLimits", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({ accessToken: "tok" });
  });
  after(() => sim.close());

  const get = (path: string, token = "tok") => fetch(sim.url + path, { headers: { authorization: `Bearer ${token}` } });

  test("pages through every model with nextToken and maxResults", async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const res = await get(`/ListAvailableModels?origin=AI_EDITOR&maxResults=4&${PROFILE_QUERY}${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ""}`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as { models: { modelId: string }[]; nextToken?: string; defaultModel: { modelId: string } };
      assert.ok(page.models.length <= 4);
      assert.equal(page.defaultModel.modelId, "auto");
      seen.push(...page.models.map((m) => m.modelId));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    assert.equal(pages, Math.ceil(sim.models.length / 4));
    assert.deepEqual(seen, sim.models.map((m) => m.modelId));
    for (const id of ["claude-sonnet-4.5", "claude-haiku-4.5", "claude-opus-4.5", "claude-sonnet-4", "claude-sonnet-4.6", "claude-opus-4.6", "claude-opus-4.7", "auto", "deepseek-3.2"]) {
      assert.ok(seen.includes(id), id);
    }
  });

  test("only the native-thinking models carry additionalModelRequestFieldsSchema", async () => {
    const page = (await (await get(`/ListAvailableModels?maxResults=50&${PROFILE_QUERY}`)).json()) as { models: { modelId: string; additionalModelRequestFieldsSchema?: unknown; tokenLimits: { maxInputTokens: number } }[] };
    assert.deepEqual(page.models.filter((m) => m.additionalModelRequestFieldsSchema).map((m) => m.modelId).sort(), ["claude-opus-4.6", "claude-opus-4.7", "claude-sonnet-4.6"]);
    assert.equal(page.models.find((m) => m.modelId === "claude-sonnet-4.6")!.tokenLimits.maxInputTokens, 1_000_000);
  });

  test("usage limits, with the email only when asked", async () => {
    const withEmail = (await (await get(`/getUsageLimits?isEmailRequired=true&origin=AI_EDITOR&resourceType=AGENTIC_REQUEST&${PROFILE_QUERY}`)).json()) as Record<string, any>;
    assert.equal(withEmail.userInfo.email, "sim-user@example.com");
    assert.equal(withEmail.subscriptionInfo.subscriptionTitle, "KIRO FREE");
    assert.equal(withEmail.usageBreakdownList[0].usageLimit, 50);
    assert.equal(typeof withEmail.usageBreakdownList[0].nextDateReset, "number");
    const withoutEmail = (await (await get(`/getUsageLimits?origin=AI_EDITOR&${PROFILE_QUERY}`)).json()) as Record<string, unknown>;
    assert.equal(withoutEmail.userInfo, undefined);
    sim.usageLimits = { ...sim.usageLimits, subscriptionInfo: { subscriptionTitle: "KIRO PRO" } };
    assert.equal(((await (await get(`/getUsageLimits?${PROFILE_QUERY}`)).json()) as Record<string, any>).subscriptionInfo.subscriptionTitle, "KIRO PRO");
  });

  test("both need the bearer token", async () => {
    for (const path of ["/ListAvailableModels", "/getUsageLimits"]) {
      const res = await get(path, "wrong");
      assert.equal(res.status, 403, path);
      assert.deepEqual(await res.json(), { message: "The bearer token included in the request is invalid.", reason: null });
    }
  });
});

describe("stalls and shutdown", () => {
  test("close() ends a stalled stream and a slow first token instead of waiting for them", async () => {
    const sim = await startKiroSimulator();
    sim.reply(stalledReply("started ", 600_000), { events: [{ delayMs: 600_000 }] });
    const stalled = await fetch(sim.url + "/generateAssistantResponse", {
      method: "POST",
      headers: { authorization: `Bearer ${sim.accessToken}` },
      body: JSON.stringify(userBody("x")),
    });
    const reader = stalled.body!.getReader();
    const firstChunk = await reader.read();
    assert.ok(firstChunk.value && firstChunk.value.byteLength > 0, "the text before the stall arrives");
    const slow = fetch(sim.url + "/generateAssistantResponse", {
      method: "POST",
      headers: { authorization: `Bearer ${sim.accessToken}` },
      body: JSON.stringify(userBody("y")),
    });
    const slowResponse = await slow;
    const slowRead = slowResponse.body!.getReader().read();
    const rest = (async () => {
      for (;;) if ((await reader.read()).done) return;
    })();
    await sim.close();
    await assert.rejects(rest, "the stalled stream fails once the simulator closes");
    await assert.rejects(slowRead, "the slow stream fails once the simulator closes");
  });

  test("a stall ends by dropping the connection mid-body", async () => {
    const sim = await startKiroSimulator();
    after(() => sim.close());
    sim.reply(stalledReply("partial", 50));
    await assert.rejects(generate(sim, userBody("x")));
    assert.equal(sim.requests[0]!.status, 200);
  });
});

describe("the control API", () => {
  let sim: KiroSimulator;
  before(async () => {
    sim = await startKiroSimulator({ control: true });
  });
  after(() => sim.close());

  const control = (method: string, path: string, body?: unknown) =>
    fetch(sim.url + path, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  test("queues replies, serves them, and lists what was received", async () => {
    const queued = await control("POST", "/__sim/reply", [textReply("scripted one"), errorReply(500, { message: "boom" })]);
    assert.deepEqual(await queued.json(), { queued: 2, pendingReplies: 2 });
    assert.equal(textOf((await generate(sim, userBody("a"))).frames), "scripted one");
    assert.equal((await generate(sim, userBody("b"))).status, 500);
    const listed = (await (await control("GET", "/__sim/requests?path=/generateAssistantResponse")).json()) as { status: number; body: any }[];
    assert.deepEqual(listed.map((r) => r.status), [200, 500]);
    assert.equal(listed[1]!.body.conversationState.currentMessage.userInputMessage.content, "b");
    assert.equal(sim.requests.some((r) => r.path.startsWith("/__sim/")), false, "control calls are not recorded");
  });

  test("rejects something that is not a reply", async () => {
    assert.equal((await control("POST", "/__sim/reply", { text: "hi" })).status, 400);
  });

  test("changes the accepted token and resets", async () => {
    await control("POST", "/__sim/token", { accessToken: "new-token" });
    assert.equal((await generate(sim, userBody("x"), { token: "sim-access-token" })).status, 403);
    assert.equal((await generate(sim, userBody("x"), { token: "new-token" })).status, 200);
    await control("POST", "/__sim/reset");
    assert.deepEqual(await (await control("GET", "/__sim/requests")).json(), []);
  });

  test("is absent unless enabled", async () => {
    const plain = await startKiroSimulator();
    after(() => plain.close());
    const res = await fetch(plain.url + "/__sim/health");
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });

  test("a raw HTTP/1.1 client sees chunked event-stream bytes", async () => {
    sim.setAccessToken("sim-access-token");
    sim.reply(textReply("raw"));
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest(sim.url + "/generateAssistantResponse", { method: "POST", headers: { authorization: "Bearer sim-access-token" } }, (res) => {
        assert.equal(res.headers["transfer-encoding"], "chunked");
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => resolve(Buffer.concat(parts)));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(JSON.stringify(userBody("x")));
    });
    assert.equal(textOf(decodeFrames(bytes)), "raw");
  });
});

describe("the standalone simulator (cli.js)", () => {
  interface Started {
    url: string;
    accessToken: string;
    controlUrl?: string;
    profiles: { arn: string; profileName: string }[];
  }

  /** Spawns cli.js with `args`, waits for its first stdout line, and kills it when the test ends if it is still running. */
  async function startCli(args: string[]): Promise<{ started: Started; stop(): Promise<number | null> }> {
    const child = spawn(process.execPath, [join(__dirname, "..", "sim", "cli.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    after(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
      });
      child.on("exit", (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    return {
      started: JSON.parse(line) as Started,
      stop() {
        child.kill("SIGTERM");
        return exited;
      },
    };
  }

  test("prints its url, token and profile, serves the default reply and the control API, and exits 0 on SIGTERM", async () => {
    const { started, stop } = await startCli(["--control", "--token", "cli-token"]);
    assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(started.accessToken, "cli-token");
    assert.equal(started.controlUrl, `${started.url}/__sim`);
    assert.deepEqual(started.profiles, [DEFAULT_SIM_PROFILE]);

    const sim = { url: started.url, accessToken: "cli-token" } as KiroSimulator;
    assert.equal(textOf((await generate(sim, userBody("hello cli"))).frames), "You said: hello cli");
    await fetch(`${started.controlUrl}/reply`, { method: "POST", body: JSON.stringify(textReply("scripted over HTTP")) });
    assert.equal(textOf((await generate(sim, userBody("again"))).frames), "scripted over HTTP");
    const received = (await (await fetch(`${started.controlUrl}/requests`)).json()) as { validationErrors: string[] }[];
    assert.equal(received.length, 2);
    assert.ok(received.every((r) => r.validationErrors.length === 0));
    assert.equal((await generate(sim, { ...userBody("no profile"), profileArn: undefined })).status, 400);
    const without = (await (await fetch(`${started.controlUrl}/calls-without-profile-arn`)).json()) as { operation: string }[];
    assert.deepEqual(without.map((r) => r.operation), ["generateAssistantResponse"]);

    assert.equal(await stop(), 0);
  });

  test("--profile, --generations, --external-idp and --disable-rule shape the account it plays", async () => {
    const eu = "arn:aws:codewhisperer:eu-central-1:111122223333:profile/EUPROFILE001";
    const { started, stop } = await startCli(["--token", "okta", "--profile", `${eu}=EU team`, "--generations", "runtime", "--external-idp", "--disable-rule", "profile-arn-required"]);
    assert.deepEqual(started.profiles, [{ arn: eu, profileName: "EU team" }]);
    const sim = { url: started.url, accessToken: "okta" } as KiroSimulator;
    const idp = { tokentype: "EXTERNAL_IDP" };
    assert.equal((await generate(sim, userBody("x"))).status, 403, "the external-IdP token needs its TokenType header");
    assert.equal((await generate(sim, { ...userBody("x"), profileArn: eu }, { headers: idp })).status, 200);
    assert.equal((await generate(sim, { ...userBody("x"), profileArn: undefined }, { headers: idp })).status, 200, "profile-arn-required is off");
    const q = await fetch(`${started.url}/ListAvailableModels?profileArn=${encodeURIComponent(eu)}`, { headers: { authorization: "Bearer okta", ...idp } });
    assert.equal(q.status, 404, "only the runtime generation is served");
    await q.body?.cancel();
    assert.equal(await stop(), 0);
  });

  test("refuses a --profile that is not a profile ARN and an unknown --disable-rule", async () => {
    for (const args of [["--profile", "not-an-arn"], ["--disable-rule", "no-such-rule"]]) {
      const child = spawn(process.execPath, [join(__dirname, "..", "sim", "cli.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr, args[0] === "--profile" ? /not a profile ARN/ : /not a rule id/);
    }
  });
});
