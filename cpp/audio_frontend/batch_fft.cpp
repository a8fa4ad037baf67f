#include "audio_frontend/batch_fft.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace vxfast::audio_frontend {

bool BatchFftPlan::supports(int n) {
  if (n < 4 || n % 2) return false;
  int h = n / 2;
  for (int p : {2, 3, 5})
    while (h % p == 0) h /= p;
  return h == 1;
}

BatchFftPlan::BatchFftPlan(int n) : n_(n) {
  if (!supports(n)) throw std::invalid_argument("BatchFftPlan: n=" + std::to_string(n) + " needs n/2 = 2^a 3^b 5^c");
  int h = n / 2;
  // Radix 4 first (fewest passes over the data), then 2, 3, 5.
  while (h % 4 == 0) radix_.push_back(4), h /= 4;
  for (int p : {2, 3, 5})
    while (h % p == 0) radix_.push_back(p), h /= p;
  int len = n / 2;
  for (int r : radix_) {
    const int m = len / r;
    std::vector<float> t(2 * static_cast<size_t>(m) * (r - 1));
    for (int p = 0; p < m; ++p)
      for (int j = 1; j < r; ++j) {
        const double a = -2.0 * M_PI * static_cast<double>(j * p) / len;
        t[2 * (p * (r - 1) + j - 1)] = static_cast<float>(std::cos(a));
        t[2 * (p * (r - 1) + j - 1) + 1] = static_cast<float>(std::sin(a));
      }
    tw_.push_back(std::move(t));
    len = m;
  }
  for (const auto& t : tw_) tw_ptr_.push_back(t.data());
  const int hh = n / 2;
  split_.resize(2 * static_cast<size_t>(hh + 1));
  for (int k = 0; k <= hh; ++k) {
    split_[2 * k] = static_cast<float>(std::cos(-2.0 * M_PI * k / n));
    split_[2 * k + 1] = static_cast<float>(std::sin(-2.0 * M_PI * k / n));
  }
}

BatchFftView BatchFftPlan::view() const {
  return {n_, n_ / 2, static_cast<int>(radix_.size()), radix_.data(), tw_ptr_.data(), split_.data()};
}

}  // namespace vxfast::audio_frontend
