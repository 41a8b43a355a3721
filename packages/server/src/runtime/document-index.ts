import type { Document, Metadata, MetadataValue } from "@ragloom/core";

/** Metadata keys the retriever adds to every chunk; not part of a source document's metadata. */
export const CHUNK_FIELDS = new Set(["parentId", "parentVersion", "chunkIndex", "start", "end"]);

/** A distinct value of a metadata field and how many source documents carry it. */
export interface FacetValue {
  value: string | number | boolean;
  count: number;
}

/** Distinct values of one field, most frequent first (ties by value). */
export interface FacetResult {
  field: string;
  values: FacetValue[];
  /** Source documents that have the field. */
  documents: number;
  /** Distinct values before `limit` was applied. */
  distinct: number;
}

/** The source-document metadata of a chunk (chunk bookkeeping fields removed). */
export function sourceMetadata(metadata: Metadata): Metadata {
  const out: Metadata = {};
  for (const [k, v] of Object.entries(metadata)) if (!CHUNK_FIELDS.has(k)) out[k] = v;
  return out;
}

interface Chunk {
  parent: string;
  metadata: Metadata;
}

/**
 * What the server knows about the chunks of one collection and their source documents
 * (metadata only, never texts or vectors). It is filled by a store scan at start and mirrors every
 * write that goes through the server's store (`mirrorStore`); it answers facets (distinct values
 * and counts per source document) and finds the chunks of a document by id.
 */
export class DocumentIndex {
  private readonly chunks = new Map<string, Chunk>();
  private readonly parents = new Map<string, Set<string>>();

  /** Number of source documents. */
  get size(): number {
    return this.parents.size;
  }

  /** Records stored chunks (metadata with `parentId`; a record without one is its own document). */
  addChunks(chunks: readonly Pick<Document, "id" | "metadata">[]): void {
    for (const c of chunks) {
      this.removeChunk(c.id);
      const parent = typeof c.metadata.parentId === "string" ? c.metadata.parentId : c.id;
      this.chunks.set(c.id, { parent, metadata: c.metadata });
      let set = this.parents.get(parent);
      if (!set) {
        set = new Set();
        this.parents.set(parent, set);
      }
      set.add(c.id);
    }
  }

  /** Forgets chunks by id (unknown ids are ignored). */
  removeChunks(ids: readonly string[]): void {
    for (const id of ids) this.removeChunk(id);
  }

  /** Forgets every chunk whose metadata matches. */
  removeWhere(matches: (metadata: Metadata) => boolean): void {
    for (const [id, c] of this.chunks) if (matches(c.metadata)) this.removeChunk(id);
  }

  private removeChunk(id: string) {
    const c = this.chunks.get(id);
    if (!c) return;
    this.chunks.delete(id);
    const set = this.parents.get(c.parent);
    set?.delete(id);
    if (set && set.size === 0) this.parents.delete(c.parent);
  }

  /** Whether a source document has stored chunks. */
  has(id: string): boolean {
    return this.parents.has(id);
  }

  /**
   * Chunk ids of a source document, or `undefined` when unknown. While a new version is being
   * written next to the old one, those of the most recently written version.
   */
  chunkIds(id: string): string[] | undefined {
    const set = this.parents.get(id);
    if (!set) return undefined;
    const ids = [...set];
    const latest = this.chunks.get(ids.at(-1)!)!.metadata.parentVersion;
    return ids.filter((c) => this.chunks.get(c)!.metadata.parentVersion === latest);
  }

  /**
   * Distinct values of `field` over the source documents, with how many documents carry each;
   * an array-valued field counts each element once per document. Chunk bookkeeping fields
   * (`parentId`, `chunkIndex`, …) have no facets.
   * @param limit - most values returned. @default 100
   */
  facet(field: string, limit = 100): FacetResult {
    const counts = new Map<string, FacetValue>();
    let documents = 0;
    if (!CHUNK_FIELDS.has(field)) {
      for (const set of this.parents.values()) {
        const last = [...set].at(-1)!;
        const v: MetadataValue | undefined = this.chunks.get(last)!.metadata[field];
        if (v === undefined) continue;
        documents++;
        const values = Array.isArray(v) ? [...new Set<string | number | boolean>(v)] : [v];
        for (const value of values) {
          const key = `${typeof value}:${String(value)}`;
          const c = counts.get(key);
          if (c) c.count++;
          else counts.set(key, { value, count: 1 });
        }
      }
    }
    const values = [...counts.values()].sort(
      (a, b) =>
        b.count - a.count ||
        (String(a.value) < String(b.value) ? -1 : String(a.value) > String(b.value) ? 1 : 0),
    );
    return { field, values: values.slice(0, limit), documents, distinct: values.length };
  }
}

/**
 * Rebuilds a source document from its chunks using the splitter's character offsets
 * (`start`/`end`), so overlapping text appears once. Chunks without offsets are joined with a
 * blank line.
 */
export function joinChunks(chunks: readonly Document[]): string {
  const withOffsets = chunks.every(
    (c) => typeof c.metadata.start === "number" && typeof c.metadata.end === "number",
  );
  if (!withOffsets) return chunks.map((c) => c.text).join("\n\n");
  const sorted = [...chunks].sort((a, b) => (a.metadata.start as number) - (b.metadata.start as number));
  let text = "";
  let pos = 0;
  for (const c of sorted) {
    const start = c.metadata.start as number;
    const end = c.metadata.end as number;
    if (end <= pos) continue;
    if (start > pos && text) text += " ";
    text += c.text.slice(Math.max(0, pos - start));
    pos = end;
  }
  return text;
}
