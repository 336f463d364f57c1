// The service's size limits, in one place with their source, and the pass that keeps a conversation within them before it is sent (docs/kiro-protocol.md#service-limits).
import type { KiroHistoryEntry, KiroImage, KiroUserInputMessage } from "../wire/wireTypes";

/**
 * History entries the service takes from a client whose user agent names no Kiro IDE version: beyond this it
 * answers 400 CONTENT_LENGTH_EXCEEDS_THRESHOLD (docs/kiro-protocol.md#user-agent). kiro-pi names itself, so it lives
 * within this cap.
 */
export const MAX_HISTORY_ENTRIES = 198;
/** Images in one request (amazon-q-developer-cli `consts.rs` MAX_NUMBER_OF_IMAGES_PER_REQUEST; the service refuses more than 10 in one message). */
export const MAX_IMAGES_PER_REQUEST = 10;
/**
 * Base64 characters per image. The official CLI checks 10 MiB of image bytes (`consts.rs` MAX_IMAGE_SIZE), but the
 * service's own answer, "image exceeds 5 MB maximum: 6714372 bytes > 5242880", measures the base64 text
 * (docs/kiro-protocol.md#images), so this is the limit that holds.
 */
export const MAX_IMAGE_BASE64_CHARS = 5_242_880;
/** Characters of one user message ("actual service limit is 600_000", amazon-q-developer-cli `consts.rs`). */
export const MAX_USER_MESSAGE_CHARS = 600_000;
/** Characters of one tool result ("actual service limit is 800_000", amazon-q-developer-cli `consts.rs`). */
export const MAX_TOOL_RESULT_CHARS = 800_000;

const HISTORY_IMAGE_TEXT = "[An image was attached here. Kiro takes images only with the latest message, so it is not sent again.]";

function imageTooLargeText(image: KiroImage): string {
  const megabytes = (decodedImageBytes(image) / (1024 * 1024)).toFixed(1);
  return `[An image of ${megabytes} MB was attached here; Kiro takes images up to about 3.75 MB (5 MB as base64), so it was not sent.]`;
}

const TOO_MANY_IMAGES_TEXT = `[More images were attached than Kiro takes in one request (${MAX_IMAGES_PER_REQUEST}); the oldest of them were not sent.]`;

/** Bytes an image's base64 text decodes to. */
export function decodedImageBytes(image: KiroImage): number {
  const text = image.source.bytes;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

/** Cuts `text` to at most `max` characters, the cut said inside the text itself so the model (and a reader) knows. */
export function truncateWithMarker(text: string, max: number, what: string): string {
  if (text.length <= max) return text;
  const marker = (cut: number): string => `\n\n[… ${cut.toLocaleString("en-US")} more characters of this ${what} were cut: Kiro takes at most ${max.toLocaleString("en-US")} characters …]`;
  const keep = max - marker(text.length).length;
  return `${text.slice(0, keep)}${marker(text.length - keep)}`;
}

function appendText(message: KiroUserInputMessage, text: string): void {
  message.content = message.content.trim() ? `${message.content}\n\n${text}` : text;
}

/** What `applyServiceLimits` changed, for the log. */
export interface LimitNotes {
  historyImages: number;
  droppedImages: number;
  oversizedImages: number;
  truncatedMessages: number;
  truncatedResults: number;
}

function limitMessageText(message: KiroUserInputMessage, notes: LimitNotes): void {
  if (message.content.length > MAX_USER_MESSAGE_CHARS) {
    message.content = truncateWithMarker(message.content, MAX_USER_MESSAGE_CHARS, "message");
    notes.truncatedMessages++;
  }
  for (const result of message.userInputMessageContext?.toolResults ?? []) {
    for (const part of result.content) {
      if (part.text.length > MAX_TOOL_RESULT_CHARS) {
        part.text = truncateWithMarker(part.text, MAX_TOOL_RESULT_CHARS, "tool result");
        notes.truncatedResults++;
      }
    }
  }
}

/**
 * Keeps a conversation within the service's limits, in place: images only on the current message (earlier ones become
 * a short note, since re-sent history images made bodies grow until they failed), at most 10 of them (the newest) and none
 * over 5 MB of base64, user messages and tool results cut with a visible marker. Runs before trimming, so sizes are measured after.
 */
export function applyServiceLimits(history: readonly KiroHistoryEntry[], current: KiroUserInputMessage): LimitNotes {
  const notes: LimitNotes = { historyImages: 0, droppedImages: 0, oversizedImages: 0, truncatedMessages: 0, truncatedResults: 0 };
  for (const entry of history) {
    if (!("userInputMessage" in entry)) continue;
    const message = entry.userInputMessage;
    if (message.images && message.images.length > 0) {
      notes.historyImages += message.images.length;
      delete message.images;
      appendText(message, HISTORY_IMAGE_TEXT);
    }
    limitMessageText(message, notes);
  }
  if (current.images && current.images.length > 0) {
    const kept: KiroImage[] = [];
    for (const image of current.images) {
      if (image.source.bytes.length > MAX_IMAGE_BASE64_CHARS) {
        notes.oversizedImages++;
        appendText(current, imageTooLargeText(image));
      } else {
        kept.push(image);
      }
    }
    if (kept.length > MAX_IMAGES_PER_REQUEST) {
      notes.droppedImages = kept.length - MAX_IMAGES_PER_REQUEST;
      kept.splice(0, notes.droppedImages);
      appendText(current, TOO_MANY_IMAGES_TEXT);
    }
    if (kept.length > 0) current.images = kept;
    else delete current.images;
  }
  limitMessageText(current, notes);
  return notes;
}

/** One log line for what `applyServiceLimits` changed; undefined when it changed nothing. */
export function describeLimitNotes(notes: LimitNotes): string | undefined {
  const parts: string[] = [];
  if (notes.historyImages) parts.push(`${notes.historyImages} earlier image(s) replaced by a note (images go only with the latest message)`);
  if (notes.droppedImages) parts.push(`${notes.droppedImages} oldest image(s) left out (at most ${MAX_IMAGES_PER_REQUEST} per request)`);
  if (notes.oversizedImages) parts.push(`${notes.oversizedImages} image(s) over 5 MB of base64 left out`);
  if (notes.truncatedMessages) parts.push(`${notes.truncatedMessages} message(s) cut to ${MAX_USER_MESSAGE_CHARS.toLocaleString("en-US")} characters`);
  if (notes.truncatedResults) parts.push(`${notes.truncatedResults} tool result(s) cut to ${MAX_TOOL_RESULT_CHARS.toLocaleString("en-US")} characters`);
  return parts.length > 0 ? `kept the request within Kiro's limits: ${parts.join("; ")}.` : undefined;
}
