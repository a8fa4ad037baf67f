// Scalar reference kernels: the definition of correct for every SIMD version.
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

Kernels scalar_kernels() { return {hpass_rgb, hpass_yuv, vpass, SimdLevel::Scalar}; }

Kernels select_kernels(SimdLevel level) {
  switch (level) {
    case SimdLevel::Avx512: return avx512_kernels();
    case SimdLevel::Avx2: return avx2_kernels();
    case SimdLevel::Neon: return neon_kernels();
    case SimdLevel::Scalar: break;
  }
  return scalar_kernels();
}

}  // namespace vxfast
