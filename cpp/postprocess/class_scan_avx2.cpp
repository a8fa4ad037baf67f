// The AVX2 + FMA (8 lanes) class scans of class_scan.h, built with this ISA's flags
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

// The SIMD versions split the work in two: a max-only pass over all class rows (4 rows per
// load/store of the running best, so about one max and one finiteness FMA per vector), then, only
// for the vectors with an anchor above conf, a re-scan for the first class equal to that maximum.
// That gives numpy's argmax (first maximum) while the arg bookkeeping of the 8400 x 80 pass, which
// doubled its instruction count, is paid for the few candidate vectors only.
bool scan_class_rows_avx2(const float* rows, int64_t row_stride, int nc, int64_t n, float conf, Candidates& out) {
  CandidateBuffer buf(out);
  alignas(32) float best[kBlock];
  const __m256 zero = _mm256_setzero_ps(), confv = _mm256_set1_ps(conf);
  // v*0 sums (0 for finite v, NaN otherwise); two so they are not one serial chain.
  __m256 bad0 = zero, bad1 = zero;
  float bad_tail = 0.0f;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = (n - b0 < kBlock ? n - b0 : kBlock);
    const int64_t len8 = len & ~int64_t(7);
    for (int64_t k = 0; k < len; ++k) {
      best[k] = rows[b0 + k];
      bad_tail += best[k] * 0.0f;
    }
    int c = 1;
    for (; c + 4 <= nc; c += 4) {
      const float* r0 = rows + c * row_stride + b0;
      const float* r1 = r0 + row_stride;
      const float* r2 = r1 + row_stride;
      const float* r3 = r2 + row_stride;
      for (int64_t k = 0; k < len8; k += 8) {
        const __m256 v0 = _mm256_loadu_ps(r0 + k), v1 = _mm256_loadu_ps(r1 + k);
        const __m256 v2 = _mm256_loadu_ps(r2 + k), v3 = _mm256_loadu_ps(r3 + k);
        // max_ps(b, v) = b > v ? b : v; the NaN check below covers the NaN case.
        __m256 b = _mm256_load_ps(best + k);
        b = _mm256_max_ps(_mm256_max_ps(b, v0), _mm256_max_ps(v1, _mm256_max_ps(v2, v3)));
        _mm256_store_ps(best + k, b);
        bad0 = _mm256_fmadd_ps(v0, zero, _mm256_fmadd_ps(v1, zero, bad0));
        bad1 = _mm256_fmadd_ps(v2, zero, _mm256_fmadd_ps(v3, zero, bad1));
      }
    }
    for (; c < nc; ++c) {
      const float* r = rows + c * row_stride + b0;
      for (int64_t k = 0; k < len8; k += 8) {
        const __m256 v = _mm256_loadu_ps(r + k);
        _mm256_store_ps(best + k, _mm256_max_ps(_mm256_load_ps(best + k), v));
        bad0 = _mm256_fmadd_ps(v, zero, bad0);
      }
    }
    // Tail anchors (< 8) of the block: scalar, all classes.
    for (int c2 = 1; c2 < nc; ++c2)
      for (int64_t k = len8; k < len; ++k) {
        const float v = rows[c2 * row_stride + b0 + k];
        bad_tail += v * 0.0f;
        if (v > best[k]) best[k] = v;
      }
    for (int64_t k = 0; k < len; k += 8) {
      const int m = k + 8 <= len ? _mm256_movemask_ps(_mm256_cmp_ps(_mm256_load_ps(best + k), confv, _CMP_GT_OQ))
                                 : 0;
      int tail_mask = 0;
      if (k + 8 > len)
        for (int64_t q = k; q < len; ++q) tail_mask |= (best[q] > conf) << (q - k);
      int want = m | tail_mask;
      if (!want) continue;
      int32_t arg[8] = {0};
      for (int c2 = 0; c2 < nc && want; ++c2) {
        const float* r = rows + c2 * row_stride + b0 + k;
        for (int bits = want; bits; bits &= bits - 1) {
          const int q = __builtin_ctz(bits);
          if (r[q] == best[k + q]) {
            arg[q] = c2;
            want &= ~(1 << q);
          }
        }
      }
      for (int bits = m | tail_mask; bits; bits &= bits - 1) {
        const int q = __builtin_ctz(bits);
        buf.push(b0 + k + q, best[k + q], arg[q]);
      }
    }
  }
  const __m256 bad = _mm256_add_ps(bad0, bad1);
  buf.flush();
  return !_mm256_movemask_ps(_mm256_cmp_ps(bad, bad, _CMP_UNORD_Q)) && bad_tail == bad_tail;
}

bool scan_anchor_rows_avx2(const float* data, int64_t stride, int nc, int64_t n, float conf, Candidates& out) {
  CandidateBuffer buf(out);
  const __m256 zero = _mm256_setzero_ps();
  const int nc8 = nc & ~7;
  __m256 bad = zero;
  float bad_tail = 0.0f;
  for (int64_t a = 0; a < n; ++a) {
    const float* s = data + a * stride;
    __m256 mx = _mm256_set1_ps(s[0]);
    for (int c = 0; c < nc8; c += 8) {
      const __m256 v = _mm256_loadu_ps(s + c);
      mx = _mm256_max_ps(mx, v);
      bad = _mm256_fmadd_ps(v, zero, bad);
    }
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float best = _mm_cvtss_f32(h);
    for (int c = nc8; c < nc; ++c) {
      bad_tail += s[c] * 0.0f;
      best = s[c] > best ? s[c] : best;
    }
    if (best > conf) buf.push(a, best, first_equal(s, nc, best));
  }
  buf.flush();
  return !_mm256_movemask_ps(_mm256_cmp_ps(bad, bad, _CMP_UNORD_Q)) && bad_tail == bad_tail;
}

}  // namespace vxfast::post
