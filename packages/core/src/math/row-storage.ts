import { dotScoresWasm } from "./wasm/dot-scores.wasm.js";

/**
 * Contiguous row-major float32 storage for vectors, with an optional fast scoring kernel.
 * `data` may be replaced when capacity grows: always read it after `ensureCapacity`.
 */
export interface RowStorage {
  readonly dimensions: number;
  readonly capacity: number;
  readonly data: Float32Array;
  /** Whether `scores` runs the WebAssembly SIMD kernel. */
  readonly simd: boolean;
  ensureCapacity(rows: number): void;
  /** Dot products of `query` (length `dimensions`) with rows [0, n); the view is reused by the next call. */
  scores(query: Float32Array, n: number): Float32Array;
}

class JsRowStorage implements RowStorage {
  readonly simd = false;
  data: Float32Array;
  private out: Float32Array;
  constructor(
    readonly dimensions: number,
    public capacity: number,
  ) {
    this.data = new Float32Array(capacity * dimensions);
    this.out = new Float32Array(capacity);
  }
  ensureCapacity(rows: number) {
    if (rows <= this.capacity) return;
    let cap = this.capacity;
    while (cap < rows) cap *= 2;
    const next = new Float32Array(cap * this.dimensions);
    next.set(this.data);
    this.data = next;
    this.out = new Float32Array(cap);
    this.capacity = cap;
  }
  scores(q: Float32Array, n: number): Float32Array {
    const d = this.dimensions;
    const data = this.data;
    const out = this.out;
    const d4 = d - (d % 4);
    for (let row = 0, off = 0; row < n; row++, off += d) {
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
      out[row] = s0 + s1 + s2 + s3;
    }
    return out.subarray(0, n);
  }
}

const PAGE = 65536;
let compiled: WebAssembly.Module | null | undefined;
function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Uint8Array.from(atob(dotScoresWasm), (c) => c.charCodeAt(0));
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Rows in WebAssembly memory scored by a 128-bit SIMD kernel (`wasm/dot-scores.wat`). Memory
 * layout: [query: d floats][rows: capacity·d floats][scores: capacity floats]; growing keeps
 * the rows in place and moves only the scratch scores.
 */
class WasmRowStorage implements RowStorage {
  readonly simd = true;
  data!: Float32Array;
  capacity = 0;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: (q: number, data: number, n: number, d: number, out: number) => void;
  private readonly rowsOffset: number;
  private scoresOffset = 0;
  private query!: Float32Array;
  private out!: Float32Array;
  constructor(
    readonly dimensions: number,
    capacity: number,
    module: WebAssembly.Module,
  ) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernel = instance.exports.scores as WasmRowStorage["kernel"];
    this.rowsOffset = Math.ceil((dimensions * 4) / 16) * 16;
    this.resize(capacity);
  }
  private resize(capacity: number) {
    const d = this.dimensions;
    this.scoresOffset = this.rowsOffset + capacity * d * 4;
    const needed = this.scoresOffset + capacity * 4;
    const pages = Math.ceil(needed / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    const buf = this.memory.buffer;
    this.query = new Float32Array(buf, 0, d);
    this.data = new Float32Array(buf, this.rowsOffset, capacity * d);
    this.out = new Float32Array(buf, this.scoresOffset, capacity);
    this.capacity = capacity;
  }
  ensureCapacity(rows: number) {
    if (rows <= this.capacity) return;
    let cap = Math.max(1, this.capacity);
    while (cap < rows) cap *= 2;
    this.resize(cap);
  }
  scores(q: Float32Array, n: number): Float32Array {
    this.query.set(q);
    this.kernel(0, this.rowsOffset, n, this.dimensions, this.scoresOffset);
    return this.out.subarray(0, n);
  }
}

/**
 * Creates row storage: the WebAssembly SIMD kernel when `simd` is requested, the runtime
 * supports it and `dimensions` is a multiple of 8; otherwise an unrolled JavaScript loop.
 */
export function createRowStorage(dimensions: number, capacity: number, simd = true): RowStorage {
  const module = simd && dimensions % 8 === 0 ? simdModule() : null;
  return module ? new WasmRowStorage(dimensions, capacity, module) : new JsRowStorage(dimensions, capacity);
}
