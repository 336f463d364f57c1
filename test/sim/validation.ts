// The Kiro service's reported request rules (KIRO_PROTOCOL.md §2), written from the protocol doc alone so the simulator judges the client independently.

/** One entry of the simulator's model catalog, in ListAvailableModels' own shape. */
export interface SimModel {
  modelId: string;
  modelName: string;
  description?: string;
  tokenLimits: { maxInputTokens: number; maxOutputTokens: number };
  supportedInputTypes?: string[];
  rateMultiplier?: number;
  /** Present only for models that take `additionalModelRequestFields` (native thinking). */
  additionalModelRequestFieldsSchema?: Record<string, unknown>;
}

/** Rule ids; every validation error string starts with one of them followed by ": ". */
export const RULES = {
  malformedJson: "malformed-json",
  shape: "shape",
  historyStartsWithUser: "history-starts-with-user",
  rolesAlternate: "roles-alternate",
  currentMessageUser: "current-message-user",
  emptyContent: "empty-content",
  toolResultUnmatched: "tool-result-unmatched",
  duplicateToolUseId: "duplicate-tool-use-id",
  emptyToolUses: "empty-tool-uses",
  toolsMissingForHistory: "tools-missing-for-history",
  toolName: "tool-name",
  toolDescription: "tool-description",
  toolInputEmptyKey: "tool-input-empty-key",
  thinkingWithToolResults: "thinking-with-tool-results",
  bodyTooLarge: "body-too-large",
  imageFormat: "image-format",
  additionalFieldsUnsupported: "additional-fields-unsupported",
  additionalFieldsSchema: "additional-fields-schema",
  invalidModel: "invalid-model",
  inputTooLong: "input-too-long",
} as const;
export type ValidationRule = (typeof RULES)[keyof typeof RULES];

/**
 * Body size limits. The doc reports many-entry histories rejected from ~5.9 MB and one message of ~7.6 MB accepted,
 * so a body with two or more history entries may be at most 5.8 MB, and any body at most 8 MB.
 */
export const MULTI_ENTRY_BODY_LIMIT_BYTES = 5_800_000;
export const SINGLE_MESSAGE_BODY_LIMIT_BYTES = 8_000_000;
export const MAX_TOOL_NAME_LENGTH = 64;
export const MAX_TOOL_DESCRIPTION_LENGTH = 10_000;
/** Input tokens are estimated as characters / 4 (text, tool results, tool inputs and tool specs). */
export const CHARS_PER_TOKEN = 4;
export const IMAGE_FORMATS: readonly string[] = ["png", "jpeg", "gif", "webp"];
const CHAT_TRIGGER_TYPES: readonly string[] = ["MANUAL", "DIAGNOSTIC", "INLINE_CHAT"];

/** The rule an error string reports. */
export function ruleOf(error: string): ValidationRule {
  return error.slice(0, error.indexOf(":")) as ValidationRule;
}

/** What the service answers for a request that broke rules, or undefined when it broke none. */
export interface ServiceRejection {
  status: number;
  body: { message: string; reason?: string };
  errorType: string;
}

export function rejectionFor(errors: readonly string[]): ServiceRejection | undefined {
  if (errors.length === 0) return undefined;
  const rules = errors.map(ruleOf);
  if (rules.some((rule) => rule !== RULES.invalidModel && rule !== RULES.inputTooLong)) {
    return { status: 400, body: { message: "Improperly formed request." }, errorType: "ValidationException" };
  }
  if (rules.includes(RULES.invalidModel)) {
    return {
      status: 400,
      body: { message: "Invalid model. Please select a different model to continue.", reason: "INVALID_MODEL_ID" },
      errorType: "ValidationException",
    };
  }
  return {
    status: 400,
    body: { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" },
    errorType: "ValidationException",
  };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBlank(value: unknown): boolean {
  return typeof value !== "string" || value.trim().length === 0;
}

/** Parses the raw body and validates it; a body that is not JSON gets the one malformed-json error. */
export function validateGenerateAssistantResponseJson(text: string, models: readonly SimModel[]): { body: unknown; errors: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { body: undefined, errors: [`${RULES.malformedJson}: ${(error as Error).message}`] };
  }
  return { body, errors: validateGenerateAssistantResponse(body, models, Buffer.byteLength(text, "utf8")) };
}

/**
 * Every rule of KIRO_PROTOCOL.md §2 the body breaks, as "<rule>: <where and why>" strings (empty when it is well formed).
 * `bodyBytes` is the size on the wire; it defaults to the size of the body re-serialised.
 */
export function validateGenerateAssistantResponse(body: unknown, models: readonly SimModel[], bodyBytes?: number): string[] {
  const checker = new RequestChecker(models);
  checker.check(body, bodyBytes ?? Buffer.byteLength(JSON.stringify(body) ?? "", "utf8"));
  return checker.errors;
}

class RequestChecker {
  readonly errors: string[] = [];
  private inputChars = 0;

  constructor(private readonly models: readonly SimModel[]) {}

  private fail(rule: ValidationRule, detail: string): void {
    this.errors.push(`${rule}: ${detail}`);
  }

  check(body: unknown, bodyBytes: number): void {
    if (!isObject(body)) return this.fail(RULES.shape, "the body is not a JSON object");
    const state = body.conversationState;
    if (!isObject(state)) return this.fail(RULES.shape, "conversationState is missing or not an object");
    if (state.conversationId !== undefined && isBlank(state.conversationId)) {
      this.fail(RULES.shape, "conversationState.conversationId is empty or not a string");
    }
    if (typeof state.chatTriggerType !== "string" || !CHAT_TRIGGER_TYPES.includes(state.chatTriggerType)) {
      this.fail(RULES.shape, `conversationState.chatTriggerType must be one of ${CHAT_TRIGGER_TYPES.join(", ")}`);
    }

    const history = state.history === undefined ? [] : state.history;
    if (!Array.isArray(history)) return this.fail(RULES.shape, "conversationState.history is not an array");

    const current = state.currentMessage;
    if (!isObject(current)) return this.fail(RULES.currentMessageUser, "currentMessage is missing");
    const currentUser = current.userInputMessage;
    if (!isObject(currentUser)) {
      return this.fail(RULES.currentMessageUser, `currentMessage holds ${Object.keys(current).join(", ") || "nothing"} instead of a userInputMessage`);
    }

    const currentContext = isObject(currentUser.userInputMessageContext) ? currentUser.userInputMessageContext : {};
    const toolSpecNames = this.checkToolSpecs(currentContext.tools, "currentMessage");

    const seenToolUseIds = new Set<string>();
    const historyToolNames = new Set<string>();
    let previousToolUseIds: Set<string> | undefined;
    let previousRole: "user" | "assistant" | undefined;
    history.forEach((entry, index) => {
      const where = `history[${index}]`;
      if (!isObject(entry)) return this.fail(RULES.shape, `${where} is not an object`);
      const user = entry.userInputMessage;
      const assistant = entry.assistantResponseMessage;
      if (isObject(user) === isObject(assistant)) {
        this.fail(RULES.shape, `${where} must hold exactly one of userInputMessage / assistantResponseMessage`);
        previousRole = undefined;
        previousToolUseIds = undefined;
        return;
      }
      const role = isObject(user) ? "user" : "assistant";
      if (index === 0 && role !== "user") this.fail(RULES.historyStartsWithUser, "history[0] is an assistantResponseMessage");
      if (previousRole === role) this.fail(RULES.rolesAlternate, `${where} is a second ${role} message in a row`);
      if (isObject(user)) {
        this.checkUserMessage(user, where, previousToolUseIds);
        if (isObject(user.userInputMessageContext)) this.checkToolSpecs(user.userInputMessageContext.tools, where);
        previousToolUseIds = undefined;
      } else {
        previousToolUseIds = this.checkAssistantMessage(assistant as JsonObject, where, seenToolUseIds, historyToolNames);
      }
      previousRole = role;
    });
    if (previousRole === "user") {
      this.fail(RULES.rolesAlternate, "history ends with a user message and currentMessage is another user message");
    }

    this.checkUserMessage(currentUser, "currentMessage", previousToolUseIds);

    if (historyToolNames.size > 0) {
      if (toolSpecNames.size === 0) {
        this.fail(RULES.toolsMissingForHistory, "history contains tool uses but currentMessage defines no tools");
      } else {
        for (const name of historyToolNames) {
          if (!toolSpecNames.has(name)) this.fail(RULES.toolsMissingForHistory, `tool "${name}" is used in history but has no spec in currentMessage`);
        }
      }
    }

    const limit = history.length >= 2 ? MULTI_ENTRY_BODY_LIMIT_BYTES : SINGLE_MESSAGE_BODY_LIMIT_BYTES;
    if (bodyBytes > limit) this.fail(RULES.bodyTooLarge, `body is ${bodyBytes} bytes, over the ${limit}-byte limit for ${history.length} history entries`);

    const model = this.checkModel(body, currentUser);
    if (model) {
      const estimatedTokens = Math.ceil(this.inputChars / CHARS_PER_TOKEN);
      if (estimatedTokens > model.tokenLimits.maxInputTokens) {
        this.fail(RULES.inputTooLong, `~${estimatedTokens} input tokens exceed ${model.modelId}'s ${model.tokenLimits.maxInputTokens}`);
      }
    }
  }

  /** Returns the model the request runs on (the catalog's default when modelId is absent), or undefined when unknown. */
  private checkModel(body: JsonObject, currentUser: JsonObject): SimModel | undefined {
    const modelId = currentUser.modelId;
    let model: SimModel | undefined;
    if (modelId === undefined) {
      model = this.models.find((m) => m.modelId === "auto") ?? this.models[0];
    } else if (typeof modelId !== "string" || !(model = this.models.find((m) => m.modelId === modelId))) {
      this.fail(RULES.invalidModel, `modelId ${JSON.stringify(modelId)} is not in the catalog`);
    }
    const extra = body.additionalModelRequestFields;
    if (extra !== undefined) {
      if (!model) {
        this.fail(RULES.additionalFieldsUnsupported, "additionalModelRequestFields sent for an unknown model");
      } else if (!model.additionalModelRequestFieldsSchema) {
        this.fail(RULES.additionalFieldsUnsupported, `${model.modelId} has no additionalModelRequestFieldsSchema`);
      } else {
        for (const problem of schemaProblems(extra, model.additionalModelRequestFieldsSchema, "additionalModelRequestFields")) {
          this.fail(RULES.additionalFieldsSchema, problem);
        }
      }
    }
    return model;
  }

  private checkUserMessage(message: JsonObject, where: string, toolUseIdsBefore: Set<string> | undefined): void {
    if (isBlank(message.content)) this.fail(RULES.emptyContent, `${where}.content is empty`);
    else this.inputChars += (message.content as string).length;

    if (message.images !== undefined) {
      if (!Array.isArray(message.images)) this.fail(RULES.shape, `${where}.images is not an array`);
      else {
        message.images.forEach((image, index) => {
          const at = `${where}.images[${index}]`;
          if (!isObject(image)) return this.fail(RULES.shape, `${at} is not an object`);
          if (typeof image.format !== "string" || !IMAGE_FORMATS.includes(image.format)) {
            this.fail(RULES.imageFormat, `${at}.format ${JSON.stringify(image.format)} is not one of ${IMAGE_FORMATS.join(", ")}`);
          }
          if (!isObject(image.source) || isBlank(image.source.bytes)) this.fail(RULES.emptyContent, `${at}.source.bytes is empty`);
        });
      }
    }

    const context = message.userInputMessageContext;
    if (context === undefined) return;
    if (!isObject(context)) return this.fail(RULES.shape, `${where}.userInputMessageContext is not an object`);
    const results = context.toolResults;
    if (results === undefined) return;
    if (!Array.isArray(results)) return this.fail(RULES.shape, `${where}.toolResults is not an array`);
    if (results.length === 0) return;

    if (typeof message.content === "string" && /<\/?thinking>/.test(message.content)) {
      this.fail(RULES.thinkingWithToolResults, `${where} carries tool results and its content contains <thinking> text`);
    }
    const resultIds = new Set<string>();
    results.forEach((result, index) => {
      const at = `${where}.toolResults[${index}]`;
      if (!isObject(result)) return this.fail(RULES.shape, `${at} is not an object`);
      const id = result.toolUseId;
      if (isBlank(id)) return this.fail(RULES.shape, `${at}.toolUseId is empty`);
      const toolUseId = id as string;
      if (resultIds.has(toolUseId)) this.fail(RULES.duplicateToolUseId, `${at} repeats toolUseId ${toolUseId}`);
      resultIds.add(toolUseId);
      if (!toolUseIdsBefore || !toolUseIdsBefore.has(toolUseId)) {
        this.fail(RULES.toolResultUnmatched, `${at}.toolUseId ${toolUseId} has no toolUse in the assistant turn just before`);
      }
      if (result.status !== undefined && result.status !== "success" && result.status !== "error") {
        this.fail(RULES.shape, `${at}.status must be "success" or "error"`);
      }
      if (!Array.isArray(result.content) || result.content.length === 0) {
        return this.fail(RULES.emptyContent, `${at}.content is empty`);
      }
      result.content.forEach((block, blockIndex) => {
        const blockAt = `${at}.content[${blockIndex}]`;
        if (!isObject(block)) return this.fail(RULES.shape, `${blockAt} is not an object`);
        if (block.json !== undefined) {
          this.inputChars += JSON.stringify(block.json).length;
        } else if (isBlank(block.text)) {
          this.fail(RULES.emptyContent, `${blockAt}.text is empty`);
        } else {
          this.inputChars += (block.text as string).length;
        }
      });
    });
  }

  /** Checks one assistant turn; returns the toolUseIds it carries (for the toolResults of the next user turn). */
  private checkAssistantMessage(message: JsonObject, where: string, seenIds: Set<string>, toolNames: Set<string>): Set<string> {
    const ids = new Set<string>();
    if (isBlank(message.content)) this.fail(RULES.emptyContent, `${where}.content is empty`);
    else this.inputChars += (message.content as string).length;
    const toolUses = message.toolUses;
    if (toolUses === undefined) return ids;
    if (!Array.isArray(toolUses)) {
      this.fail(RULES.shape, `${where}.toolUses is not an array`);
      return ids;
    }
    if (toolUses.length === 0) this.fail(RULES.emptyToolUses, `${where}.toolUses is an empty array`);
    toolUses.forEach((toolUse, index) => {
      const at = `${where}.toolUses[${index}]`;
      if (!isObject(toolUse)) return this.fail(RULES.shape, `${at} is not an object`);
      if (isBlank(toolUse.toolUseId)) this.fail(RULES.shape, `${at}.toolUseId is empty`);
      else {
        const id = toolUse.toolUseId as string;
        if (seenIds.has(id)) this.fail(RULES.duplicateToolUseId, `${at} repeats toolUseId ${id}`);
        seenIds.add(id);
        ids.add(id);
      }
      const name = toolUse.name;
      if (isBlank(name)) this.fail(RULES.toolName, `${at}.name is empty`);
      else {
        if ((name as string).length > MAX_TOOL_NAME_LENGTH) this.fail(RULES.toolName, `${at}.name is over ${MAX_TOOL_NAME_LENGTH} characters`);
        toolNames.add(name as string);
      }
      if (!isObject(toolUse.input)) this.fail(RULES.shape, `${at}.input is not a JSON object`);
      else {
        this.inputChars += JSON.stringify(toolUse.input).length;
        for (const path of emptyKeyPaths(toolUse.input, `${at}.input`)) this.fail(RULES.toolInputEmptyKey, `${path} has an empty-string key`);
      }
    });
    return ids;
  }

  /** Checks tool specifications; returns the names defined. */
  private checkToolSpecs(tools: unknown, where: string): Set<string> {
    const names = new Set<string>();
    if (tools === undefined) return names;
    if (!Array.isArray(tools)) {
      this.fail(RULES.shape, `${where}.tools is not an array`);
      return names;
    }
    tools.forEach((tool, index) => {
      const at = `${where}.tools[${index}]`;
      const spec = isObject(tool) ? tool.toolSpecification : undefined;
      if (!isObject(spec)) return this.fail(RULES.shape, `${at}.toolSpecification is missing`);
      this.inputChars += JSON.stringify(spec).length;
      if (isBlank(spec.name)) this.fail(RULES.toolName, `${at} has an empty name`);
      else {
        const name = spec.name as string;
        if (name.length > MAX_TOOL_NAME_LENGTH) this.fail(RULES.toolName, `${at} name "${name.slice(0, 20)}…" is over ${MAX_TOOL_NAME_LENGTH} characters`);
        names.add(name);
      }
      if (spec.description !== undefined && typeof spec.description !== "string") this.fail(RULES.shape, `${at}.description is not a string`);
      else if (typeof spec.description === "string" && spec.description.length > MAX_TOOL_DESCRIPTION_LENGTH) {
        this.fail(RULES.toolDescription, `${at}.description is ${spec.description.length} characters, over ${MAX_TOOL_DESCRIPTION_LENGTH}`);
      }
      if (!isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) this.fail(RULES.shape, `${at}.inputSchema.json is not a JSON object`);
    });
    return names;
  }
}

function emptyKeyPaths(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => emptyKeyPaths(item, `${path}[${index}]`));
  if (!isObject(value)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === "") found.push(path);
    found.push(...emptyKeyPaths(child, `${path}.${key}`));
  }
  return found;
}

/** The small subset of JSON Schema the models' additionalModelRequestFieldsSchema uses: type, properties, required, enum, additionalProperties, minimum, maximum. */
function schemaProblems(value: unknown, schema: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  const type = schema.type;
  if (type === "object") {
    if (!isObject(value)) return [`${path} must be an object`];
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const required of Array.isArray(schema.required) ? schema.required : []) {
      if (typeof required === "string" && !(required in value)) problems.push(`${path}.${required} is required`);
    }
    for (const [key, child] of Object.entries(value)) {
      const childSchema = properties[key];
      if (isObject(childSchema)) problems.push(...schemaProblems(child, childSchema, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}.${key} is not allowed`);
    }
    return problems;
  }
  if (type === "string" && typeof value !== "string") problems.push(`${path} must be a string`);
  if (type === "integer" && !Number.isInteger(value)) problems.push(`${path} must be an integer`);
  if (type === "number" && typeof value !== "number") problems.push(`${path} must be a number`);
  if (type === "boolean" && typeof value !== "boolean") problems.push(`${path} must be a boolean`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${path} must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${path} is below ${schema.minimum}`);
  if (typeof value === "number" && typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${path} is above ${schema.maximum}`);
  return problems;
}
