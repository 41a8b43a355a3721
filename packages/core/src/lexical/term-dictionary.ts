/**
 * Term → id dictionary that can be probed with a range of a string, so a word need not become a
 * string of its own to be looked up: open addressing with linear probing (at most half full),
 * FNV-1a hashes (Fowler, Noll, Vo) placed by Fibonacci hashing (Knuth, TAOCP vol. 3, §6.4),
 * deletion by backward shift (no tombstones), freed ids reused.
 *
 * Each slot is one 32-byte entry: id + 1, hash, two words of caller scratch (an index counts a
 * document's terms there, so a lookup and the count touch one cache line), the term's length and
 * its first 12 code units packed 8 bits each when they are all below 256 (then a term of at most
 * 12 code units is compared without reading its string).
 */

/** Int32 words per entry, and the fields of an entry. */
export const ENTRY = 8;
const ID = 0;
const HASH = 1;
/** First and second caller scratch words of an entry (0 in a new entry). */
export const SCRATCH_A = 2;
export const SCRATCH_B = 3;
const LENGTH = 4;
const PACKED = 5;
/** Set in the length field when the first 12 code units are not all below 256. */
const UNPACKED = 1 << 30;
const PACK = 12;

/** FNV-1a (32-bit) of `text[start, end)`'s UTF-16 code units. */
export function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class TermDictionary {
  /** The entries, `ENTRY` words per slot; replaced when the table grows. */
  entries = new Int32Array(ENTRY * 1024);
  private bits = 10;
  /** Id → hash of its term. */
  private hashes = new Int32Array(512);
  /** Id → term ("" for a freed id). */
  private readonly terms: string[] = [];
  private readonly free: number[] = [];
  private used = 0;
  // the packed form of the last range looked up
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private packedLength = 0;

  /** One more than the largest id handed out so far (ids are below it). */
  get idLimit(): number {
    return this.terms.length;
  }

  /** The term of a live id. */
  term(id: number): string {
    return this.terms[id]!;
  }

  /** The id in the entry at word offset `entry` (a slot times {@link ENTRY}). */
  idAt(entry: number): number {
    return this.entries[entry + ID]! - 1;
  }

  private home(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** Packs `text[start, end)` into w0..w2 and packedLength (its length, or flagged). */
  private pack(text: string, start: number, end: number): void {
    const length = end - start;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    const n = length < PACK ? length : PACK;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(start + i);
      if (c > 255) {
        this.packedLength = length | UNPACKED;
        return;
      }
      const shift = (i & 3) << 3;
      if (i < 4) w0 |= c << shift;
      else if (i < 8) w1 |= c << shift;
      else w2 |= c << shift;
    }
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.packedLength = length;
  }

  /**
   * The word offset of the entry of the term `text.slice(start, end)`, or -1; `hash` is
   * {@link hashRange} of it. Entries move when terms are added or removed.
   */
  findRange(text: string, start: number, end: number, hash: number): number {
    this.pack(text, start, end);
    const { entries, w0, w1, w2, packedLength } = this;
    const mask = entries.length - ENTRY;
    const length = end - start;
    for (let e = this.home(hash) * ENTRY; ; e = (e + ENTRY) & mask) {
      const id = entries[e + ID]!;
      if (id === 0) return -1;
      if (entries[e + HASH] !== hash || entries[e + LENGTH] !== packedLength) continue;
      let from = 0;
      if (packedLength < UNPACKED) {
        if (entries[e + PACKED] !== w0 || entries[e + PACKED + 1] !== w1 || entries[e + PACKED + 2] !== w2)
          continue;
        if (length <= PACK) return e;
        from = PACK;
      }
      const term = this.terms[id - 1]!;
      let i = from;
      while (i < length && term.charCodeAt(i) === text.charCodeAt(start + i)) i++;
      if (i === length) return e;
    }
  }

  /** The id of `term`, or -1. */
  find(term: string): number {
    const e = this.findRange(term, 0, term.length, hashRange(term, 0, term.length));
    return e < 0 ? -1 : this.entries[e + ID]! - 1;
  }

  /**
   * Adds a term that is not in the dictionary; `hash` is {@link hashRange} of it.
   * @returns the word offset of its entry (scratch words 0); its id is {@link idAt} that.
   */
  add(term: string, hash: number): number {
    if (2 * (this.used + 1) > this.entries.length / ENTRY) this.rehash(this.bits + 1);
    const id = this.free.pop() ?? this.terms.length;
    if (id === this.terms.length) this.terms.push(term);
    else this.terms[id] = term;
    if (id >= this.hashes.length) {
      const hashes = new Int32Array(2 * this.hashes.length);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[id] = hash;
    const { entries } = this;
    const mask = entries.length - ENTRY;
    let e = this.home(hash) * ENTRY;
    while (entries[e + ID] !== 0) e = (e + ENTRY) & mask;
    this.pack(term, 0, term.length);
    entries[e + ID] = id + 1;
    entries[e + HASH] = hash;
    entries[e + SCRATCH_A] = 0;
    entries[e + SCRATCH_B] = 0;
    entries[e + LENGTH] = this.packedLength;
    entries[e + PACKED] = this.packedLength < UNPACKED ? this.w0 : 0;
    entries[e + PACKED + 1] = this.packedLength < UNPACKED ? this.w1 : 0;
    entries[e + PACKED + 2] = this.packedLength < UNPACKED ? this.w2 : 0;
    this.used++;
    return e;
  }

  /** Sets scratch word `field` ({@link SCRATCH_A} or {@link SCRATCH_B}) of every entry to 0. */
  clearScratch(field: number): void {
    for (let e = field; e < this.entries.length; e += ENTRY) this.entries[e] = 0;
  }

  /** Removes a live id's term; the id may be handed out again. */
  remove(id: number): void {
    const { entries } = this;
    const mask = entries.length - ENTRY;
    let s = this.home(this.hashes[id]!) * ENTRY;
    while (entries[s + ID] !== id + 1) s = (s + ENTRY) & mask;
    entries.fill(0, s, s + ENTRY);
    // backward shift: move later entries of the probe run into the hole when their home allows
    for (let j = (s + ENTRY) & mask; entries[j + ID] !== 0; j = (j + ENTRY) & mask) {
      const home = this.home(entries[j + HASH]!) * ENTRY;
      const stays = s <= j ? home > s && home <= j : home > s || home <= j;
      if (stays) continue;
      entries.copyWithin(s, j, j + ENTRY);
      entries.fill(0, j, j + ENTRY);
      s = j;
    }
    this.terms[id] = "";
    this.free.push(id);
    this.used--;
  }

  private rehash(bits: number) {
    const old = this.entries;
    this.bits = bits;
    const entries = new Int32Array(ENTRY << bits);
    const mask = entries.length - ENTRY;
    for (let o = 0; o < old.length; o += ENTRY) {
      if (old[o + ID] === 0) continue;
      let e = this.home(old[o + HASH]!) * ENTRY;
      while (entries[e + ID] !== 0) e = (e + ENTRY) & mask;
      entries.set(old.subarray(o, o + ENTRY), e);
    }
    this.entries = entries;
  }
}
