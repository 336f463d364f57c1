// The entries VS Code's model picker lists for Kiro's catalog: one per model, plus a "(Thinking)" variant for Claude models that can think.
import type * as vscode from "vscode";
import type { KiroModelInfo } from "../kiro/catalog/modelInfo";

/** Suffix of the thinking variant of a reasoning model (`findModel` resolves it to the same model with thinking forced on). */
const THINKING_SUFFIX = "-thinking";

/** A Kiro model as VS Code lists it; `kiroModelId` is the id handed to the Kiro core (a `-thinking` alias for thinking variants). */
export interface KiroChatModelInformation extends vscode.LanguageModelChatInformation {
  readonly kiroModelId: string;
  readonly thinking: boolean;
}

/** One Kiro model → the entries VS Code lists: the model, plus a thinking variant for Claude models that can think. */
export function chatModelEntries(info: KiroModelInfo, region: string): KiroChatModelInformation[] {
  const imageInput = info.input.includes("image");
  const maxOutputTokens = Math.min(info.maxTokens, info.contextWindow);
  const base = {
    family: info.kiroId,
    version: info.kiroId,
    maxInputTokens: Math.max(1, info.contextWindow - maxOutputTokens),
    maxOutputTokens,
    // Every model Kiro serves takes toolSpecification; Kiro's own agent relies on it.
    capabilities: { toolCalling: true, imageInput },
  };
  const where = `Kiro (${region})`;
  const describe = (thinking: boolean): string =>
    [
      `${info.name}${thinking ? " with extended thinking" : ""}, served by Kiro (AWS) in ${region}.`,
      info.description,
      `${Math.round(info.contextWindow / 1000)}K context${imageInput ? ", images" : ""}, tools.`,
    ]
      .filter(Boolean)
      .join(" ");
  const entries: KiroChatModelInformation[] = [
    { ...base, id: info.id, name: info.name, detail: where, tooltip: describe(!!info.forceThinking), kiroModelId: info.id, thinking: !!info.forceThinking },
  ];
  const canThink = info.reasoning && !info.forceThinking && info.kiroId !== "auto" && info.kiroId.startsWith("claude");
  if (canThink) {
    entries.push({
      ...base,
      id: `${info.id}${THINKING_SUFFIX}`,
      name: `${info.name} (Thinking)`,
      detail: where,
      tooltip: describe(true),
      kiroModelId: `${info.id}${THINKING_SUFFIX}`,
      thinking: true,
    });
  }
  return entries;
}
