// The JSON shapes of a generateAssistantResponse body (docs/kiro-protocol.md#request-body), shared by the history, limit and request builders.
import type { JsonSchema } from "../types";
import type { AdditionalModelRequestFields } from "../request/thinkingConfig";

export type KiroImageFormat = "png" | "jpeg" | "gif" | "webp";

export interface KiroImage {
  format: KiroImageFormat;
  source: { bytes: string };
}

export interface KiroToolResult {
  toolUseId: string;
  content: { text: string }[];
  status: "success" | "error";
}

export interface KiroToolSpec {
  toolSpecification: { name: string; description: string; inputSchema: { json: JsonSchema } };
}

export interface KiroUserInputMessage {
  content: string;
  modelId: string;
  /** `AI_EDITOR` on the q host, `KIRO_CLI` on the runtime host (src/kiro/endpoints.ts originFor). */
  origin: "AI_EDITOR" | "KIRO_CLI";
  images?: KiroImage[];
  userInputMessageContext?: { tools?: KiroToolSpec[]; toolResults?: KiroToolResult[] };
}

export interface KiroToolUse {
  toolUseId: string;
  name: string;
  input: Record<string, unknown>;
}

export interface KiroAssistantResponseMessage {
  content: string;
  toolUses?: KiroToolUse[];
  reasoningContent?: { reasoningText: { text: string; signature: string } };
  /** The `modelTag` the answer's events carried, echoed so the service keeps the model's reasoning (docs/kiro-protocol.md#reasoning-replay). */
  modelTag?: string;
}

export type KiroHistoryEntry = { userInputMessage: KiroUserInputMessage } | { assistantResponseMessage: KiroAssistantResponseMessage };

export interface KiroRequestBody {
  conversationState: {
    conversationId: string;
    chatTriggerType: "MANUAL";
    agentTaskType: "vibe";
    currentMessage: { userInputMessage: KiroUserInputMessage };
    history?: KiroHistoryEntry[];
  };
  profileArn?: string;
  /** Sent on the runtime host only (docs/kiro-protocol.md#hosts). */
  agentMode?: "vibe";
  additionalModelRequestFields?: AdditionalModelRequestFields;
}

