import { throwIfAborted, ValidationError } from "../errors/errors.js";
import { compileFilter } from "../filter/evaluate.js";
import type { Filter } from "../filter/types.js";
import { TopK } from "../math/top-k.js";
import type { Document, Metadata, ScoredDocument } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import { createTokenizer, type Tokenizer, type TokenizerOptions } from "./tokenize.js";

/** Options of {@link BM25Index}. */
export interface BM25Options extends TokenizerOptions {
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
export class BM25Index {
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
  private scores = new Float64Array(0);

  constructor(options: BM25Options = {}) {
    this.k1 = options.k1 ?? 0.9;
    this.b = options.b ?? 0.4;
    if (!(this.k1 >= 0) || !(this.b >= 0 && this.b <= 1)) {
      throw new ValidationError(`BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=${this.k1}, b=${this.b}`);
    }
    this.tokenize = options.tokenizer ?? createTokenizer(options);
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
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, count] of tf) {
        let p = this.postings.get(term);
        if (!p) {
          p = { docs: [], tfs: [] };
          this.postings.set(term, p);
        }
        p.docs.push(slot);
        p.tfs.push(count);
      }
      this.ids[slot] = doc.id;
      this.texts[slot] = doc.text;
      this.metadatas[slot] = { ...doc.metadata };
      this.lengths[slot] = tokens.length;
      this.termsOf[slot] = [...tf.keys()];
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
   * the query are never returned (so fewer than k may come back).
   * @throws ValidationError when k is not a non-negative integer; FilterError for a bad filter.
   */
  search(query: string, options: { k: number; filter?: Filter | null } & CallOptions): ScoredDocument[] {
    throwIfAborted(options.signal);
    const { k } = options;
    if (!Number.isInteger(k) || k < 0)
      throw new ValidationError(`k must be a non-negative integer, got ${k}`);
    const n = this.slotOf.size;
    if (n === 0 || k === 0) return [];
    const match = options.filter ? compileFilter(options.filter) : null;
    if (this.scores.length < this.ids.length) this.scores = new Float64Array(this.ids.length * 2);
    const scores = this.scores;
    const avgdl = this.totalLength / n || 1;
    const { k1, b } = this;
    const touched: number[] = [];
    for (const term of this.tokenize(query)) {
      const p = this.postings.get(term);
      if (!p) continue;
      const df = p.docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const { docs, tfs } = p;
      for (let i = 0; i < docs.length; i++) {
        const slot = docs[i]!;
        const tf = tfs[i]!;
        if (scores[slot] === 0) touched.push(slot);
        scores[slot]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.lengths[slot]!) / avgdl));
      }
    }
    const top = new TopK(k);
    for (const slot of touched) {
      const s = scores[slot]!;
      scores[slot] = 0;
      if (match && !match(this.metadatas[slot]!, this.texts[slot]!)) continue;
      top.push(s, slot);
    }
    return top.sorted().map(({ index, score }) => ({
      id: this.ids[index]!,
      text: this.texts[index]!,
      metadata: { ...this.metadatas[index]! },
      score,
    }));
  }
}
