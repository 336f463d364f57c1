// Puts an earlier answer's thinking (and its signature) and Kiro's modelTag back into the history when VS Code's chat sent that answer without them.
//
// Copilot Chat 0.67 (VS Code 1.139) renders the thinking of an earlier turn only for endpoints whose API type is
// "responses" or adaptive-thinking "messages"; an extension's model has neither, so from the second turn on Kiro would
// see the earlier answers without their reasoning (docs/vscode-chat.md#thinking-parts-and-the-reasoning-signature).
// The provider remembers the thinking of the answers it gave, keyed by what VS Code does send back (the answer's text
// and tool call ids), and restores it for the same model. VS Code's messages have no place for the `modelTag` Kiro put on
// an answer either; it is remembered the same way and echoed on that answer (docs/kiro-protocol.md#reasoning-replay).
import type { AssistantMessage, Context, ThinkingContent } from "../kiro/types";

/** Answers remembered per window; the oldest are forgotten first. */
const MAX_REMEMBERED = 200;

/** What identifies an answer in a later history: its text (whitespace-trimmed) and its tool call ids. */
function answerKey(message: Pick<AssistantMessage, "content">): string | undefined {
  const text = message.content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("")
    .trim();
  const calls = message.content.flatMap((c) => (c.type === "toolCall" ? [c.id] : []));
  if (text === "" && calls.length === 0) return undefined;
  return JSON.stringify([text, calls]);
}

export class ChatThinkingMemory {
  private readonly remembered = new Map<string, { model: string; thinking: ThinkingContent[]; modelTag?: string }>();

  /** Keeps the signed thinking and the modelTag of a finished answer of `model`; an answer with neither is not kept. */
  remember(model: string, answer: AssistantMessage | undefined): void {
    if (!answer) return;
    const thinking = answer.content.filter((c): c is ThinkingContent => c.type === "thinking" && !!c.thinkingSignature);
    const modelTag = answer.kiro?.modelTag;
    const key = answerKey(answer);
    if ((thinking.length === 0 && !modelTag) || !key) return;
    this.remembered.delete(key);
    this.remembered.set(key, { model, thinking: thinking.map((t) => ({ ...t })), ...(modelTag ? { modelTag } : {}) });
    while (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value as string);
  }

  /**
   * The context with the remembered thinking put back in front of each of `model`'s earlier answers that came without
   * any, and the remembered modelTag on each that has none.
   */
  restore(model: string, context: Context): Context {
    if (this.remembered.size === 0) return context;
    let restored = 0;
    const messages = context.messages.map((message) => {
      if (message.role !== "assistant") return message;
      const key = answerKey(message);
      const memory = key ? this.remembered.get(key) : undefined;
      if (!memory || memory.model !== model) return message;
      const addThinking = memory.thinking.length > 0 && !message.content.some((c) => c.type === "thinking");
      const addTag = memory.modelTag !== undefined && !message.kiro?.modelTag;
      if (!addThinking && !addTag) return message;
      restored++;
      return {
        ...message,
        ...(addThinking ? { content: [...memory.thinking.map((t) => ({ ...t })), ...message.content] } : {}),
        ...(addTag ? { kiro: { ...message.kiro, modelTag: memory.modelTag } } : {}),
      };
    });
    return restored > 0 ? { ...context, messages } : context;
  }
}
