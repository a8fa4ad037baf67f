// NMS overlap test, 16 lanes (built with AVX-512 flags by cmake/simd.cmake).
#include "common/simd_lanes.h"
#include "postprocess/nms_overlap.inc"

namespace vxfast::post {
bool any_overlap_avx512(const KeptBoxes& k, const float* box, float area, float thr_f) {
  return any_overlap_lanes<Lanes512>(k, box, area, thr_f);
}
}  // namespace vxfast::post
