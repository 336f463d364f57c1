// Turns the context either pi generation passes to a provider into the project's Context: 1.x system messages become `systemPrompt` and `tools`.
import type { Message, Tool } from "../kiro/types";
import type { KiroContext, PiContext, PiMessage, PiSystemMessage } from "./piApi";

function isSystemMessage(message: PiMessage): message is PiSystemMessage {
  return message.role === "system";
}

function systemText(content: PiSystemMessage["content"]): string {
  if (typeof content === "string") return content;
  return content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n");
}

/**
 * Replays every system message in order, the way pi 1.x defines them: content accumulates,
 * named sections are replaced or removed, tools are added and removed. Kiro has no system
 * role at all, so the replayed state is the only thing it can be given.
 */
function replaySystemMessages(messages: readonly PiMessage[]): { prompt: string; tools: Tool[] } | undefined {
  const contents: string[] = [];
  const sections = new Map<string, string>();
  const tools = new Map<string, Tool>();
  let seen = false;
  for (const message of messages) {
    if (!isSystemMessage(message)) continue;
    seen = true;
    const text = systemText(message.content);
    if (text.length > 0) contents.push(text);
    for (const [name, value] of Object.entries(message.sections ?? {})) {
      if (value === null) sections.delete(name);
      else sections.set(name, value);
    }
    for (const removed of message.toolsRemoved ?? []) tools.delete(removed.name);
    for (const added of message.toolsAdded ?? []) tools.set(added.name, added);
  }
  if (!seen) return undefined;
  const prompt = [contents.join("\n\n"), ...sections.values()].filter((part) => part.length > 0).join("\n\n");
  return { prompt, tools: [...tools.values()] };
}

/** Keeps only what a tool declaration means to the model; TypeBox schemas carry symbol keys and functions do not serialise. */
function toolDeclaration(tool: Tool): Tool {
  return { name: tool.name, description: tool.description, parameters: JSON.parse(JSON.stringify(tool.parameters ?? {})) as Tool["parameters"] };
}

export function toKiroContext(context: PiContext): KiroContext {
  const replayed = replaySystemMessages(context.messages);
  const messages = context.messages.filter((message): message is Message => !isSystemMessage(message));
  const systemPrompt = [context.systemPrompt, replayed?.prompt].filter((part): part is string => !!part && part.length > 0).join("\n\n");
  const byName = new Map<string, Tool>();
  for (const tool of [...(context.tools ?? []), ...(replayed?.tools ?? [])]) byName.set(tool.name, tool);
  const tools = [...byName.values()];
  const result: KiroContext = { messages };
  if (systemPrompt.length > 0) result.systemPrompt = systemPrompt;
  if (tools.length > 0) result.tools = tools.map(toolDeclaration);
  return result;
}
