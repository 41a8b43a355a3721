/**
 * Fixed-capacity selection of the `k` largest scores, for hot loops: no allocation per
 * candidate. Keeps a binary min-heap of (score, index) in typed arrays.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly indices: Int32Array;
  private size = 0;
  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(1, k));
    this.indices = new Int32Array(Math.max(1, k));
  }

  /** The smallest kept score, or -Infinity while fewer than `k` are kept. */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  /** Offers a candidate; kept if it beats the current k-th best. */
  push(score: number, index: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.scores[i] = this.scores[parent]!;
        this.indices[i] = this.indices[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.indices[i] = index;
      return;
    }
    if (score <= this.scores[0]!) return;
    // replace root and sift down
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.scores[r]! < this.scores[l]! ? r : l;
      if (this.scores[c]! >= score) break;
      this.scores[i] = this.scores[c]!;
      this.indices[i] = this.indices[c]!;
      i = c;
    }
    this.scores[i] = score;
    this.indices[i] = index;
  }

  /** Kept candidates, best first (ties broken by lower index). */
  sorted(): Array<{ index: number; score: number }> {
    const out: Array<{ index: number; score: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ index: this.indices[i]!, score: this.scores[i]! });
    out.sort((a, b) => b.score - a.score || a.index - b.index);
    return out;
  }
}
