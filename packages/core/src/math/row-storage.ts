import { CapacityError, ValidationError } from "../errors/errors.js";
import { quantizeInto } from "./quantize.js";
import { PAGE, Segment, SegmentLayout, simdModule } from "./segment.js";

/**
 * Most records an in-memory store holds: 2²⁴ = 16,777,216, the largest `Map` V8 builds (the
 * id → row index is one).
 */
export const MAX_ROWS = 2 ** 24;
/** Largest segment: 2 GiB of memory. */
const MAX_SEGMENT_BYTES = 2 ** 31;

/** Options of {@link RowStorage}. */
export interface RowStorageOptions {
  dimensions: number;
  /** Rows to allocate up front. */
  initialCapacity: number;
  /** Use the WebAssembly SIMD kernel where possible (`dimensions % 8 === 0`). */
  simd: boolean;
  /** Keep an int8 copy of every row for the quantised scan (needs the SIMD kernel). */
  quantize: boolean;
  /** Rows per segment, a power of two. @default the largest power of two whose segment fits in 2 GiB */
  segmentRows?: number;
  /** Back the segments with shared memory (SharedArrayBuffer), for worker threads. */
  shared?: boolean;
  /** Scratch slots (one per scan that may run at once). @default 1 */
  slots?: number;
  /** Most rows (a {@link CapacityError} beyond). @default {@link MAX_ROWS} */
  maxRows?: number;
}

/** Largest power of two ≤ x (x ≥ 1). */
const floorPow2 = (x: number) => 2 ** Math.floor(Math.log2(x));

/**
 * Row-major vectors in segments of `segmentRows` rows, each segment in its own WebAssembly
 * memory (one memory cannot pass 4 GiB), so the store grows past one memory: row `r` lives in
 * segment `r / segmentRows` at local row `r % segmentRows`. The last segment grows by doubling;
 * earlier ones are full. With `quantize`, each row also has int8 codes and a scale
 * ({@link quantizeInto}), and the largest quantisation error of any row written so far is kept
 * for the error bound of the quantised scan.
 */
export class RowStorage {
  readonly dimensions: number;
  readonly segmentRows: number;
  readonly layout: SegmentLayout;
  readonly maxRows: number;
  readonly shared: boolean;
  /** Whether rows are scored by the WebAssembly SIMD kernel. */
  readonly simd: boolean;
  /** Whether rows have int8 codes (quantised scan available). */
  readonly quantized: boolean;
  readonly segments: Segment[] = [];
  /** Largest `‖r − r̂‖₂` over the rows written (an upper bound of the stored rows' errors). */
  maxRowError = 0;
  private readonly module: WebAssembly.Module | null;
  private readonly shift: number;

  /** @throws ValidationError for a `segmentRows` that is not a power of two ≥ 2; CapacityError. */
  constructor(options: RowStorageOptions) {
    const d = options.dimensions;
    this.dimensions = d;
    const wantShared = options.shared ?? false;
    // shared memories need the module twin that imports one (and SharedArrayBuffer support)
    let module = options.simd && d % 8 === 0 ? simdModule(wantShared) : null;
    if (!module && wantShared && options.simd && d % 8 === 0) module = simdModule(false);
    this.module = module;
    this.simd = module !== null;
    this.shared = this.simd && wantShared && module === simdModule(true);
    this.quantized = this.simd && options.quantize;
    this.layout = new SegmentLayout(d, Math.max(1, options.slots ?? 1), this.quantized);
    const perRow = d * 4 + (this.quantized ? this.layout.stride : 0) + this.layout.slots * 4;
    const fit = floorPow2(Math.max(1, (MAX_SEGMENT_BYTES - this.layout.rowsOffset - 64) / perRow));
    const rows = options.segmentRows ?? Math.min(fit, MAX_ROWS);
    if (!Number.isInteger(rows) || rows < 2 || floorPow2(rows) !== rows || rows > fit) {
      throw new ValidationError(`segmentRows must be a power of two in [2, ${fit}], got ${rows}`);
    }
    this.segmentRows = rows;
    this.shift = Math.log2(rows);
    this.maxRows = options.maxRows ?? MAX_ROWS;
    this.ensureCapacity(Math.max(1, options.initialCapacity));
  }

  /** Rows allocated. */
  get capacity(): number {
    const n = this.segments.length;
    return n === 0 ? 0 : (n - 1) * this.segmentRows + this.segments[n - 1]!.capacity;
  }

  /** Bytes of memory the segments hold. */
  get byteLength(): number {
    return this.segments.reduce((sum, s) => sum + s.buffer.byteLength, 0);
  }

  /**
   * Makes room for `rows` rows.
   * @throws CapacityError beyond `maxRows`, or when the runtime refuses the memory (nothing is
   *   lost: the rows already stored stay).
   */
  ensureCapacity(rows: number) {
    if (rows > this.maxRows) {
      throw new CapacityError(
        `the store holds at most ${this.maxRows.toLocaleString("en-US")} records; ${rows.toLocaleString("en-US")} requested`,
        rows,
        this.maxRows,
      );
    }
    if (rows <= this.capacity) return;
    const R = this.segmentRows;
    const segmentsNeeded = Math.ceil(rows / R);
    try {
      for (let s = 0; s < segmentsNeeded; s++) {
        const want = s < segmentsNeeded - 1 ? R : rows - s * R;
        const existing = this.segments[s];
        const current = existing?.capacity ?? 0;
        if (want <= current) continue;
        let cap = Math.max(1, current);
        while (cap < want) cap *= 2;
        cap = Math.min(cap, R);
        if (existing) existing.grow(cap);
        else this.segments.push(new Segment(this.layout, cap, R, this.module, this.shared));
      }
    } catch (cause) {
      if (!(cause instanceof RangeError)) throw cause;
      const bytes = this.layout.totalBytes(Math.min(rows, R));
      throw new CapacityError(
        `could not allocate memory for ${rows.toLocaleString("en-US")} rows of ${this.dimensions} dimensions ` +
          `(a segment of ${Math.ceil(bytes / PAGE) * PAGE} bytes was refused: ${(cause as Error).message})`,
        rows,
        this.capacity,
        { cause },
      );
    }
  }

  /** Segment and local row of global row `row`. */
  locate(row: number): [Segment, number] {
    return [this.segments[row >>> this.shift]!, row & (this.segmentRows - 1)];
  }

  /**
   * Writes `vector · scale` (float32) into row `row`, and its int8 codes when quantised.
   * The row must be within capacity.
   */
  setRow(row: number, vector: ArrayLike<number>, scale: number) {
    const d = this.dimensions;
    const [seg, local] = this.locate(row);
    const off = local * d;
    const data = seg.rows;
    for (let i = 0; i < d; i++) data[off + i] = vector[i]! * scale;
    if (this.quantized) this.quantizeRow(seg, local);
  }

  private quantizeRow(seg: Segment, local: number) {
    const { dimensions: d, layout } = this;
    const codes = new Int8Array(seg.codes.buffer, seg.codes.byteOffset + local * layout.stride, d);
    const row = new Float32Array(seg.rows.buffer, seg.rows.byteOffset + local * d * 4, d);
    const { scale, error } = quantizeInto(row, d, codes);
    seg.floats[seg.scaleIndex(local)] = scale;
    if (error > this.maxRowError) this.maxRowError = error;
  }

  /** Re-derives the int8 codes of rows [0, n) (after raw float rows were loaded). */
  requantize(n: number) {
    if (!this.quantized) return;
    this.maxRowError = 0;
    for (let row = 0; row < n; row++) {
      const [seg, local] = this.locate(row);
      this.quantizeRow(seg, local);
    }
  }

  /** A copy of row `row`. */
  getRow(row: number): Float32Array {
    const d = this.dimensions;
    const [seg, local] = this.locate(row);
    return seg.rows.slice(local * d, local * d + d);
  }

  /** Copies row `from` over row `to` (float32 and int8). */
  moveRow(from: number, to: number) {
    const { dimensions: d, layout } = this;
    const [a, la] = this.locate(from);
    const [b, lb] = this.locate(to);
    b.rows.set(a.rows.subarray(la * d, la * d + d), lb * d);
    if (this.quantized) {
      b.codes.set(a.codes.subarray(la * layout.stride, la * layout.stride + d), lb * layout.stride);
      b.floats[b.scaleIndex(lb)] = a.floats[a.scaleIndex(la)]!;
    }
  }

  /** Number of rows of the first `n` that live in segment `s`. */
  rowsIn(s: number, n: number): number {
    return Math.max(0, Math.min(this.segmentRows, n - s * this.segmentRows));
  }

  /** The float32 bytes of rows [0, n), segment by segment (views, not copies). */
  *rowBytes(n: number): Generator<Uint8Array> {
    const bytesPerRow = this.dimensions * 4;
    for (let s = 0; s < this.segments.length; s++) {
      const count = this.rowsIn(s, n);
      if (count === 0) break;
      const rows = this.segments[s]!.rows;
      yield new Uint8Array(rows.buffer, rows.byteOffset, count * bytesPerRow);
    }
  }

  /**
   * Writes raw little-endian float32 bytes at byte `offset` of the rows (rows laid end to end),
   * e.g. a file's payload streamed in chunks of any length. Capacity must cover them.
   */
  writeRowBytes(offset: number, chunk: Uint8Array) {
    const segmentBytes = this.segmentRows * this.dimensions * 4;
    let done = 0;
    while (done < chunk.length) {
      const at = offset + done;
      const s = Math.floor(at / segmentBytes);
      const within = at - s * segmentBytes;
      const rows = this.segments[s]!.rows;
      const room = rows.byteLength - within;
      const count = Math.min(room, chunk.length - done);
      new Uint8Array(rows.buffer, rows.byteOffset + within, count).set(chunk.subarray(done, done + count));
      done += count;
    }
  }
}
