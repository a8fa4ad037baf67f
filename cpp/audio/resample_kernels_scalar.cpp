#include "audio/resample_kernels.h"

namespace vxfast {

void resample_scalar(const SwrFilter& f, const float* x, int64_t x_first, int64_t /*x_len*/, int64_t m0, int64_t n,
                     float* out) {
  int64_t q = m0 % f.Q;
  const float* p = x + (m0 / f.Q * f.P + q * f.P / f.Q + f.offset - x_first);
  for (int64_t i = 0; i < n; ++i) {
    const float* w = f.w.data() + q * f.taps;
    float acc = 0.f;
    for (int t = 0; t < f.taps; ++t) acc += w[t] * p[t];
    out[i] = acc;
    p += f.advance[q];
    if (++q == f.Q) q = 0;
  }
}

void downmix(const float* const* in, int channels, const float* coef, int64_t n, float* out) {
  if (channels == 2) {  // the common case, kept as one expression the compiler vectorises
    const float* a = in[0];
    const float* b = in[1];
    const float ca = coef[0], cb = coef[1];
    for (int64_t i = 0; i < n; ++i) out[i] = a[i] * ca + b[i] * cb;
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = in[0][i] * coef[0];
  for (int c = 1; c < channels; ++c) {
    const float* a = in[c];
    const float k = coef[c];
    for (int64_t i = 0; i < n; ++i) out[i] += a[i] * k;
  }
}

ResampleKernel select_resample_kernel(simd::Level want) {
#if defined(__x86_64__) || defined(_M_X64)
  if (want == simd::Level::Avx512) return {simd::Level::Avx512, resample_avx512};
  if (want == simd::Level::Avx2) return {simd::Level::Avx2, resample_avx2};
#endif
  return {simd::Level::Scalar, resample_scalar};
}

}  // namespace vxfast
