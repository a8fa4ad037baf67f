// Reference blockiness: mean of the horizontal and vertical ratios
//   mean |dY| across 8-pixel block boundaries / mean |dY| at every other position,
// where horizontal differences are Y[y, x+1] - Y[y, x] with a boundary when x % 8 == 7, and
// vertical ones Y[y+1, x] - Y[y, x] with a boundary when y % 8 == 7. An empty set gives NaN.
#include <cmath>
#include <cstdlib>
#include <limits>

#include "features/feature_set.h"

namespace vxfast::features {

double blockiness_ref(const LumaView& v) {
  double hb = 0, ho = 0, vb = 0, vo = 0;
  int64_t nhb = 0, nho = 0, nvb = 0, nvo = 0;
  for (int64_t y = 0; y < v.height; ++y)
    for (int64_t x = 0; x < v.width; ++x) {
      const int p = v.row(y)[x];
      if (x + 1 < v.width) {
        const double d = std::abs(v.row(y)[x + 1] - p);
        if (x % 8 == 7) hb += d, ++nhb;
        else ho += d, ++nho;
      }
      if (y + 1 < v.height) {
        const double d = std::abs(v.row(y + 1)[x] - p);
        if (y % 8 == 7) vb += d, ++nvb;
        else vo += d, ++nvo;
      }
    }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double rh = (nhb && nho) ? (hb / nhb) / (ho / nho) : nan;
  const double rv = (nvb && nvo) ? (vb / nvb) / (vo / nvo) : nan;
  return (rh + rv) / 2;
}

}  // namespace vxfast::features
