import { describe, expect, it } from "vitest";
import { CODE_MAX, quantizeInto, quantizeQuery } from "./quantize.js";
import { RowStorage } from "./row-storage.js";
import { prepareQuery, rescore, scanRows, scanSelectRows, selectInSegments } from "./scan.js";

let seed = 3;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const unit = (d: number) => {
  const v = Float32Array.from({ length: d }, rand);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

function storage(d: number, n: number, segmentRows?: number) {
  const s = new RowStorage({ dimensions: d, initialCapacity: 1, simd: true, quantize: true, segmentRows });
  s.ensureCapacity(n);
  const vectors = Array.from({ length: n }, () => unit(d));
  vectors.forEach((v, i) => s.setRow(i, v, 1));
  return { s, vectors };
}

describe("int8 kernel (scores_i8)", () => {
  for (const [d, n] of [
    [8, 7],
    [24, 33],
    [384, 101],
  ] as const) {
    it(`equals Σ codes·codes · scales exactly at d = ${d}, n = ${n} (odd: the one-row tail)`, () => {
      const { s, vectors } = storage(d, n);
      expect(s.quantized).toBe(true);
      const q = unit(d);
      const qq = prepareQuery(s, 0, q, true)!;
      scanRows(s, 0, n, qq.scale);
      const got = s.segments[0]!.scores(0, n);
      const qc = new Int16Array(s.layout.bytes);
      const { scale: qs } = quantizeInto(q, d, qc);
      vectors.forEach((v, row) => {
        const rc = new Int8Array(d);
        const { scale } = quantizeInto(v, d, rc);
        let dot = 0;
        for (let i = 0; i < d; i++) dot += rc[i]! * qc[i]!;
        expect(got[row]).toBe(Math.fround(Math.fround(Math.fround(dot) * scale) * qs));
      });
    });
  }

  it("codes stay in [-127, 127] and the error bound holds on every row", () => {
    const d = 64;
    const { s, vectors } = storage(d, 500);
    for (let t = 0; t < 20; t++) {
      const q = unit(d);
      const qq = quantizeQuery(q, s.layout.bytes, s.maxRowError);
      expect(Math.max(...qq.codes.map(Math.abs))).toBeLessThanOrEqual(CODE_MAX);
      prepareQuery(s, 0, q, true);
      scanRows(s, 0, vectors.length, qq.scale);
      const approx = s.segments[0]!.scores(0, vectors.length).slice();
      scanRows(s, 0, vectors.length);
      const exact = s.segments[0]!.scores(0, vectors.length);
      for (let r = 0; r < vectors.length; r++) {
        expect(Math.abs(exact[r]! - approx[r]!)).toBeLessThanOrEqual(qq.bound);
      }
    }
  });
});

describe("gather kernel (scores_at)", () => {
  it("gives each row the same float as the full scan, across segments and batches", () => {
    const d = 32;
    const n = 2600; // more than one gather batch (1,024 rows)
    const { s } = storage(d, n, 512);
    expect(s.segments.length).toBe(6);
    prepareQuery(s, 0, unit(d), false);
    scanRows(s, 0, n);
    const full: number[] = [];
    s.segments.forEach((seg, i) => full.push(...seg.scores(0, s.rowsIn(i, n))));
    const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 1);
    const got = rescore(s, 0, rows);
    rows.forEach((row, j) => expect(got[j]).toBe(full[row]));
  });
});

describe("fused int8 scan and selection (scores_i8_select)", () => {
  const sortedHeap = (scores: Float32Array, rows: Int32Array) =>
    Array.from(rows, (r, j) => [scores[j]!, r] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);

  for (const [k, n] of [
    [1, 1500],
    [7, 1501],
    [64, 1500],
    [1024, 1501],
    [3, 3],
  ] as const) {
    it(`leaves the scores and the k best of scanRows + selectInSegments at k = ${k}, n = ${n}, across segments, with ties`, () => {
      const d = 40;
      const { s } = storage(d, n, 512);
      // duplicated rows give equal scores, also within one pair of rows: the tie order (lower row
      // first) must match
      for (let i = 0; i < 200 && 1000 + i < n; i++) s.setRow(1000 + i, s.getRow(i * 3), 1);
      if (n > 1) s.setRow(1, s.getRow(0), 1);
      const q = unit(d);
      const qq = prepareQuery(s, 0, q, true)!;
      scanRows(s, 0, n, qq.scale);
      const separate = selectInSegments(s, 0, n, k);
      const scores: number[][] = [];
      const heaps = separate.map((count, i) => {
        scores.push([...s.segments[i]!.scores(0, s.rowsIn(i, n))]);
        const { scores: hs, rows } = s.segments[i]!.selected(0, count);
        return sortedHeap(hs, rows);
      });
      for (const seg of s.segments) seg.scores(0, seg.capacity).fill(Number.NaN);
      const fused = scanSelectRows(s, 0, n, qq.scale, k);
      expect(fused).toEqual(separate);
      fused.forEach((count, i) => {
        expect([...s.segments[i]!.scores(0, s.rowsIn(i, n))]).toEqual(scores[i]);
        const { scores: hs, rows } = s.segments[i]!.selected(0, count);
        expect(sortedHeap(hs, rows)).toEqual(heaps[i]);
      });
    });
  }
});
