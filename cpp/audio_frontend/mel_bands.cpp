#include "audio_frontend/mel_bands.h"

namespace vxfast::audio_frontend {

MelBands MelBands::from_dense(const float* w, int n_mels, int n_bins) {
  MelBands b;
  b.n_mels = n_mels;
  b.n_bins = n_bins;
  b.start.resize(n_mels);
  b.count.resize(n_mels);
  b.offset.resize(n_mels);
  for (int m = 0; m < n_mels; ++m) {
    const float* row = w + static_cast<int64_t>(m) * n_bins;
    int lo = 0, hi = n_bins - 1;
    while (lo < n_bins && row[lo] == 0.f) ++lo;
    while (hi >= lo && row[hi] == 0.f) --hi;
    b.start[m] = lo < n_bins ? lo : 0;
    b.count[m] = lo < n_bins ? hi - lo + 1 : 0;
    b.offset[m] = static_cast<int>(b.weights.size());
    for (int k = 0; k < b.count[m]; ++k) b.weights.push_back(row[lo + k]);
  }
  return b;
}

}  // namespace vxfast::audio_frontend
