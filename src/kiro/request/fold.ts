// Folds the oldest exchanges of a long history into fewer entries (their text, tool calls and results as readable text), so Kiro's 198-entry cap leaves the context window to decide what is left out (docs/kiro-protocol.md#history-folding).
import type { KiroAssistantResponseMessage, KiroHistoryEntry, KiroUserInputMessage } from "../wire/wireTypes";
import { MAX_USER_MESSAGE_CHARS, truncateWithMarker } from "./serviceLimits";
import { detachToolResults, orphanResultText, PLACEHOLDER_TEXTS } from "./history";

/** Pairs (user + assistant entry) a folded pair holds at first; doubled until the history fits the cap. */
export const FOLD_GROUP_PAIRS = 16;
/** Characters of transcript a folded user entry holds at most, well below the service's user-message limit. */
export const FOLD_GROUP_CHARS = Math.floor(MAX_USER_MESSAGE_CHARS * 0.6);

export const FOLD_HEADER = "[Earlier part of this conversation, kept as text because Kiro takes a limited number of history entries:]";
export const FOLD_ACKNOWLEDGEMENT = "(That was an earlier part of this conversation, kept as text.)";

export interface FoldResult {
  history: KiroHistoryEntry[];
  /** Original entries now inside folded ones (0 when the history fitted). */
  foldedEntries: number;
  /** Folded user/assistant pairs at the start of the history. */
  foldedPairs: number;
  /** For each entry of `history`, how many of the original entries it stands for (a folded pair: all on its user entry). */
  originalEntries: number[];
}

function assistantLines(message: KiroAssistantResponseMessage): string[] {
  const lines: string[] = [];
  if (!PLACEHOLDER_TEXTS.has(message.content)) lines.push(`Assistant: ${message.content}`);
  for (const use of message.toolUses ?? []) lines.push(`[Assistant called tool ${use.name} (call ${use.toolUseId}) with input ${JSON.stringify(use.input)}]`);
  return lines;
}

function userLines(message: KiroUserInputMessage, toolNames: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const result of message.userInputMessageContext?.toolResults ?? []) {
    const text = result.content.map((part) => part.text).join("\n");
    lines.push(orphanResultText({ toolUseId: result.toolUseId, toolName: toolNames.get(result.toolUseId) ?? "", text, isError: result.status === "error" }));
  }
  if (!PLACEHOLDER_TEXTS.has(message.content)) lines.push(`User: ${message.content}`);
  return lines;
}

/** The readable text of one history entry, as it goes into a folded entry. */
function transcriptOf(entry: KiroHistoryEntry, toolNames: ReadonlyMap<string, string>): string {
  const lines = "userInputMessage" in entry ? userLines(entry.userInputMessage, toolNames) : assistantLines(entry.assistantResponseMessage);
  return lines.join("\n\n");
}

/**
 * Where the groups to fold end (pair indexes), the fewest that bring the history within `maxEntries`; undefined when
 * no grouping of this size does. Groups are cut greedily from the first pair, at `groupPairs` pairs or
 * `FOLD_GROUP_CHARS` characters, so a longer session has the same first groups (the service's prompt cache keeps them).
 */
function groupEnds(pairs: number, pairChars: (pair: number) => number, groupPairs: number, maxEntries: number): number[] | undefined {
  const ends: number[] = [];
  let inGroup = 0;
  let chars = 0;
  for (let pair = 0; pair < pairs; pair++) {
    const size = pairChars(pair);
    if (inGroup > 0 && (inGroup === groupPairs || chars + size > FOLD_GROUP_CHARS)) {
      ends.push(pair);
      // Folding these groups leaves one pair each and the pairs from here on.
      if (2 * ends.length + 2 * (pairs - pair) <= maxEntries) return ends;
      inGroup = 0;
      chars = 0;
    }
    inGroup++;
    chars += size;
  }
  ends.push(pairs);
  return 2 * ends.length <= maxEntries || groupPairs >= pairs ? ends : undefined;
}

/**
 * Keeps the history within `maxEntries` by folding its oldest pairs, group by group, into one user entry (a transcript)
 * and one short assistant entry each; the newest pairs stay as they are. Results whose calls went into a fold move into
 * the next user message's text. Linear in the history size: only the folded entries are turned into text. `history`
 * must alternate, starting with a user entry and ending with an assistant one (as buildConversation makes it);
 * otherwise it is returned as it is.
 */
export function foldHistory(history: KiroHistoryEntry[], current: KiroUserInputMessage, maxEntries: number): FoldResult {
  const unchanged: FoldResult = { history, foldedEntries: 0, foldedPairs: 0, originalEntries: history.map(() => 1) };
  if (history.length <= maxEntries || history.length % 2 !== 0 || maxEntries < 2) return unchanged;
  for (let i = 0; i < history.length; i++) if (("userInputMessage" in history[i]!) !== (i % 2 === 0)) return unchanged;

  const toolNames = new Map<string, string>();
  for (const entry of history) {
    if ("assistantResponseMessage" in entry) for (const use of entry.assistantResponseMessage.toolUses ?? []) toolNames.set(use.toolUseId, use.name);
  }
  const pieces: string[] = [];
  const piece = (index: number): string => (pieces[index] ??= transcriptOf(history[index]!, toolNames));
  const pairs = history.length / 2;
  let ends: number[] | undefined;
  for (let groupPairs = FOLD_GROUP_PAIRS; !ends; groupPairs *= 2) {
    ends = groupEnds(pairs, (pair) => piece(pair * 2).length + piece(pair * 2 + 1).length, groupPairs, maxEntries);
  }
  const groups = ends.length;

  const folded: KiroHistoryEntry[] = [];
  const originalEntries: number[] = [];
  let start = 0;
  for (let g = 0; g < groups; g++) {
    const end = ends[g]!;
    const transcript = pieces.slice(start * 2, end * 2).filter((p) => p).join("\n\n");
    folded.push(
      // One pair alone may be longer than a user message may be; its end is cut, the cut said in the text.
      { userInputMessage: { content: truncateWithMarker(`${FOLD_HEADER}\n\n${transcript}`, MAX_USER_MESSAGE_CHARS, "earlier part"), modelId: current.modelId, origin: current.origin } },
      { assistantResponseMessage: { content: FOLD_ACKNOWLEDGEMENT } },
    );
    originalEntries.push((end - start) * 2, 0);
    start = end;
  }
  const rest = history.slice(start * 2);
  const next = rest[0];
  detachToolResults(next && "userInputMessage" in next ? next.userInputMessage : current, (id) => toolNames.get(id));
  for (let i = 0; i < rest.length; i++) originalEntries.push(1);
  return { history: [...folded, ...rest], foldedEntries: start * 2, foldedPairs: groups, originalEntries };
}
