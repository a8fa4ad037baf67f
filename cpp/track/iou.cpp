#include "track/iou.h"

namespace vxfast::track {

void iou_distance(const std::vector<BoxF>& a, const std::vector<BoxF>& b, std::vector<float>& out) {
  const size_t na = a.size(), nb = b.size();
  out.resize(na * nb);
  for (size_t i = 0; i < na; ++i) {
    float* row = out.data() + i * nb;
    // Boxes that cannot overlap skip the division; 1 - 0 is what it would give.
    for (size_t j = 0; j < nb; ++j) {
      const BoxF& p = a[i];
      const BoxF& q = b[j];
      if (p[2] <= q[0] || q[2] <= p[0] || p[3] <= q[1] || q[3] <= p[1]) {
        row[j] = 1.f;
        continue;
      }
      row[j] = 1.f - box_iou(p, q);
    }
  }
}

}  // namespace vxfast::track
