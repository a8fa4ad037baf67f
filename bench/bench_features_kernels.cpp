// Per-kernel times of the fast feature row pass over one 1080p luma frame (best of 9), for
// docs/performance-history.md. Dev-only: it includes one ISA's translation unit to reach its internal
// functions, so it is built by hand, not by CMake:
//
//   PYTHONPATH=python python bench/bench_features.py --save-frame /tmp/y1080.raw --no-video --rounds 1
//   for isa in avx512 avx2 baseline; do
//     g++ -O3 -std=gnu++17 -Icpp -DTU="\"features/fast_$isa.cpp\"" bench/bench_features_kernels.cpp -o /tmp/kb_$isa
//     /tmp/kb_$isa /tmp/y1080.raw
//   done
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include "features/feature_set.h"
#include TU

using namespace vxfast::features;

template <class F>
double best_ms(F f, int reps = 9) {
  double b = 1e9;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    b = std::min(b, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return b;
}

int main(int argc, char** argv) {
  const int64_t H = 1080, W = 1920;
  std::vector<uint8_t> img(H * W);
  if (argc < 2 || !std::ifstream(argv[1], std::ios::binary).read(reinterpret_cast<char*>(img.data()), H * W)) {
    std::fprintf(stderr, "usage: %s FRAME.raw (1920x1080 uint8 luma)\n", argv[0]);
    return 2;
  }
  const LumaView v{img.data(), H, W, W};
  FeatureSums s;
  volatile int64_t sink = 0;
  auto rows = [&](auto fn) {
    return best_ms([&] {
      for (int64_t y = 1; y + 1 < H; ++y) fn(v.row(y - 1), v.row(y), v.row(y + 1));
    });
  };
#ifdef VXF_HAVE_GRAD_VECTORS
  std::printf("lap+sobel+brenner %.3f ms\n", rows([&](auto a, auto b, auto c) { grad_row(a, b, c, 1, W - 1, s); }));
#else
  std::printf("lap+sobel+brenner %.3f ms\n", rows([&](auto a, auto b, auto c) {
                laplacian_row(a, b, c, 1, W - 1, s);
                sobel_row(a, b, c, 1, W - 1, s);
                brenner_row(b, W, s);
              }));
#endif
  std::printf("median            %.3f ms\n", rows([&](auto a, auto b, auto c) { median_row(a, b, c, 1, W - 1, s); }));
  std::printf("blockiness diffs  %.3f ms\n", rows([&](auto a, auto b, auto) {
                horizontal_diffs(b, W, s);
                sink = sink + abs_diff_sum(b, a, W);
              }));
  std::printf("dct               %.3f ms\n", best_ms([&] {
                for (int64_t y = 0; y + 8 <= H; y += 8) dct_block_row(v, y, s);
              }));
  std::printf("full pass         %.3f ms\n", best_ms([&] {
                FeatureSums t;
                row_pass_impl(v, 0, H, t);
              }));
  return 0;
}
