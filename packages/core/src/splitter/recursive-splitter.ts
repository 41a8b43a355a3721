import { ValidationError } from "../errors/errors.js";
import type { Document } from "../types/document.js";

/** Options of {@link RecursiveTextSplitter}. */
export interface RecursiveTextSplitterOptions {
  /** Largest chunk, in units of `lengthFunction` (tokens when given a tokenizer). @default 256 */
  chunkSize?: number;
  /** Overlap between consecutive chunks, same units; must be < chunkSize. @default 32 */
  chunkOverlap?: number;
  /**
   * Measures a piece of text. Pass the embedder's `countTokens` to size chunks in the
   * model's tokens. @default characters (`text.length`)
   */
  lengthFunction?: (text: string) => number;
  /**
   * Separators tried in order, coarsest first; the empty string splits anywhere.
   * @default ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]
   */
  separators?: string[];
}

/** A chunk of a source text with its character offsets in that text. */
export interface TextChunk {
  text: string;
  /** Offset of the chunk's first character in the source text (UTF-16 code units). */
  start: number;
  /** Offset one past the chunk's last character. */
  end: number;
}

interface Piece {
  start: number;
  end: number;
  length: number;
}

const DEFAULT_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""];

/**
 * Recursive character/token text splitter (the scheme popularised by LangChain's
 * `RecursiveCharacterTextSplitter`): split on the coarsest separator that yields pieces no
 * larger than `chunkSize`, recursing into oversize pieces with finer separators, then merge
 * adjacent pieces greedily into chunks of at most `chunkSize` with about `chunkOverlap` of
 * overlap. Separators stay attached to the preceding piece, so every chunk is an exact
 * slice of the source and keeps its offsets.
 */
export class RecursiveTextSplitter {
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  private readonly length: (text: string) => number;
  private readonly separators: string[];

  /** @throws ValidationError when chunkSize < 1 or chunkOverlap is not in [0, chunkSize). */
  constructor(options: RecursiveTextSplitterOptions = {}) {
    this.chunkSize = options.chunkSize ?? 256;
    this.chunkOverlap = options.chunkOverlap ?? 32;
    if (!(this.chunkSize >= 1)) throw new ValidationError(`chunkSize must be >= 1, got ${this.chunkSize}`);
    if (!(this.chunkOverlap >= 0 && this.chunkOverlap < this.chunkSize)) {
      throw new ValidationError(`chunkOverlap must be in [0, chunkSize), got ${this.chunkOverlap}`);
    }
    this.length = options.lengthFunction ?? ((t) => t.length);
    this.separators = options.separators ?? DEFAULT_SEPARATORS;
  }

  /** Splits a text into chunks with offsets; whitespace-only chunks are dropped. */
  splitWithOffsets(text: string): TextChunk[] {
    if (text.length === 0) return [];
    const pieces = this.splitRecursive(text, 0, text.length, 0);
    return this.merge(text, pieces);
  }

  /** Splits a text into chunk strings. */
  splitText(text: string): string[] {
    return this.splitWithOffsets(text).map((c) => c.text);
  }

  /**
   * Splits documents into chunks. Chunk `i` of document `d` gets id `${d.id}#${i}` and
   * metadata `{ ...d.metadata, parentId: d.id, chunkIndex: i, start, end }` (character offsets).
   */
  splitDocuments(documents: Document[]): Document[] {
    const out: Document[] = [];
    for (const doc of documents) {
      this.splitWithOffsets(doc.text).forEach((c, i) => {
        out.push({
          id: `${doc.id}#${i}`,
          text: c.text,
          metadata: { ...doc.metadata, parentId: doc.id, chunkIndex: i, start: c.start, end: c.end },
        });
      });
    }
    return out;
  }

  private splitRecursive(text: string, start: number, end: number, level: number): Piece[] {
    const len = this.length(text.slice(start, end));
    if (len <= this.chunkSize) return [{ start, end, length: len }];
    for (let s = level; s < this.separators.length; s++) {
      const sep = this.separators[s]!;
      const bounds: number[] = [];
      if (sep === "") {
        // split anywhere: by code points, in halves, until pieces fit
        const mid = start + Math.floor((end - start) / 2);
        const safeMid = isLowSurrogate(text.charCodeAt(mid)) ? mid + 1 : mid;
        if (safeMid <= start || safeMid >= end) return [{ start, end, length: len }];
        return [
          ...this.splitRecursive(text, start, safeMid, s),
          ...this.splitRecursive(text, safeMid, end, s),
        ];
      }
      let from = start;
      for (;;) {
        const at = text.indexOf(sep, from);
        if (at < 0 || at + sep.length >= end) break;
        bounds.push(at + sep.length);
        from = at + sep.length;
      }
      if (bounds.length === 0) continue;
      const out: Piece[] = [];
      let prev = start;
      for (const b of [...bounds, end]) {
        out.push(...this.splitRecursive(text, prev, b, s + 1));
        prev = b;
      }
      return out;
    }
    return [{ start, end, length: len }];
  }

  private merge(text: string, pieces: Piece[]): TextChunk[] {
    const chunks: TextChunk[] = [];
    let i = 0;
    while (i < pieces.length) {
      let j = i;
      let total = 0;
      while (j < pieces.length && (j === i || total + pieces[j]!.length <= this.chunkSize)) {
        total += pieces[j]!.length;
        j++;
      }
      pushTrimmed(chunks, text, pieces[i]!.start, pieces[j - 1]!.end);
      if (j >= pieces.length) break;
      // next chunk starts with the tail of this one, up to chunkOverlap
      let back = j;
      let overlap = 0;
      while (back - 1 > i && overlap + pieces[back - 1]!.length <= this.chunkOverlap) {
        overlap += pieces[back - 1]!.length;
        back--;
      }
      i = back;
    }
    return chunks;
  }
}

function isLowSurrogate(code: number) {
  return code >= 0xdc00 && code <= 0xdfff;
}

function pushTrimmed(chunks: TextChunk[], text: string, start: number, end: number) {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (e > s) chunks.push({ text: text.slice(s, e), start: s, end: e });
}
