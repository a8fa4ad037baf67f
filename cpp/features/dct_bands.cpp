// Reference DCT band energies: orthonormal 8x8 DCT-II of every whole block of Y (as float), the
// partial blocks at the right and bottom edges ignored. NaN for all five when there is no block.
#include <cmath>
#include <limits>

#include "features/feature_set.h"

namespace vxfast::features {

void dct_bands_ref(const LumaView& v, double out[5]) {
  const int64_t bh = v.height / 8, bw = v.width / 8;
  if (bh == 0 || bw == 0) {
    for (int i = 0; i < 5; ++i) out[i] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  double basis[8][8];  // basis[u][k] = c(u) cos((2k+1) u pi / 16)
  const double pi = std::acos(-1.0);
  for (int u = 0; u < 8; ++u)
    for (int k = 0; k < 8; ++k)
      basis[u][k] = (u == 0 ? std::sqrt(1.0 / 8) : std::sqrt(2.0 / 8)) * std::cos((2 * k + 1) * u * pi / 16);
  double dc = 0, low = 0, mid = 0, high = 0;
  for (int64_t by = 0; by < bh; ++by)
    for (int64_t bx = 0; bx < bw; ++bx) {
      for (int u = 0; u < 8; ++u)
        for (int w = 0; w < 8; ++w) {
          double c = 0;
          for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x)
              c += basis[u][y] * basis[w][x] * v.row(by * 8 + y)[bx * 8 + x];
          const int band = u + w;
          if (band == 0) dc += c;
          else if (band <= 3) low += c * c;
          else if (band <= 7) mid += c * c;
          else high += c * c;
        }
    }
  const double n = static_cast<double>(bh * bw);
  out[0] = dc / n;
  out[1] = low / n;
  out[2] = mid / n;
  out[3] = high / n;
  out[4] = high / (low + mid + high);  // 0/0 (flat blocks only) gives NaN, as numpy would
}

}  // namespace vxfast::features
