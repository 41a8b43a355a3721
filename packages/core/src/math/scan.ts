import { type QuantizedQuery, quantizeQuery } from "./quantize.js";
import type { RowStorage } from "./row-storage.js";
import { GATHER_ROWS } from "./segment.js";
import { TopK } from "./top-k.js";

/** A kept row: global row number and exact score (cosine similarity). */
export interface RowHit {
  index: number;
  score: number;
}

/** Whether row `row` passes the query's filter. */
export type RowPredicate = (row: number) => boolean;

/** What a quantised selection did, for measurement. */
export interface QuantizedStats {
  /** Rows rescored against the float32 rows. */
  rescored: number;
  /** Whether the error bound did not prove the candidates sufficient, so more rows were rescored. */
  widened: boolean;
}

/**
 * Writes the normalised query into slot `slot` of every segment, with its int8 codes when the
 * quantised scan will run.
 */
export function prepareQuery(
  storage: RowStorage,
  slot: number,
  q: Float32Array,
  quantized: boolean,
): QuantizedQuery | null {
  const qq = quantized ? quantizeQuery(q, storage.layout.bytes, storage.maxRowError) : null;
  for (const seg of storage.segments) seg.setQuery(slot, q, qq?.codes);
  return qq;
}

/**
 * Runs the kernel over rows [0, n): exact float32 dot products, or the int8 approximation when
 * `queryScale` is given. The scores land in each segment's slot (`Segment.scores`).
 */
export function scanRows(storage: RowStorage, slot: number, n: number, queryScale?: number) {
  for (let s = 0; s < storage.segments.length; s++) {
    const count = storage.rowsIn(s, n);
    if (count === 0) break;
    const seg = storage.segments[s]!;
    if (queryScale === undefined) seg.scanExact(slot, count);
    else seg.scanApprox(slot, count, queryScale);
  }
}

/** Whether the kernel can select the top-k itself (no filter, k within its heap). */
export function kernelSelects(storage: RowStorage, k: number, match: RowPredicate | null): boolean {
  return storage.simd && match === null && k <= GATHER_ROWS;
}

/**
 * The int8 scan ({@link scanRows} with `queryScale`) and the kernel's selection of the `k` best
 * ({@link selectInSegments}) in one pass per segment; needs {@link kernelSelects} and k ≥ 1.
 * Returns the counts per segment, for {@link selectQuantized}'s `selected`.
 */
export function scanSelectRows(
  storage: RowStorage,
  slot: number,
  n: number,
  queryScale: number,
  k: number,
): number[] {
  const counts: number[] = [];
  for (let s = 0; s < storage.segments.length; s++) {
    const count = storage.rowsIn(s, n);
    if (count === 0) break;
    counts.push(storage.segments[s]!.scanApproxSelect(slot, count, queryScale, k, s * storage.segmentRows));
  }
  return counts;
}

/** Runs the kernel's selection in every segment (a worker may do this instead); returns the counts. */
export function selectInSegments(storage: RowStorage, slot: number, n: number, k: number): number[] {
  const counts: number[] = [];
  for (let s = 0; s < storage.segments.length; s++) {
    const count = storage.rowsIn(s, n);
    if (count === 0) break;
    counts.push(storage.segments[s]!.selectTop(slot, count, k, s * storage.segmentRows));
  }
  return counts;
}

/** Merges the per-segment selections ({@link selectInSegments}) into one top-k. */
export function mergeSelected(storage: RowStorage, slot: number, k: number, counts: number[]): TopK {
  const top = new TopK(
    Math.min(
      k,
      counts.reduce((a, b) => a + b, 0),
    ),
  );
  counts.forEach((count, s) => {
    const { scores, rows } = storage.segments[s]!.selected(slot, count);
    for (let j = 0; j < count; j++) top.push(scores[j]!, rows[j]!);
  });
  return top;
}

/**
 * Selects the top-k of rows [0, n) from the scores a scan left in slot `slot`, best first, ties
 * by lower row; `match` is evaluated only on rows that would enter the top-k. Without a filter
 * and for k ≤ 1,024 the kernel selects (a heap in WebAssembly), else a JavaScript loop.
 * @param selected - counts of a selection the kernel already made in the segments (by a worker).
 */
export function selectTop(
  storage: RowStorage,
  slot: number,
  n: number,
  k: number,
  match: RowPredicate | null,
  selected?: number[],
): TopK {
  if (selected) return mergeSelected(storage, slot, Math.min(k, n), selected);
  if (kernelSelects(storage, k, match)) {
    return mergeSelected(storage, slot, Math.min(k, n), selectInSegments(storage, slot, n, Math.min(k, n)));
  }
  const top = new TopK(Math.min(k, n));
  const R = storage.segmentRows;
  for (let s = 0; s < storage.segments.length; s++) {
    const count = storage.rowsIn(s, n);
    if (count === 0) break;
    const scores = storage.segments[s]!.scores(slot, count);
    const base = s * R;
    let threshold = top.threshold; // a local: the getter per row costs as much as the kernel
    for (let r = 0; r < count; r++) {
      const score = scores[r]!;
      if (score < threshold) continue;
      if (match && !match(base + r)) continue;
      top.push(score, base + r);
      threshold = top.threshold;
    }
  }
  return top;
}

/** Exact scores of `rows` (global, ascending), through each segment's gather kernel. */
export function rescore(storage: RowStorage, slot: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length);
  const local = new Int32Array(rows.length);
  const R = storage.segmentRows;
  let from = 0;
  while (from < rows.length) {
    const s = Math.floor(rows[from]! / R);
    let to = from;
    while (to < rows.length && Math.floor(rows[to]! / R) === s) {
      local[to] = rows[to]! - s * R;
      to++;
    }
    storage.segments[s]!.scoresAt(slot, local, from, to, out);
    from = to;
  }
  return out;
}

function topOf(rows: Int32Array, scores: Float32Array, k: number): TopK {
  const top = new TopK(Math.min(k, rows.length));
  for (let j = 0; j < rows.length; j++) top.push(scores[j]!, rows[j]!);
  return top;
}

/**
 * The `want` best rows by approximate score (ascending row order), the lowest of their scores,
 * and whether fewer rows than that matched. A single segment's kernel selection is read as it is.
 */
function candidateRows(
  storage: RowStorage,
  slot: number,
  n: number,
  want: number,
  match: RowPredicate | null,
  selected?: number[],
): { rows: Int32Array; lowest: number; short: boolean } {
  if (selected?.length === 1 && selected[0]! > 0) {
    // the kernel's heap: its root is the lowest score
    const { scores, rows } = storage.segments[0]!.selected(slot, selected[0]!);
    return { rows: rows.slice().sort(), lowest: scores[0]!, short: false };
  }
  const approx = selectTop(storage, slot, n, want, match, selected);
  const kept = approx.sorted();
  return {
    rows: Int32Array.from(kept, (h) => h.index).sort(),
    lowest: kept.length > 0 ? kept[kept.length - 1]!.score : Number.NEGATIVE_INFINITY,
    short: kept.length < approx.k,
  };
}

/**
 * Exact top-k from the int8 scores a quantised scan left in slot `slot`: the `candidates` best
 * rows by approximate score (among those that `match`) are rescored against the float32 rows.
 * Every other row scores at most `a + bound` exactly, `a` the lowest candidate's approximate
 * score and `bound` the query's error bound ({@link QuantizedQuery.bound}); when that is below
 * the k-th exact score the candidates provably hold the top-k. Otherwise every row whose
 * approximate score is within `bound` of the k-th exact score is rescored too. Either way the
 * result is the exact top-k, with the same scores and tie order as the float32 scan.
 */
export function selectQuantized(
  storage: RowStorage,
  slot: number,
  n: number,
  k: number,
  candidates: number,
  bound: number,
  match: RowPredicate | null,
  stats?: QuantizedStats,
  selected?: number[],
): RowHit[] {
  const { rows, lowest, short } = candidateRows(storage, slot, n, Math.max(k, candidates), match, selected);
  const exact = rescore(storage, slot, rows);
  const top = topOf(rows, exact, k);
  if (stats) {
    stats.rescored = rows.length;
    stats.widened = false;
  }
  // fewer candidates than asked: every matching row was rescored
  if (short || top.length < k) return top.sorted();
  const kth = top.threshold;
  if (lowest + bound < kth) return top.sorted();

  const wide: number[] = [];
  const R = storage.segmentRows;
  for (let s = 0; s < storage.segments.length; s++) {
    const count = storage.rowsIn(s, n);
    if (count === 0) break;
    const scores = storage.segments[s]!.scores(slot, count);
    for (let r = 0; r < count; r++) {
      if (scores[r]! + bound < kth) continue;
      if (match && !match(s * R + r)) continue;
      wide.push(s * R + r);
    }
  }
  const wideRows = Int32Array.from(wide);
  if (stats) {
    stats.rescored += wideRows.length;
    stats.widened = true;
  }
  return topOf(wideRows, rescore(storage, slot, wideRows), k).sorted();
}
