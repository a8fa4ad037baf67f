#include "postprocess/class_scan.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vxfast::post {
namespace {

// Anchors are scanned in tiles so the running best/argmax stays in L1 (or registers) while the class
// rows stream past; the tile is small enough that 80 row streams stay prefetcher-friendly.
constexpr int64_t kTile = 64;

// Scalar reference over anchors [begin, end): also the tail of the SIMD versions.
bool scan_range_scalar(const float* rows, int64_t row_stride, int nc, int64_t begin, int64_t end,
                       float conf, Candidates& out) {
  float best[kTile];
  int32_t arg[kTile];
  float bad[kTile];  // sum of v*0: stays 0 for finite v, turns NaN on any NaN or inf
  bool finite = true;
  for (int64_t t0 = begin; t0 < end; t0 += kTile) {
    const int64_t len = std::min(kTile, end - t0);
    for (int64_t k = 0; k < len; ++k) {
      best[k] = rows[t0 + k];
      arg[k] = 0;
      bad[k] = best[k] * 0.0f;
    }
    for (int c = 1; c < nc; ++c) {
      const float* row = rows + c * row_stride + t0;
      for (int64_t k = 0; k < len; ++k) {
        const float v = row[k];
        bad[k] += v * 0.0f;
        if (v > best[k]) {
          best[k] = v;
          arg[k] = c;
        }
      }
    }
    for (int64_t k = 0; k < len; ++k) {
      if (bad[k] != bad[k]) finite = false;
      if (best[k] > conf) {
        out.anchor.push_back(static_cast<int32_t>(t0 + k));
        out.score.push_back(best[k]);
        out.cls.push_back(arg[k]);
      }
    }
  }
  return finite;
}

}  // namespace

bool scan_class_rows_scalar(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                            Candidates& out) {
  return scan_range_scalar(rows, row_stride, nc, 0, n, conf, out);
}

#if defined(__x86_64__)
// 4 vectors of 8 anchors: best, argmax and the finiteness accumulator for 32 anchors fit in 12 of
// the 16 ymm registers.
__attribute__((target("avx2,fma"))) bool scan_class_rows_avx2(const float* rows,
                                                               int64_t row_stride, int nc,
                                                               int64_t n, float conf,
                                                               Candidates& out) {
  constexpr int V = 4;
  constexpr int64_t T = 8 * V;
  const __m256 zero = _mm256_setzero_ps();
  const __m256 confv = _mm256_set1_ps(conf);
  bool finite = true;
  int64_t t0 = 0;
  for (; t0 + T <= n; t0 += T) {
    __m256 best[V], arg[V], bad[V];
    for (int k = 0; k < V; ++k) {
      best[k] = _mm256_loadu_ps(rows + t0 + 8 * k);
      arg[k] = zero;
      bad[k] = _mm256_mul_ps(best[k], zero);
    }
    for (int c = 1; c < nc; ++c) {
      const float* row = rows + c * row_stride + t0;
      // Class ids ride along as floats (exact below 2^24) so one blend serves both vectors.
      const __m256 cv = _mm256_set1_ps(static_cast<float>(c));
      for (int k = 0; k < V; ++k) {
        const __m256 v = _mm256_loadu_ps(row + 8 * k);
        const __m256 gt = _mm256_cmp_ps(v, best[k], _CMP_GT_OQ);
        best[k] = _mm256_blendv_ps(best[k], v, gt);
        arg[k] = _mm256_blendv_ps(arg[k], cv, gt);
        bad[k] = _mm256_fmadd_ps(v, zero, bad[k]);
      }
    }
    for (int k = 0; k < V; ++k) {
      if (_mm256_movemask_ps(_mm256_cmp_ps(bad[k], bad[k], _CMP_UNORD_Q))) finite = false;
      int mask = _mm256_movemask_ps(_mm256_cmp_ps(best[k], confv, _CMP_GT_OQ));
      if (!mask) continue;
      alignas(32) float b[8], a[8];
      _mm256_store_ps(b, best[k]);
      _mm256_store_ps(a, arg[k]);
      while (mask) {
        const int bit = __builtin_ctz(mask);
        mask &= mask - 1;
        out.anchor.push_back(static_cast<int32_t>(t0 + 8 * k + bit));
        out.score.push_back(b[bit]);
        out.cls.push_back(static_cast<int32_t>(a[bit]));
      }
    }
  }
  return scan_range_scalar(rows, row_stride, nc, t0, n, conf, out) && finite;
}

__attribute__((target("avx512f,avx512bw"))) bool scan_class_rows_avx512(const float* rows,
                                                                         int64_t row_stride,
                                                                         int nc, int64_t n,
                                                                         float conf,
                                                                         Candidates& out) {
  constexpr int V = 4;
  constexpr int64_t T = 16 * V;
  const __m512 zero = _mm512_setzero_ps();
  const __m512 confv = _mm512_set1_ps(conf);
  bool finite = true;
  int64_t t0 = 0;
  for (; t0 + T <= n; t0 += T) {
    __m512 best[V], bad[V];
    __m512i arg[V];
    for (int k = 0; k < V; ++k) {
      best[k] = _mm512_loadu_ps(rows + t0 + 16 * k);
      arg[k] = _mm512_setzero_si512();
      bad[k] = _mm512_mul_ps(best[k], zero);
    }
    for (int c = 1; c < nc; ++c) {
      const float* row = rows + c * row_stride + t0;
      const __m512i cv = _mm512_set1_epi32(c);
      for (int k = 0; k < V; ++k) {
        const __m512 v = _mm512_loadu_ps(row + 16 * k);
        const __mmask16 gt = _mm512_cmp_ps_mask(v, best[k], _CMP_GT_OQ);
        best[k] = _mm512_mask_mov_ps(best[k], gt, v);
        arg[k] = _mm512_mask_mov_epi32(arg[k], gt, cv);
        bad[k] = _mm512_fmadd_ps(v, zero, bad[k]);
      }
    }
    for (int k = 0; k < V; ++k) {
      if (_mm512_cmp_ps_mask(bad[k], bad[k], _CMP_UNORD_Q)) finite = false;
      unsigned mask = _mm512_cmp_ps_mask(best[k], confv, _CMP_GT_OQ);
      if (!mask) continue;
      alignas(64) float b[16];
      alignas(64) int32_t a[16];
      _mm512_store_ps(b, best[k]);
      _mm512_store_si512(a, arg[k]);
      while (mask) {
        const int bit = __builtin_ctz(mask);
        mask &= mask - 1;
        out.anchor.push_back(static_cast<int32_t>(t0 + 16 * k + bit));
        out.score.push_back(b[bit]);
        out.cls.push_back(a[bit]);
      }
    }
  }
  return scan_range_scalar(rows, row_stride, nc, t0, n, conf, out) && finite;
}
#endif

bool scan_class_rows(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                     Candidates& out, SimdLevel level) {
#if defined(__x86_64__)
  if (level == SimdLevel::Avx512) return scan_class_rows_avx512(rows, row_stride, nc, n, conf, out);
  if (level == SimdLevel::Avx2) return scan_class_rows_avx2(rows, row_stride, nc, n, conf, out);
#endif
  return scan_class_rows_scalar(rows, row_stride, nc, n, conf, out);
}

}  // namespace vxfast::post
