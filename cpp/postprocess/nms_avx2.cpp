// NMS overlap test, 8 lanes (built with AVX2 flags by cmake/simd.cmake).
#include "common/simd_lanes.h"
#include "postprocess/nms_overlap.inc"

namespace vxfast::post {
bool any_overlap_avx2(const KeptBoxes& k, const float* box, float area, float thr_f) {
  return any_overlap_lanes<Lanes256>(k, box, area, thr_f);
}
}  // namespace vxfast::post
