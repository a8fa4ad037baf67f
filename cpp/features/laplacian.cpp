// Reference laplacian_var: population variance of the 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0]
// (cv2.Laplacian ksize=1), BORDER_REFLECT_101.
#include <vector>

#include "features/feature_set.h"

namespace vxfast::features {

double laplacian_var_ref(const LumaView& v) {
  const int64_t h = v.height, w = v.width;
  auto px = [&](int64_t y, int64_t x) {
    return static_cast<double>(v.row(reflect101(y, h))[reflect101(x, w)]);
  };
  std::vector<double> lap(static_cast<size_t>(h * w));
  double sum = 0;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double l = px(y - 1, x) + px(y + 1, x) + px(y, x - 1) + px(y, x + 1) - 4 * px(y, x);
      lap[y * w + x] = l;
      sum += l;
    }
  // Two passes, so the reference does not share the fast path's sum-of-squares formula.
  const double mean = sum / static_cast<double>(h * w);
  double ss = 0;
  for (double l : lap) ss += (l - mean) * (l - mean);
  return ss / static_cast<double>(h * w);
}

}  // namespace vxfast::features
