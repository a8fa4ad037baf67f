#include "postprocess/nms_kernels.h"

#include <algorithm>

namespace vxfast::post {

bool any_overlap_scalar(const KeptBoxes& k, const float* b, float area, float thr_f) {
  for (size_t i = 0; i < k.n; ++i) {
    const float xx1 = std::max(k.x1[i], b[0]);
    const float yy1 = std::max(k.y1[i], b[1]);
    const float xx2 = std::min(k.x2[i], b[2]);
    const float yy2 = std::min(k.y2[i], b[3]);
    const float w = std::max(0.0f, xx2 - xx1);
    const float h = std::max(0.0f, yy2 - yy1);
    const float inter = w * h;
    const float ovr = inter / (k.area[i] + area - inter);
    if (ovr > thr_f) return true;
  }
  return false;
}

}  // namespace vxfast::post
