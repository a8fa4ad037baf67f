// Scalar reference kernels: the definition of correct for every SIMD version.
#include <atomic>

#include "preprocess/kernels.h"
#include "preprocess/scalar_inl.h"

namespace vxfast {
namespace {

void hpass_rgb(const uint8_t* row, const HTaps& t, float* const out[3]) {
  kernel_detail::hpass_rgb_scalar_range(row, t, out, 0);
}

void hpass_yuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step, const HTaps& t,
               const YuvCoeffs& k, float* const out[3]) {
  kernel_detail::hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, 0);
}

void vpass(const VPassArgs& a) { kernel_detail::vpass_scalar_range(a, 0); }

}  // namespace

void fill_f32_plain(float* d, ptrdiff_t n, float v, bool) {
  for (ptrdiff_t i = 0; i < n; ++i) d[i] = v;
}

Kernels scalar_kernels() { return {hpass_rgb, hpass_yuv, vpass, SimdLevel::Scalar}; }

namespace {
std::atomic<bool> g_use_vbmi{true};
std::atomic<bool> g_streaming{true};
}  // namespace

bool avx512_vbmi_available() { return simd::cpu_has_avx512_vbmi(); }
void set_avx512_vbmi(bool on) { g_use_vbmi.store(on); }
void set_avx512_streaming(bool on) { g_streaming.store(on); }

Kernels select_kernels(SimdLevel level) {
  switch (level) {
#if defined(__x86_64__) || defined(__i386__)
    case SimdLevel::Avx512: {
      Kernels k = avx512_kernels(g_streaming.load(std::memory_order_relaxed));
      if (g_use_vbmi.load(std::memory_order_relaxed) && avx512_vbmi_available()) k.hpass_yuv = hpass_yuv_avx512vbmi;
      return k;
    }
    case SimdLevel::Avx2: return avx2_kernels();
#endif
    case SimdLevel::Neon: return neon_kernels();
    default: break;
  }
  return scalar_kernels();
}

}  // namespace vxfast
