#include "audio_frontend/kernels.h"

#include "audio_frontend/batch_fft_impl.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vxfast::audio_frontend {
namespace {

// Portable C++ lanes for the batched kernels: 4 floats the compiler keeps in one SSE2 / NEON
// register (plain loops, no intrinsics), so the reference level is not one frame at a time through
// a 16-lane layout.
struct Lanes4 {
  float v[4];
};
struct ScalarOps {
  using T = Lanes4;
  static constexpr int W = 4;
  static T load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
  static void store(float* p, const T& a) {
    for (int i = 0; i < 4; ++i) p[i] = a.v[i];
  }
  static T add(const T& a, const T& b) { return {{a.v[0] + b.v[0], a.v[1] + b.v[1], a.v[2] + b.v[2], a.v[3] + b.v[3]}}; }
  static T sub(const T& a, const T& b) { return {{a.v[0] - b.v[0], a.v[1] - b.v[1], a.v[2] - b.v[2], a.v[3] - b.v[3]}}; }
  static T mul(const T& a, const T& b) { return {{a.v[0] * b.v[0], a.v[1] * b.v[1], a.v[2] * b.v[2], a.v[3] * b.v[3]}}; }
  static T fmadd(const T& a, const T& b, const T& c) { return add(mul(a, b), c); }
  static T set1(float x) { return {{x, x, x, x}}; }
  static T zero() { return set1(0.f); }
  static void load_columns(const float* p, int64_t stride, int valid, T* cols) {
    for (int c = 0; c < 4; ++c)
      for (int j = 0; j < 4; ++j) cols[c].v[j] = c < valid ? p[j * stride + c] : 0.f;
  }
};

}  // namespace

void power_batch_scalar(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L, float* work,
                        float* pw) {
  batch_impl::power_batch<ScalarOps>(plan, in, stride, window, L, work, pw);
}

void bands_batch_scalar(const BandsView& b, const float* pw, float* out) { batch_impl::bands_batch<ScalarOps>(b, pw, out); }

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
  if (want == simd::Level::Avx512) return {simd::Level::Avx512, power_avx512, bands_avx512, log_avx512, power_batch_avx512, bands_batch_avx512};
  if (want == simd::Level::Avx2) return {simd::Level::Avx2, power_avx2, bands_avx2, log_avx2, power_batch_avx2, bands_batch_avx2};
#endif
  return {simd::Level::Scalar, power_scalar, bands_scalar, log_scalar, power_batch_scalar, bands_batch_scalar};
}

}  // namespace vxfast::audio_frontend
