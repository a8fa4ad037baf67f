// The AVX-512 F/BW/DQ (16 lanes, masked tails) class scans of class_scan.h, built with this ISA's flags
// by cmake/simd.cmake.
// Per-ISA bodies, not one lane-width template: the AVX-512 versions cover the last partial vector
// and find the arg-max class with masks, which AVX2 has no cheap equivalent of (it finishes with
// scalar tails and per-lane compares instead).
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "postprocess/candidate_buffer.h"
#include "postprocess/class_scan.h"
#include "postprocess/class_scan_block.h"

namespace vxfast::post {

bool scan_class_rows_avx512(const float* rows, int64_t row_stride, int nc, int64_t n, float conf, Candidates& out) {
  CandidateBuffer buf(out);
  alignas(64) float best[kBlock];
  const __m512 zero = _mm512_setzero_ps(), confv = _mm512_set1_ps(conf);
  __m512 bad0 = zero, bad1 = zero;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = (n - b0 < kBlock ? n - b0 : kBlock);
    auto lanes = [len](int64_t k) {
      return len - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (len - k)) - 1);
    };
    for (int64_t k = 0; k < len; k += 16) {
      const __m512 v = _mm512_maskz_loadu_ps(lanes(k), rows + b0 + k);
      bad0 = _mm512_fmadd_ps(v, zero, bad0);
      _mm512_store_ps(best + k, v);
    }
    int c = 1;
    for (; c + 4 <= nc; c += 4) {
      const float* r0 = rows + c * row_stride + b0;
      const float* r1 = r0 + row_stride;
      const float* r2 = r1 + row_stride;
      const float* r3 = r2 + row_stride;
      for (int64_t k = 0; k < len; k += 16) {
        const __mmask16 l = lanes(k);
        const __m512 v0 = _mm512_maskz_loadu_ps(l, r0 + k), v1 = _mm512_maskz_loadu_ps(l, r1 + k);
        const __m512 v2 = _mm512_maskz_loadu_ps(l, r2 + k), v3 = _mm512_maskz_loadu_ps(l, r3 + k);
        __m512 b = _mm512_load_ps(best + k);
        b = _mm512_max_ps(_mm512_max_ps(b, v0), _mm512_max_ps(v1, _mm512_max_ps(v2, v3)));
        _mm512_store_ps(best + k, b);
        bad0 = _mm512_fmadd_ps(v0, zero, _mm512_fmadd_ps(v1, zero, bad0));
        bad1 = _mm512_fmadd_ps(v2, zero, _mm512_fmadd_ps(v3, zero, bad1));
      }
    }
    for (; c < nc; ++c) {
      const float* r = rows + c * row_stride + b0;
      for (int64_t k = 0; k < len; k += 16) {
        const __m512 v = _mm512_maskz_loadu_ps(lanes(k), r + k);
        _mm512_store_ps(best + k, _mm512_max_ps(_mm512_load_ps(best + k), v));
        bad0 = _mm512_fmadd_ps(v, zero, bad0);
      }
    }
    for (int64_t k = 0; k < len; k += 16) {
      const __mmask16 l = lanes(k);
      const __m512 bv = _mm512_load_ps(best + k);
      const __mmask16 m = _mm512_mask_cmp_ps_mask(l, bv, confv, _CMP_GT_OQ);
      if (!m) continue;
      __m512i argv = _mm512_setzero_si512();
      __mmask16 want = m;
      for (int c2 = 0; c2 < nc && want; ++c2) {
        const __mmask16 eq = _mm512_mask_cmp_ps_mask(
            want, _mm512_maskz_loadu_ps(l, rows + c2 * row_stride + b0 + k), bv, _CMP_EQ_OQ);
        argv = _mm512_mask_mov_epi32(argv, eq, _mm512_set1_epi32(c2));
        want &= ~eq;
      }
      alignas(64) int32_t arg[16];
      _mm512_store_si512(arg, argv);
      for (unsigned bits = m; bits; bits &= bits - 1) {
        const int q = __builtin_ctz(bits);
        buf.push(b0 + k + q, best[k + q], arg[q]);
      }
    }
  }
  const __m512 bad = _mm512_add_ps(bad0, bad1);
  buf.flush();
  return _mm512_cmp_ps_mask(bad, bad, _CMP_UNORD_Q) == 0;
}

bool scan_anchor_rows_avx512(const float* data, int64_t stride, int nc, int64_t n, float conf, Candidates& out) {
  CandidateBuffer buf(out);
  const __m512 zero = _mm512_setzero_ps();
  const __m512 lowest = _mm512_set1_ps(-INFINITY);
  __m512 bad = zero;
  for (int64_t a = 0; a < n; ++a) {
    const float* s = data + a * stride;
    __m512 mx = lowest;
    for (int c = 0; c < nc; c += 16) {
      const __mmask16 l = nc - c >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (nc - c)) - 1);
      // Lanes past nc read as -inf so they never win the max, and leave `bad` untouched.
      const __m512 v = _mm512_mask_loadu_ps(lowest, l, s + c);
      mx = _mm512_max_ps(mx, v);
      bad = _mm512_mask3_fmadd_ps(v, zero, bad, l);
    }
    const float best = _mm512_reduce_max_ps(mx);
    if (best > conf) buf.push(a, best, first_equal(s, nc, best));
  }
  buf.flush();
  return _mm512_cmp_ps_mask(bad, bad, _CMP_UNORD_Q) == 0;
}

}  // namespace vxfast::post
