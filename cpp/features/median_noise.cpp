// Reference noise_residual: mean |Y - median3x3(Y)|. The median is cv2.medianBlur(Y, 3), which
// always replicates the border (it ignores BORDER_REFLECT_101), so this does too.
#include <algorithm>
#include <cmath>

#include "features/feature_set.h"

namespace vxfast::features {

double noise_residual_ref(const LumaView& v) {
  const int64_t h = v.height, w = v.width;
  double sum = 0;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      int win[9];
      int k = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) win[k++] = v.row(replicate(y + dy, h))[replicate(x + dx, w)];
      std::nth_element(win, win + 4, win + 9);
      sum += std::abs(static_cast<int>(v.row(y)[x]) - win[4]);
    }
  return sum / static_cast<double>(h * w);
}

}  // namespace vxfast::features
