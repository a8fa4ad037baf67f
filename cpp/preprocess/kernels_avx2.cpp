// AVX2 + FMA + F16C row kernels (8 floats a step): kernels_lanes.inc at 256 bits. Built with AVX2
// flags by cmake/simd.cmake; only called where common/simd.h says the CPU has them.
#include "preprocess/kernels_lanes.inc"

namespace vxfast {

Kernels avx2_kernels() {
  return {hpass_rgb<Lanes256>, hpass_yuv<Lanes256>, vpass<Lanes256>, SimdLevel::Avx2};
}

}  // namespace vxfast
