#include "audio_frontend/kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vxfast::audio_frontend {

void power_scalar(const float* X, int n, float* power) {
  for (int k = 0; k < n; ++k) power[k] = X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
}

void bands_scalar(const BandsView& b, const float* spec, float* out) {
  for (int m = 0; m < b.n_mels; ++m) {
    const float* w = b.weights + b.offset[m];
    const float* s = spec + b.start[m];
    float acc = 0.f;
    for (int k = 0; k < b.count[m]; ++k) acc += w[k] * s[k];
    out[m] = acc;
  }
}

float log_one(float v, const LogParams& p) {
  const float x = std::max(v, p.floor) + p.offset;
  return p.mul * (p.base == 10 ? std::log10(x) : std::log(x));
}

float log_scalar(float* v, int n, const LogParams& p) {
  float mx = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < n; ++i) {
    v[i] = log_one(v[i], p);
    mx = std::max(mx, v[i]);
  }
  return mx;
}

Kernels select_kernels(simd::Level want) {
#if defined(__x86_64__) || defined(_M_X64)
  if (want == simd::Level::Avx512) return {simd::Level::Avx512, power_avx512, bands_avx512, log_avx512};
  if (want == simd::Level::Avx2) return {simd::Level::Avx2, power_avx2, bands_avx2, log_avx2};
#endif
  return {simd::Level::Scalar, power_scalar, bands_scalar, log_scalar};
}

}  // namespace vxfast::audio_frontend
