/**
 * The memory-bandwidth floor of the exact int8 scan: CPU time of one core to read 1,000,000
 * int8 rows of 384 dimensions (388 bytes each: the codes and a float32 scale, the in-memory
 * store's layout) with 128-bit loads and no arithmetic, next to the store's own `scores_i8`
 * kernel over the same rows (scores only, no selection) and the kernel it replaced, which scored
 * two rows per pass to share each query load. No scan of these rows can be faster than the first
 * row on the machine it runs on.
 *
 *   taskset -c 1 pnpm tsx bench/bandwidth-floor.ts [--rows 1000000]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compileWat } from "../scripts/build-wasm.js";
import { printTable, writeResults } from "./lib/report.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" } } });
const N = Number(values.rows);
const D = 384;
const STRIDE = D + 4;

const TOUCH = `(module
  (memory (import "env" "memory") 1)
  (func (export "touch") (param $data i32) (param $len i32) (result i32)
    (local $i i32) (local $a v128) (local $b v128)
    (loop $l
      (local.set $a (i32x4.add (local.get $a) (v128.load (i32.add (local.get $data) (local.get $i)))))
      (local.set $b (i32x4.add (local.get $b) (v128.load offset=16 (i32.add (local.get $data) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $len))))
    (i32x4.extract_lane 0 (i32x4.add (local.get $a) (local.get $b)))))`;

/** The former scores_i8: two rows per pass, 16 bytes of each per step (n even here). */
const PAIRS = `(module
  (memory (import "env" "memory") 1)
  (func (export "scores_i8_pairs") (param $q i32) (param $data i32) (param $n i32) (param $stride i32) (param $bytes i32) (param $scale f32) (param $out i32)
    (local $row i32) (local $p i32) (local $i i32) (local $qi i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $qv v128) (local $qv2 v128)
    (local.set $p (local.get $data))
    ;; two rows per pass
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_u (i32.add (local.get $row) (i32.const 1)) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $b0 (v128.const i32x4 0 0 0 0))
        (local.set $b1 (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $p))
        (local.set $end (i32.add (local.get $p) (local.get $bytes)))
        (local.set $qi (local.get $q))
        (loop $inner
          (local.set $qv (v128.load (local.get $qi)))
          (local.set $qv2 (v128.load offset=16 (local.get $qi)))
          (local.set $a0 (i32x4.add (local.get $a0)
            (i32x4.dot_i16x8_s (v128.load8x8_s (local.get $i)) (local.get $qv))))
          (local.set $b0 (i32x4.add (local.get $b0)
            (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $i) (local.get $stride))) (local.get $qv))))
          (local.set $a1 (i32x4.add (local.get $a1)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $i)) (local.get $qv2))))
          (local.set $b1 (i32x4.add (local.get $b1)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $i) (local.get $stride))) (local.get $qv2))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (local.set $qi (i32.add (local.get $qi) (i32.const 32)))
          (br_if $inner (i32.lt_u (local.get $i) (local.get $end))))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $a1)))
        (local.set $b0 (i32x4.add (local.get $b0) (local.get $b1)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                  (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
              (f32.load (local.get $end)))
            (local.get $scale)))
        (f32.store offset=4
          (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $b0)) (i32x4.extract_lane 1 (local.get $b0)))
                  (i32.add (i32x4.extract_lane 2 (local.get $b0)) (i32x4.extract_lane 3 (local.get $b0)))))
              (f32.load (i32.add (local.get $end) (local.get $stride))))
            (local.get $scale)))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 1))))
        (local.set $row (i32.add (local.get $row) (i32.const 2)))
        (br $pairs))))
)`;

const kernelFile = join(
  import.meta.dirname,
  "..",
  "packages",
  "core",
  "src",
  "math",
  "wasm",
  "dot-scores.wat",
);
const scratch = mkdtempSync(join(tmpdir(), "ragloom-floor-"));
writeFileSync(join(scratch, "touch.wat"), TOUCH);
writeFileSync(join(scratch, "pairs.wat"), PAIRS);
const touchBytes = await compileWat(join(scratch, "touch.wat"));
const pairsBytes = await compileWat(join(scratch, "pairs.wat"));
rmSync(scratch, { recursive: true, force: true });
const kernelBytes = await compileWat(kernelFile); // the store's kernel, as scripts/build-wasm.ts compiles it

const data = 65536;
const out = data + N * STRIDE;
const memory = new WebAssembly.Memory({ initial: Math.ceil((out + N * 4 + 65536) / 65536) });
const env = { env: { memory } };
const touch = new WebAssembly.Instance(new WebAssembly.Module(touchBytes), env).exports as {
  touch(data: number, len: number): number;
};
const kernel = new WebAssembly.Instance(new WebAssembly.Module(kernelBytes), env).exports as {
  scores_i8(
    q: number,
    data: number,
    n: number,
    stride: number,
    bytes: number,
    scale: number,
    out: number,
  ): void;
};
const pairs = new WebAssembly.Instance(new WebAssembly.Module(pairsBytes), env).exports as {
  scores_i8_pairs: typeof kernel.scores_i8;
};
if (N % 2 !== 0) throw new Error("--rows must be even");
const bytes = new Int8Array(memory.buffer, data, N * STRIDE);
for (let i = 0; i < bytes.length; i++) bytes[i] = ((i * 2654435761) >>> 24) - 128;
const q = new Int16Array(memory.buffer, 0, D);
for (let i = 0; i < D; i++) q[i] = ((i * 40503) % 255) - 127;

function cpuMs(f: () => void): { p50: number; min: number } {
  for (let w = 0; w < 3; w++) f();
  const ms: number[] = [];
  for (let r = 0; r < 15; r++) {
    const c = process.cpuUsage();
    f();
    const u = process.cpuUsage(c);
    ms.push((u.user + u.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[7]!, min: ms[0]! };
}
const floor = cpuMs(() => touch.touch(data, N * STRIDE));
const scan = cpuMs(() => kernel.scores_i8(0, data, N, STRIDE, D, 1, out));
const former = cpuMs(() => pairs.scores_i8_pairs(0, data, N, STRIDE, D, 1, out));
const rows = [
  {
    pass: `read ${N.toLocaleString("en-US")} int8 rows (no arithmetic)`,
    "cpu p50 ms": floor.p50,
    "cpu min ms": floor.min,
    "GB/s": (N * STRIDE) / floor.p50 / 1e6,
  },
  {
    pass: "scores_i8 kernel (scores only)",
    "cpu p50 ms": scan.p50,
    "cpu min ms": scan.min,
    "GB/s": (N * STRIDE) / scan.p50 / 1e6,
  },
  {
    pass: "former kernel: two rows per pass",
    "cpu p50 ms": former.p50,
    "cpu min ms": former.min,
    "GB/s": (N * STRIDE) / former.p50 / 1e6,
  },
];
printTable(rows);
console.log(`kernel / floor: ${(scan.p50 / floor.p50).toFixed(2)}`);
console.log(`former kernel / kernel: ${(former.p50 / scan.p50).toFixed(2)}`);
writeResults("bandwidth-floor", {
  date: new Date().toISOString(),
  rows: N,
  dimensions: D,
  cpu: cpus()[0]?.model,
  loadavg: loadavg(),
  table: rows,
});
