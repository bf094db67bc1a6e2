;; The gallery's search kernel: one probe against every row of a template matrix, four float32
;; lanes at a time (WebAssembly SIMD), because a 512-d engine made the plain JavaScript scan
;; 73 ms per search at 100,000 people. scripts/build-dot-kernel.mjs assembles this file into
;; dot-kernel-wasm.ts (checked by test/face/dot-kernel.test.ts); edit here, then run it.
(module
  (memory (export "memory") 1)
  ;; out[r] = rows[r] · probe for r < people; every pointer is a byte offset into memory, and dim
  ;; must be a positive multiple of 16 (the caller checks).
  (func (export "scores")
    (param $rows i32) (param $probe i32) (param $people i32) (param $dim i32) (param $out i32)
    (local $rowBytes i32) (local $end i32) (local $rowEnd i32) (local $p i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $people) (local.get $rowBytes))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $p (local.get $probe))
        (local.set $rowEnd (i32.add (local.get $rows) (local.get $rowBytes)))
        ;; Four independent sums so the multiply-adds overlap.
        (loop $lanes
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load (local.get $rows)) (v128.load (local.get $p)))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (v128.load offset=16 (local.get $rows)) (v128.load offset=16 (local.get $p)))))
          (local.set $a2 (f32x4.add (local.get $a2)
            (f32x4.mul (v128.load offset=32 (local.get $rows)) (v128.load offset=32 (local.get $p)))))
          (local.set $a3 (f32x4.add (local.get $a3)
            (f32x4.mul (v128.load offset=48 (local.get $rows)) (v128.load offset=48 (local.get $p)))))
          (local.set $rows (i32.add (local.get $rows) (i32.const 64)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br_if $lanes (i32.lt_u (local.get $rows) (local.get $rowEnd))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1))
                                  (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))
)
