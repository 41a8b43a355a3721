import { ValidationError } from "../errors/errors.js";

/** Initial heap capacity when `k` is large: the heap grows by doubling up to `k`. */
const INITIAL_CAPACITY = 1024;

/**
 * Fixed-capacity selection of the `k` largest scores, for hot loops: no allocation per
 * candidate. Keeps a binary min-heap of (score, index) in typed arrays that start at
 * min(k, 1024) entries and double as candidates arrive, so memory is O(min(k, pushes)): a
 * huge `k` (e.g. 1e9, "everything") costs nothing up front.
 */
export class TopK {
  private scores: Float64Array;
  private indices: Int32Array;
  private size = 0;
  /**
   * @param k - how many to keep, a non-negative integer (any size; callers may pass more than
   *   the candidates there are).
   * @throws ValidationError when `k` is not a non-negative integer.
   */
  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 0)
      throw new ValidationError(`k must be a non-negative integer, got ${k}`);
    const capacity = Math.max(1, Math.min(k, INITIAL_CAPACITY));
    this.scores = new Float64Array(capacity);
    this.indices = new Int32Array(capacity);
  }

  /** Number of candidates kept so far (at most `k`). */
  get length(): number {
    return this.size;
  }

  private grow() {
    const capacity = Math.min(this.k, this.scores.length * 2);
    const scores = new Float64Array(capacity);
    const indices = new Int32Array(capacity);
    scores.set(this.scores);
    indices.set(this.indices);
    this.scores = scores;
    this.indices = indices;
  }

  /** The smallest kept score, or -Infinity while fewer than `k` are kept. */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  /** Whether (s1, i1) ranks below (s2, i2): lower score, or equal score and higher index. */
  private static worse(s1: number, i1: number, s2: number, i2: number): boolean {
    return s1 < s2 || (s1 === s2 && i1 > i2);
  }

  /**
   * Offers a candidate; kept if it beats the current k-th best. Order is score descending,
   * then index ascending, so equal scores keep the earliest candidates.
   */
  push(score: number, index: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k && this.size === this.scores.length) this.grow();
    const sc = this.scores;
    const ix = this.indices;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!TopK.worse(score, index, sc[parent]!, ix[parent]!)) break;
        sc[i] = sc[parent]!;
        ix[i] = ix[parent]!;
        i = parent;
      }
      sc[i] = score;
      ix[i] = index;
      return;
    }
    if (!TopK.worse(sc[0]!, ix[0]!, score, index)) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && TopK.worse(sc[r]!, ix[r]!, sc[l]!, ix[l]!) ? r : l;
      if (!TopK.worse(sc[c]!, ix[c]!, score, index)) break;
      sc[i] = sc[c]!;
      ix[i] = ix[c]!;
      i = c;
    }
    sc[i] = score;
    ix[i] = index;
  }

  /** Kept candidates, best first (ties broken by lower index). */
  sorted(): Array<{ index: number; score: number }> {
    const out: Array<{ index: number; score: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ index: this.indices[i]!, score: this.scores[i]! });
    out.sort((a, b) => b.score - a.score || a.index - b.index);
    return out;
  }
}
