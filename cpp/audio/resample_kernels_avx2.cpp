// AVX2 polyphase kernel of resample_kernels.h (flags from cmake/simd.cmake): the per-output layout
// (resample_per_output_impl.h) with taps in 8-lane chunks.
#include <immintrin.h>

#include "audio/resample_kernels.h"
#include "audio/resample_per_output_impl.h"

namespace vxfast {

namespace {

struct Ops {
  using V = __m256;
  int full;
  bool has_tail;
  __m256i tail;
  explicit Ops(int taps) : full(taps / 8), has_tail(taps % 8 != 0) {
    alignas(32) int32_t lanes[8];
    for (int j = 0; j < 8; ++j) lanes[j] = j < taps % 8 ? -1 : 0;
    tail = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
  }
  static V zero() { return _mm256_setzero_ps(); }
  V dot(const float* w, const float* p) const {
    __m256 acc = _mm256_setzero_ps();
    int k = 0;
    for (int c = 0; c < full; ++c, k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(p + k), acc);
    if (has_tail) acc = _mm256_fmadd_ps(_mm256_maskload_ps(w + k, tail), _mm256_maskload_ps(p + k, tail), acc);
    return acc;
  }
  static __m128 reduce4(const V* a) {
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  }
};

}  // namespace

void resample_avx2(const SwrFilter& f, const float* x, int64_t x_first, int64_t /*x_len*/, int64_t m0, int64_t n,
                   float* out) {
  resample_impl::per_output<Ops>(f, x, x_first, m0, n, out);
}

}  // namespace vxfast
