;; Dot-product kernels of the in-memory vector store, 128-bit SIMD.
;; Pointers are byte offsets into the imported memory. Regenerate the embedded binary with
;; `pnpm tsx scripts/build-wasm.ts`.
;;
;; scores:    out[row] = Σ_i data[row·d + i] · q[i], float32 rows, row in [0, n); d a multiple of 8.
;;            Two f32x4 accumulators per row (8 lanes) hide the add latency.
;; scores_at: the same for the rows listed at `rows` (n int32 row numbers), out[j] for rows[j];
;;            per row the same operations in the same order as `scores`, so the same float.
;; scores_i8: out[row] = (Σ_i r[i] · q[i]) · rowScale · scale for int8 rows of `stride` bytes:
;;            `bytes` int8 values (a multiple of 16, zero-padded) then the row's float32 scale.
;;            `q` holds the query as `bytes` int16 values. v128.load8x8_s sign-extends 8 bytes
;;            to int16 and i32x4.dot_i16x8_s multiplies and adds pairs into int32 lanes, exact
;;            while bytes · 127² < 2^31. One row at a time, 32 bytes per step: measured 1.3x
;;            faster on x86-64 than two rows per pass sharing each query load
;;            (bench/bandwidth-floor.ts compares both).
;; scores_i8_select: scores_i8 and select in one pass (the k best of the rows as they are scored).
;; select:    the k best of scores[0, n) (rows base + r) into a binary min-heap at hs (float32
;;            scores) / hi (int32 rows); returns how many it holds. Order: higher score first,
;;            then lower row (the scan's insertion order), as the JavaScript TopK.
(module
  (memory (import "env" "memory") 1)

  (func $dot_f32 (param $q i32) (param $p i32) (param $bytes i32) (result f32)
    (local $i i32) (local $acc0 v128) (local $acc1 v128)
    (block $done
      (loop $inner
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
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
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))

  (func (export "scores") (param $q i32) (param $data i32) (param $n i32) (param $d i32) (param $out i32)
    (local $row i32) (local $p i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $p (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $n)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
          (call $dot_f32 (local.get $q) (local.get $p) (local.get $bytes)))
        (local.set $p (i32.add (local.get $p) (local.get $bytes)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))

  (func (export "scores_at") (param $q i32) (param $data i32) (param $rows i32) (param $n i32) (param $d i32) (param $out i32)
    (local $j i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (call $dot_f32
            (local.get $q)
            (i32.add (local.get $data)
              (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $j) (i32.const 2))))
                (local.get $bytes)))
            (local.get $bytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each))))

  ;; int8 rows (`bytes` codes, a multiple of 16, then the row's float32 scale; `stride` bytes
  ;; apart) against the query's int16 codes: out[r] = scale · s_r · Σ c_r,i · q_i. Two rows per
  ;; pass share each load of the query (16 bytes of each row per step), then one row is left when
  ;; n is odd.
  (func (export "scores_i8") (param $q i32) (param $data i32) (param $n i32) (param $stride i32) (param $bytes i32) (param $scale f32) (param $out i32)
    (local $row i32) (local $p i32) (local $i i32) (local $qi i32) (local $end i32) (local $end32 i32)
    (local $acc v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $qv v128) (local $qv2 v128)
    (local.set $p (local.get $data))
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
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                  (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
              (f32.load (local.get $end)))
            (local.get $scale)))
        (f32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2)))
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
        (br $pairs)))
    ;; the last row when n is odd
    (if (i32.lt_u (local.get $row) (local.get $n))
      (then
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
)))
;; whether (s1, i1) ranks below (s2, i2): a lower score, or the same score and a higher row
  (func $worse (param $s1 f32) (param $i1 i32) (param $s2 f32) (param $i2 i32) (result i32)
    (i32.or
      (f32.lt (local.get $s1) (local.get $s2))
      (i32.and (f32.eq (local.get $s1) (local.get $s2)) (i32.gt_u (local.get $i1) (local.get $i2)))))

  ;; Offers (s, idx) to the heap of `size` entries at hs/hi that holds at most k; the caller has
  ;; checked that it is not full or that (s, idx) ranks above its root. Returns the new size.
  (func $offer (param $s f32) (param $idx i32) (param $k i32) (param $hs i32) (param $hi i32) (param $size i32) (result i32)
    (local $pos i32) (local $next i32) (local $c i32)
    (if (i32.lt_u (local.get $size) (local.get $k))
      (then
        ;; not full: sift the new entry up from the end
        (local.set $pos (local.get $size))
        (block $placed
          (loop $up
            (br_if $placed (i32.eqz (local.get $pos)))
            (local.set $next (i32.shr_u (i32.sub (local.get $pos) (i32.const 1)) (i32.const 1)))
            (br_if $placed
              (i32.eqz
                (call $worse (local.get $s) (local.get $idx)
                  (f32.load (i32.add (local.get $hs) (i32.shl (local.get $next) (i32.const 2))))
                  (i32.load (i32.add (local.get $hi) (i32.shl (local.get $next) (i32.const 2)))))))
            (f32.store (i32.add (local.get $hs) (i32.shl (local.get $pos) (i32.const 2)))
              (f32.load (i32.add (local.get $hs) (i32.shl (local.get $next) (i32.const 2)))))
            (i32.store (i32.add (local.get $hi) (i32.shl (local.get $pos) (i32.const 2)))
              (i32.load (i32.add (local.get $hi) (i32.shl (local.get $next) (i32.const 2)))))
            (local.set $pos (local.get $next))
            (br $up)))
        (f32.store (i32.add (local.get $hs) (i32.shl (local.get $pos) (i32.const 2))) (local.get $s))
        (i32.store (i32.add (local.get $hi) (i32.shl (local.get $pos) (i32.const 2))) (local.get $idx))
        (return (i32.add (local.get $size) (i32.const 1)))))
    ;; full: replace the root and sift down
    (block $sunk
      (loop $down
        (local.set $c (i32.add (i32.shl (local.get $pos) (i32.const 1)) (i32.const 1)))
        (br_if $sunk (i32.ge_u (local.get $c) (local.get $size)))
        (if (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $size))
          (then
            (if (call $worse
                  (f32.load (i32.add (local.get $hs) (i32.shl (i32.add (local.get $c) (i32.const 1)) (i32.const 2))))
                  (i32.load (i32.add (local.get $hi) (i32.shl (i32.add (local.get $c) (i32.const 1)) (i32.const 2))))
                  (f32.load (i32.add (local.get $hs) (i32.shl (local.get $c) (i32.const 2))))
                  (i32.load (i32.add (local.get $hi) (i32.shl (local.get $c) (i32.const 2)))))
              (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))))
        (br_if $sunk
          (i32.eqz
            (call $worse
              (f32.load (i32.add (local.get $hs) (i32.shl (local.get $c) (i32.const 2))))
              (i32.load (i32.add (local.get $hi) (i32.shl (local.get $c) (i32.const 2))))
              (local.get $s) (local.get $idx))))
        (f32.store (i32.add (local.get $hs) (i32.shl (local.get $pos) (i32.const 2)))
          (f32.load (i32.add (local.get $hs) (i32.shl (local.get $c) (i32.const 2)))))
        (i32.store (i32.add (local.get $hi) (i32.shl (local.get $pos) (i32.const 2)))
          (i32.load (i32.add (local.get $hi) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $pos (local.get $c))
        (br $down)))
    (f32.store (i32.add (local.get $hs) (i32.shl (local.get $pos) (i32.const 2))) (local.get $s))
    (i32.store (i32.add (local.get $hi) (i32.shl (local.get $pos) (i32.const 2))) (local.get $idx))
    (local.get $size))

  (func (export "select") (param $scores i32) (param $n i32) (param $k i32) (param $hs i32) (param $hi i32) (param $base i32) (result i32)
    (local $r i32) (local $size i32) (local $s f32) (local $root f32)
    (if (i32.eqz (local.get $k)) (then (return (i32.const 0))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $s (f32.load (i32.add (local.get $scores) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        ;; full: rows come in increasing order, so an equal score ranks below the root
        (br_if $each
          (i32.and (i32.ge_u (local.get $size) (local.get $k)) (f32.le (local.get $s) (local.get $root))))
        (local.set $size
          (call $offer (local.get $s) (i32.add (local.get $base) (i32.sub (local.get $r) (i32.const 1)))
            (local.get $k) (local.get $hs) (local.get $hi) (local.get $size)))
        (local.set $root (f32.load (local.get $hs)))
        (br $each)))
    (local.get $size))

  ;; scores_i8 and select in one pass: the scores land in `out` as scores_i8 writes them, and the
  ;; k best (k > 0) in the heap at hs/hi, as select would choose them; returns the heap's size.
  ;; Two rows per pass share each load of the query (16 bytes of each row per step), then one row
  ;; is left when n is odd; rows are offered in increasing order, so ties keep the lower row.
  (func (export "scores_i8_select") (param $q i32) (param $data i32) (param $n i32) (param $stride i32) (param $bytes i32) (param $scale f32) (param $out i32)
    (param $k i32) (param $hs i32) (param $hi i32) (param $base i32) (result i32)
    (local $row i32) (local $p i32) (local $i i32) (local $qi i32) (local $end i32) (local $end32 i32)
    (local $acc v128) (local $s f32) (local $size i32) (local $root f32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $qv v128) (local $qv2 v128)
    (local $t f32)
    (local.set $p (local.get $data))
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
        (local.set $s
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                  (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
              (f32.load (local.get $end)))
            (local.get $scale)))
        (local.set $t
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $b0)) (i32x4.extract_lane 1 (local.get $b0)))
                  (i32.add (i32x4.extract_lane 2 (local.get $b0)) (i32x4.extract_lane 3 (local.get $b0)))))
              (f32.load (i32.add (local.get $end) (local.get $stride))))
            (local.get $scale)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))) (local.get $s))
        (f32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))) (local.get $t))
        (if (i32.or (i32.lt_u (local.get $size) (local.get $k)) (f32.gt (local.get $s) (local.get $root)))
          (then
            (local.set $size
              (call $offer (local.get $s) (i32.add (local.get $base) (local.get $row))
                (local.get $k) (local.get $hs) (local.get $hi) (local.get $size)))
            (local.set $root (f32.load (local.get $hs)))))
        (if (i32.or (i32.lt_u (local.get $size) (local.get $k)) (f32.gt (local.get $t) (local.get $root)))
          (then
            (local.set $size
              (call $offer (local.get $t) (i32.add (local.get $base) (i32.add (local.get $row) (i32.const 1)))
                (local.get $k) (local.get $hs) (local.get $hi) (local.get $size)))
            (local.set $root (f32.load (local.get $hs)))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 1))))
        (local.set $row (i32.add (local.get $row) (i32.const 2)))
        (br $pairs)))
    ;; the last row when n is odd
    (if (i32.lt_u (local.get $row) (local.get $n))
      (then
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $p))
        (local.set $qi (local.get $q))
        (local.set $end (i32.add (local.get $p) (local.get $bytes)))
        (local.set $end32 (i32.add (local.get $p) (i32.and (local.get $bytes) (i32.const -32))))
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
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $i)) (v128.load offset=0 (local.get $qi)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $i)) (v128.load offset=16 (local.get $qi)))))))
        (local.set $s
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                  (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
              (f32.load (local.get $end)))
            (local.get $scale)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))) (local.get $s))
        (if (i32.or (i32.lt_u (local.get $size) (local.get $k)) (f32.gt (local.get $s) (local.get $root)))
          (then
            (local.set $size
              (call $offer (local.get $s) (i32.add (local.get $base) (local.get $row))
                (local.get $k) (local.get $hs) (local.get $hi) (local.get $size)))
            (local.set $root (f32.load (local.get $hs)))))
))
    (local.get $size))
)
