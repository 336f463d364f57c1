// The part of pi's extension API this extension uses, written structurally so it fits both pi generations without importing either package.
import type { AssistantMessageEventStream } from "../kiro/answer/eventStream";
import type { Context, Message, Model, ThinkingBudgets, ThinkingLevel, Tool } from "../kiro/types";

/**
 * pi 1.x adds a `system` role: the leading system message carries the prompt and tools, later ones
 * amend them. 0.73 never sends one. The project's own `Message` type does not know it.
 */
export interface PiSystemMessage {
  role: "system";
  content: string | { type: "text"; text: string }[];
  sections?: Record<string, string | null>;
  toolsAdded?: Tool[];
  toolsRemoved?: { name: string }[];
  timestamp: number;
}

export type PiMessage = Message | PiSystemMessage;

/** 0.73 passes a `Context`; 1.x passes a `TranscriptContext` (system messages inside `messages`, no `systemPrompt`/`tools`). */
export interface PiContext {
  systemPrompt?: string;
  tools?: Tool[];
  messages: PiMessage[];
}

/** The options pi hands a provider's `streamSimple` (SimpleStreamOptions); only the fields read here. */
export interface PiStreamOptions {
  apiKey?: string;
  signal?: AbortSignal;
  sessionId?: string;
  reasoning?: ThinkingLevel;
  thinkingBudgets?: ThinkingBudgets;
  maxTokens?: number;
  headers?: Record<string, string>;
}

export type PiStreamFunction = (model: Model, context: PiContext, options?: PiStreamOptions) => AssistantMessageEventStream;

/** One model in `registerProvider`'s legacy `ProviderConfig.models` (the same shape in both generations). */
export interface PiProviderModelConfig {
  id: string;
  name: string;
  reasoning: boolean;
  input: ("text" | "image")[];
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number };
  contextWindow: number;
  maxTokens: number;
}

export interface PiOAuthCredentials {
  refresh: string;
  access: string;
  expires: number;
  [key: string]: unknown;
}

/** 0.73 has no `onDeviceCode`; both have `onAuth` with optional instructions. */
export interface PiOAuthLoginCallbacks {
  onAuth(info: { url: string; instructions?: string }): void;
  onDeviceCode?(info: { userCode: string; verificationUri: string; intervalSeconds?: number; expiresInSeconds?: number }): void;
  onPrompt(prompt: { message: string; placeholder?: string; allowEmpty?: boolean }): Promise<string>;
  onProgress?(message: string): void;
  onSelect?(prompt: { message: string; options: { id: string; label: string }[] }): Promise<string | undefined>;
  signal?: AbortSignal;
}

export interface PiOAuthProvider {
  name: string;
  login(callbacks: PiOAuthLoginCallbacks): Promise<PiOAuthCredentials>;
  refreshToken(credentials: PiOAuthCredentials, signal?: AbortSignal): Promise<PiOAuthCredentials>;
  getApiKey(credentials: PiOAuthCredentials): string;
}

export interface PiProviderConfig {
  name?: string;
  baseUrl: string;
  apiKey: string;
  api: string;
  streamSimple: PiStreamFunction;
  models: PiProviderModelConfig[];
  oauth?: PiOAuthProvider;
}

export interface PiUi {
  notify(message: string, type?: "info" | "warning" | "error"): void;
  setStatus(key: string, text: string | undefined): void;
}

export interface PiEventContext {
  ui: PiUi;
  hasUI: boolean;
}

/** Only `message` is read; it is an assistant message when `message.role === "assistant"`. */
export interface PiMessageEndEvent {
  type: "message_end";
  message: { role: string; provider?: string; kiro?: { credits?: number; outputCapped?: { droppedToolCall?: string } } };
}

export interface PiExtensionApi {
  registerProvider(name: string, config: PiProviderConfig): void;
  on(event: "message_end", handler: (event: PiMessageEndEvent, ctx: PiEventContext) => void | Promise<void>): unknown;
  on(event: "session_start", handler: (event: unknown, ctx: PiEventContext) => void | Promise<void>): unknown;
  /** Emitted (and awaited, in 0.73 and 1.x) before pi ends or replaces a session and its ctx goes stale. */
  on(event: "session_shutdown", handler: (event: unknown, ctx: PiEventContext) => void | Promise<void>): unknown;
}

/** The project's `Context`, as `streamKiro` and the bridge expect it. */
export type KiroContext = Context;
