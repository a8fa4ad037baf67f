#pragma once
// Reconnect delays: initial * factor^k capped at max, each spread by +-jitter (a fraction) so many
// sources that lost one server do not all knock again at the same instant.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace vxfast {

struct Backoff {
  double initial = 0.5;
  double max = 30;
  double factor = 2;
  double jitter = 0.2;
  int64_t max_attempts = -1;  // reconnect attempts after a failure; < 0: forever

  // Seconds to wait before reconnect attempt `attempt` (1-based).
  double delay(int64_t attempt, std::mt19937_64& rng) const {
    const double k = static_cast<double>(std::max<int64_t>(attempt - 1, 0));
    double d = std::min(max, initial * std::pow(factor, std::min(k, 60.0)));
    if (jitter > 0) {
      std::uniform_real_distribution<double> u(-jitter, jitter);
      d *= 1 + u(rng);
    }
    return std::max(0.0, d);
  }
  bool exhausted(int64_t attempts) const { return max_attempts >= 0 && attempts > max_attempts; }
};

}  // namespace vxfast
