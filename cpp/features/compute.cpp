// Splits a frame into row bands (multiples of 8 rows, so DCT blocks stay whole) over a few threads
// and adds up their exact sums.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "features/feature_set.h"

namespace vxfast::features {
namespace {

RowPassFn row_pass_for(SimdLevel l) {
  switch (l) {
#if defined(__x86_64__) || defined(__i386__)
    case SimdLevel::Avx512: return row_pass_avx512;
    case SimdLevel::Avx2: return row_pass_avx2;
#endif
    default: return row_pass_baseline;
  }
}

// Below ~0.5 MPixel a thread costs more to start than it saves (a 1080p frame takes a few ms).
constexpr int64_t kPixelsPerThread = 512 * 1024;

}  // namespace

FeatureVector compute(const LumaView& v, SimdLevel level, int threads) {
  if (v.height <= 0 || v.width <= 0)
    throw std::invalid_argument("luma plane must be non-empty; got " + std::to_string(v.height) + "x" +
                                std::to_string(v.width));
  if (!simd_level_supported(level))
    throw std::invalid_argument(std::string("SIMD level '") + simd_level_name(level) +
                                "' is not supported by this CPU");
  if (level == SimdLevel::Reference) return compute_reference(v);
  const RowPassFn pass = row_pass_for(level);

  int64_t n = threads > 0 ? threads
                          : std::min<int64_t>(std::max(1u, std::thread::hardware_concurrency()),
                                              std::max<int64_t>(1, v.height * v.width / kPixelsPerThread));
  const int64_t bands8 = (v.height + 7) / 8;
  n = std::max<int64_t>(1, std::min(n, bands8));
  std::vector<FeatureSums> sums(static_cast<size_t>(n));
  auto band = [&](int64_t i) {
    const int64_t y0 = std::min(v.height, bands8 * i / n * 8);
    const int64_t y1 = std::min(v.height, bands8 * (i + 1) / n * 8);
    pass(v, y0, y1, sums[static_cast<size_t>(i)]);
  };
  if (n == 1) {
    band(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(n - 1));
    for (int64_t i = 1; i < n; ++i) {
      // Out of threads: do the band here rather than unwind past joinable threads (terminate).
      try {
        pool.emplace_back(band, i);
      } catch (const std::system_error&) {
        band(i);
      }
    }
    band(0);
    for (auto& t : pool) t.join();
  }
  FeatureSums total;
  for (const auto& s : sums) total.add(s);
  return finalize(total, v.height, v.width);
}

}  // namespace vxfast::features
