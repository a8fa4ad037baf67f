// Reference tenengrad (mean Gx^2+Gy^2) and gradient_mean (mean sqrt(Gx^2+Gy^2)), 3x3 Sobel,
// BORDER_REFLECT_101.
#include <cmath>

#include "features/feature_set.h"

namespace vxfast::features {

void sobel_ref(const LumaView& v, double* tenengrad, double* gradient_mean) {
  const int64_t h = v.height, w = v.width;
  auto px = [&](int64_t y, int64_t x) {
    return static_cast<double>(v.row(reflect101(y, h))[reflect101(x, w)]);
  };
  static const int kx[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
  double sq = 0, mag = 0;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double gx = 0, gy = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          double p = px(y + dy, x + dx);
          gx += kx[dy + 1][dx + 1] * p;
          gy += kx[dx + 1][dy + 1] * p;  // the transposed kernel
        }
      sq += gx * gx + gy * gy;
      mag += std::sqrt(gx * gx + gy * gy);
    }
  const double n = static_cast<double>(h * w);
  *tenengrad = sq / n;
  *gradient_mean = mag / n;
}

}  // namespace vxfast::features
