import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { throwIfAborted, ValidationError } from "../errors/errors.js";
import { compileFilter } from "../filter/evaluate.js";
import type { Filter } from "../filter/types.js";
import { TopK } from "../math/top-k.js";
import { writeFileAtomic } from "../stores/snapshot-file.js";
import type { Document, Metadata, ScoredDocument } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { LexicalIndex } from "../types/lexical-index.js";
import { type Analyzer, createAnalyzer, TermList } from "./analyzer.js";
import { type AnalyzerDescriptor, type BM25State, decodeBM25, encodeBM25 } from "./bm25-file.js";
import { PostingLists } from "./bm25-postings.js";
import { exportPostings, importPostings } from "./bm25-state.js";
import { ENGLISH_STOP_WORDS } from "./stop-words.js";
import type { Tokenizer, TokenizerOptions } from "./tokenize.js";

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

/** Options of {@link BM25Index.load} and {@link BM25Index.deserialize}: the analyzer of the saved index. */
export interface BM25LoadOptions extends TokenizerOptions {
  /** The custom analyzer the index was built with (required when it was built with one). */
  tokenizer?: Tokenizer;
}

/** Describes an analyzer as far as it can be compared (stop words by a SHA-256 digest). */
function describeAnalyzer(options: BM25LoadOptions): AnalyzerDescriptor {
  if (options.tokenizer) return { kind: "custom" };
  const words = [...(options.stopWords ?? ENGLISH_STOP_WORDS)].sort().join("\n");
  return {
    kind: "default",
    locale: options.locale ?? "en",
    stopWords: createHash("sha256").update(words).digest("hex").slice(0, 16),
    stem: options.stem !== undefined,
  };
}

/** Search options of {@link BM25Index.search}. */
export interface BM25SearchOptions extends CallOptions {
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
export class BM25Index implements LexicalIndex {
  readonly k1: number;
  readonly b: number;
  /** The built-in analyzer, or null when a custom tokenizer is set. */
  private readonly analyzer: Analyzer | null;
  private readonly tokenizer: Tokenizer | undefined;
  private readonly postings: PostingLists;
  private readonly slotOf = new Map<string, number>();
  private ids: Array<string | undefined> = [];
  private texts: string[] = [];
  private metadatas: Metadata[] = [];
  /** Slot → document length in tokens. */
  private lengths = new Int32Array(0);
  /** Slot → the document's distinct term ids. */
  private termsOf: Array<Int32Array | undefined> = [];
  private freeSlots: number[] = [];
  private totalLength = 0;
  /** Scratch accumulators of `search`, valid for a slot only where `stamps[slot] === epoch`. */
  private scores = new Float64Array(0);
  private stamps = new Uint32Array(0);
  private epoch = 0;
  private readonly descriptor: AnalyzerDescriptor;
  private saving: Promise<unknown> = Promise.resolve();

  /** @throws ValidationError unless k1 >= 0 and 0 <= b <= 1. */
  constructor(options: BM25Options = {}) {
    this.k1 = options.k1 ?? 0.9;
    this.b = options.b ?? 0.4;
    if (!(this.k1 >= 0) || !(this.b >= 0 && this.b <= 1)) {
      throw new ValidationError(`BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=${this.k1}, b=${this.b}`);
    }
    this.tokenizer = options.tokenizer;
    this.analyzer = options.tokenizer ? null : createAnalyzer(options);
    this.postings = new PostingLists(this.analyzer);
    this.descriptor = describeAnalyzer(options);
  }

  /** Number of indexed documents. */
  get size(): number {
    return this.slotOf.size;
  }

  /** Analyzes a text with this index's tokenizer. */
  terms(text: string): string[] {
    if (this.tokenizer) return this.tokenizer(text);
    const { stopWords, stem } = this.analyzer!;
    const list = new TermList(stopWords, stem);
    this.analyzer!.visit(text, list);
    return list.terms;
  }

  /**
   * Adds or replaces documents by id. Terms are counted per document, then each term's postings
   * grow once per call. If the tokenizer throws, the documents before the failing one are added.
   */
  add(documents: Document[]): void {
    const p = this.postings;
    try {
      for (const doc of documents) {
        if (this.slotOf.has(doc.id)) {
          if (p.hasPending) p.flush();
          this.remove(doc.id);
        }
        const slot = this.freeSlots.pop() ?? this.ids.length;
        p.beginDocument();
        if (this.analyzer) this.analyzer.visit(doc.text, p);
        else for (const term of this.tokenizer!(doc.text)) p.term(term);
        const { terms, length } = p.endDocument(slot);
        if (slot >= this.lengths.length) {
          const lengths = new Int32Array(Math.max(1024, 2 * slot));
          lengths.set(this.lengths);
          this.lengths = lengths;
        }
        this.ids[slot] = doc.id;
        this.texts[slot] = doc.text;
        this.metadatas[slot] = { ...doc.metadata };
        this.lengths[slot] = length;
        this.termsOf[slot] = terms;
        this.slotOf.set(doc.id, slot);
        this.totalLength += length;
      }
    } finally {
      p.discardDocument();
      p.flush();
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
    this.postings.remove(slot, this.termsOf[slot]!);
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
  search(query: string, options: BM25SearchOptions): ScoredDocument[] {
    throwIfAborted(options?.signal);
    const k = options?.k;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 0)
      throw new ValidationError(`k must be a non-negative integer, got ${k}`);
    if (typeof query !== "string") throw new ValidationError("query must be a string");
    const n = this.slotOf.size;
    if (n === 0 || k === 0) return [];
    const match = options.filter ? compileFilter(options.filter) : null;
    const terms = this.terms(query);
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
    const { scores, stamps, epoch, lengths } = this;
    const avgdl = this.totalLength / n || 1;
    const { k1, b } = this;
    const { dict, lists, df } = this.postings;
    const touched: number[] = [];
    for (const term of terms) {
      throwIfAborted(options.signal);
      const id = dict.find(term);
      if (id < 0 || df[id] === 0) continue;
      const f = df[id]!;
      const idf = Math.log(1 + (n - f + 0.5) / (f + 0.5));
      const list = lists[id]!;
      for (let i = 0, end = 2 * f; i < end; i += 2) {
        const slot = list[i]!;
        const tf = list[i + 1]!;
        if (stamps[slot] !== epoch) {
          stamps[slot] = epoch;
          scores[slot] = 0;
          touched.push(slot);
        }
        scores[slot]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * lengths[slot]!) / avgdl));
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

  /** The index's state with documents renumbered 0..n-1 in slot order (free slots dropped). */
  private toState(): BM25State {
    const renumber = new Int32Array(this.ids.length).fill(-1);
    const ids: string[] = [];
    const texts: string[] = [];
    const metadatas: Metadata[] = [];
    const lengths: number[] = [];
    for (let slot = 0; slot < this.ids.length; slot++) {
      const id = this.ids[slot];
      if (id === undefined) continue;
      renumber[slot] = ids.length;
      ids.push(id);
      texts.push(this.texts[slot]!);
      metadatas.push(this.metadatas[slot]!);
      lengths.push(this.lengths[slot]!);
    }
    const postings = exportPostings(this.postings, renumber);
    return { k1: this.k1, b: this.b, analyzer: this.descriptor, ids, texts, metadatas, lengths, postings };
  }

  /**
   * The whole index (documents, postings, k1, b, a description of the analyzer) as bytes: the
   * magic `RAGLOOM-BM1`, a uint64 header length, a JSON header, the postings as little-endian
   * uint32 and a SHA-256 checksum. {@link BM25Index.deserialize} gives an index with identical
   * search results (same scores and tie order).
   */
  serialize(): Uint8Array {
    return Buffer.concat(encodeBM25(this.toState()));
  }

  /**
   * Writes {@link serialize}'s bytes to `path` atomically (a unique temporary file, fsynced,
   * renamed over `path`); the contents are taken when `save` is called and saves of one index
   * run one after the other.
   * @throws the file system's error; `path` is then untouched.
   */
  save(path: string): Promise<void> {
    const chunks = encodeBM25(this.toState());
    const run = this.saving.then(() => writeFileAtomic(path, chunks));
    this.saving = run.catch(() => {});
    return run;
  }

  /**
   * Rebuilds an index from {@link serialize}'s bytes. k1 and b come from the bytes; the analyzer
   * cannot be stored (it may be code), so pass the same tokenizer options the index was built
   * with: a different built-in analyzer (locale, stop words, stemmer or not) is refused, a custom
   * `tokenizer` or `stem` must be given again (and is trusted to be the same).
   * @param source - name used in error messages. @default "BM25 index bytes"
   * @throws CorruptFileError for bytes that are not a valid index; ValidationError when the
   *   analyzer options do not match the saved index.
   */
  static deserialize(
    bytes: Uint8Array,
    options: BM25LoadOptions = {},
    source = "BM25 index bytes",
  ): BM25Index {
    const state = decodeBM25(bytes, source);
    const wanted = describeAnalyzer(options);
    const saved = state.analyzer;
    if (saved.kind === "custom" && wanted.kind !== "custom") {
      throw new ValidationError(`${source} was built with a custom tokenizer: pass it as options.tokenizer`);
    }
    if (saved.kind === "default" && JSON.stringify(saved) !== JSON.stringify(wanted)) {
      throw new ValidationError(
        `${source} was built with another analyzer (${JSON.stringify(saved)}), not ${JSON.stringify(wanted)}`,
      );
    }
    const index = new BM25Index({ ...options, k1: state.k1, b: state.b });
    index.ids = state.ids;
    index.texts = state.texts;
    index.metadatas = state.metadatas;
    index.lengths = Int32Array.from(state.lengths);
    index.termsOf = importPostings(index.postings, state.postings, state.ids.length);
    state.ids.forEach((id, slot) => index.slotOf.set(id, slot));
    index.totalLength = state.lengths.reduce((sum, l) => sum + l, 0);
    return index;
  }

  /**
   * Loads an index written by {@link save}; see {@link BM25Index.deserialize} for `options`.
   * @throws CorruptFileError, ValidationError as {@link BM25Index.deserialize}; the file system's error.
   */
  static async load(path: string, options: BM25LoadOptions = {}): Promise<BM25Index> {
    return BM25Index.deserialize(await readFile(path), options, path);
  }
}
