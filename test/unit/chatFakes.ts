// Look-alikes of VS Code's language-model part classes, so the chat conversion can be tested under plain node.
import type { ChatPartKit } from "../../src/vscode/chatConversion";

export class TextPart {
  constructor(public value: string) {}
}
export class ToolCallPart {
  constructor(public callId: string, public name: string, public input: object) {}
}
export class ToolResultPart {
  constructor(public callId: string, public content: unknown[]) {}
}
export class DataPart {
  constructor(public data: Uint8Array, public mimeType: string) {}
  static image(data: Uint8Array, mimeType: string): DataPart {
    return new DataPart(data, mimeType);
  }
}
export class PromptTsxPart {
  constructor(public value: unknown) {}
}
export class ThinkingPart {
  constructor(public value: string | string[], public id?: string, public metadata?: { readonly [key: string]: unknown }) {}
}

/** A kit like the one VS Code 1.139 offers (thinking and data parts present). */
export const fullKit: ChatPartKit = { TextPart, ToolCallPart, ToolResultPart, DataPart, PromptTsxPart, ThinkingPart };
/** A kit like VS Code 1.104's finalized API: no thinking part, no data part class. */
export const oldKit: ChatPartKit = { TextPart, ToolCallPart, ToolResultPart, PromptTsxPart };

export function message(role: number, content: unknown[]): { role: number; content: unknown[]; name: undefined } {
  return { role, content, name: undefined };
}

/** A minimal 1×1-style PNG header with the given size (only the IHDR part the size reader looks at). */
export function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return bytes;
}

/** A JPEG start with an APP0 segment, then an SOF0 frame header carrying the size. */
export function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array(14).fill(0)];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, ...new Array(9).fill(0)];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0]);
}
