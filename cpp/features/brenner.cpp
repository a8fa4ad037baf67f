// Reference brenner: mean of (Y[y, x+2] - Y[y, x])^2 over the pairs that exist (NaN when W < 3).
#include <limits>

#include "features/feature_set.h"

namespace vxfast::features {

double brenner_ref(const LumaView& v) {
  if (v.width < 3) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (int64_t y = 0; y < v.height; ++y) {
    const uint8_t* r = v.row(y);
    for (int64_t x = 0; x + 2 < v.width; ++x) {
      double d = static_cast<double>(r[x + 2]) - r[x];
      sum += d * d;
    }
  }
  return sum / static_cast<double>(v.height * (v.width - 2));
}

}  // namespace vxfast::features
