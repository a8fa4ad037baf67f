#pragma once
// The inner test of greedy NMS on float32 boxes: does any kept box overlap the candidate with
// IoU > threshold? Kept boxes are stored SoA and zero-padded to a multiple of 16 so the SIMD
// versions need no tail (a zero box has IoU 0 or NaN with anything, so it never suppresses).
// Bit-identical to the scalar reference: same operations in the same order, IEEE division, and
// min/max operand order chosen to match std::min/std::max on NaN.
#include <cstddef>

#include "postprocess/simd_level.h"

namespace vxfast::post {

struct KeptBoxes {
  const float *x1, *y1, *x2, *y2, *area;
  size_t n;  // real boxes; arrays hold round_up(n, 16) entries
};

// thr_f: the largest float not above the double threshold, so `ovr > thr_f` in float equals
// torchvision's `double(ovr) > thr`.
bool any_overlap_scalar(const KeptBoxes& k, const float* box, float area, float thr_f);
#if defined(__x86_64__)
bool any_overlap_avx2(const KeptBoxes& k, const float* box, float area, float thr_f);
bool any_overlap_avx512(const KeptBoxes& k, const float* box, float area, float thr_f);
#endif

inline bool any_overlap(const KeptBoxes& k, const float* box, float area, float thr_f,
                        SimdLevel level) {
#if defined(__x86_64__)
  if (level == SimdLevel::Avx512) return any_overlap_avx512(k, box, area, thr_f);
  if (level == SimdLevel::Avx2) return any_overlap_avx2(k, box, area, thr_f);
#endif
  return any_overlap_scalar(k, box, area, thr_f);
}

}  // namespace vxfast::post
