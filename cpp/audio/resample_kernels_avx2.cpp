// AVX2 polyphase kernel of resample_kernels.h (flags from cmake/simd.cmake): taps in 8-lane chunks,
// four outputs at a time (the AVX-512 kernel's layout for few phases), the same reduction for every
// output whatever range a call covers.
#include <immintrin.h>

#include "audio/resample_kernels.h"

namespace vxfast {

namespace {

inline __m256 dot(const float* w, const float* p, int full, __m256i tail, bool has_tail) {
  __m256 acc = _mm256_setzero_ps();
  int k = 0;
  for (int c = 0; c < full; ++c, k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(p + k), acc);
  if (has_tail) acc = _mm256_fmadd_ps(_mm256_maskload_ps(w + k, tail), _mm256_maskload_ps(p + k, tail), acc);
  return acc;
}

}  // namespace

void resample_avx2(const SwrFilter& f, const float* x, int64_t x_first, int64_t /*x_len*/, int64_t m0, int64_t n,
                   float* out) {
  const int full = f.taps / 8, rest = f.taps % 8;
  alignas(32) int32_t lanes[8];
  for (int j = 0; j < 8; ++j) lanes[j] = j < rest ? -1 : 0;
  const __m256i tail = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
  int64_t q = m0 % f.Q;
  const float* p = x + (m0 / f.Q * f.P + q * f.P / f.Q + f.offset - x_first);
  const float* wb = f.w.data();
  const int32_t* adv = f.advance.data();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256 a[4];
    for (int j = 0; j < 4; ++j) {
      a[j] = dot(wb + q * f.taps, p, full, tail, rest != 0);
      p += adv[q];
      if (++q == f.Q) q = 0;
    }
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
    _mm_storeu_ps(out + i, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
  }
  if (i < n) {  // the same reduction as above, so an output does not depend on where a call starts
    __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int j = 0; i + j < n; ++j) {
      a[j] = dot(wb + q * f.taps, p, full, tail, rest != 0);
      p += adv[q];
      if (++q == f.Q) q = 0;
    }
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
    alignas(16) float r[4];
    _mm_store_ps(r, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
    for (int j = 0; i < n; ++i, ++j) out[i] = r[j];
  }
}

}  // namespace vxfast
