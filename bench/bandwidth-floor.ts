/**
 * The memory-bandwidth floor of the exact int8 scan: CPU time of one core to read 1,000,000
 * int8 rows of 384 dimensions (388 bytes each: the codes and a float32 scale, the in-memory
 * store's layout) with 128-bit loads and no arithmetic, next to the store's own `scores_i8`
 * kernel over the same rows (scores only, no selection; two rows per pass share each query load)
 * and the one-row-per-pass variant it replaced (32 bytes per step). No scan of these rows can be
 * faster than the first row on the machine it runs on.
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

/** One row per pass, 32 bytes per step: the variant of scores_i8 the store used before. */
const ONE_ROW = `(module
  (memory (import "env" "memory") 1)
  (func (export "scores_i8_rows") (param $q i32) (param $data i32) (param $n i32) (param $stride i32) (param $bytes i32) (param $scale f32) (param $out i32)
    (local $row i32) (local $p i32) (local $i i32) (local $qi i32) (local $end i32) (local $end32 i32)
    (local $acc v128)
    (local.set $p (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $n)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $p))
        (local.set $qi (local.get $q))
        (local.set $end (i32.add (local.get $p) (local.get $bytes)))
        (local.set $end32 (i32.add (local.get $p) (i32.and (local.get $bytes) (i32.const -32))))
        ;; 32 bytes per step
        (block $steps_done
          (loop $steps
            (br_if $steps_done (i32.ge_u (local.get $i) (local.get $end32)))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $i)) (v128.load offset=0 (local.get $qi)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $i)) (v128.load offset=16 (local.get $qi)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=16 (local.get $i)) (v128.load offset=32 (local.get $qi)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=24 (local.get $i)) (v128.load offset=48 (local.get $qi)))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (local.set $qi (i32.add (local.get $qi) (i32.const 64)))
            (br $steps)))
        ;; bytes is a multiple of 16: at most one 16-byte step is left
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $i)) (v128.load offset=0 (local.get $qi)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $i)) (v128.load offset=16 (local.get $qi)))))))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                  (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
              (f32.load (local.get $end)))
            (local.get $scale)))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))
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
writeFileSync(join(scratch, "one-row.wat"), ONE_ROW);
const touchBytes = await compileWat(join(scratch, "touch.wat"));
const oneRowBytes = await compileWat(join(scratch, "one-row.wat"));
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
const oneRow = new WebAssembly.Instance(new WebAssembly.Module(oneRowBytes), env).exports as {
  scores_i8_rows: typeof kernel.scores_i8;
};
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
const former = cpuMs(() => oneRow.scores_i8_rows(0, data, N, STRIDE, D, 1, out));
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
    pass: "former kernel: one row per pass",
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
