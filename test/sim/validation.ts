// The Kiro service's reported request rules (docs/kiro-protocol.md#rules), written from public reports alone so the simulator judges the client independently of src/.
import { imageDimensions } from "./imageDimensions";

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

/**
 * Rule ids; every validation error string starts with one of them followed by ": ". Each id is a row of the rule table in
 * docs/kiro-protocol.md#rules (anchor #rule-<id>), which gives its public source and the exact answer.
 */
export const RULES = {
  // Routing and authentication (checked before the body is looked at).
  noRoute: "no-route",
  bearerInvalid: "bearer-invalid",
  externalIdpTokenType: "external-idp-token-type",
  apiKeyTokenType: "api-key-token-type",
  queryParameter: "query-parameter",
  // Profiles.
  profileArnRequired: "profile-arn-required",
  profileArnUnknown: "profile-arn-unknown",
  builderIdNoProfiles: "builder-id-no-profiles",
  apiKeyNoProfileList: "api-key-no-profile-list",
  // Body structure: "Improperly formed request."
  malformedJson: "malformed-json",
  shape: "shape",
  rolesAlternate: "roles-alternate",
  currentMessageUser: "current-message-user",
  emptyContent: "empty-content",
  toolResultUnmatched: "tool-result-unmatched",
  duplicateToolUseId: "duplicate-tool-use-id",
  toolsMissingForHistory: "tools-missing-for-history",
  toolName: "tool-name",
  toolDescription: "tool-description",
  toolInputEmptyKey: "tool-input-empty-key",
  thinkingWithToolResults: "thinking-with-tool-results",
  bodyTooLarge: "body-too-large",
  imageFormat: "image-format",
  additionalFieldsUnsupported: "additional-fields-unsupported",
  additionalFieldsSchema: "additional-fields-schema",
  toolSchemaDollarProperty: "tool-schema-dollar-property",
  toolSchemaMalformed: "tool-schema-malformed",
  userMessageTooLong: "user-message-too-long",
  toolResultTooLong: "tool-result-too-long",
  // Rules with answers of their own.
  imageCount: "image-count",
  historyEntriesCapped: "history-entries-capped",
  invalidModel: "invalid-model",
  inputTooLong: "input-too-long",
  toolSchemaTopLevelUnion: "tool-schema-top-level-union",
  toolSchemaNotObject: "tool-schema-not-object",
  imageTooLarge: "image-too-large",
  imageTotalCount: "image-total-count",
  imageDimensions: "image-dimensions",
  toolUseId: "tool-use-id",
  toolUseWithoutResult: "tool-use-without-result",
  topLevelSystemPrompt: "top-level-system-prompt",
} as const;
export type ValidationRule = (typeof RULES)[keyof typeof RULES];

/**
 * Body size limits. Many-entry histories are reported rejected from ~5.9 MB and one message of ~7.6 MB accepted,
 * so a body with two or more history entries may be at most 5.8 MB, and any body at most 8 MB.
 */
export const MULTI_ENTRY_BODY_LIMIT_BYTES = 5_800_000;
export const SINGLE_MESSAGE_BODY_LIMIT_BYTES = 8_000_000;
export const MAX_TOOL_NAME_LENGTH = 64;
export const MAX_TOOL_DESCRIPTION_LENGTH = 10_000;
/** Input tokens are estimated as characters / 4 (text, tool results, tool inputs and tool specs). */
export const CHARS_PER_TOKEN = 4;
export const IMAGE_FORMATS: readonly string[] = ["png", "jpeg", "gif", "webp"];
/** The official CLI's consts.rs: "internal undocumented values from the service". */
export const MAX_IMAGES_PER_MESSAGE = 10;
export const MAX_USER_MESSAGE_CHARS = 600_000;
export const MAX_TOOL_RESULT_CHARS = 800_000;
/** "image exceeds 5 MB maximum: 6714372 bytes > 5242880" is measured on the base64 text (KiroCrew #1941, Kiro #10783). */
export const MAX_IMAGE_BASE64_BYTES = 5_242_880;
/** "too many images and documents: 101 + 0 > 100" (Kiro #9629, #8700): every image of the request, history included. */
export const MAX_IMAGES_PER_REQUEST = 100;
/** Above this many images in one request, no image may be wider or taller than MANY_IMAGES_MAX_PIXELS (Kiro #8884, #9707). */
export const MANY_IMAGES_THRESHOLD = 20;
export const MANY_IMAGES_MAX_PIXELS = 2000;
/** A client whose user agent names no Kiro IDE version of at least 0.6.0 may send at most this many history entries (pi-provider-kiro 95ffcfb). */
export const UNVERSIONED_CLIENT_HISTORY_CAP = 198;
export const MIN_UNCAPPED_KIRO_IDE_VERSION: readonly [number, number, number] = [0, 6, 0];
const CHAT_TRIGGER_TYPES: readonly string[] = ["MANUAL", "DIAGNOSTIC", "INLINE_CHAT"];

/** The rule an error string reports. */
export function ruleOf(error: string): ValidationRule {
  return error.slice(0, error.indexOf(":")) as ValidationRule;
}

/** What the service answers for a request that broke rules, or undefined when it broke none. */
export interface ServiceRejection {
  status: number;
  body: { message: string; reason?: string | null };
  /** The `x-amzn-errortype` header; absent where the service is not known to send one. */
  errorType?: string;
}

function validationError(message: string, reason: string | null = null): ServiceRejection {
  return { status: 400, body: { message, reason }, errorType: "ValidationException" };
}

/** KRS's reason for a body the service cannot read as its model (docs/kiro-protocol.md#rule-tool-use-id); the message text is the simulator's. */
export const REQUEST_BODY_INVALID: ServiceRejection = validationError("Improperly formed request.", "REQUEST_BODY_INVALID");
/** The longest tool-use id the service takes; `|` is refused in any (pi-provider-kiro 0.10.2, #137). */
export const MAX_TOOL_USE_ID_LENGTH = 64;

/** The service's bodies carry `"reason": null` when there is no reason (kiro.rs #60, kiro-gateway #5, pi-provider-kiro #160). */
export const IMPROPERLY_FORMED: ServiceRejection = validationError("Improperly formed request.");
export const INPUT_TOO_LONG: ServiceRejection = validationError("Input is too long.", "CONTENT_LENGTH_EXCEEDS_THRESHOLD");
export const BEARER_INVALID: ServiceRejection = {
  status: 403,
  body: { message: "The bearer token included in the request is invalid.", reason: null },
  errorType: "AccessDeniedException",
};
/** What the management host (runtime generation) answers a token it does not accept (pi-provider-kiro PR #134). */
export const MANAGEMENT_TOKEN_INVALID: ServiceRejection = { status: 403, body: { message: "Invalid token" } };
export const PROFILE_ARN_REQUIRED: ServiceRejection = validationError("profileArn is required for this request.");
export const PROFILE_ARN_NOT_AUTHORIZED: ServiceRejection = {
  status: 403,
  body: { message: "User is not authorized to make this call.", reason: null },
  errorType: "AccessDeniedException",
};
export const BUILDER_ID_NOT_SUPPORTED: ServiceRejection = {
  status: 403,
  body: { message: "AWS Builder ID is not supported for this operation.", reason: null },
  errorType: "AccessDeniedException",
};

/** What ListAvailableProfiles answers an API key (pi-provider-kiro src/management.ts; the body's exact shape is unknown). */
export const UNSUPPORTED_TOKEN_TYPE: ServiceRejection = { status: 403, body: { message: "Unsupported token type" } };

/** Rules answered with "Improperly formed request.". */
const IMPROPERLY_FORMED_RULES: ReadonlySet<ValidationRule> = new Set<ValidationRule>([
  RULES.malformedJson,
  RULES.shape,
  RULES.rolesAlternate,
  RULES.currentMessageUser,
  RULES.emptyContent,
  RULES.toolResultUnmatched,
  RULES.duplicateToolUseId,
  RULES.toolsMissingForHistory,
  RULES.toolName,
  RULES.toolDescription,
  RULES.toolInputEmptyKey,
  RULES.thinkingWithToolResults,
  RULES.bodyTooLarge,
  RULES.imageFormat,
  RULES.additionalFieldsUnsupported,
  RULES.additionalFieldsSchema,
  RULES.toolSchemaDollarProperty,
  RULES.toolSchemaMalformed,
  RULES.userMessageTooLong,
  RULES.toolResultTooLong,
]);

/**
 * The order in which broken rules decide the answer when several are broken. Nothing public says how the service
 * orders its checks; this order (authentication, profile, structure, then model-level checks) is the simulator's.
 */
const PRECEDENCE: readonly (ValidationRule | "improperly-formed")[] = [
  RULES.noRoute,
  RULES.bearerInvalid,
  RULES.externalIdpTokenType,
  RULES.apiKeyTokenType,
  RULES.builderIdNoProfiles,
  RULES.apiKeyNoProfileList,
  RULES.queryParameter,
  RULES.profileArnRequired,
  RULES.profileArnUnknown,
  RULES.topLevelSystemPrompt,
  RULES.toolUseId,
  "improperly-formed",
  RULES.toolUseWithoutResult,
  RULES.imageCount,
  RULES.historyEntriesCapped,
  RULES.invalidModel,
  RULES.inputTooLong,
  RULES.toolSchemaTopLevelUnion,
  RULES.toolSchemaNotObject,
  RULES.imageTooLarge,
  RULES.imageTotalCount,
  RULES.imageDimensions,
];

/** The number after `<label>` in an error's detail, e.g. the tool index after "tools[". */
function numberAfter(detail: string, label: string): string {
  const at = detail.indexOf(label);
  return at < 0 ? "0" : (/^\d+/.exec(detail.slice(at + label.length))?.[0] ?? "0");
}

/** The answer for one broken rule; `error` is the whole error string (some answers quote numbers from it). */
function answerFor(error: string): ServiceRejection {
  const rule = ruleOf(error);
  if (IMPROPERLY_FORMED_RULES.has(rule)) return IMPROPERLY_FORMED;
  switch (rule) {
    case RULES.noRoute:
      return { status: 404, body: { message: error.slice(error.indexOf(":") + 2) } };
    case RULES.bearerInvalid:
    case RULES.externalIdpTokenType:
    case RULES.apiKeyTokenType:
      return error.includes("(management)") ? MANAGEMENT_TOKEN_INVALID : BEARER_INVALID;
    case RULES.builderIdNoProfiles:
      return BUILDER_ID_NOT_SUPPORTED;
    case RULES.apiKeyNoProfileList:
      return UNSUPPORTED_TOKEN_TYPE;
    case RULES.queryParameter:
      return validationError(error.slice(error.indexOf(":") + 2));
    case RULES.profileArnRequired:
      return PROFILE_ARN_REQUIRED;
    case RULES.profileArnUnknown:
      return PROFILE_ARN_NOT_AUTHORIZED;
    case RULES.toolUseId:
    case RULES.topLevelSystemPrompt:
      return REQUEST_BODY_INVALID;
    case RULES.toolUseWithoutResult:
      return validationError(
        `tool_use ids were found without tool_result blocks immediately after: ${error.slice(error.lastIndexOf(" ") + 1)}`,
        "TOOL_USE_RESULT_MISMATCH",
      );
    case RULES.imageCount:
      // The reason is reported measured (a kiro.rs fork's src/kiro/endpoint/mod.rs); the message text is not public.
      return validationError(`Too many images in one message: more than ${MAX_IMAGES_PER_MESSAGE}.`, "IMAGE_COUNT_EXCEEDED");
    case RULES.historyEntriesCapped:
    case RULES.inputTooLong:
      return INPUT_TOO_LONG;
    case RULES.invalidModel:
      return validationError("Invalid model. Please select a different model to continue.", "INVALID_MODEL_ID");
    case RULES.toolSchemaTopLevelUnion:
      return validationError(
        `tools.${numberAfter(error, "tools[")}.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level`,
        "TOOL_SCHEMA_INVALID",
      );
    case RULES.toolSchemaNotObject:
      return validationError(
        `Bedrock error message: The value at toolConfig.tools.${numberAfter(error, "tools[")}.toolSpec.inputSchema.json.type must be one of the following: object.`,
      );
    case RULES.imageTooLarge:
      return validationError(`image exceeds 5 MB maximum: ${numberAfter(error, "base64 length ")} bytes > ${MAX_IMAGE_BASE64_BYTES} bytes`);
    case RULES.imageTotalCount:
      return validationError(`too many images and documents: ${numberAfter(error, "request has ")} + 0 > ${MAX_IMAGES_PER_REQUEST}`);
    case RULES.imageDimensions:
      return validationError(`At least one of the image dimensions exceed max allowed size for many-image requests: ${MANY_IMAGES_MAX_PIXELS} pixels`);
    default:
      return IMPROPERLY_FORMED;
  }
}

export function rejectionFor(errors: readonly string[]): ServiceRejection | undefined {
  if (errors.length === 0) return undefined;
  const rank = (error: string) => {
    const rule = ruleOf(error);
    const index = PRECEDENCE.indexOf(IMPROPERLY_FORMED_RULES.has(rule) ? "improperly-formed" : rule);
    return index < 0 ? PRECEDENCE.length : index;
  };
  const first = [...errors].sort((a, b) => rank(a) - rank(b))[0]!;
  return answerFor(first);
}

/** The `KiroIDE-x.y.z` version in either user-agent header, or undefined when neither names one. */
export function kiroIdeVersion(headers: Readonly<Record<string, string | undefined>>): [number, number, number] | undefined {
  for (const name of ["user-agent", "x-amz-user-agent"]) {
    const match = /KiroIDE-(\d+)\.(\d+)\.(\d+)/.exec(headers[name] ?? "");
    if (match) return [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  return undefined;
}

/**
 * The most history entries the service takes from this client: UNVERSIONED_CLIENT_HISTORY_CAP unless a user-agent
 * header names a Kiro IDE version of at least MIN_UNCAPPED_KIRO_IDE_VERSION (the service reads a missing one as 0.0.0).
 */
export function historyEntryCapFor(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const version = kiroIdeVersion(headers) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    if (version[i]! > MIN_UNCAPPED_KIRO_IDE_VERSION[i]!) return undefined;
    if (version[i]! < MIN_UNCAPPED_KIRO_IDE_VERSION[i]!) return UNVERSIONED_CLIENT_HISTORY_CAP;
  }
  return undefined;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBlank(value: unknown): boolean {
  return typeof value !== "string" || value.trim().length === 0;
}

export interface ValidationOptions {
  /** The most history entries accepted (see historyEntryCapFor); undefined: no cap. */
  historyEntryCap?: number;
}

/** Parses the raw body and validates it; a body that is not JSON gets the one malformed-json error. */
export function validateGenerateAssistantResponseJson(text: string, models: readonly SimModel[], o: ValidationOptions = {}): { body: unknown; errors: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { body: undefined, errors: [`${RULES.malformedJson}: ${(error as Error).message}`] };
  }
  return { body, errors: validateGenerateAssistantResponse(body, models, Buffer.byteLength(text, "utf8"), o) };
}

/**
 * Every body rule the request breaks, as "<rule>: <where and why>" strings (empty when it is well formed).
 * `bodyBytes` is the size on the wire; it defaults to the size of the body re-serialised.
 */
export function validateGenerateAssistantResponse(body: unknown, models: readonly SimModel[], bodyBytes?: number, o: ValidationOptions = {}): string[] {
  const checker = new RequestChecker(models, o);
  checker.check(body, bodyBytes ?? Buffer.byteLength(JSON.stringify(body) ?? "", "utf8"));
  return checker.errors;
}

class RequestChecker {
  readonly errors: string[] = [];
  private inputChars = 0;
  private imageCount = 0;
  private largestImageSide = 0;

  constructor(
    private readonly models: readonly SimModel[],
    private readonly o: ValidationOptions,
  ) {}

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

    if (state.systemPrompt !== undefined || body.systemPrompt !== undefined) {
      this.fail(RULES.topLevelSystemPrompt, "the body carries a systemPrompt; system text goes in the first user message");
    }

    const history = state.history === undefined ? [] : state.history;
    if (!Array.isArray(history)) return this.fail(RULES.shape, "conversationState.history is not an array");
    if (this.o.historyEntryCap !== undefined && history.length > this.o.historyEntryCap) {
      this.fail(RULES.historyEntriesCapped, `history has ${history.length} entries; a client naming no Kiro IDE version may send ${this.o.historyEntryCap}`);
    }

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
      // History may open with an assistant turn (docs/kiro-protocol.md#looser-rules).
      if (previousRole === role) this.fail(RULES.rolesAlternate, `${where} is a second ${role} message in a row`);
      if (isObject(user)) {
        this.checkUserMessage(user, where, previousToolUseIds);
        this.checkEveryUseAnswered(previousToolUseIds, user);
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
    this.checkEveryUseAnswered(previousToolUseIds, currentUser);

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

    if (this.imageCount > MAX_IMAGES_PER_REQUEST) {
      this.fail(RULES.imageTotalCount, `the request has ${this.imageCount} images, history included; at most ${MAX_IMAGES_PER_REQUEST}`);
    }
    if (this.imageCount > MANY_IMAGES_THRESHOLD && this.largestImageSide > MANY_IMAGES_MAX_PIXELS) {
      this.fail(RULES.imageDimensions, `${this.imageCount} images and one is ${this.largestImageSide} pixels on a side; above ${MANY_IMAGES_THRESHOLD} images the limit is ${MANY_IMAGES_MAX_PIXELS}`);
    }

    const model = this.checkModel(body, currentUser);
    if (model) {
      const estimatedTokens = Math.ceil(this.inputChars / CHARS_PER_TOKEN);
      if (estimatedTokens > model.tokenLimits.maxInputTokens) {
        this.fail(RULES.inputTooLong, `~${estimatedTokens} input tokens exceed ${model.modelId}'s ${model.tokenLimits.maxInputTokens}`);
      }
    }
  }

  /** Rule tool-use-without-result: every tool use of an assistant turn has its result in the very next user turn. */
  private checkEveryUseAnswered(useIds: Set<string> | undefined, user: JsonObject): void {
    if (!useIds || useIds.size === 0) return;
    const context = isObject(user.userInputMessageContext) ? user.userInputMessageContext : {};
    const answered = new Set<unknown>((Array.isArray(context.toolResults) ? context.toolResults : []).map((r) => (isObject(r) ? r.toolUseId : undefined)));
    for (const id of useIds) {
      if (!answered.has(id)) this.fail(RULES.toolUseWithoutResult, `a tool use has no tool result in the next user turn: ${id}`);
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
    const carriesResults = isObject(message.userInputMessageContext) && Array.isArray(message.userInputMessageContext.toolResults) && message.userInputMessageContext.toolResults.length > 0;
    // `content: ""` beside tool results is accepted (docs/kiro-protocol.md#looser-rules); it must still be a string.
    if (carriesResults && message.content === "") {
      // nothing to count
    } else if (isBlank(message.content)) this.fail(RULES.emptyContent, `${where}.content is empty`);
    else {
      const length = (message.content as string).length;
      this.inputChars += length;
      if (length > MAX_USER_MESSAGE_CHARS) this.fail(RULES.userMessageTooLong, `${where}.content is ${length} characters, over ${MAX_USER_MESSAGE_CHARS}`);
    }

    if (message.images !== undefined) {
      if (!Array.isArray(message.images)) this.fail(RULES.shape, `${where}.images is not an array`);
      else {
        if (message.images.length > MAX_IMAGES_PER_MESSAGE) {
          this.fail(RULES.imageCount, `${where} carries ${message.images.length} images, over ${MAX_IMAGES_PER_MESSAGE}`);
        }
        message.images.forEach((image, index) => this.checkImage(image, `${where}.images[${index}]`));
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
      if (toolUseId.length > MAX_TOOL_USE_ID_LENGTH || toolUseId.includes("|")) {
        this.fail(RULES.toolUseId, `${at}.toolUseId ${JSON.stringify(toolUseId.slice(0, 80))} is over ${MAX_TOOL_USE_ID_LENGTH} characters or contains "|"`);
      }
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
      let resultChars = 0;
      result.content.forEach((block, blockIndex) => {
        const blockAt = `${at}.content[${blockIndex}]`;
        if (!isObject(block)) return this.fail(RULES.shape, `${blockAt} is not an object`);
        if (block.image !== undefined && block.text === undefined && block.json === undefined) {
          // Accepted and silently dropped: the model never sees it (docs/kiro-protocol.md#rule-tool-result-image).
        } else if (block.json !== undefined) {
          resultChars += JSON.stringify(block.json).length;
        } else if (isBlank(block.text)) {
          this.fail(RULES.emptyContent, `${blockAt}.text is empty`);
        } else {
          resultChars += (block.text as string).length;
        }
      });
      this.inputChars += resultChars;
      if (resultChars > MAX_TOOL_RESULT_CHARS) this.fail(RULES.toolResultTooLong, `${at} is ${resultChars} characters, over ${MAX_TOOL_RESULT_CHARS}`);
    });
  }

  private checkImage(image: unknown, at: string): void {
    if (!isObject(image)) return this.fail(RULES.shape, `${at} is not an object`);
    this.imageCount++;
    if (typeof image.format !== "string" || !IMAGE_FORMATS.includes(image.format)) {
      this.fail(RULES.imageFormat, `${at}.format ${JSON.stringify(image.format)} is not one of ${IMAGE_FORMATS.join(", ")}`);
    }
    if (!isObject(image.source) || isBlank(image.source.bytes)) return this.fail(RULES.emptyContent, `${at}.source.bytes is empty`);
    const base64 = image.source.bytes as string;
    if (base64.length > MAX_IMAGE_BASE64_BYTES) this.fail(RULES.imageTooLarge, `${at}.source.bytes has base64 length ${base64.length}, over ${MAX_IMAGE_BASE64_BYTES}`);
    const size = imageDimensions(Buffer.from(base64, "base64"));
    if (size) this.largestImageSide = Math.max(this.largestImageSide, size.width, size.height);
  }

  /** Checks one assistant turn; returns the toolUseIds it carries (for the toolResults of the next user turn). */
  private checkAssistantMessage(message: JsonObject, where: string, seenIds: Set<string>, toolNames: Set<string>): Set<string> {
    const ids = new Set<string>();
    if (message.modelTag !== undefined && typeof message.modelTag !== "string") this.fail(RULES.shape, `${where}.modelTag is not a string`);
    if (isBlank(message.content)) this.fail(RULES.emptyContent, `${where}.content is empty`);
    else this.inputChars += (message.content as string).length;
    const toolUses = message.toolUses;
    if (toolUses === undefined) return ids;
    if (!Array.isArray(toolUses)) {
      this.fail(RULES.shape, `${where}.toolUses is not an array`);
      return ids;
    }
    // `toolUses: []` is accepted (docs/kiro-protocol.md#looser-rules).
    toolUses.forEach((toolUse, index) => {
      const at = `${where}.toolUses[${index}]`;
      if (!isObject(toolUse)) return this.fail(RULES.shape, `${at} is not an object`);
      if (isBlank(toolUse.toolUseId)) this.fail(RULES.shape, `${at}.toolUseId is empty`);
      else {
        const id = toolUse.toolUseId as string;
        if (id.length > MAX_TOOL_USE_ID_LENGTH || id.includes("|")) {
          this.fail(RULES.toolUseId, `${at}.toolUseId ${JSON.stringify(id.slice(0, 80))} is over ${MAX_TOOL_USE_ID_LENGTH} characters or contains "|"`);
        }
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
      else this.checkInputSchema(spec.inputSchema.json, at);
    });
    return names;
  }

  /** The rules of docs/kiro-protocol.md#tool-schemas; `at` names the tool (its index is the one the service quotes). */
  private checkInputSchema(schema: JsonObject, at: string): void {
    const unions = ["anyOf", "oneOf", "allOf"].filter((keyword) => keyword in schema);
    if (unions.length > 0) this.fail(RULES.toolSchemaTopLevelUnion, `${at} input schema has ${unions.join(", ")} at the top level`);
    if (schema.type !== "object") this.fail(RULES.toolSchemaNotObject, `${at} input schema's top-level type is ${JSON.stringify(schema.type) ?? "missing"}, not "object"`);
    if ("properties" in schema && !isObject(schema.properties)) this.fail(RULES.toolSchemaMalformed, `${at} input schema's properties is ${JSON.stringify(schema.properties)}, not an object`);
    if ("required" in schema && !(Array.isArray(schema.required) && schema.required.every((name) => typeof name === "string"))) {
      this.fail(RULES.toolSchemaMalformed, `${at} input schema's required is ${JSON.stringify(schema.required)}, not an array of names`);
    }
    for (const path of dollarPropertyPaths(schema, `${at}.inputSchema.json`)) {
      this.fail(RULES.toolSchemaDollarProperty, `${path} is a property name starting with "$"`);
    }
  }
}

/** Paths of property names that start with "$" (keys of any `properties` object, however deep). */
function dollarPropertyPaths(schema: unknown, path: string): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, index) => dollarPropertyPaths(item, `${path}[${index}]`));
  if (!isObject(schema)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(schema)) {
    if (key === "properties" && isObject(child)) {
      for (const [name, property] of Object.entries(child)) {
        if (name.startsWith("$")) found.push(`${path}.properties.${name}`);
        found.push(...dollarPropertyPaths(property, `${path}.properties.${name}`));
      }
    } else {
      found.push(...dollarPropertyPaths(child, `${path}.${key}`));
    }
  }
  return found;
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
