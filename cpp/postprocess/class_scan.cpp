#include "postprocess/class_scan.h"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vxfast::post {
namespace {

// Anchors are processed in blocks: the running best scores of a block (16 KB) stay in L1 while each
// class row streams through contiguously. A narrow register tile walked down all 80 rows instead
// touches 80 pages per tile, which defeats the L2 streamer and the L1 TLB (see docs/performance.md).
constexpr int64_t kBlock = 4096;

// Branch-free on purpose: GCC/Clang vectorise this (SSE2 on x86-64, NEON on aarch64) at baseline
// flags; the variant that also tracked the argmax has control flow and stayed scalar (~4x slower).
void max_row(const float* __restrict row, float* __restrict best, float* __restrict bad,
             int64_t len) {
  for (int64_t k = 0; k < len; ++k) {
    const float v = row[k];
    bad[k] += v * 0.0f;  // per anchor: stays 0 for finite v, NaN after any NaN or inf
    best[k] = v > best[k] ? v : best[k];
  }
}

}  // namespace

// Reference: best score per anchor, then for the anchors above conf the first class equal to it,
// which is numpy's argmax (first maximum).
bool scan_class_rows_scalar(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                            Candidates& out) {
  float best[kBlock];
  float bad[kBlock];
  bool finite = true;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = std::min(kBlock, n - b0);
    for (int64_t k = 0; k < len; ++k) {
      best[k] = rows[b0 + k];
      bad[k] = best[k] * 0.0f;
    }
    for (int c = 1; c < nc; ++c) max_row(rows + c * row_stride + b0, best, bad, len);
    for (int64_t k = 0; k < len; ++k) finite &= bad[k] == bad[k];
    for (int64_t k = 0; k < len; ++k) {
      if (!(best[k] > conf)) continue;
      int c = 0;
      while (c < nc - 1 && !(rows[c * row_stride + b0 + k] == best[k])) ++c;
      out.anchor.push_back(static_cast<int32_t>(b0 + k));
      out.score.push_back(best[k]);
      out.cls.push_back(c);
    }
  }
  return finite;
}

#if defined(__x86_64__)
// The SIMD versions split the work in two: a max-only pass over all class rows (4 rows per
// load/store of the running best, so about one max and one finiteness FMA per vector), then, only
// for the vectors with an anchor above conf, a re-scan for the first class equal to that maximum.
// That gives numpy's argmax (first maximum) while the arg bookkeeping of the 8400 x 80 pass, which
// doubled its instruction count, is paid for the few candidate vectors only.
__attribute__((target("avx2,fma"))) bool scan_class_rows_avx2(const float* rows,
                                                               int64_t row_stride, int nc,
                                                               int64_t n, float conf,
                                                               Candidates& out) {
  alignas(32) float best[kBlock];
  const __m256 zero = _mm256_setzero_ps(), confv = _mm256_set1_ps(conf);
  // v*0 sums (0 for finite v, NaN otherwise); two so they are not one serial chain.
  __m256 bad0 = zero, bad1 = zero;
  float bad_tail = 0.0f;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = std::min(kBlock, n - b0);
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
        out.anchor.push_back(static_cast<int32_t>(b0 + k + q));
        out.score.push_back(best[k + q]);
        out.cls.push_back(arg[q]);
      }
    }
  }
  const __m256 bad = _mm256_add_ps(bad0, bad1);
  return !_mm256_movemask_ps(_mm256_cmp_ps(bad, bad, _CMP_UNORD_Q)) && bad_tail == bad_tail;
}

__attribute__((target("avx512f,avx512bw,avx512dq"))) bool scan_class_rows_avx512(
    const float* rows, int64_t row_stride, int nc, int64_t n, float conf, Candidates& out) {
  alignas(64) float best[kBlock];
  const __m512 zero = _mm512_setzero_ps(), confv = _mm512_set1_ps(conf);
  __m512 bad0 = zero, bad1 = zero;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = std::min(kBlock, n - b0);
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
        out.anchor.push_back(static_cast<int32_t>(b0 + k + q));
        out.score.push_back(best[k + q]);
        out.cls.push_back(arg[q]);
      }
    }
  }
  const __m512 bad = _mm512_add_ps(bad0, bad1);
  return _mm512_cmp_ps_mask(bad, bad, _CMP_UNORD_Q) == 0;
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
