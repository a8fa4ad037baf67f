// AVX-512 kernels of kernels.h (flags from cmake/simd.cmake). Masked loads cover each band's tail,
// so a band of up to 16 bins (most of them at 80-128 mels) is one FMA.
#include <immintrin.h>

#include "audio_frontend/kernels.h"

namespace vxfast::audio_frontend {

void power_avx512(const float* X, int n, float* power) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  int k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512 a = _mm512_loadu_ps(X + 2 * k), b = _mm512_loadu_ps(X + 2 * k + 16);
    const __m512 re = _mm512_permutex2var_ps(a, even, b), im = _mm512_permutex2var_ps(a, odd, b);
    _mm512_storeu_ps(power + k, _mm512_fmadd_ps(re, re, _mm512_mul_ps(im, im)));
  }
  for (; k < n; ++k) power[k] = X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
}

void bands_avx512(const BandsView& b, const float* spec, float* out) {
  for (int m = 0; m < b.n_mels; ++m) {
    const float* w = b.weights + b.offset[m];
    const float* s = spec + b.start[m];
    const int c = b.count[m];
    __m512 acc = _mm512_setzero_ps();
    int k = 0;
    for (; k + 16 <= c; k += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(w + k), _mm512_loadu_ps(s + k), acc);
    if (k < c) {
      const __mmask16 tail = static_cast<__mmask16>((1u << (c - k)) - 1u);
      acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w + k), _mm512_maskz_loadu_ps(tail, s + k), acc);
    }
    out[m] = _mm512_reduce_add_ps(acc);
  }
}

}  // namespace vxfast::audio_frontend
