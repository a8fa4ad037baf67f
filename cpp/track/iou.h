#pragma once
// IoU distance (1 - IoU) between two box lists, in float32 with the reference's operation order
// (Ultralytics' bbox_ioa, eps 1e-7) so that thresholds and ties fall the same way.
#include <algorithm>
#include <array>
#include <vector>

namespace vxfast::track {

using BoxF = std::array<float, 4>;  // x1, y1, x2, y2

// out: row-major a.size() x b.size().
void iou_distance(const std::vector<BoxF>& a, const std::vector<BoxF>& b, std::vector<float>& out);

// IoU of one pair (same arithmetic as iou_distance's).
inline float box_iou(const BoxF& p, const BoxF& q) {
  float iw = std::min(p[2], q[2]) - std::max(p[0], q[0]);
  float ih = std::min(p[3], q[3]) - std::max(p[1], q[1]);
  iw = iw > 0.f ? iw : 0.f;
  ih = ih > 0.f ? ih : 0.f;
  const float inter = iw * ih;
  const float area_q = (q[2] - q[0]) * (q[3] - q[1]);
  const float area_p = (p[2] - p[0]) * (p[3] - p[1]);
  const float area = area_q + area_p - inter;
  return inter / (area + 1e-7f);
}

}  // namespace vxfast::track
