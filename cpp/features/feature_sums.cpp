// Turns the fast path's per-row-range sums into the feature values of docs/features.md.
#include <limits>

#include "features/feature_set.h"

namespace vxfast::features {

void FeatureSums::add(const FeatureSums& o) {
  lap_sum += o.lap_sum;
  lap_sq += o.lap_sq;
  grad_sq += o.grad_sq;
  grad_mag += o.grad_mag;
  brenner += o.brenner;
  noise += o.noise;
  dct_dc += o.dct_dc;
  dct_low += o.dct_low;
  dct_mid += o.dct_mid;
  dct_high += o.dct_high;
  bh_boundary += o.bh_boundary;
  bh_total += o.bh_total;
  bv_boundary += o.bv_boundary;
  bv_total += o.bv_total;
}

FeatureVector finalize(const FeatureSums& s, int64_t h, int64_t w) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(h * w);
  FeatureVector f{};
  // n*sum(L^2) - sum(L)^2 is exact in 128 bits, so the variance has no cancellation error.
  const __int128 num = static_cast<__int128>(h * w) * s.lap_sq -
                       static_cast<__int128>(s.lap_sum) * s.lap_sum;
  f[0] = static_cast<double>(num) / n / n;
  f[1] = static_cast<double>(s.grad_sq) / n;
  f[2] = s.grad_mag / n;
  f[3] = w >= 3 ? static_cast<double>(s.brenner) / static_cast<double>(h * (w - 2)) : nan;
  f[4] = static_cast<double>(s.noise) / n;
  const double blocks = static_cast<double>((h / 8) * (w / 8));
  if (blocks > 0) {
    f[5] = s.dct_dc / blocks;
    f[6] = s.dct_low / blocks;
    f[7] = s.dct_mid / blocks;
    f[8] = s.dct_high / blocks;
    f[9] = s.dct_high / (s.dct_low + s.dct_mid + s.dct_high);
  } else {
    for (int i = 5; i <= 9; ++i) f[i] = nan;
  }
  // Horizontal pairs (x, x+1) per row: W-1, of which floor((W-1)/8) straddle a block boundary;
  // vertical pairs likewise with H.
  const int64_t nhb = (w - 1) / 8 * h, nho = (w - 1) * h - nhb;
  const int64_t nvb = (h - 1) / 8 * w, nvo = (h - 1) * w - nvb;
  auto ratio = [&](int64_t b, int64_t total, int64_t nb, int64_t no) {
    if (nb == 0 || no == 0) return nan;
    return (static_cast<double>(b) / nb) / (static_cast<double>(total - b) / no);
  };
  f[10] = (ratio(s.bh_boundary, s.bh_total, nhb, nho) + ratio(s.bv_boundary, s.bv_total, nvb, nvo)) / 2;
  return f;
}

}  // namespace vxfast::features
