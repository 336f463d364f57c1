// `tool_choice: "none"` in every wire format (OpenAI's "none", Anthropic's {type:"none"}): the request offers Kiro no tools at all, which Kiro's wire has no other way to say.
import type { Context } from "../kiro/types";
import { isRecord } from "../util/json";

/** Whether the client asked for an answer without tool calls. */
export function choosesNoTools(toolChoice: unknown): boolean {
  return toolChoice === "none" || (isRecord(toolChoice) && toolChoice.type === "none");
}

/**
 * The tools to offer Kiro: none when the client chose none. Tool calls and results already in the history stay valid:
 * the Kiro request builder defines each tool name the history uses with a "no longer available" placeholder
 * (docs/kiro-protocol.md#rule-tools-missing-for-history).
 */
export function offeredTools(tools: Context["tools"], toolChoice: unknown): Pick<Context, "tools"> {
  return tools && tools.length > 0 && !choosesNoTools(toolChoice) ? { tools } : {};
}
