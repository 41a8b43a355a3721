/**
 * The inverted index behind `BM25Index`: a {@link TermDictionary} and, per term id, one
 * `Int32Array` of interleaved (slot, term frequency) pairs in insertion order. Documents are
 * added in batches built in two passes: the first analyses each document into its distinct
 * term ids and frequencies (counting, per term, the postings the batch adds), the second grows
 * each touched list once and fills it.
 */
import type { WordSink } from "./ascii-words.js";
import { hashRange, SCRATCH_A, SCRATCH_B, TermDictionary } from "./term-dictionary.js";

/** How words become terms: stop words and the stemmer, or neither (a custom tokenizer's terms). */
export interface TermRules {
  stopWords: ReadonlySet<string>;
  stem: ((token: string) => string) | undefined;
}

const NONE = new Int32Array(0);

/** Doubles an `Int32Array` until it holds `size` entries, keeping its contents. */
function grown(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (size <= array.length) return array;
  let capacity = Math.max(16, array.length);
  while (capacity < size) capacity *= 2;
  const out = new Int32Array(capacity);
  out.set(array);
  return out;
}

export class PostingLists implements WordSink {
  readonly dict = new TermDictionary();
  /** Term id → interleaved (slot, tf) pairs; the first `2 · df[id]` entries are used. */
  lists: Int32Array[] = [];
  /** Term id → document frequency (postings in `lists`). */
  df = new Int32Array(0);
  /** Term id → when it last entered the dictionary (its place in the serialised term order). */
  births = new Float64Array(0);
  private clock = 0;
  /** Ids below this are stop words (only for the built-in analyzer without a stemmer). */
  readonly stopIds: number;
  /** Whether stop words are in the dictionary, so a word is looked up once (no stemmer). */
  private readonly fast: boolean;

  // the batch being added: per document its distinct terms and their frequencies
  private pending = new Int32Array(0);
  private touched: number[] = [];
  private batchTerms = new Int32Array(1024);
  private batchTfs = new Int32Array(1024);
  private batchSize = 0;
  private batchSlots: number[] = [];
  private batchEnds: number[] = [];

  // the document being analysed
  // the dictionary entry's scratch words: the serial of the document the term was last seen in,
  // and its place in the batch then
  private serial = 0;
  private docLength = 0;
  private docStart = 0;
  private open = false;

  /** @param rules - the built-in analyzer's rules, or null for a custom tokenizer's terms. */
  constructor(private readonly rules: TermRules | null) {
    this.fast = rules !== null && rules.stem === undefined;
    if (this.fast) {
      for (const word of rules!.stopWords) {
        if (this.dict.find(word) < 0) this.addTerm(word, hashRange(word, 0, word.length));
      }
    }
    this.stopIds = this.dict.idLimit;
  }

  /** The id of a term, or -1 (stop words included). */
  find(term: string): number {
    return this.dict.find(term);
  }

  /** @returns the term's dictionary entry. */
  private addTerm(term: string, hash: number): number {
    const entry = this.dict.add(term, hash);
    const id = this.dict.idAt(entry);
    if (id >= this.df.length) {
      const capacity = Math.max(1024, 2 * this.df.length);
      this.df = grown(this.df, capacity);
      this.pending = grown(this.pending, capacity);
      const births = new Float64Array(capacity);
      births.set(this.births);
      this.births = births;
    }
    this.births[id] = ++this.clock;
    this.lists[id] = NONE;
    return entry;
  }

  /** Starts analysing the next document of the batch. */
  beginDocument(): void {
    this.open = true;
    if (++this.serial === 0x7fffffff) {
      this.dict.clearScratch(SCRATCH_A);
      this.serial = 1;
    }
    this.docLength = 0;
    this.docStart = this.batchSize;
  }

  /** Counts one occurrence of the term of a dictionary entry in the current document. */
  private count(entry: number): void {
    this.docLength++;
    const entries = this.dict.entries;
    if (entries[entry + SCRATCH_A] === this.serial) {
      this.batchTfs[entries[entry + SCRATCH_B]!]!++;
      return;
    }
    entries[entry + SCRATCH_A] = this.serial;
    if (this.batchSize === this.batchTerms.length) {
      this.batchTerms = grown(this.batchTerms, this.batchSize + 1);
      this.batchTfs = grown(this.batchTfs, this.batchSize + 1);
    }
    entries[entry + SCRATCH_B] = this.batchSize;
    this.batchTerms[this.batchSize] = this.dict.idAt(entry);
    this.batchTfs[this.batchSize++] = 1;
  }

  /** A term of a custom tokenizer (kept as it is). */
  term(term: string): void {
    const hash = hashRange(term, 0, term.length);
    const entry = this.dict.findRange(term, 0, term.length, hash);
    this.count(entry >= 0 ? entry : this.addTerm(term, hash));
  }

  /** A word of the built-in analyzer, as a range of the lower-cased text. */
  range(text: string, start: number, end: number, hash: number): void {
    if (!this.fast) {
      this.word(text.slice(start, end));
      return;
    }
    const entry = this.dict.findRange(text, start, end, hash);
    if (entry < 0) this.count(this.addTerm(text.slice(start, end), hash));
    else if (this.dict.idAt(entry) >= this.stopIds) this.count(entry);
  }

  /** A word of the built-in analyzer, as a string. */
  word(word: string): void {
    if (this.fast) {
      const hash = hashRange(word, 0, word.length);
      const entry = this.dict.findRange(word, 0, word.length, hash);
      if (entry < 0) this.count(this.addTerm(word, hash));
      else if (this.dict.idAt(entry) >= this.stopIds) this.count(entry);
      return;
    }
    const { stopWords, stem } = this.rules!;
    if (stopWords.has(word)) return;
    this.term(stem ? stem(word) : word);
  }

  /**
   * Ends the current document as `slot`'s.
   * @returns its distinct term ids (in order of first occurrence) and its length in tokens.
   */
  endDocument(slot: number): { terms: Int32Array; length: number } {
    this.open = false;
    const terms = this.batchTerms.slice(this.docStart, this.batchSize);
    for (const id of terms) if (this.pending[id]!++ === 0) this.touched.push(id);
    this.batchSlots.push(slot);
    this.batchEnds.push(this.batchSize);
    return { terms, length: this.docLength };
  }

  /** Whether documents are waiting for {@link flush}. */
  get hasPending(): boolean {
    return this.batchSlots.length > 0;
  }

  /**
   * Forgets a document whose analysis failed (a tokenizer or stemmer threw): its counts, and
   * the terms it alone brought into the dictionary.
   */
  discardDocument(): void {
    if (!this.open) return;
    this.open = false;
    for (let i = this.docStart; i < this.batchSize; i++) {
      const id = this.batchTerms[i]!;
      if (this.df[id] === 0 && this.pending[id] === 0) {
        this.lists[id] = NONE;
        this.dict.remove(id);
      }
    }
    this.batchSize = this.docStart;
  }

  /** Appends the batch's postings to the lists (each touched list grows once). */
  flush(): void {
    const { lists, df, pending } = this;
    for (const id of this.touched) {
      const list = lists[id]!;
      const need = 2 * (df[id]! + pending[id]!);
      if (list.length < need) {
        // exact for a new list; 1.5x for a list that grows again, so repeated small adds amortise
        const capacity = list.length === 0 ? need : Math.max(need, 2 * Math.ceil(list.length * 0.75));
        const next = new Int32Array(capacity);
        next.set(list.subarray(0, 2 * df[id]!));
        lists[id] = next;
      }
      pending[id] = 0;
    }
    const { batchTerms, batchTfs, batchSlots, batchEnds } = this;
    let i = 0;
    for (let d = 0; d < batchSlots.length; d++) {
      const slot = batchSlots[d]!;
      for (const end = batchEnds[d]!; i < end; i++) {
        const id = batchTerms[i]!;
        const o = 2 * df[id]!++;
        const list = lists[id]!;
        list[o] = slot;
        list[o + 1] = batchTfs[i]!;
      }
    }
    this.touched = [];
    this.batchSlots = [];
    this.batchEnds = [];
    this.batchSize = 0;
  }

  /** Adds a term absent from the dictionary with the given postings. @returns its id. */
  load(term: string, docs: ArrayLike<number>, tfs: ArrayLike<number>): number {
    const id = this.dict.idAt(this.addTerm(term, hashRange(term, 0, term.length)));
    const list = new Int32Array(2 * docs.length);
    for (let i = 0; i < docs.length; i++) {
      list[2 * i] = docs[i]!;
      list[2 * i + 1] = tfs[i]!;
    }
    this.lists[id] = list;
    this.df[id] = docs.length;
    return id;
  }

  /** Removes `slot`'s postings (its distinct term ids given); terms left without postings are dropped. */
  remove(slot: number, terms: Int32Array): void {
    const { lists, df } = this;
    for (const id of terms) {
      const list = lists[id]!;
      const n = 2 * df[id]!;
      let i = 0;
      while (list[i] !== slot) i += 2;
      list.copyWithin(i, i + 2, n);
      if (--df[id]! === 0 && this.pending[id] === 0) {
        lists[id] = NONE;
        this.dict.remove(id);
      }
    }
  }
}
