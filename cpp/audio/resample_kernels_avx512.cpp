// AVX-512 polyphase kernel of resample_kernels.h (flags from cmake/simd.cmake). Four outputs at a
// time: their tap sums are independent FMA chains, so the FMA latency hides behind the others.
#include <immintrin.h>

#include "audio/resample_kernels.h"

namespace vxfast {

namespace {

inline __m512 dot(const float* w, const float* p, int full, __mmask16 tail) {
  __m512 acc = _mm512_setzero_ps();
  int k = 0;
  for (int c = 0; c < full; ++c, k += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(w + k), _mm512_loadu_ps(p + k), acc);
  if (tail) acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w + k), _mm512_maskz_loadu_ps(tail, p + k), acc);
  return acc;
}

inline __m256 fold(__m512 v) {
  return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

}  // namespace

void resample_avx512(const SwrFilter& f, const float* x, int64_t x_first, int64_t m0, int64_t n, float* out) {
  const int full = f.taps / 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (f.taps % 16)) - 1u);
  int64_t q = m0 % f.Q;
  const float* p = x + (m0 / f.Q * f.P + q * f.P / f.Q + f.offset - x_first);
  const float* wb = f.w.data();
  const int32_t* adv = f.advance.data();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m512 a[4];
    for (int j = 0; j < 4; ++j) {
      a[j] = dot(wb + q * f.taps, p, full, tail);
      p += adv[q];
      if (++q == f.Q) q = 0;
    }
    // Four 16-lane sums to four floats: halves, then two rounds of pairwise adds (each output's own
    // lanes only, in a fixed order).
    const __m256 h01 = _mm256_hadd_ps(fold(a[0]), fold(a[1]));
    const __m256 h23 = _mm256_hadd_ps(fold(a[2]), fold(a[3]));
    const __m256 h = _mm256_hadd_ps(h01, h23);
    _mm_storeu_ps(out + i, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
  }
  if (i < n) {  // the same reduction as above, so an output does not depend on where a call starts
    __m512 a[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int j = 0; i + j < n; ++j) {
      a[j] = dot(wb + q * f.taps, p, full, tail);
      p += adv[q];
      if (++q == f.Q) q = 0;
    }
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(fold(a[0]), fold(a[1])), _mm256_hadd_ps(fold(a[2]), fold(a[3])));
    alignas(16) float r[4];
    _mm_store_ps(r, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
    for (int j = 0; i < n; ++i, ++j) out[i] = r[j];
  }
}

}  // namespace vxfast
