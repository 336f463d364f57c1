// The simulator's body rules (docs/kiro-protocol.md#rules), as a pure function: each rule rejects a body that breaks it and a well-formed body passes them all.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultSimModels } from "../sim/kiroSimulator";
import { imageDimensions } from "../sim/imageDimensions";
import {
  MULTI_ENTRY_BODY_LIMIT_BYTES,
  RULES,
  SINGLE_MESSAGE_BODY_LIMIT_BYTES,
  UNVERSIONED_CLIENT_HISTORY_CAP,
  historyEntryCapFor,
  kiroIdeVersion,
  rejectionFor,
  ruleOf,
  validateGenerateAssistantResponse,
  validateGenerateAssistantResponseJson,
  type ValidationRule,
} from "../sim/validation";

const models = defaultSimModels();

type Body = {
  conversationState: {
    conversationId?: unknown;
    chatTriggerType?: unknown;
    agentTaskType?: string;
    currentMessage: Record<string, any>;
    history?: any[];
  };
  additionalModelRequestFields?: unknown;
  profileArn?: string;
};

const readSpec = () => ({
  toolSpecification: {
    name: "read",
    description: "Read a file",
    inputSchema: { json: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
  },
});

/** A well-formed tool round trip: user asks, assistant calls read, the current message returns its result. */
function wellFormedBody(): Body {
  return {
    conversationState: {
      conversationId: "5a1f3c2e-0000-4000-8000-000000000001",
      chatTriggerType: "MANUAL",
      agentTaskType: "vibe",
      history: [
        { userInputMessage: { content: "System text\n\nread notes.txt", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
        {
          assistantResponseMessage: {
            content: "I'll read it.",
            toolUses: [{ toolUseId: "tooluse_1", name: "read", input: { path: "notes.txt" } }],
          },
        },
      ],
      currentMessage: {
        userInputMessage: {
          content: "Tool results provided.",
          modelId: "claude-sonnet-4.5",
          origin: "AI_EDITOR",
          images: [{ format: "png", source: { bytes: "iVBORw0KGgo=" } }],
          userInputMessageContext: {
            tools: [readSpec()],
            toolResults: [{ toolUseId: "tooluse_1", content: [{ text: "first line\nsecond" }], status: "success" }],
          },
        },
      },
    },
  };
}

function rulesBroken(body: unknown, bodyBytes?: number): ValidationRule[] {
  return validateGenerateAssistantResponse(body, models, bodyBytes).map(ruleOf);
}

function assertBreaks(body: unknown, rule: ValidationRule, bodyBytes?: number): void {
  const errors = validateGenerateAssistantResponse(body, models, bodyBytes);
  assert.ok(errors.map(ruleOf).includes(rule), `expected rule ${rule} to be broken, got: ${JSON.stringify(errors)}`);
}

const current = (b: Body) => b.conversationState.currentMessage.userInputMessage;
const history = (b: Body) => b.conversationState.history!;

describe("a well-formed request", () => {
  test("passes every rule", () => {
    assert.deepEqual(validateGenerateAssistantResponse(wellFormedBody(), models), []);
  });

  test("a first message without history or modelId passes", () => {
    const body: Body = { conversationState: { chatTriggerType: "MANUAL", currentMessage: { userInputMessage: { content: "hi" } } } };
    assert.deepEqual(validateGenerateAssistantResponse(body, models), []);
  });

  test("native thinking fields pass for a model with a schema", () => {
    const body = wellFormedBody();
    current(body).modelId = "claude-opus-4.6";
    body.additionalModelRequestFields = { thinking: { type: "adaptive" }, output_config: { effort: "high" } };
    assert.deepEqual(validateGenerateAssistantResponse(body, models), []);
  });

  test("is not rejected", () => {
    assert.equal(rejectionFor(validateGenerateAssistantResponse(wellFormedBody(), models)), undefined);
  });
});

describe("roles-alternate: roles alternate (a history may open with the assistant, docs/kiro-protocol.md#looser-rules)", () => {
  test("history opening with the assistant is accepted", () => {
    const body = wellFormedBody();
    history(body).unshift({ assistantResponseMessage: { content: "Hello" } });
    assert.deepEqual(rulesBroken(body), []);
  });

  test("two user messages in a row in history are rejected", () => {
    const body = wellFormedBody();
    history(body).splice(1, 0, { userInputMessage: { content: "again" } });
    assertBreaks(body, RULES.rolesAlternate);
  });

  test("two assistant messages in a row are rejected", () => {
    const body = wellFormedBody();
    history(body).splice(1, 0, { assistantResponseMessage: { content: "first" } });
    assertBreaks(body, RULES.rolesAlternate);
  });

  test("history ending with a user message before the user currentMessage is rejected", () => {
    const body = wellFormedBody();
    history(body).push({ userInputMessage: { content: "dangling" } });
    assertBreaks(body, RULES.rolesAlternate);
  });
});

describe("current-message-user: currentMessage is a user message", () => {
  test("an assistant currentMessage is rejected", () => {
    const body = wellFormedBody();
    body.conversationState.currentMessage = { assistantResponseMessage: { content: "I was saying" } };
    assertBreaks(body, RULES.currentMessageUser);
  });

  test("a missing currentMessage is rejected", () => {
    const body = wellFormedBody() as any;
    delete body.conversationState.currentMessage;
    assertBreaks(body, RULES.currentMessageUser);
  });
});

describe("empty-content: no empty content anywhere", () => {
  test("empty current content is rejected when no tool results go with it", () => {
    const body = wellFormedBody();
    history(body)[1].assistantResponseMessage.toolUses = [];
    delete current(body).userInputMessageContext.toolResults;
    current(body).content = "";
    assertBreaks(body, RULES.emptyContent);
  });

  test("empty content beside tool results is accepted (docs/kiro-protocol.md#looser-rules)", () => {
    const body = wellFormedBody();
    current(body).content = "";
    assert.deepEqual(rulesBroken(body), []);
  });

  test("whitespace-only history user content is rejected", () => {
    const body = wellFormedBody();
    history(body)[0].userInputMessage.content = "  \n ";
    assertBreaks(body, RULES.emptyContent);
  });

  test("an assistant turn with tool uses but empty content is rejected", () => {
    const body = wellFormedBody();
    history(body)[1].assistantResponseMessage.content = "";
    assertBreaks(body, RULES.emptyContent);
  });

  test("a tool result with no content blocks is rejected", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.toolResults[0].content = [];
    assertBreaks(body, RULES.emptyContent);
  });

  test("a tool result with an empty text block is rejected", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.toolResults[0].content = [{ text: "" }];
    assertBreaks(body, RULES.emptyContent);
  });
});

describe("tool-result-unmatched: tool results match the tool uses just before", () => {
  test("a current tool result with an unknown toolUseId is rejected", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.toolResults[0].toolUseId = "tooluse_other";
    assertBreaks(body, RULES.toolResultUnmatched);
  });

  test("a history tool result answering a call two turns back is rejected", () => {
    const body = wellFormedBody();
    const results = current(body).userInputMessageContext.toolResults;
    delete current(body).userInputMessageContext.toolResults;
    history(body).push(
      { userInputMessage: { content: "Tool results provided.", userInputMessageContext: { toolResults: results } } },
      { assistantResponseMessage: { content: "Done." } },
    );
    assert.deepEqual(rulesBroken(body), [], "the result right after its call is fine");
    history(body).splice(2, 0, { userInputMessage: { content: "wait" } }, { assistantResponseMessage: { content: "ok" } });
    assertBreaks(body, RULES.toolResultUnmatched);
  });

  test("tool results in the first history message (no assistant before) are rejected", () => {
    const body = wellFormedBody();
    history(body)[0].userInputMessage.userInputMessageContext = { toolResults: [{ toolUseId: "tooluse_1", content: [{ text: "x" }] }] };
    assertBreaks(body, RULES.toolResultUnmatched);
  });

  test("duplicate toolUseIds across assistant turns are rejected", () => {
    const body = wellFormedBody();
    history(body).push(
      { userInputMessage: { content: "more", userInputMessageContext: { toolResults: [{ toolUseId: "tooluse_1", content: [{ text: "x" }] }] } } },
      { assistantResponseMessage: { content: "again", toolUses: [{ toolUseId: "tooluse_1", name: "read", input: { path: "a" } }] } },
    );
    assertBreaks(body, RULES.duplicateToolUseId);
  });

  test("duplicate toolUseIds in one message's tool results are rejected", () => {
    const body = wellFormedBody();
    const results = current(body).userInputMessageContext.toolResults;
    results.push({ ...results[0] });
    assertBreaks(body, RULES.duplicateToolUseId);
  });

  test("an empty toolUses array is accepted (docs/kiro-protocol.md#looser-rules)", () => {
    const body = wellFormedBody();
    delete current(body).userInputMessageContext.toolResults;
    history(body)[1].assistantResponseMessage.toolUses = [];
    assert.deepEqual(rulesBroken(body), []);
  });
});

describe("tool-use-id, tool-use-without-result, top-level-system-prompt: the rules of the December 2026 survey (docs/kiro-protocol.md#rules)", () => {
  const setId = (body: Body, id: string) => {
    history(body)[1].assistantResponseMessage.toolUses[0].toolUseId = id;
    current(body).userInputMessageContext.toolResults[0].toolUseId = id;
  };

  test("tool-use-id: a 64-character id is accepted", () => {
    const body = wellFormedBody();
    setId(body, `tooluse_${"a".repeat(56)}`);
    assert.deepEqual(rulesBroken(body), []);
  });

  test("tool-use-id: a 65-character id is refused with REQUEST_BODY_INVALID", () => {
    const body = wellFormedBody();
    setId(body, `tooluse_${"a".repeat(57)}`);
    assertBreaks(body, RULES.toolUseId);
    assert.equal(rejectionFor(validateGenerateAssistantResponse(body, models))?.body.reason, "REQUEST_BODY_INVALID");
  });

  test("tool-use-id: an OpenAI-style call_…|fc_… id is refused even when short", () => {
    const body = wellFormedBody();
    setId(body, "call_abc|fc_def");
    assertBreaks(body, RULES.toolUseId);
  });

  test("tool-use-without-result: a tool use answered in the next user turn is accepted", () => {
    assert.ok(!rulesBroken(wellFormedBody()).includes(RULES.toolUseWithoutResult));
  });

  test("tool-use-without-result: a tool use whose result is missing from the next user turn is refused, naming the id", () => {
    const body = wellFormedBody();
    delete current(body).userInputMessageContext.toolResults;
    assertBreaks(body, RULES.toolUseWithoutResult);
    const answer = rejectionFor(validateGenerateAssistantResponse(body, models))?.body;
    assert.deepEqual(answer, { message: "tool_use ids were found without tool_result blocks immediately after: tooluse_1", reason: "TOOL_USE_RESULT_MISMATCH" });
  });

  test("tool-use-without-result: a result in a later user turn does not count", () => {
    const body = wellFormedBody();
    const results = current(body).userInputMessageContext.toolResults;
    delete current(body).userInputMessageContext.toolResults;
    history(body).push({ userInputMessage: { content: "meanwhile", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } }, { assistantResponseMessage: { content: "ok" } });
    current(body).userInputMessageContext.toolResults = results;
    assertBreaks(body, RULES.toolUseWithoutResult);
  });

  test("top-level-system-prompt: system text in the first user message is accepted", () => {
    assert.ok(!rulesBroken(wellFormedBody()).includes(RULES.topLevelSystemPrompt));
  });

  test("top-level-system-prompt: a systemPrompt field is refused with REQUEST_BODY_INVALID", () => {
    const body = wellFormedBody() as Body & { systemPrompt?: unknown };
    body.systemPrompt = [{ text: "You are helpful." }];
    assertBreaks(body, RULES.topLevelSystemPrompt);
    assert.equal(rejectionFor(validateGenerateAssistantResponse(body, models))?.body.reason, "REQUEST_BODY_INVALID");
    const inState = wellFormedBody();
    (inState.conversationState as Record<string, unknown>).systemPrompt = "You are helpful.";
    assertBreaks(inState, RULES.topLevelSystemPrompt);
  });

  test("tool-result-image: an {image} block inside toolResults is accepted (the service drops it)", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.toolResults[0].content.push({ image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } });
    assert.deepEqual(rulesBroken(body), []);
  });

  test("modelTag on a replayed assistant message must be a string", () => {
    const body = wellFormedBody();
    history(body)[1].assistantResponseMessage.modelTag = "claude-sonnet-4.5-tag";
    assert.deepEqual(rulesBroken(body), []);
    history(body)[1].assistantResponseMessage.modelTag = 7;
    assertBreaks(body, RULES.shape);
  });
});

describe("tools-missing-for-history: tools used in history need specs in currentMessage", () => {
  test("history tool uses with no tools defined are rejected", () => {
    const body = wellFormedBody();
    delete current(body).userInputMessageContext.tools;
    assertBreaks(body, RULES.toolsMissingForHistory);
  });

  test("a history tool name without a spec is rejected even when other tools are defined", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.tools = [
      { toolSpecification: { name: "write", description: "Write", inputSchema: { json: { type: "object" } } } },
    ];
    assertBreaks(body, RULES.toolsMissingForHistory);
  });
});

describe("tool-name: tool names, descriptions and inputs", () => {
  test("an empty tool spec name is rejected", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.tools.push({ toolSpecification: { name: "", description: "d", inputSchema: { json: { type: "object" } } } });
    assertBreaks(body, RULES.toolName);
  });

  test("a 65-character tool name is rejected and a 64-character one accepted", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.tools.push({ toolSpecification: { name: "t".repeat(64), description: "d", inputSchema: { json: { type: "object" } } } });
    assert.deepEqual(rulesBroken(body), []);
    current(body).userInputMessageContext.tools[1].toolSpecification.name = "t".repeat(65);
    assertBreaks(body, RULES.toolName);
  });

  test("a tool description over 10000 characters is rejected", () => {
    const body = wellFormedBody();
    current(body).userInputMessageContext.tools[0].toolSpecification.description = "d".repeat(10_000);
    assert.deepEqual(rulesBroken(body), []);
    current(body).userInputMessageContext.tools[0].toolSpecification.description = "d".repeat(10_001);
    assertBreaks(body, RULES.toolDescription);
  });

  test("an empty-string key nested in a tool input is rejected", () => {
    const body = wellFormedBody();
    history(body)[1].assistantResponseMessage.toolUses[0].input = { path: "a", options: [{ "": 1 }] };
    assertBreaks(body, RULES.toolInputEmptyKey);
  });

  test("an empty tool name in a history tool use is rejected", () => {
    const body = wellFormedBody();
    history(body)[1].assistantResponseMessage.toolUses[0].name = "";
    assertBreaks(body, RULES.toolName);
  });
});

describe("thinking-with-tool-results: no <thinking> text in a message carrying tool results", () => {
  test("thinking tags in the content of a tool-result message are rejected", () => {
    const body = wellFormedBody();
    current(body).content = "<thinking>earlier</thinking>\n\nTool results provided.";
    assertBreaks(body, RULES.thinkingWithToolResults);
  });

  test("thinking tags in a message without tool results are allowed", () => {
    const body = wellFormedBody();
    history(body)[0].userInputMessage.content = "<thinking>plan</thinking> read notes.txt";
    assert.deepEqual(rulesBroken(body), []);
  });
});

describe("body-too-large: body size", () => {
  test("a multi-entry history over the limit is rejected and just under it accepted", () => {
    assert.deepEqual(rulesBroken(wellFormedBody(), MULTI_ENTRY_BODY_LIMIT_BYTES), []);
    assertBreaks(wellFormedBody(), RULES.bodyTooLarge, MULTI_ENTRY_BODY_LIMIT_BYTES + 1);
  });

  test("a single message may be larger than a multi-entry history, up to its own limit", () => {
    const body: Body = { conversationState: { chatTriggerType: "MANUAL", currentMessage: { userInputMessage: { content: "hi", modelId: "claude-opus-4.7" } } } };
    assert.deepEqual(rulesBroken(body, MULTI_ENTRY_BODY_LIMIT_BYTES + 1_000_000), []);
    assertBreaks(body, RULES.bodyTooLarge, SINGLE_MESSAGE_BODY_LIMIT_BYTES + 1);
  });

  test("the real size of the body is measured when none is given", () => {
    const body = wellFormedBody();
    current(body).modelId = "claude-opus-4.7";
    history(body)[0].userInputMessage.modelId = "claude-opus-4.7";
    history(body)[0].userInputMessage.content = "x".repeat(MULTI_ENTRY_BODY_LIMIT_BYTES);
    assertBreaks(body, RULES.bodyTooLarge);
  });
});

describe("model, thinking fields, images and JSON", () => {
  test("an unknown modelId is rejected with INVALID_MODEL_ID", () => {
    const body = wellFormedBody();
    current(body).modelId = "claude-sonnet-9";
    const errors = validateGenerateAssistantResponse(body, models);
    assert.deepEqual(errors.map(ruleOf), [RULES.invalidModel]);
    assert.deepEqual(rejectionFor(errors)?.body, {
      message: "Invalid model. Please select a different model to continue.",
      reason: "INVALID_MODEL_ID",
    });
  });

  test("additionalModelRequestFields for a model without a schema is an improperly formed request", () => {
    const body = wellFormedBody();
    body.additionalModelRequestFields = { thinking: { type: "adaptive" } };
    const errors = validateGenerateAssistantResponse(body, models);
    assert.deepEqual(errors.map(ruleOf), [RULES.additionalFieldsUnsupported]);
    assert.deepEqual(rejectionFor(errors), { status: 400, body: { message: "Improperly formed request.", reason: null }, errorType: "ValidationException" });
  });

  test("additionalModelRequestFields outside the model's schema are rejected", () => {
    const body = wellFormedBody();
    current(body).modelId = "claude-sonnet-4.6";
    body.additionalModelRequestFields = { thinking: { type: "sometimes" } };
    assertBreaks(body, RULES.additionalFieldsSchema);
  });

  test("input estimated over the model's maxInputTokens is rejected with CONTENT_LENGTH_EXCEEDS_THRESHOLD", () => {
    const body = wellFormedBody();
    // Split over two messages: one message over 600,000 characters breaks a rule of its own.
    history(body)[0].userInputMessage.content = "w".repeat(400_000);
    history(body)[1].assistantResponseMessage.content = "w".repeat(400_004);
    const errors = validateGenerateAssistantResponse(body, models);
    assert.deepEqual(errors.map(ruleOf), [RULES.inputTooLong]);
    assert.deepEqual(rejectionFor(errors)?.body, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" });
    current(body).modelId = "claude-sonnet-4.6";
    assert.deepEqual(rulesBroken(body), [], "the same input fits a 1M-token model");
  });

  test("an image format outside png/jpeg/gif/webp is rejected", () => {
    const body = wellFormedBody();
    current(body).images[0].format = "bmp";
    assertBreaks(body, RULES.imageFormat);
    for (const format of ["jpeg", "gif", "webp"]) {
      current(body).images[0].format = format;
      assert.deepEqual(rulesBroken(body), [], format);
    }
  });

  test("an image without bytes is rejected", () => {
    const body = wellFormedBody();
    current(body).images[0].source = { bytes: "" };
    assertBreaks(body, RULES.emptyContent);
  });

  test("malformed JSON is rejected", () => {
    const { errors } = validateGenerateAssistantResponseJson('{"conversationState": ', models);
    assert.deepEqual(errors.map(ruleOf), [RULES.malformedJson]);
    assert.deepEqual(rejectionFor(errors)?.body, { message: "Improperly formed request.", reason: null });
  });

  test("a missing or unknown chatTriggerType is rejected", () => {
    const body = wellFormedBody();
    delete body.conversationState.chatTriggerType;
    assertBreaks(body, RULES.shape);
    body.conversationState.chatTriggerType = "AUTO";
    assertBreaks(body, RULES.shape);
  });

  test("structural problems win over model problems in the answer", () => {
    const body = wellFormedBody();
    current(body).modelId = "nope";
    current(body).content = "   ";
    assert.deepEqual(rejectionFor(validateGenerateAssistantResponse(body, models))?.body, { message: "Improperly formed request.", reason: null });
  });
});

describe("history cap by user agent", () => {
  test("no KiroIDE version, or one below 0.6.0, caps history at 198 entries", () => {
    assert.equal(historyEntryCapFor({}), UNVERSIONED_CLIENT_HISTORY_CAP);
    assert.equal(historyEntryCapFor({ "user-agent": "kiro-pi/0.1.0" }), 198);
    assert.equal(historyEntryCapFor({ "user-agent": "KiroIDE-0.2.18-abc" }), 198);
    assert.equal(historyEntryCapFor({ "user-agent": "KiroIDE-abcdef" }), 198, "a token without a version reads as 0.0.0");
  });

  test("KiroIDE 0.6.0 or later in user-agent or x-amz-user-agent lifts the cap", () => {
    assert.equal(historyEntryCapFor({ "user-agent": "aws-sdk-js/1.0.0 m/E KiroIDE-0.6.0" }), undefined);
    assert.equal(historyEntryCapFor({ "x-amz-user-agent": "aws-sdk-js/1.0.34 KiroIDE-1.0.242-machine" }), undefined);
    assert.deepEqual(kiroIdeVersion({ "x-amz-user-agent": "KiroIDE-0.75.0-uuid" }), [0, 75, 0]);
  });

  test("the cap counts history entries, not the current message", () => {
    const body = wellFormedBody();
    delete current(body).userInputMessageContext.toolResults;
    body.conversationState.history = Array.from({ length: 100 }, (_, i) => [
      { userInputMessage: { content: `q${i}` } },
      { assistantResponseMessage: { content: `a${i}` } },
    ]).flat();
    assert.ok(!rulesBroken(body, undefined).includes(RULES.historyEntriesCapped));
    assert.deepEqual(validateGenerateAssistantResponse(body, models, undefined, { historyEntryCap: 198 }).map(ruleOf), [RULES.historyEntriesCapped]);
    body.conversationState.history!.splice(0, 2);
    assert.deepEqual(validateGenerateAssistantResponse(body, models, undefined, { historyEntryCap: 198 }), []);
  });
});

describe("the answers of rules with several broken", () => {
  test("a missing profile ARN wins over a malformed body, which wins over model-level refusals", () => {
    assert.equal(rejectionFor(["tool-schema-top-level-union: currentMessage.tools[0] …", "empty-content: x", "profile-arn-required: the body"])?.body.message, "profileArn is required for this request.");
    assert.equal(rejectionFor(["tool-schema-top-level-union: currentMessage.tools[2] …", "empty-content: x"])?.body.message, "Improperly formed request.");
    assert.equal(rejectionFor(["tool-schema-top-level-union: currentMessage.tools[2] input schema has anyOf"])?.body.message, "tools.2.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level");
  });
});

describe("image dimensions read from headers", () => {
  test("PNG, GIF, JPEG and WebP (lossy, lossless, extended)", () => {
    const png = Buffer.alloc(24);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
    png.write("IHDR", 12, "latin1");
    png.writeUInt32BE(2400, 16);
    png.writeUInt32BE(80, 20);
    assert.deepEqual(imageDimensions(png), { width: 2400, height: 80 });

    const gif = Buffer.alloc(10);
    gif.write("GIF89a", 0, "latin1");
    gif.writeUInt16LE(300, 6);
    gif.writeUInt16LE(2100, 8);
    assert.deepEqual(imageDimensions(gif), { width: 300, height: 2100 });

    // SOI, an APP0 segment of 16 bytes to skip, then SOF0 with height 1080 and width 1920.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.alloc(14), Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03])]);
    assert.deepEqual(imageDimensions(jpeg), { width: 1920, height: 1080 });

    const webp = (chunk: string, fill: (b: Buffer) => void) => {
      const b = Buffer.alloc(32);
      b.write("RIFF", 0, "latin1");
      b.write("WEBP", 8, "latin1");
      b.write(chunk, 12, "latin1");
      fill(b);
      return b;
    };
    assert.deepEqual(imageDimensions(webp("VP8 ", (b) => (b.writeUInt16LE(640, 26), b.writeUInt16LE(480, 28)))), { width: 640, height: 480 });
    // VP8L packs width-1 and height-1 in 14 bits each: 2999 = 0xBB7, 99 = 0x63.
    const bits = (2999 | (99 << 14)) >>> 0;
    assert.deepEqual(imageDimensions(webp("VP8L", (b) => b.writeUInt32LE(bits, 21))), { width: 3000, height: 100 });
    assert.deepEqual(imageDimensions(webp("VP8X", (b) => (b.writeUIntLE(4095, 24, 3), b.writeUIntLE(1, 27, 3)))), { width: 4096, height: 2 });
    assert.equal(imageDimensions(Buffer.from("not an image")), undefined);
  });
});
