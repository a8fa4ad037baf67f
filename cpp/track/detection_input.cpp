#include "track/detection_input.h"

#include <cmath>
#include <stdexcept>

namespace vxfast::track {

void validate_detections(const DetectionsView& d) {
  for (int64_t i = 0; i < d.n; ++i) {
    const float* r = d.row(i);
    for (int k = 0; k < 6; ++k)
      if (!std::isfinite(r[k]))
        throw std::invalid_argument("detections row " + std::to_string(i) + " has a non-finite value (column " +
                                    std::to_string(k) + ")");
    if (r[2] < r[0] || r[3] < r[1])
      throw std::invalid_argument("detections row " + std::to_string(i) +
                                  " is an inverted box (x2 < x1 or y2 < y1)");
  }
}

}  // namespace vxfast::track
