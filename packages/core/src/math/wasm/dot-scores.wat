;; dot-scores: out[row] = Σ_i data[row·d + i] · q[i] for row in [0, n), with 128-bit SIMD.
;; Pointers are byte offsets into the imported memory, 16-byte aligned; d must be a multiple of 8.
;; Two f32x4 accumulators per row (8 lanes) hide the add latency.
;; Regenerate the embedded binary with `pnpm tsx scripts/build-wasm.ts`.
(module
  (memory (import "env" "memory") 1)
  (func (export "scores") (param $q i32) (param $data i32) (param $n i32) (param $d i32) (param $out i32)
    (local $row i32) (local $i i32) (local $p i32) (local $bytes i32) (local $acc0 v128) (local $acc1 v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $p (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $n)))
        (local.set $acc0 (v128.const f32x4 0 0 0 0))
        (local.set $acc1 (v128.const f32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $inner_done
          (loop $inner
            (br_if $inner_done (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $acc0
              (f32x4.add (local.get $acc0)
                (f32x4.mul
                  (v128.load (i32.add (local.get $p) (local.get $i)))
                  (v128.load (i32.add (local.get $q) (local.get $i))))))
            (local.set $acc1
              (f32x4.add (local.get $acc1)
                (f32x4.mul
                  (v128.load offset=16 (i32.add (local.get $p) (local.get $i)))
                  (v128.load offset=16 (i32.add (local.get $q) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $inner)))
        (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
        (local.set $p (i32.add (local.get $p) (local.get $bytes)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))
)
