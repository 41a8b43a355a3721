import type { Metadata, ScoredDocument } from "@ragloom/core";

/** One retrieved document as a tool returns it to the model (plain JSON). */
export interface ToolDocument {
  /** Id of the retrieved document or chunk. */
  id: string;
  /** Its text, cut to `maxTextLength` when that is set. */
  text: string;
  /** Present (and `true`) when `text` was cut. */
  truncated?: true;
  /** The retriever's score (higher is better; its meaning is the retriever's), rounded to 4 decimals. */
  score: number;
  /** Metadata, or the `metadataFields` of it. */
  metadata: Metadata;
  /** Where the document comes from (see {@link defaultSource}). */
  source: string;
}

/** How documents are made compact. */
export interface CompactOptions {
  /** Longest `text`, in UTF-16 code units; longer texts are cut and marked `truncated`. @default no limit */
  maxTextLength?: number;
  /** Metadata fields to return. @default all */
  metadataFields?: readonly string[];
  /** The `source` of a document. @default {@link defaultSource} */
  source?: (document: ScoredDocument) => string;
}

/**
 * The `source` of a document: `metadata.source` when it is a non-empty string (loaders set it to
 * the file), else `metadata.parentId` (the source document of a chunk), else the document's id.
 */
export function defaultSource(document: ScoredDocument): string {
  const { source, parentId } = document.metadata;
  if (typeof source === "string" && source) return source;
  if (typeof parentId === "string" && parentId) return parentId;
  return document.id;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** The first `n` code units of `text`, one less when that would split a surrogate pair. */
function cutText(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** A document as plain JSON for the model (see {@link ToolDocument}). */
export function compactDocument(document: ScoredDocument, options: CompactOptions = {}): ToolDocument {
  const { maxTextLength, metadataFields } = options;
  const cut = maxTextLength !== undefined && document.text.length > maxTextLength;
  let metadata: Metadata = { ...document.metadata };
  if (metadataFields) {
    metadata = {};
    for (const f of metadataFields) {
      const v = document.metadata[f];
      if (v !== undefined) metadata[f] = v;
    }
  }
  return {
    id: document.id,
    text: cut ? cutText(document.text, maxTextLength) : document.text,
    ...(cut ? { truncated: true as const } : {}),
    score: round(document.score),
    metadata,
    source: (options.source ?? defaultSource)(document),
  };
}
