/** Rows per segment: 65,536 rows of 384 float32 are 96 MiB, so no single array is huge. */
export const SEGMENT_ROWS = 65_536;
const SHIFT = 16;
const MASK = SEGMENT_ROWS - 1;

/**
 * Float32 rows of fixed width in segments of {@link SEGMENT_ROWS} rows, so the row count is not
 * bounded by the largest single typed array (nor by WebAssembly memory): 5 million 384-d rows
 * are 77 segments of 96 MiB. A row is addressed by its slot number.
 */
export class RowSegments {
  readonly segments: Float32Array[] = [];

  constructor(readonly dimensions: number) {}

  /** Rows the allocated segments can hold. */
  get capacity(): number {
    return this.segments.length * SEGMENT_ROWS;
  }

  /** Allocates segments until `rows` rows fit. */
  ensure(rows: number): void {
    while (this.capacity < rows) this.segments.push(new Float32Array(SEGMENT_ROWS * this.dimensions));
  }

  /** A view of row `slot` (no copy). */
  row(slot: number): Float32Array {
    const d = this.dimensions;
    const off = (slot & MASK) * d;
    return this.segments[slot >>> SHIFT]!.subarray(off, off + d);
  }

  /** Dot product of row `slot` with `q` (float64 accumulation). */
  dot(slot: number, q: Float32Array): number {
    const d = this.dimensions;
    const seg = this.segments[slot >>> SHIFT]!;
    const off = (slot & MASK) * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 4 <= d; i += 4) {
      s0 += seg[off + i]! * q[i]!;
      s1 += seg[off + i + 1]! * q[i + 1]!;
      s2 += seg[off + i + 2]! * q[i + 2]!;
      s3 += seg[off + i + 3]! * q[i + 3]!;
    }
    for (; i < d; i++) s0 += seg[off + i]! * q[i]!;
    return s0 + s1 + s2 + s3;
  }

  /** The first `rows` rows as byte views, segment by segment (for writing a file without copies). */
  bytes(rows: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const rowBytes = this.dimensions * 4;
    for (let s = 0; s * SEGMENT_ROWS < rows; s++) {
      const seg = this.segments[s]!;
      const n = Math.min(SEGMENT_ROWS, rows - s * SEGMENT_ROWS);
      out.push(new Uint8Array(seg.buffer, seg.byteOffset, n * rowBytes));
    }
    return out;
  }
}
