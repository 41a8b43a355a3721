import { dotScoresSharedWasm, dotScoresWasm } from "./wasm/dot-scores.wasm.js";

/** Bytes in a WebAssembly page. */
export const PAGE = 65536;
/** Rows a gather call (`scoresAt`) passes to the kernel at once. */
export const GATHER_ROWS = 1024;

const align16 = (n: number) => Math.ceil(n / 16) * 16;

const compiled = new Map<boolean, WebAssembly.Module | null>();
/**
 * The SIMD kernel module (importing a shared memory when `shared`, for worker threads), or
 * null where the runtime cannot compile it.
 */
export function simdModule(shared = false): WebAssembly.Module | null {
  const known = compiled.get(shared);
  if (known !== undefined) return known;
  let module: WebAssembly.Module | null = null;
  try {
    const bytes = Uint8Array.from(atob(shared ? dotScoresSharedWasm : dotScoresWasm), (c) => c.charCodeAt(0));
    module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    module = null;
  }
  compiled.set(shared, module);
  return module;
}

/**
 * Where things are in one segment's memory, for a segment of `capacity` rows:
 * `[slot scratch × slots][float32 rows: capacity·d][int8 rows: capacity·stride][scores: slots × capacity]`.
 * A slot's scratch holds a query as float32 and as int16 codes, and a gather list with its
 * output. Growing a segment keeps the float32 rows in place, moves the int8 rows (a quarter of
 * the bytes) and re-lays the scores (scratch).
 */
export class SegmentLayout {
  /** int8 codes per row: `dimensions` rounded up to a multiple of 16 (zero-padded). */
  readonly bytes: number;
  /** Bytes per int8 row: the codes, then the row's float32 scale. */
  readonly stride: number;
  readonly slotBytes: number;
  readonly rowsOffset: number;
  constructor(
    readonly dimensions: number,
    readonly slots: number,
    readonly quantized: boolean,
  ) {
    this.bytes = align16(dimensions);
    this.stride = this.bytes + 4;
    this.slotBytes = align16(dimensions * 4) + this.bytes * 2 + GATHER_ROWS * 8;
    this.rowsOffset = slots * this.slotBytes;
  }
  queryOffset(slot: number) {
    return slot * this.slotBytes;
  }
  codesQueryOffset(slot: number) {
    return slot * this.slotBytes + align16(this.dimensions * 4);
  }
  gatherOffset(slot: number) {
    return this.codesQueryOffset(slot) + this.bytes * 2;
  }
  i8Offset(capacity: number) {
    return align16(this.rowsOffset + capacity * this.dimensions * 4);
  }
  scoresOffset(capacity: number) {
    return align16(this.i8Offset(capacity) + (this.quantized ? capacity * this.stride : 0));
  }
  totalBytes(capacity: number) {
    return this.scoresOffset(capacity) + this.slots * capacity * 4;
  }
}

interface KernelExports {
  scores(q: number, data: number, n: number, d: number, out: number): void;
  scores_at(q: number, data: number, rows: number, n: number, d: number, out: number): void;
  select(scores: number, n: number, k: number, hs: number, hi: number, base: number): number;
  scores_i8(
    q: number,
    data: number,
    n: number,
    stride: number,
    bytes: number,
    scale: number,
    out: number,
  ): void;
  scores_i8_select(
    q: number,
    data: number,
    n: number,
    stride: number,
    bytes: number,
    scale: number,
    out: number,
    k: number,
    hs: number,
    hi: number,
    base: number,
  ): number;
}

/**
 * One block of rows in one WebAssembly memory (or, without the SIMD kernel, one ArrayBuffer
 * scored by JavaScript loops). Views are re-created whenever the memory grows: read them after
 * {@link grow}.
 */
export class Segment {
  capacity = 0;
  buffer!: ArrayBuffer | SharedArrayBuffer;
  /** Float32 rows, `capacity · d`. */
  rows!: Float32Array;
  /** int8 rows, `capacity · stride` (empty unless quantised). */
  codes!: Int8Array;
  /** The whole buffer as float32 (row scales of the int8 rows are read and written through it). */
  floats!: Float32Array;
  private readonly exports: KernelExports | null;
  readonly memory: WebAssembly.Memory | null;

  /**
   * @param maxCapacity - rows this segment may ever hold (sizes a shared memory's maximum).
   * @throws RangeError when the runtime refuses the memory.
   */
  constructor(
    readonly layout: SegmentLayout,
    capacity: number,
    maxCapacity: number,
    module: WebAssembly.Module | null,
    shared: boolean,
  ) {
    if (module) {
      const initial = Math.ceil(layout.totalBytes(capacity) / PAGE);
      this.memory = shared
        ? new WebAssembly.Memory({
            initial,
            maximum: Math.ceil(layout.totalBytes(maxCapacity) / PAGE),
            shared: true,
          })
        : new WebAssembly.Memory({ initial });
      const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
      this.exports = instance.exports as unknown as KernelExports;
      this.buffer = this.memory.buffer;
    } else {
      this.memory = null;
      this.exports = null;
      this.buffer = new ArrayBuffer(layout.totalBytes(capacity));
    }
    this.capacity = capacity;
    this.refresh();
  }

  /** Whether this segment runs the WebAssembly kernel. */
  get simd(): boolean {
    return this.exports !== null;
  }

  private refresh() {
    const { layout, capacity } = this;
    if (this.memory) this.buffer = this.memory.buffer;
    const buf = this.buffer;
    this.rows = new Float32Array(buf, layout.rowsOffset, capacity * layout.dimensions);
    this.codes = layout.quantized
      ? new Int8Array(buf, layout.i8Offset(capacity), capacity * layout.stride)
      : new Int8Array(0);
    this.floats = new Float32Array(buf, 0, buf.byteLength >> 2);
  }

  /**
   * Grows to `capacity` rows, keeping the rows.
   * @throws RangeError when the runtime refuses the memory.
   */
  grow(capacity: number) {
    if (capacity <= this.capacity) return;
    const { layout } = this;
    const old = this.capacity;
    if (this.memory) {
      const pages = Math.ceil(layout.totalBytes(capacity) / PAGE) - this.memory.buffer.byteLength / PAGE;
      if (pages > 0) this.memory.grow(pages);
      this.buffer = this.memory.buffer;
      if (layout.quantized) {
        const from = layout.i8Offset(old);
        new Uint8Array(this.buffer).copyWithin(layout.i8Offset(capacity), from, from + old * layout.stride);
      }
    } else {
      const next = new ArrayBuffer(layout.totalBytes(capacity));
      new Float32Array(next, layout.rowsOffset, old * layout.dimensions).set(this.rows);
      this.buffer = next;
    }
    this.capacity = capacity;
    this.refresh();
  }

  /** Index into {@link floats} of the scale of local row `row`. */
  scaleIndex(row: number): number {
    const { layout } = this;
    return (layout.i8Offset(this.capacity) + row * layout.stride + layout.bytes) >> 2;
  }

  /** The scores of slot `slot` for rows [0, n) (valid until the next scan with this slot). */
  scores(slot: number, n: number): Float32Array {
    return new Float32Array(
      this.buffer,
      this.layout.scoresOffset(this.capacity) + slot * this.capacity * 4,
      n,
    );
  }

  /** Writes the query (and its int16 codes when given) into slot `slot`'s scratch. */
  setQuery(slot: number, q: Float32Array, codes?: Int16Array) {
    const { layout } = this;
    new Float32Array(this.buffer, layout.queryOffset(slot), layout.dimensions).set(q);
    if (codes) new Int16Array(this.buffer, layout.codesQueryOffset(slot), layout.bytes).set(codes);
  }

  /** Exact dot products of slot `slot`'s query with rows [0, n), into {@link scores}. */
  scanExact(slot: number, n: number): Float32Array {
    const { layout, capacity } = this;
    const out = layout.scoresOffset(capacity) + slot * capacity * 4;
    if (this.exports) {
      this.exports.scores(layout.queryOffset(slot), layout.rowsOffset, n, layout.dimensions, out);
      return this.scores(slot, n);
    }
    const q = new Float32Array(this.buffer, layout.queryOffset(slot), layout.dimensions);
    const scores = this.scores(slot, n);
    jsScores(this.rows, q, n, scores);
    return scores;
  }

  /** Approximate (int8) dot products with rows [0, n), into {@link scores}; needs the kernel. */
  scanApprox(slot: number, n: number, queryScale: number): Float32Array {
    const { layout, capacity } = this;
    const out = layout.scoresOffset(capacity) + slot * capacity * 4;
    this.exports!.scores_i8(
      layout.codesQueryOffset(slot),
      layout.i8Offset(capacity),
      n,
      layout.stride,
      layout.bytes,
      queryScale,
      out,
    );
    return this.scores(slot, n);
  }

  /**
   * {@link scanApprox} and {@link selectTop} in one pass over the rows: the scores land in
   * {@link scores} as `scanApprox` writes them, and the `k` (1 to {@link GATHER_ROWS}) best, as
   * rows `base + r`, in the slot's gather area as `selectTop` would choose them. Needs the
   * kernel. Returns how many were selected ({@link selected} reads them).
   */
  scanApproxSelect(slot: number, n: number, queryScale: number, k: number, base: number): number {
    const { layout, capacity } = this;
    const gather = layout.gatherOffset(slot);
    return this.exports!.scores_i8_select(
      layout.codesQueryOffset(slot),
      layout.i8Offset(capacity),
      n,
      layout.stride,
      layout.bytes,
      queryScale,
      layout.scoresOffset(capacity) + slot * capacity * 4,
      k,
      gather,
      gather + GATHER_ROWS * 4,
      base,
    );
  }

  /**
   * The `k` (≤ {@link GATHER_ROWS}) best of the scores a scan left in slot `slot` for rows
   * [0, n), as rows `base + r`, selected by the kernel into the slot's gather area; needs the
   * kernel. Returns how many there are ({@link selected} reads them).
   */
  selectTop(slot: number, n: number, k: number, base: number): number {
    const { layout, capacity } = this;
    const gather = layout.gatherOffset(slot);
    const out = layout.scoresOffset(capacity) + slot * capacity * 4;
    return this.exports!.select(out, n, k, gather, gather + GATHER_ROWS * 4, base);
  }

  /** The scores and rows {@link selectTop} (here or in a worker) left in slot `slot` (a heap, unordered). */
  selected(slot: number, count: number): { scores: Float32Array; rows: Int32Array } {
    const gather = this.layout.gatherOffset(slot);
    return {
      scores: new Float32Array(this.buffer, gather, count),
      rows: new Int32Array(this.buffer, gather + GATHER_ROWS * 4, count),
    };
  }

  /**
   * Exact dot products of slot `slot`'s query with the local rows `rows[from, to)`, written to
   * `out[from, to)`: the same float as {@link scanExact} gives each row.
   */
  scoresAt(slot: number, rows: Int32Array, from: number, to: number, out: Float32Array) {
    const { layout } = this;
    const d = layout.dimensions;
    if (!this.exports) {
      const q = new Float32Array(this.buffer, layout.queryOffset(slot), d);
      for (let j = from; j < to; j++) out[j] = jsDot(this.rows, rows[j]! * d, q);
      return;
    }
    const gather = layout.gatherOffset(slot);
    const list = new Int32Array(this.buffer, gather, GATHER_ROWS);
    const result = new Float32Array(this.buffer, gather + GATHER_ROWS * 4, GATHER_ROWS);
    for (let start = from; start < to; start += GATHER_ROWS) {
      const count = Math.min(GATHER_ROWS, to - start);
      list.set(rows.subarray(start, start + count));
      this.exports.scores_at(
        layout.queryOffset(slot),
        layout.rowsOffset,
        gather,
        count,
        d,
        gather + GATHER_ROWS * 4,
      );
      out.set(result.subarray(0, count), start);
    }
  }
}

/** Dot product of `q` with the row of `data` starting at `off`: four partial sums. */
function jsDot(data: Float32Array, off: number, q: Float32Array): number {
  const d = q.length;
  const d4 = d - (d % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i < d4; i += 4) {
    s0 += data[off + i]! * q[i]!;
    s1 += data[off + i + 1]! * q[i + 1]!;
    s2 += data[off + i + 2]! * q[i + 2]!;
    s3 += data[off + i + 3]! * q[i + 3]!;
  }
  for (; i < d; i++) s0 += data[off + i]! * q[i]!;
  return s0 + s1 + s2 + s3;
}

function jsScores(data: Float32Array, q: Float32Array, n: number, out: Float32Array) {
  const d = q.length;
  for (let row = 0, off = 0; row < n; row++, off += d) out[row] = jsDot(data, off, q);
}
