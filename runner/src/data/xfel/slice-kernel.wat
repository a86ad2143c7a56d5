;; The hot loops of the XFEL simulator, in WebAssembly SIMD (f64x2: one lane Re, one lane Im, so
;; every complex multiply-add by a real weight is one instruction pair). Memory is laid out by
;; kernel.ts; assembled by make-kernel.ts into slice-kernel-wasm.ts. Pointers are byte offsets.
;;
;; lookups(count, order, np, rot, q, m, B, nbx, nbz, boff, data, S, out): cubic B-spline
;; interpolation of the complex F(q) grid on the bricked layout of bricked.ts (which sorts the
;; lookups by brick), with the arithmetic of grid.ts `sliceAmplitudesSpline` in the same order, so
;; results are bit-identical to it (≈ 3× faster than the same loop in JavaScript).
;;   order  i32[count]   entries e = i·np + p, in the order to process them (brick by brick)
;;   rot    f64[9·n]     per image i the rotation R/Δq, row-major; F at g = (R/Δq)ᵀ q
;;   q      f64[3·np]    the points (x, y, z interleaved)
;;   boff   i32[]        per brick the offset of its first value in data (in floats)
;;   data   f32[]        bricks of S³ voxels (B own + 3 apron), interleaved Re, Im; z fastest
;;   out    f64x2[]      F at entry e goes to out[e]
;;
;; fill(c, nc, n, stride, points, margin, w, row, stop, scale, out): the detector interpolation of
;; detector-interp.ts: from F on the coarse lattice (c: f64x2[nc·nc], coarse point (I, J) ↔ pixel
;; stride·(I − margin, J − margin)), Lagrange interpolation along u on every coarse row into row
;; (f64x2[nc·n]), then along v, and out[p] = |F|²·scale[p] (f64[n·n]), 0 where stop[p] (u8[n·n]).
;; w holds the `points` weights of each fraction r/stride, r = 1 … stride−1, as f64x2 splats.
;;
;; The memory is shared (worker threads look up one grid, simulate.ts); each instance gets its own
;; 192 bytes of scratch for lookups (the x, y, z weights as f64x2 splats) at the imported $scratch.
(module
  (import "env" "memory" (memory 1 32768 shared))
  (global $scratch (import "env" "scratch") i32)
  ;; Cubic B-spline weights of nodes −1, 0, 1, 2 at fraction t, as four f64x2 splats at dst.
  (func $weights (param $t f64) (param $dst i32)
    (local $u f64) (local $t2 f64) (local $t3 f64) (local $w0 f64) (local $w1 f64) (local $w3 f64)
    (local.set $u (f64.sub (f64.const 1) (local.get $t)))
    (local.set $t2 (f64.mul (local.get $t) (local.get $t)))
    (local.set $t3 (f64.mul (local.get $t2) (local.get $t)))
    (local.set $w0 (f64.div (f64.mul (f64.mul (local.get $u) (local.get $u)) (local.get $u)) (f64.const 6)))
    (local.set $w3 (f64.div (local.get $t3) (f64.const 6)))
    (local.set $w1 (f64.add (f64.sub (f64.mul (f64.const 0.5) (local.get $t3)) (local.get $t2)) (f64.const 0.6666666666666666)))
    (v128.store (local.get $dst) (f64x2.splat (local.get $w0)))
    (v128.store offset=16 (local.get $dst) (f64x2.splat (local.get $w1)))
    (v128.store offset=32 (local.get $dst) (f64x2.splat (f64.sub (f64.sub (f64.sub (f64.const 1) (local.get $w0)) (local.get $w1)) (local.get $w3))))
    (v128.store offset=48 (local.get $dst) (f64x2.splat (local.get $w3))))
  (func (export "lookups")
    (param $count i32) (param $order i32) (param $np i32) (param $rot i32) (param $q i32)
    (param $m f64) (param $B i32) (param $nbx i32) (param $nbz i32) (param $boff i32) (param $data i32) (param $S i32)
    (param $out i32)
    (local $s i32) (local $e i32) (local $i i32) (local $p i32) (local $ro i32) (local $qo i32)
    (local $a f64) (local $b f64) (local $c f64) (local $gx f64) (local $gy f64) (local $gz f64) (local $neg i32)
    (local $fx f64) (local $fy f64) (local $jx i32) (local $jy i32) (local $jz i32)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local $X i32) (local $Y i32) (local $Z i32) (local $bx i32) (local $by i32) (local $bz i32)
    (local $base i32) (local $o i32) (local $sx i32) (local $sy i32)
    (local $ax i32) (local $ay i32) (local $acc v128) (local $plane v128) (local $col v128) (local $oo i32)
    (local.set $sy (i32.mul (local.get $S) (i32.const 8)))
    (local.set $sx (i32.mul (local.get $sy) (local.get $S)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $s) (local.get $count)))
        (local.set $e (i32.load (i32.add (local.get $order) (i32.shl (local.get $s) (i32.const 2)))))
        (local.set $i (i32.div_u (local.get $e) (local.get $np)))
        (local.set $p (i32.sub (local.get $e) (i32.mul (local.get $i) (local.get $np))))
        (local.set $ro (i32.add (local.get $rot) (i32.mul (local.get $i) (i32.const 72))))
        (local.set $qo (i32.add (local.get $q) (i32.mul (local.get $p) (i32.const 24))))
        (local.set $a (f64.load (local.get $qo)))
        (local.set $b (f64.load offset=8 (local.get $qo)))
        (local.set $c (f64.load offset=16 (local.get $qo)))
        ;; g = (R/Δq)ᵀ q, summed as in JavaScript
        (local.set $gx (f64.add (f64.add (f64.mul (f64.load (local.get $ro)) (local.get $a)) (f64.mul (f64.load offset=24 (local.get $ro)) (local.get $b))) (f64.mul (f64.load offset=48 (local.get $ro)) (local.get $c))))
        (local.set $gy (f64.add (f64.add (f64.mul (f64.load offset=8 (local.get $ro)) (local.get $a)) (f64.mul (f64.load offset=32 (local.get $ro)) (local.get $b))) (f64.mul (f64.load offset=56 (local.get $ro)) (local.get $c))))
        (local.set $gz (f64.add (f64.add (f64.mul (f64.load offset=16 (local.get $ro)) (local.get $a)) (f64.mul (f64.load offset=40 (local.get $ro)) (local.get $b))) (f64.mul (f64.load offset=64 (local.get $ro)) (local.get $c))))
        ;; Friedel half: only g_z ≥ 0 is stored
        (local.set $neg (f64.lt (local.get $gz) (f64.const 0)))
        (if (local.get $neg)
          (then
            (local.set $gx (f64.neg (local.get $gx)))
            (local.set $gy (f64.neg (local.get $gy)))
            (local.set $gz (f64.neg (local.get $gz)))))
        (local.set $fx (f64.add (local.get $gx) (local.get $m)))
        (local.set $fy (f64.add (local.get $gy) (local.get $m)))
        (local.set $jx (i32.trunc_f64_s (local.get $fx)))
        (local.set $jy (i32.trunc_f64_s (local.get $fy)))
        (local.set $jz (i32.trunc_f64_s (local.get $gz)))
        (call $weights (f64.sub (local.get $fx) (f64.convert_i32_s (local.get $jx))) (global.get $scratch))
        (call $weights (f64.sub (local.get $fy) (f64.convert_i32_s (local.get $jy))) (i32.add (global.get $scratch) (i32.const 64)))
        (call $weights (f64.sub (local.get $gz) (f64.convert_i32_s (local.get $jz))) (i32.add (global.get $scratch) (i32.const 128)))
        (local.set $z0 (v128.load offset=128 (global.get $scratch)))
        (local.set $z1 (v128.load offset=144 (global.get $scratch)))
        (local.set $z2 (v128.load offset=160 (global.get $scratch)))
        (local.set $z3 (v128.load offset=176 (global.get $scratch)))
        ;; first tap (X, Y, Z) = (jx − 1, jy − 1, jz − 1 − Z_MIN) in stored indices; its brick and byte address
        (local.set $X (i32.sub (local.get $jx) (i32.const 1)))
        (local.set $Y (i32.sub (local.get $jy) (i32.const 1)))
        (local.set $Z (i32.add (local.get $jz) (i32.const 1)))
        (local.set $bx (i32.div_u (local.get $X) (local.get $B)))
        (local.set $by (i32.div_u (local.get $Y) (local.get $B)))
        (local.set $bz (i32.div_u (local.get $Z) (local.get $B)))
        (local.set $base (i32.load (i32.add (local.get $boff) (i32.shl
          (i32.add (i32.mul (i32.add (i32.mul (local.get $bx) (local.get $nbx)) (local.get $by)) (local.get $nbz)) (local.get $bz)) (i32.const 2)))))
        (local.set $o (i32.add (local.get $data) (i32.add
          (i32.shl (local.get $base) (i32.const 2))
          (i32.add (i32.add
            (i32.mul (i32.sub (local.get $X) (i32.mul (local.get $bx) (local.get $B))) (local.get $sx))
            (i32.mul (i32.sub (local.get $Y) (i32.mul (local.get $by) (local.get $B))) (local.get $sy)))
            (i32.shl (i32.sub (local.get $Z) (i32.mul (local.get $bz) (local.get $B))) (i32.const 3))))))
        ;; Σ_x w_x Σ_y w_y Σ_z w_z c over the 4×4 columns of 4 taps; c promoted from f32 exactly
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $ax (i32.const 0))
        (loop $xs
          (local.set $plane (v128.const f64x2 0 0))
          (local.set $ay (i32.const 0))
          (local.set $oo (local.get $o))
          (loop $ys
            (local.set $col
              (f64x2.add
                (f64x2.add
                  (f64x2.add
                    (f64x2.mul (local.get $z0) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $oo))))
                    (f64x2.mul (local.get $z1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $oo)))))
                  (f64x2.mul (local.get $z2) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $oo)))))
                (f64x2.mul (local.get $z3) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $oo))))))
            (local.set $plane (f64x2.add (local.get $plane)
              (f64x2.mul (v128.load offset=64 (i32.add (global.get $scratch) (i32.shl (local.get $ay) (i32.const 4)))) (local.get $col))))
            (local.set $oo (i32.add (local.get $oo) (local.get $sy)))
            (local.set $ay (i32.add (local.get $ay) (i32.const 1)))
            (br_if $ys (i32.lt_u (local.get $ay) (i32.const 4))))
          (local.set $acc (f64x2.add (local.get $acc)
            (f64x2.mul (v128.load (i32.add (global.get $scratch) (i32.shl (local.get $ax) (i32.const 4)))) (local.get $plane))))
          (local.set $o (i32.add (local.get $o) (local.get $sx)))
          (local.set $ax (i32.add (local.get $ax) (i32.const 1)))
          (br_if $xs (i32.lt_u (local.get $ax) (i32.const 4))))
        ;; F(−g) = conj F(g)
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $e) (i32.const 4)))
          (select (f64x2.mul (local.get $acc) (v128.const f64x2 1 -1)) (local.get $acc) (local.get $neg)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next))))

  (func (export "fill")
    (param $c i32) (param $nc i32) (param $n i32) (param $stride i32) (param $points i32) (param $margin i32)
    (param $w i32) (param $row i32) (param $stop i32) (param $scale i32) (param $out i32)
    (local $lo i32) (local $J i32) (local $u i32) (local $v i32) (local $j i32) (local $r i32) (local $k i32)
    (local $src i32) (local $wp i32) (local $dst i32) (local $step i32) (local $p i32) (local $z v128)
    ;; coarse index of the first of the `points` nodes around fraction r of cell j is j + lo
    (local.set $lo (i32.add (i32.sub (local.get $margin) (i32.shr_u (local.get $points) (i32.const 1))) (i32.const 1)))
    ;; Along u, on every coarse row J.
    (local.set $dst (local.get $row))
    (local.set $J (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $J) (local.get $nc)))
      (local.set $u (i32.const 0))
      (block $usDone (loop $us
        (br_if $usDone (i32.ge_u (local.get $u) (local.get $n)))
        (local.set $j (i32.div_u (local.get $u) (local.get $stride)))
        (local.set $r (i32.sub (local.get $u) (i32.mul (local.get $j) (local.get $stride))))
        (if (i32.eqz (local.get $r))
          (then
            (v128.store (local.get $dst) (v128.load (i32.add (local.get $c)
              (i32.shl (i32.add (i32.mul (local.get $J) (local.get $nc)) (i32.add (local.get $j) (local.get $margin))) (i32.const 4))))))
          (else
            (local.set $src (i32.add (local.get $c)
              (i32.shl (i32.add (i32.mul (local.get $J) (local.get $nc)) (i32.add (local.get $j) (local.get $lo))) (i32.const 4))))
            (local.set $wp (i32.add (local.get $w) (i32.shl (i32.mul (i32.sub (local.get $r) (i32.const 1)) (local.get $points)) (i32.const 4))))
            (v128.store (local.get $dst) (call $dot (local.get $src) (i32.const 16) (local.get $wp) (local.get $points)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $us)))
      (local.set $J (i32.add (local.get $J) (i32.const 1)))
      (br $rows)))
    ;; Along v, into the pixels.
    (local.set $step (i32.shl (local.get $n) (i32.const 4)))
    (local.set $p (i32.const 0))
    (local.set $v (i32.const 0))
    (block $vsDone (loop $vs
      (br_if $vsDone (i32.ge_u (local.get $v) (local.get $n)))
      (local.set $j (i32.div_u (local.get $v) (local.get $stride)))
      (local.set $r (i32.sub (local.get $v) (i32.mul (local.get $j) (local.get $stride))))
      (local.set $src (i32.add (local.get $row) (i32.mul (local.get $step)
        (i32.add (local.get $j) (select (local.get $margin) (local.get $lo) (i32.eqz (local.get $r)))))))
      (local.set $wp (i32.add (local.get $w) (i32.shl (i32.mul (i32.sub (local.get $r) (i32.const 1)) (local.get $points)) (i32.const 4))))
      (local.set $u (i32.const 0))
      (block $psDone (loop $ps
        (br_if $psDone (i32.ge_u (local.get $u) (local.get $n)))
        (if (i32.load8_u (i32.add (local.get $stop) (local.get $p)))
          (then (f64.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 3))) (f64.const 0)))
          (else
            (if (i32.eqz (local.get $r))
              (then (local.set $z (v128.load (local.get $src))))
              (else (local.set $z (call $dot (local.get $src) (local.get $step) (local.get $wp) (local.get $points)))))
            (local.set $z (f64x2.mul (local.get $z) (local.get $z)))
            (f64.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 3)))
              (f64.mul
                (f64.add (f64x2.extract_lane 0 (local.get $z)) (f64x2.extract_lane 1 (local.get $z)))
                (f64.load (i32.add (local.get $scale) (i32.shl (local.get $p) (i32.const 3))))))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $ps)))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br $vs))))

  ;; Σ_k w[k]·x[k] over `points` (even) complex values x spaced `step` bytes apart, in two partial
  ;; sums (even and odd k) so that the additions overlap.
  (func $dot (param $x i32) (param $step i32) (param $w i32) (param $points i32) (result v128)
    (local $a v128) (local $b v128) (local $k i32)
    (local.set $a (v128.const f64x2 0 0))
    (local.set $b (v128.const f64x2 0 0))
    (block $done (loop $taps
      (br_if $done (i32.ge_u (local.get $k) (local.get $points)))
      (local.set $a (f64x2.add (local.get $a) (f64x2.mul (v128.load (local.get $w)) (v128.load (local.get $x)))))
      (local.set $b (f64x2.add (local.get $b)
        (f64x2.mul (v128.load offset=16 (local.get $w)) (v128.load (i32.add (local.get $x) (local.get $step))))))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $step) (i32.const 1))))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br $taps)))
    (f64x2.add (local.get $a) (local.get $b)))
)
