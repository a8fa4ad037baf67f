#pragma once
// A mel filterbank stored as bands: each filter is nonzero only between its two neighbours' centres
// (a few FFT bins at low frequencies, a few dozen at high), so a dense (n_mels x n_bins) matmul
// would spend ~90% of its multiply-adds on zeros. Each row keeps [first, last] nonzero bins.
#include <cstdint>
#include <vector>

namespace vxfast::audio_frontend {

struct MelBands {
  int n_mels = 0;
  int n_bins = 0;                 // spectrum bins the filterbank was built for (n_fft/2 + 1)
  std::vector<int> start, count;  // per filter: first nonzero bin, number of bins kept
  std::vector<int> offset;        // per filter: where its weights begin in `weights`
  std::vector<float> weights;

  // From a dense row-major (n_mels, n_bins) matrix; exact zeros outside each row's span are dropped.
  static MelBands from_dense(const float* w, int n_mels, int n_bins);
  int64_t nonzeros() const { return static_cast<int64_t>(weights.size()); }
};

// Plain pointers into a MelBands, for the ISA kernels (which must not touch std:: templates).
struct BandsView {
  int n_mels;
  const int* start;
  const int* count;
  const int* offset;
  const float* weights;
};
inline BandsView view(const MelBands& b) {
  return {b.n_mels, b.start.data(), b.count.data(), b.offset.data(), b.weights.data()};
}


}  // namespace vxfast::audio_frontend
