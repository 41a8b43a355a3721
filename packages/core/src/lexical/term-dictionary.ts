/**
 * Term → id dictionary that can be probed with a range of a string, so a word need not become a
 * string of its own to be looked up: open addressing with linear probing (at most half full),
 * FNV-1a hashes (Fowler, Noll, Vo) placed by Fibonacci hashing (Knuth, TAOCP vol. 3, §6.4),
 * deletion by backward shift (no tombstones), freed ids reused.
 */

const EMPTY = 0;

/** FNV-1a (32-bit) of `text[start, end)`'s UTF-16 code units. */
export function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class TermDictionary {
  /** Slot → id + 1 (0 for an empty slot). */
  private table = new Int32Array(1024);
  private bits = 10;
  /** Id → hash of its term. */
  private hashes = new Int32Array(512);
  /** Id → term ("" for a freed id). */
  private readonly terms: string[] = [];
  private readonly free: number[] = [];
  private used = 0;

  /** One more than the largest id handed out so far (ids are below it). */
  get idLimit(): number {
    return this.terms.length;
  }

  /** The term of a live id. */
  term(id: number): string {
    return this.terms[id]!;
  }

  private home(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The id of the term `text.slice(start, end)`, or -1. `hash` is {@link hashRange} of it. */
  findRange(text: string, start: number, end: number, hash: number): number {
    const { table, hashes, terms } = this;
    const mask = table.length - 1;
    const length = end - start;
    for (let s = this.home(hash); ; s = (s + 1) & mask) {
      const entry = table[s]!;
      if (entry === EMPTY) return -1;
      const id = entry - 1;
      if (hashes[id] !== hash) continue;
      const term = terms[id]!;
      if (term.length !== length) continue;
      let i = 0;
      while (i < length && term.charCodeAt(i) === text.charCodeAt(start + i)) i++;
      if (i === length) return id;
    }
  }

  /** The id of `term`, or -1. */
  find(term: string): number {
    return this.findRange(term, 0, term.length, hashRange(term, 0, term.length));
  }

  /** Adds a term that is not in the dictionary; `hash` is {@link hashRange} of it. @returns its id. */
  add(term: string, hash: number): number {
    if (2 * (this.used + 1) > this.table.length) this.rehash(this.bits + 1);
    const id = this.free.pop() ?? this.terms.length;
    if (id === this.terms.length) this.terms.push(term);
    else this.terms[id] = term;
    if (id >= this.hashes.length) {
      const hashes = new Int32Array(2 * this.hashes.length);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[id] = hash;
    const mask = this.table.length - 1;
    let s = this.home(hash);
    while (this.table[s] !== EMPTY) s = (s + 1) & mask;
    this.table[s] = id + 1;
    this.used++;
    return id;
  }

  /** Removes a live id's term; the id may be handed out again. */
  remove(id: number): void {
    const { table } = this;
    const mask = table.length - 1;
    let s = this.home(this.hashes[id]!);
    while (table[s] !== id + 1) s = (s + 1) & mask;
    table[s] = EMPTY;
    // backward shift: move later entries of the probe run into the hole when their home allows
    for (let j = (s + 1) & mask; table[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.home(this.hashes[table[j]! - 1]!);
      const stays = s <= j ? home > s && home <= j : home > s || home <= j;
      if (stays) continue;
      table[s] = table[j]!;
      table[j] = EMPTY;
      s = j;
    }
    this.terms[id] = "";
    this.free.push(id);
    this.used--;
  }

  private rehash(bits: number) {
    const old = this.table;
    this.bits = bits;
    this.table = new Int32Array(1 << bits);
    const mask = this.table.length - 1;
    for (const entry of old) {
      if (entry === EMPTY) continue;
      let s = this.home(this.hashes[entry - 1]!);
      while (this.table[s] !== EMPTY) s = (s + 1) & mask;
      this.table[s] = entry;
    }
  }
}
