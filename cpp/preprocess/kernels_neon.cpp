// NEON kernels for AArch64: the vertical pass (the part that touches every output element) in
// 4-float steps; the gather-bound horizontal pass stays scalar, NEON has no gather to help it.
#include "preprocess/kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include "preprocess/scalar_inl.h"

namespace vxfast {
namespace {
using namespace kernel_detail;

void hpass_rgb(const uint8_t* row, const HTaps& t, float* const out[3]) {
  hpass_rgb_scalar_range(row, t, out, 0);
}

void hpass_yuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step, const HTaps& t,
               const YuvCoeffs& k, float* const out[3]) {
  hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, 0);
}

void vpass(const VPassArgs& a) {
  if (a.layout != OutLayout::CHW || a.dtype != OutDType::Float32) {
    vpass_scalar_range(a, 0);
    return;
  }
  const float32x4_t wy = vdupq_n_f32(a.wy);
  int i = 0;
  for (; i + 4 <= a.n; i += 4) {
    for (int c = 0; c < 3; ++c) {
      float32x4_t va = vld1q_f32(a.a[c] + i), vb = vld1q_f32(a.b[c] + i);
      float32x4_t v = vfmaq_f32(va, wy, vsubq_f32(vb, va));
      v = vfmaq_f32(vdupq_n_f32(a.bias[c]), v, vdupq_n_f32(a.k[c]));
      vst1q_f32(static_cast<float*>(a.dst) + c * a.plane_stride + i, v);
    }
  }
  vpass_scalar_range(a, i);
}

}  // namespace

Kernels neon_kernels() { return {hpass_rgb, hpass_yuv, vpass, SimdLevel::Neon}; }

}  // namespace vxfast

#else
namespace vxfast {
Kernels neon_kernels() { return scalar_kernels(); }
}  // namespace vxfast
#endif
