// Folds the oldest exchanges of a long history into fewer entries (their text, tool calls and results as readable text), so Kiro's 198-entry cap leaves the context window to decide what is left out (docs/kiro-protocol.md#history-folding).
import type { KiroAssistantResponseMessage, KiroHistoryEntry, KiroUserInputMessage } from "../wire/wireTypes";
import { MAX_USER_MESSAGE_CHARS, truncateWithMarker } from "./serviceLimits";
import { tokensForChars } from "./tokenEstimate";
import { DETACH_OVERHEAD_TOKENS, detachToolResults, estimateEntryTokens, orphanResultParts, PLACEHOLDER_TEXTS } from "./history";

/** Pairs (user + assistant entry) a folded pair holds at first; doubled until the history fits the cap. */
export const FOLD_GROUP_PAIRS = 16;
/** Characters of transcript a folded user entry holds at most, well below the service's user-message limit. */
export const FOLD_GROUP_CHARS = Math.floor(MAX_USER_MESSAGE_CHARS * 0.6);

export const FOLD_HEADER = "[Earlier part of this conversation, kept as text because Kiro takes a limited number of history entries:]";
export const FOLD_ACKNOWLEDGEMENT = "(That was an earlier part of this conversation, kept as text.)";

export interface FoldResult {
  history: KiroHistoryEntry[];
  /** Oldest entries left out so that the folded history fits the context window (0 without a token room). */
  droppedEntries: number;
  /** Original entries now inside folded ones (0 when the history fitted). */
  foldedEntries: number;
  /** Folded user/assistant pairs at the start of the history. */
  foldedPairs: number;
  /** For each entry of `history`, how many of the original entries it stands for (a folded pair: all on its user entry). */
  originalEntries: number[];
  /** For each entry of `history`: `JSON.stringify` of it when the fold built it already (a folded user entry), else undefined. */
  entryJson: (string | undefined)[];
  /** For each entry of `history`: the UTF-8 bytes of `entryJson`, where that is given. */
  entryBytes: (number | undefined)[];
}

/**
 * Text that goes into a folded entry, with its JSON-escaped form and that form's UTF-8 size. Both are put together by
 * `+` (V8 keeps such strings as ropes), so the text of a folded exchange is escaped once and copied once, when the
 * body is joined, as an entry that is not folded is (this keeps the request build linear however much is folded).
 */
interface FoldText {
  text: string;
  json: string;
  bytes: number;
}

function foldText(text: string): FoldText {
  const json = JSON.stringify(text).slice(1, -1);
  return { text, json, bytes: Buffer.byteLength(json, "utf8") };
}

function joinFoldTexts(parts: readonly FoldText[], separator: FoldText): FoldText {
  const joined: FoldText = { text: "", json: "", bytes: 0 };
  parts.forEach((part, i) => {
    if (i > 0) {
      joined.text += separator.text;
      joined.json += separator.json;
      joined.bytes += separator.bytes;
    }
    joined.text += part.text;
    joined.json += part.json;
    joined.bytes += part.bytes;
  });
  return joined;
}

const PARAGRAPH = foldText("\n\n");
const NEWLINE = foldText("\n");
const EMPTY_TEXT = foldText("");

function assistantLines(message: KiroAssistantResponseMessage): FoldText[] {
  const lines: FoldText[] = [];
  if (!PLACEHOLDER_TEXTS.has(message.content)) lines.push(joinFoldTexts([foldText("Assistant: "), foldText(message.content)], EMPTY_TEXT));
  for (const use of message.toolUses ?? []) lines.push(foldText(`[Assistant called tool ${use.name} (call ${use.toolUseId}) with input ${JSON.stringify(use.input)}]`));
  return lines;
}

function userLines(message: KiroUserInputMessage, toolNames: ReadonlyMap<string, string>): FoldText[] {
  const lines: FoldText[] = [];
  for (const result of message.userInputMessageContext?.toolResults ?? []) {
    const text = joinFoldTexts(result.content.map((part) => foldText(part.text)), NEWLINE);
    const [heading, body] = orphanResultParts({ toolUseId: result.toolUseId, toolName: toolNames.get(result.toolUseId) ?? "", text: text.text, isError: result.status === "error" });
    lines.push(joinFoldTexts([foldText(heading), body === text.text ? text : foldText(body)], EMPTY_TEXT));
  }
  if (!PLACEHOLDER_TEXTS.has(message.content)) lines.push(joinFoldTexts([foldText("User: "), foldText(message.content)], EMPTY_TEXT));
  return lines;
}

/** The readable text of one history entry, as it goes into a folded entry. */
function transcriptOf(entry: KiroHistoryEntry, toolNames: ReadonlyMap<string, string>): FoldText {
  const lines = "userInputMessage" in entry ? userLines(entry.userInputMessage, toolNames) : assistantLines(entry.assistantResponseMessage);
  return joinFoldTexts(lines, PARAGRAPH);
}

/** A folded user entry, and its JSON built from the escaped transcript when nothing had to be cut (else left to the caller). */
function foldedUserEntry(transcript: FoldText, current: KiroUserInputMessage): { entry: KiroHistoryEntry; json?: string; bytes?: number } {
  const text = joinFoldTexts([foldText(FOLD_HEADER), transcript], PARAGRAPH);
  // One pair alone may be longer than a user message may be; its end is cut, the cut said in the text.
  const content = truncateWithMarker(text.text, MAX_USER_MESSAGE_CHARS, "earlier part");
  const entry: KiroHistoryEntry = { userInputMessage: { content, modelId: current.modelId, origin: current.origin } };
  if (content !== text.text) return { entry };
  // The same bytes JSON.stringify(entry) gives: its keys in the order the entry was made with.
  const head = '{"userInputMessage":{"content":"';
  const tail = `",${JSON.stringify({ modelId: current.modelId, origin: current.origin }).slice(1)}}`;
  return { entry, json: head + text.json + tail, bytes: Buffer.byteLength(head, "utf8") + text.bytes + Buffer.byteLength(tail, "utf8") };
}

/**
 * Where the groups to fold end (pair indexes), the fewest that bring the pairs from `first` on within `maxEntries`;
 * undefined when no grouping of this size does. Groups are cut greedily from `first`, at `groupPairs` pairs or
 * `FOLD_GROUP_CHARS` characters, so a longer session has the same first groups (the service's prompt cache keeps them).
 */
function groupEnds(first: number, pairs: number, pairChars: (pair: number) => number, groupPairs: number, maxEntries: number): number[] | undefined {
  const ends: number[] = [];
  let inGroup = 0;
  let chars = 0;
  for (let pair = first; pair < pairs; pair++) {
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
  return 2 * ends.length <= maxEntries || groupPairs >= pairs - first ? ends : undefined;
}

/**
 * Keeps the history within `maxEntries` by folding its oldest pairs, group by group, into one user entry (a transcript)
 * and one short assistant entry each; the newest pairs stay as they are. Results whose calls went into a fold move into
 * the next user message's text. With `tokenRoom` (the input tokens the history may take), the labels a transcript adds
 * are counted too: when they would take the history past the context window, just enough of the oldest pairs are left
 * out (`droppedEntries`), so the window, not a whole group, decides what goes. Linear in the history size: only the
 * folded entries are turned into text, and each try of a grouping reads the lengths of the pieces made for the first.
 * `history` must alternate, starting with a user entry and ending with an assistant one (as buildConversation makes
 * it); otherwise it is returned as it is.
 */
export function foldHistory(history: KiroHistoryEntry[], current: KiroUserInputMessage, maxEntries: number, tokenRoom = Infinity): FoldResult {
  const none = history.map(() => undefined);
  const unchanged: FoldResult = { history, droppedEntries: 0, foldedEntries: 0, foldedPairs: 0, originalEntries: history.map(() => 1), entryJson: none, entryBytes: none };
  if (history.length <= maxEntries || history.length % 2 !== 0 || maxEntries < 2) return unchanged;
  for (let i = 0; i < history.length; i++) if (("userInputMessage" in history[i]!) !== (i % 2 === 0)) return unchanged;

  const toolNames = new Map<string, string>();
  for (const entry of history) {
    if ("assistantResponseMessage" in entry) for (const use of entry.assistantResponseMessage.toolUses ?? []) toolNames.set(use.toolUseId, use.name);
  }
  const pieces: FoldText[] = [];
  const piece = (index: number): FoldText => (pieces[index] ??= transcriptOf(history[index]!, toolNames));
  const pairChars = (pair: number): number => piece(pair * 2).text.length + piece(pair * 2 + 1).text.length;
  const pairs = history.length / 2;
  const plan = (first: number): number[] => {
    let ends: number[] | undefined;
    for (let groupPairs = FOLD_GROUP_PAIRS; !ends; groupPairs *= 2) ends = groupEnds(first, pairs, pairChars, groupPairs, maxEntries);
    return ends;
  };
  let first = 0;
  let ends = plan(first);
  if (tokenRoom !== Infinity) {
    for (let excess = plannedTokens(history, current, first, ends, piece) - tokenRoom; excess > 0; excess = plannedTokens(history, current, first, ends, piece) - tokenRoom) {
      // Leave out the oldest pairs that cover the excess, as long as what is left still needs folding (else the trim
      // after the fold cuts the unfolded history, which it does finer than this).
      let next = first;
      for (let covered = 0; covered < excess && 2 * (pairs - next - 1) > maxEntries; next++) covered += tokensForChars(pairChars(next) + 2 * PARAGRAPH.text.length);
      if (next === first) break;
      first = next;
      ends = plan(first);
    }
  }
  const groups = ends.length;

  const folded: KiroHistoryEntry[] = [];
  const originalEntries: number[] = [];
  const entryJson: (string | undefined)[] = [];
  const entryBytes: (number | undefined)[] = [];
  let start = first;
  for (let g = 0; g < groups; g++) {
    const end = ends[g]!;
    const transcript = joinFoldTexts(pieces.slice(start * 2, end * 2).filter((p) => p.text), PARAGRAPH);
    const user = foldedUserEntry(transcript, current);
    folded.push(user.entry, { assistantResponseMessage: { content: FOLD_ACKNOWLEDGEMENT } });
    originalEntries.push((end - start) * 2, 0);
    entryJson.push(user.json, undefined);
    entryBytes.push(user.bytes, undefined);
    start = end;
  }
  const rest = history.slice(start * 2);
  const next = rest[0];
  detachToolResults(next && "userInputMessage" in next ? next.userInputMessage : current, (id) => toolNames.get(id));
  for (let i = 0; i < rest.length; i++) {
    originalEntries.push(1);
    entryJson.push(undefined);
    entryBytes.push(undefined);
  }
  return { history: [...folded, ...rest], droppedEntries: first * 2, foldedEntries: (start - first) * 2, foldedPairs: groups, originalEntries, entryJson, entryBytes };
}

const ACKNOWLEDGEMENT_TOKENS = tokensForChars(FOLD_ACKNOWLEDGEMENT.length);

/**
 * Estimated input tokens of the history a plan makes, as the trim after the fold counts them: each folded pair of
 * entries from the length of its transcript, the pairs left as they are entry by entry, and room for the results that
 * move into the first of them as text.
 */
function plannedTokens(history: readonly KiroHistoryEntry[], current: KiroUserInputMessage, first: number, ends: readonly number[], piece: (index: number) => FoldText): number {
  let tokens = 0;
  let start = first;
  for (const end of ends) {
    let chars = FOLD_HEADER.length;
    let texts = 0;
    for (let i = start * 2; i < end * 2; i++) {
      const length = piece(i).text.length;
      if (length === 0) continue;
      chars += length + PARAGRAPH.text.length;
      texts++;
    }
    if (texts === 0) chars += PARAGRAPH.text.length;
    tokens += tokensForChars(Math.min(chars, MAX_USER_MESSAGE_CHARS)) + ACKNOWLEDGEMENT_TOKENS;
    start = end;
  }
  for (let i = start * 2; i < history.length; i++) tokens += estimateEntryTokens(history[i]!);
  const next = history[start * 2];
  const detached = (next && "userInputMessage" in next ? next.userInputMessage : current).userInputMessageContext?.toolResults?.length ?? 0;
  return tokens + detached * DETACH_OVERHEAD_TOKENS;
}
