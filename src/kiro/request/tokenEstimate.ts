// Token estimates, defined once: the budget rate the request builder trims by, and the closer text/image estimate vscode.lm's countTokens reports.
//
// estimateTextTokens / estimateImageTokens (countTokens). Accuracy: Claude's tokenizer is not public, so this is an estimate, tuned to err on the high side (VS Code uses it to decide
// what fits; overcounting trims a little early, undercounting ends in "Input is too long"):
// - ASCII text (English, code, JSON) costs one token per 3.5 characters. Claude 3+ tokenizers land at roughly 3.5–4.2 characters
//   per token for English prose and 3–3.8 for code, so expect about −10 % … +20 % on such text.
//   Measured against Anthropic's published (Claude 2 era) tokenizer: this project's TypeScript +6 % overall (worst file +16 %),
//   English Markdown +4 % (worst ±13 %), JSON −6 %.
// - Every other code point (accented letters, CJK, emoji) counts as one token: CJK is close to 1 token per character; accented
//   Latin text is overcounted.
// - Tool calls and tool results add a fixed overhead for their JSON envelope; images follow Anthropic's published rule,
//   tokens ≈ width × height / 750 after scaling the long edge down to 1568 px, at most ~1600 per image.
//
// The request builder instead counts four characters per token (CHARS_PER_TOKEN) over the JSON it sends: one division per
// history entry keeps trimming linear on multi-megabyte histories, and the estimate only decides where to trim; the
// service's own "Input is too long" answer stays the final word (src/kiro/errors.ts).

/** Characters per token for budgets over request JSON (history trimming, first-token timeout, usage when none is reported). */
export const CHARS_PER_TOKEN = 4;

/** Tokens for `chars` characters at the budget rate. */
export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

const ASCII_CHARS_PER_TOKEN = 3.5;
/** Anthropic: images are scaled so the long edge is at most 1568 px, and cost about (w × h) / 750 tokens, ~1600 at most. */
const IMAGE_MAX_EDGE = 1568;
const IMAGE_PIXELS_PER_TOKEN = 750;
/** The most one image costs; also the budget charged per image when its size is not read. */
export const IMAGE_TOKENS = 1600;

/** Token estimate for plain text. */
export function estimateTextTokens(text: string): number {
  if (text.length === 0) return 0;
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.codePointAt(0)! < 0x80) ascii++;
    else other++;
  }
  return Math.ceil(ascii / ASCII_CHARS_PER_TOKEN) + other;
}

export interface ImageSize {
  width: number;
  height: number;
}

function readUInt32BE(data: Uint8Array, offset: number): number {
  return ((data[offset] << 24) >>> 0) + (data[offset + 1] << 16) + (data[offset + 2] << 8) + data[offset + 3];
}

function readUInt16BE(data: Uint8Array, offset: number): number {
  return (data[offset] << 8) + data[offset + 1];
}

function readUInt16LE(data: Uint8Array, offset: number): number {
  return data[offset] + (data[offset + 1] << 8);
}

function readUInt24LE(data: Uint8Array, offset: number): number {
  return data[offset] + (data[offset + 1] << 8) + (data[offset + 2] << 16);
}

function jpegSize(data: Uint8Array): ImageSize | undefined {
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: readUInt16BE(data, offset + 5), width: readUInt16BE(data, offset + 7) };
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    offset += 2 + readUInt16BE(data, offset + 2);
  }
  return undefined;
}

function webpSize(data: Uint8Array): ImageSize | undefined {
  const chunk = String.fromCharCode(data[12], data[13], data[14], data[15]);
  if (chunk === "VP8 " && data.length >= 30) return { width: readUInt16LE(data, 26) & 0x3fff, height: readUInt16LE(data, 28) & 0x3fff };
  if (chunk === "VP8L" && data.length >= 25) {
    const bits = data[21] | (data[22] << 8) | (data[23] << 16) | (data[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && data.length >= 30) return { width: readUInt24LE(data, 24) + 1, height: readUInt24LE(data, 27) + 1 };
  return undefined;
}

/** Width and height from a PNG, JPEG, GIF or WebP header; undefined when the bytes are none of these. */
export function imageSize(data: Uint8Array): ImageSize | undefined {
  if (data.length >= 24 && data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) {
    return { width: readUInt32BE(data, 16), height: readUInt32BE(data, 20) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) return jpegSize(data);
  if (data.length >= 10 && data[0] === 0x47 && data[1] === 0x49 && data[2] === 0x46) {
    return { width: readUInt16LE(data, 6), height: readUInt16LE(data, 8) };
  }
  if (data.length >= 16 && String.fromCharCode(data[0], data[1], data[2], data[3]) === "RIFF" && String.fromCharCode(data[8], data[9], data[10], data[11]) === "WEBP") {
    return webpSize(data);
  }
  return undefined;
}

/** Tokens for one image; an image whose size cannot be read costs the maximum. */
export function estimateImageTokens(data: Uint8Array): number {
  const size = imageSize(data);
  if (!size || size.width <= 0 || size.height <= 0) return IMAGE_TOKENS;
  const scale = Math.min(1, IMAGE_MAX_EDGE / Math.max(size.width, size.height));
  const pixels = size.width * scale * (size.height * scale);
  return Math.min(IMAGE_TOKENS, Math.max(1, Math.ceil(pixels / IMAGE_PIXELS_PER_TOKEN)));
}

