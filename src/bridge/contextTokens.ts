// Token estimate of a whole pi Context (system prompt, messages, tool definitions), for the agent routes' count_tokens and the input usage they report before Kiro's own count arrives; the rates are src/kiro/request/tokenEstimate.ts's.
import { estimateImageTokens, estimateTextTokens } from "../kiro/request/tokenEstimate";
import type { Context, ImageContent, Message, TextContent } from "../kiro/types";

/** Role marker and message framing. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** A tool call's, tool result's or tool definition's JSON envelope: ids, names, keys. */
const TOOL_OVERHEAD_TOKENS = 12;

function partTokens(part: TextContent | ImageContent): number {
  return part.type === "text" ? estimateTextTokens(part.text) : estimateImageTokens(Buffer.from(part.data, "base64"));
}

function messageTokens(message: Message): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  if (message.role === "user") {
    if (typeof message.content === "string") return tokens + estimateTextTokens(message.content);
    for (const part of message.content) tokens += partTokens(part);
  } else if (message.role === "toolResult") {
    tokens += TOOL_OVERHEAD_TOKENS;
    for (const part of message.content) tokens += partTokens(part);
  } else {
    for (const part of message.content) {
      if (part.type === "text") tokens += estimateTextTokens(part.text);
      else if (part.type === "thinking") tokens += estimateTextTokens(part.thinking);
      else tokens += TOOL_OVERHEAD_TOKENS + estimateTextTokens(part.name) + estimateTextTokens(JSON.stringify(part.arguments ?? {}));
    }
  }
  return tokens;
}

/** Estimated input tokens of `context` (errs on the high side, like the estimate it builds on). */
export function estimateContextTokens(context: Context): number {
  let tokens = context.systemPrompt ? estimateTextTokens(context.systemPrompt) : 0;
  for (const message of context.messages) tokens += messageTokens(message);
  for (const tool of context.tools ?? []) {
    tokens += TOOL_OVERHEAD_TOKENS + estimateTextTokens(tool.name) + estimateTextTokens(tool.description) + estimateTextTokens(JSON.stringify(tool.parameters ?? {}));
  }
  return tokens;
}
