import { type Document, type Metadata, RecursiveTextSplitter, ValidationError } from "@ragloom/core";

/** One level of a {@link HierarchicalSplitter}. */
export interface SplitLevel {
  /**
   * Largest chunk of this level, in tokens when the splitter has a tokenizer, else characters.
   * `Infinity` makes the whole source document one chunk (LangChain's "full document" parent).
   */
  chunkSize: number;
  /** Overlap between consecutive sibling chunks, same unit, < chunkSize. @default 0 */
  chunkOverlap?: number;
  /** Separators tried coarsest first. @default RecursiveTextSplitter's (paragraph, line, sentence, word, character) */
  separators?: string[];
}

/** Something that counts tokens; an `Embedder` from `@ragloom/core` fits. */
export interface TokenCounter {
  /** Tokens of `text` (without special tokens). When absent, sizes fall back to characters. */
  countTokens?(text: string): number;
  /** Names the tokenizer in the splitter's fingerprint (e.g. the embedder's model id). */
  modelId?: string;
}

/** Options of {@link createHierarchicalSplitter}. */
export interface HierarchicalSplitterOptions {
  /**
   * Levels from the largest (level 0, the top parents) to the smallest (the leaf children that
   * get embedded); at least two, with strictly decreasing `chunkSize`.
   */
  levels: SplitLevel[];
  /**
   * Sizes chunks in this tokenizer's tokens (pass the embedder so chunks fit its window).
   * Without one, or without `countTokens`, sizes are in characters (UTF-16 code units).
   * @default characters
   */
  tokenizer?: TokenCounter;
  /** Called when the splitter changes something on its own (a reserved metadata key overwritten). @default console.warn */
  onWarning?: (message: string) => void;
}

/**
 * Metadata every chunk carries (besides a copy of its source document's metadata, so filters on
 * source attributes work on chunks):
 * - `sourceId`: id of the source document;
 * - `level`: 0 for the top parents, `levels - 1` for the leaves;
 * - `parentId`: id of the chunk one level up (absent on level 0);
 * - `chunkIndex`: position among the chunks of the same parent (or of the source on level 0);
 * - `start`, `end`: character offsets (UTF-16) of the chunk in the source text, `end` exclusive;
 * - `childCount`: number of children (absent on leaves).
 */
export const CHUNK_KEYS = [
  "sourceId",
  "level",
  "parentId",
  "chunkIndex",
  "start",
  "end",
  "childCount",
] as const;

/** A chunk produced by the splitter; see {@link CHUNK_KEYS} for its metadata. */
export interface HierarchicalChunk extends Document {
  metadata: Metadata & {
    sourceId: string;
    level: number;
    parentId?: string;
    chunkIndex: number;
    start: number;
    end: number;
    childCount?: number;
  };
}

/** Options of {@link HierarchicalSplitter.split}. */
export interface SplitOptions {
  /** Chunk ids are `${idPrefix}#${path}`. @default the document's id */
  idPrefix?: string;
}

/** A multi-level parent/child splitter. */
export interface HierarchicalSplitter {
  /** Number of levels (≥ 2); the leaves are level `depth - 1`. */
  readonly depth: number;
  /** Unit of `chunkSize` and `chunkOverlap`. */
  readonly unit: "tokens" | "characters";
  /** A string that changes whenever the chunking would (levels, unit, tokenizer id). */
  readonly fingerprint: string;
  /**
   * Splits one document into chunks of every level, parents before their children (pre-order).
   * Chunk ids are `${idPrefix}#${path}`, where `path` is the dot-joined chunk index at each level
   * (`doc#1` is the second top parent, `doc#1.0` its first child). Each child is cut from its
   * parent's text, so it never crosses a parent boundary. A whitespace-only text yields `[]`.
   */
  split(document: Document, options?: SplitOptions): HierarchicalChunk[];
  /** {@link split} over many documents, concatenated. */
  splitDocuments(documents: Document[]): HierarchicalChunk[];
}

/**
 * Creates a hierarchical splitter: level 0 splits the source text, every further level splits
 * each chunk of the level above with a {@link RecursiveTextSplitter} of its own size. This is the
 * node hierarchy of LlamaIndex's `HierarchicalNodeParser` (defaults there: 2048/512/128 tokens),
 * and with two levels the parent/child split of LangChain's `ParentDocumentRetriever`.
 * @throws ValidationError for fewer than two levels, non-decreasing sizes or bad overlaps.
 */
export function createHierarchicalSplitter(options: HierarchicalSplitterOptions): HierarchicalSplitter {
  const levels = options?.levels;
  if (!Array.isArray(levels) || levels.length < 2) {
    throw new ValidationError("levels must list at least two levels (parents, then children)");
  }
  levels.forEach((level, i) => {
    if (!(level.chunkSize >= 1))
      throw new ValidationError(`levels[${i}].chunkSize must be >= 1, got ${level.chunkSize}`);
    if (i > 0 && !(level.chunkSize < levels[i - 1]!.chunkSize)) {
      throw new ValidationError(
        `levels[${i}].chunkSize (${level.chunkSize}) must be smaller than levels[${i - 1}].chunkSize (${levels[i - 1]!.chunkSize})`,
      );
    }
  });
  const warn = options.onWarning ?? ((m: string) => console.warn(`[ragloom] ${m}`));
  const count = options.tokenizer?.countTokens?.bind(options.tokenizer);
  if (options.tokenizer && !count) warn("the tokenizer has no countTokens: chunk sizes are in characters");
  const unit = count ? "tokens" : "characters";
  const splitters = levels.map(
    (level) =>
      new RecursiveTextSplitter({
        chunkSize: level.chunkSize,
        chunkOverlap: level.chunkOverlap ?? 0,
        lengthFunction: count,
        separators: level.separators,
      }),
  );
  const fingerprint = JSON.stringify({
    unit,
    tokenizer: count ? (options.tokenizer?.modelId ?? "custom") : null,
    levels: levels.map((l) => [
      l.chunkSize === Number.POSITIVE_INFINITY ? "inf" : l.chunkSize,
      l.chunkOverlap ?? 0,
      l.separators ?? null,
    ]),
  });
  const depth = levels.length;
  const warned = new Set<string>();

  function split(document: Document, splitOptions: SplitOptions = {}): HierarchicalChunk[] {
    if (!document || typeof document.id !== "string" || document.id.length === 0) {
      throw new ValidationError("a document needs a non-empty string id");
    }
    if (typeof document.text !== "string")
      throw new ValidationError(`document "${document.id}" has no string text`);
    const base = { ...(document.metadata ?? {}) };
    for (const key of CHUNK_KEYS) {
      if (key in base && !warned.has(key)) {
        warned.add(key);
        warn(`source metadata key "${key}" is reserved for chunk structure and is overwritten on chunks`);
      }
      delete base[key];
    }
    const prefix = splitOptions.idPrefix ?? document.id;
    const out: HierarchicalChunk[] = [];
    const walk = (
      text: string,
      offset: number,
      level: number,
      parentId: string | undefined,
      path: number[],
    ): number => {
      const pieces = splitters[level]!.splitWithOffsets(text);
      pieces.forEach((piece, index) => {
        const childPath = [...path, index];
        const chunk: HierarchicalChunk = {
          id: `${prefix}#${childPath.join(".")}`,
          text: piece.text,
          metadata: {
            ...base,
            sourceId: document.id,
            level,
            chunkIndex: index,
            start: offset + piece.start,
            end: offset + piece.end,
          },
        };
        if (parentId !== undefined) chunk.metadata.parentId = parentId;
        out.push(chunk);
        if (level + 1 < depth) {
          chunk.metadata.childCount = walk(piece.text, offset + piece.start, level + 1, chunk.id, childPath);
        }
      });
      return pieces.length;
    };
    walk(document.text, 0, 0, undefined, []);
    return out;
  }

  return {
    depth,
    unit,
    fingerprint,
    split,
    splitDocuments: (documents) => documents.flatMap((d) => split(d)),
  };
}
