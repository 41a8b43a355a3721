/**
 * The in-process BM25 index as it was before the typed-array postings (`BM25Index` of
 * `@ragloom/core` at commit 689a320), frozen for side-by-side benchmarks and equivalence
 * checks: same analyzer (a frozen copy in `bm25-baseline-tokenize.ts`), same scoring and tie
 * order. Only building and searching are kept (no save/load).
 */
import { throwIfAborted, ValidationError } from "../../packages/core/src/errors/errors.js";
import { compileFilter } from "../../packages/core/src/filter/evaluate.js";
import type { Filter } from "../../packages/core/src/filter/types.js";
import { TopK } from "../../packages/core/src/math/top-k.js";
import type { Document, Metadata, ScoredDocument } from "../../packages/core/src/types/document.js";
import type { CallOptions } from "../../packages/core/src/types/embedder.js";
import { createBaselineTokenizer, type Tokenizer, type TokenizerOptions } from "./bm25-baseline-tokenize.js";

/** Options of {@link BM25Index}. */
export interface BaselineBM25Options extends TokenizerOptions {
  /**
   * Term-frequency saturation. @default 0.9 (Anserini/Pyserini's BM25 default, tuned on
   * MS MARCO; Lin et al., "Pyserini", SIGIR 2021). Elasticsearch/Lucene use 1.2.
   */
  k1?: number;
  /** Length normalisation in [0, 1]. @default 0.4 (Anserini/Pyserini default). Lucene uses 0.75. */
  b?: number;
  /** Custom analyzer; overrides the tokenizer options. */
  tokenizer?: Tokenizer;
}

interface Posting {
  docs: number[];
  tfs: number[];
}

/** Search options of {@link BM25Index.search}. */
export interface BaselineSearchOptions extends CallOptions {
  /** How many documents to return at most: a non-negative integer (any size). */
  k: number;
  /** Only documents matching this filter (metadata, `$document` for the text) are returned. */
  filter?: Filter | null;
}

/**
 * An in-process BM25 inverted index with incremental add and delete.
 *
 * Scoring is Lucene's BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework:
 * BM25 and Beyond", 2009): for each query term t,
 * `idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))` with
 * `idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))`; a query term repeated n times counts n times.
 * Scores are in [0, ∞), higher is better. Query time is proportional to the postings of the
 * query terms, not to the corpus size.
 */
export class BaselineBM25Index {
  readonly k1: number;
  readonly b: number;
  private readonly tokenize: Tokenizer;
  private readonly postings = new Map<string, Posting>();
  private readonly slotOf = new Map<string, number>();
  private ids: Array<string | undefined> = [];
  private texts: string[] = [];
  private metadatas: Metadata[] = [];
  private lengths: number[] = [];
  private termsOf: Array<string[] | undefined> = [];
  private freeSlots: number[] = [];
  private totalLength = 0;
  /** Scratch accumulators of `search`, valid for a slot only where `stamps[slot] === epoch`. */
  private scores = new Float64Array(0);
  private stamps = new Uint32Array(0);
  private epoch = 0;

  /** @throws ValidationError unless k1 >= 0 and 0 <= b <= 1. */
  constructor(options: BaselineBM25Options = {}) {
    this.k1 = options.k1 ?? 0.9;
    this.b = options.b ?? 0.4;
    if (!(this.k1 >= 0) || !(this.b >= 0 && this.b <= 1)) {
      throw new ValidationError(`BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=${this.k1}, b=${this.b}`);
    }
    this.tokenize = options.tokenizer ?? createBaselineTokenizer(options);
  }

  /** Number of indexed documents. */
  get size(): number {
    return this.slotOf.size;
  }

  /** Analyzes a text with this index's tokenizer. */
  terms(text: string): string[] {
    return this.tokenize(text);
  }

  /** Adds or replaces documents by id. */
  add(documents: Document[]): void {
    for (const doc of documents) {
      if (this.slotOf.has(doc.id)) this.remove(doc.id);
      const slot = this.freeSlots.pop() ?? this.ids.length;
      const tokens = this.tokenize(doc.text);
      // one postings lookup per token: a term seen earlier in this document ends with this slot
      const terms: string[] = [];
      for (const term of tokens) {
        let p = this.postings.get(term);
        if (!p) {
          p = { docs: [], tfs: [] };
          this.postings.set(term, p);
        }
        const last = p.docs.length - 1;
        if (last >= 0 && p.docs[last] === slot) p.tfs[last]!++;
        else {
          p.docs.push(slot);
          p.tfs.push(1);
          terms.push(term);
        }
      }
      this.ids[slot] = doc.id;
      this.texts[slot] = doc.text;
      this.metadatas[slot] = { ...doc.metadata };
      this.lengths[slot] = tokens.length;
      this.termsOf[slot] = terms;
      this.slotOf.set(doc.id, slot);
      this.totalLength += tokens.length;
    }
  }

  /** Deletes documents by id; unknown ids are ignored. */
  delete(ids: string[]): void {
    for (const id of ids) this.remove(id);
  }

  /**
   * Deletes every document whose metadata (and text, for `$document`) matches `filter`.
   * O(n) in the number of indexed documents.
   * @returns how many were deleted. @throws FilterError for an invalid filter.
   */
  deleteWhere(filter: Filter): number {
    const match = compileFilter(filter);
    const ids: string[] = [];
    for (const [id, slot] of this.slotOf) if (match(this.metadatas[slot]!, this.texts[slot]!)) ids.push(id);
    this.delete(ids);
    return ids.length;
  }

  private remove(id: string) {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    for (const term of this.termsOf[slot]!) {
      const p = this.postings.get(term)!;
      const i = p.docs.indexOf(slot);
      p.docs.splice(i, 1);
      p.tfs.splice(i, 1);
      if (p.docs.length === 0) this.postings.delete(term);
    }
    this.totalLength -= this.lengths[slot]!;
    this.ids[slot] = undefined;
    this.termsOf[slot] = undefined;
    this.texts[slot] = "";
    this.metadatas[slot] = {};
    this.slotOf.delete(id);
    this.freeSlots.push(slot);
  }

  /** Whether a document id is indexed. */
  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /**
   * Top-k documents for `query`, best first, with BM25 scores. Documents sharing no term with
   * the query are never returned (so fewer than k may come back). Memory is bounded by the
   * matching documents, not by `k`. An error (a bad filter, a filter or tokenizer that throws,
   * an abort) leaves the index as it was: the next search is unaffected.
   * @throws ValidationError when k is not a non-negative integer; FilterError for a bad filter;
   *   the signal's reason when aborted (checked between query terms).
   */
  search(query: string, options: BaselineSearchOptions): ScoredDocument[] {
    throwIfAborted(options?.signal);
    const k = options?.k;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 0)
      throw new ValidationError(`k must be a non-negative integer, got ${k}`);
    if (typeof query !== "string") throw new ValidationError("query must be a string");
    const n = this.slotOf.size;
    if (n === 0 || k === 0) return [];
    const match = options.filter ? compileFilter(options.filter) : null;
    const terms = this.tokenize(query);
    if (this.scores.length < this.ids.length) {
      this.scores = new Float64Array(this.ids.length * 2);
      this.stamps = new Uint32Array(this.ids.length * 2);
      this.epoch = 0;
    }
    // a new epoch invalidates every accumulator at once, however the previous search ended
    if (++this.epoch === 0xffffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    const { scores, stamps, epoch } = this;
    const avgdl = this.totalLength / n || 1;
    const { k1, b } = this;
    const touched: number[] = [];
    for (const term of terms) {
      throwIfAborted(options.signal);
      const p = this.postings.get(term);
      if (!p) continue;
      const df = p.docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const { docs, tfs } = p;
      for (let i = 0; i < docs.length; i++) {
        const slot = docs[i]!;
        const tf = tfs[i]!;
        if (stamps[slot] !== epoch) {
          stamps[slot] = epoch;
          scores[slot] = 0;
          touched.push(slot);
        }
        scores[slot]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.lengths[slot]!) / avgdl));
      }
    }
    const top = new TopK(Math.min(k, touched.length));
    for (const slot of touched) {
      if (match && !match(this.metadatas[slot]!, this.texts[slot]!)) continue;
      top.push(scores[slot]!, slot);
    }
    return top.sorted().map(({ index, score }) => ({
      id: this.ids[index]!,
      text: this.texts[index]!,
      metadata: { ...this.metadatas[index]! },
      score,
    }));
  }
}
