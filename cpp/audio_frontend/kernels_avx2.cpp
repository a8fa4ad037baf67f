// AVX2 + FMA kernels of kernels.h (flags from cmake/simd.cmake).
#include <immintrin.h>

#include "audio_frontend/kernels.h"

namespace vxfast::audio_frontend {

void power_avx2(const float* X, int n, float* power) {
  int k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 a = _mm256_loadu_ps(X + 2 * k), b = _mm256_loadu_ps(X + 2 * k + 8);
    // hadd sums adjacent pairs per 128-bit lane: (a0 a1 b0 b1 | a2 a3 b2 b3) -> fix the order.
    const __m256 s = _mm256_hadd_ps(_mm256_mul_ps(a, a), _mm256_mul_ps(b, b));
    _mm256_storeu_ps(power + k, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), 0xD8)));
  }
  for (; k < n; ++k) power[k] = X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
}

void bands_avx2(const BandsView& b, const float* spec, float* out) {
  for (int m = 0; m < b.n_mels; ++m) {
    const float* w = b.weights + b.offset[m];
    const float* s = spec + b.start[m];
    const int c = b.count[m];
    __m256 acc = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= c; k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(s + k), acc);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float r = _mm_cvtss_f32(h);
    for (; k < c; ++k) r += w[k] * s[k];
    out[m] = r;
  }
}

}  // namespace vxfast::audio_frontend
