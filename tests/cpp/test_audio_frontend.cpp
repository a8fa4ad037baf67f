// The audio front-end engine (cpp/audio_frontend): the real FFT equals the double DFT for every plan
// kind (av_tx direct, packed split, m = 1), spectrograms are bit-identical for any thread count and
// for concurrent callers (each block owns its FFT and scratch; dither is seeded per frame), and an
// inconsistent spec is refused.
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "audio_frontend/fft.h"
#include "audio_frontend/kernels.h"
#include "audio_frontend/mel_bands.h"
#include "audio_frontend/spectrogram.h"
#include "check.h"

using namespace vxfast::audio_frontend;

namespace {

std::vector<float> signal(int64_t n, uint32_t seed) {
  std::vector<float> x(n);
  uint32_t s = seed;
  for (auto& v : x) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<float>(static_cast<int32_t>(s)) / 2147483648.0f;
  }
  return x;
}

SpectrogramSpec kaldi_like(int64_t n) {
  SpectrogramSpec sp;
  sp.n_fft = 512;
  sp.frame_length = 400;
  sp.hop = 160;
  sp.first_start = 80 - 200;
  sp.n_frames = (n + 80) / 160;
  sp.pad = PadMode::Symmetric;
  sp.window.assign(400, 0.5f);
  sp.dither = 0.1f;
  sp.seed = 42;
  sp.remove_dc = true;
  sp.preemphasis = 0.97f;
  sp.log_base = 1;
  sp.log_floor = 1e-7f;
  return sp;
}

MelBands bands_for(int n_bins, int n_mels) {
  std::vector<float> w(static_cast<size_t>(n_bins) * n_mels, 0.f);
  for (int m = 0; m < n_mels; ++m)
    for (int k = m * 3; k < m * 3 + 7 && k < n_bins; ++k) w[static_cast<size_t>(m) * n_bins + k] = 0.1f * (k - m * 3 + 1);
  return MelBands::from_dense(w.data(), n_mels, n_bins);
}

}  // namespace

TEST(fft_matches_dft_for_every_plan) {
  for (int n : {2, 6, 8, 30, 400, 512, 1000, 1024, 2 * 67}) {  // direct, split (p*m), m = 1 (67 prime)
    std::vector<float> x = signal(n, n);
    AlignedFloats in = aligned_floats(n), out = aligned_floats(n + 2);
    std::copy(x.begin(), x.end(), in.get());
    RealFft fft(n);
    fft.forward(in.get(), out.get());
    const auto ref = reference_dft(x.data(), n);
    double err = 0;
    for (int k = 0; k <= n / 2; ++k) err = std::max(err, std::abs(ref[k] - std::complex<double>(out[2 * k], out[2 * k + 1])));
    CHECK(err < 1e-5 * std::sqrt(n) * 4);
  }
  CHECK_THROWS(RealFft(401), std::invalid_argument, "even");
}

TEST(thread_count_and_concurrency_do_not_change_results) {
  const int64_t n = 16000 * 20;
  const std::vector<float> x = signal(n, 7);
  const SpectrogramSpec sp = kaldi_like(n);
  const MelBands b = bands_for(257, 40);
  const size_t sz = static_cast<size_t>(sp.n_frames) * 40;
  std::vector<float> one(sz), many(sz);
  spectrogram(x.data(), n, sp, b, one.data(), vxfast::simd::Level::Scalar, 1);
  spectrogram(x.data(), n, sp, b, many.data(), vxfast::simd::Level::Scalar, 8);
  CHECK(one == many);
  std::vector<std::vector<float>> outs(4, std::vector<float>(sz));
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] { spectrogram(x.data(), n, sp, b, outs[t].data(), vxfast::simd::Level::Scalar, 0); });
  for (auto& t : ts) t.join();
  for (const auto& o : outs) CHECK(o == one);
}

TEST(bad_specs_are_refused) {
  const std::vector<float> x = signal(1000, 1);
  SpectrogramSpec sp = kaldi_like(1000);
  std::vector<float> out(static_cast<size_t>(sp.n_frames) * 257);
  MelBands none;
  sp.window.resize(10);
  CHECK_THROWS(spectrogram(x.data(), 1000, sp, none, out.data(), vxfast::simd::Level::Scalar, 1), std::invalid_argument,
               "window");
  sp = kaldi_like(1000);
  const MelBands wrong = bands_for(201, 10);
  CHECK_THROWS(spectrogram(x.data(), 1000, sp, wrong, out.data(), vxfast::simd::Level::Scalar, 1), std::invalid_argument,
               "bins");
}

// The SIMD logs over every 251st positive float (FLT_MIN..FLT_MAX, ~4M values) against the log in
// double rounded once (glibc's log10f itself is up to ~2 ulp off it; printed for comparison), and
// zero, subnormals, inf and NaN (which take the reference's value). The documented bound is 3 ulp (at x ~ 0.7, where e ln2 and ln m cancel).
namespace {
int64_t ulps(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  const int64_t x = ia < 0 ? -static_cast<int64_t>(ia & 0x7fffffff) : ia, y = ib < 0 ? -static_cast<int64_t>(ib & 0x7fffffff) : ib;
  return std::llabs(x - y);
}
}  // namespace

TEST(simd_log_within_three_ulp) {
  using vxfast::simd::Level;
  for (Level lv : {Level::Avx2, Level::Avx512}) {
    if (!vxfast::simd::cpu_supports(lv)) continue;
    const Kernels k = select_kernels(lv);
    for (const LogParams p : {LogParams{10, 1.f, 0.f, 0.f}, LogParams{1, 1.f, 0.f, 0.f}, LogParams{10, 10.f, 1e-10f, 0.f},
                              LogParams{1, 1.f, 0.f, 0.001f}}) {
      const int chunk = 4096;
      std::vector<float> in(chunk), simd(chunk);
      int64_t worst = 0, worst_libm = 0;
      float worst_x = 0;
      uint32_t bits = 0x00800000u;  // FLT_MIN
      while (bits < 0x7f800000u) {
        int c = 0;
        for (; c < chunk && bits < 0x7f800000u; ++c, bits += 251) std::memcpy(&in[c], &bits, 4);
        simd.assign(in.begin(), in.begin() + c);
        k.log(simd.data(), c, p);
        for (int i = 0; i < c; ++i) {
          const double xd = static_cast<double>(std::max(in[i], p.floor) + p.offset);
          const float truth = static_cast<float>(p.mul * (p.base == 10 ? std::log10(xd) : std::log(xd)));
          const int64_t d = ulps(truth, simd[i]);
          if (d > worst) {
            worst = d;
            worst_x = in[i];
          }
          worst_libm = std::max(worst_libm, ulps(truth, log_one(in[i], p)));
        }
      }
      std::fprintf(stderr, "  %s base %d mul %g floor %g offset %g: max %lld ulp (x = %g); libm %lld ulp\n",
                   vxfast::simd::name(lv), p.base, p.mul, p.floor, p.offset, static_cast<long long>(worst), worst_x,
                   static_cast<long long>(worst_libm));
      CHECK(worst <= 3);
    }
    std::vector<float> special = {0.f, -0.f, 1e-40f, std::numeric_limits<float>::denorm_min(), -1.f,
                                  std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), 1.f, 2.f};
    for (const LogParams p : {LogParams{10, 1.f, 0.f, 0.f}, LogParams{1, 2.f, 0.f, 0.f}}) {
      std::vector<float> v = special;
      const float mx = k.log(v.data(), static_cast<int>(v.size()), p);
      for (size_t i = 0; i < v.size(); ++i) {
        const float ref = log_one(special[i], p);
        CHECK((std::isnan(ref) && std::isnan(v[i])) || ulps(ref, v[i]) <= 4);
      }
      CHECK(mx == std::numeric_limits<float>::infinity());
    }
  }
}

// Whisper's shape (n_fft 400: the batched FFT; the clamp's second pass): identical for any thread
// count and for concurrent callers, and the clamp floors every value at (block maximum - 8).
TEST(batched_whisper_spec_is_thread_independent) {
  const int64_t n = 16000 * 40 + 123;
  std::vector<float> x = signal(n, 3);
  for (int64_t i = 16000 * 10; i < 16000 * 20; ++i) x[i] *= 1e-5f;  // quiet: the clamp bites
  SpectrogramSpec sp;
  sp.n_fft = sp.frame_length = 400;
  sp.hop = 160;
  sp.first_start = -200;
  sp.zero_tail = 160;
  sp.n_frames = (n + 160) / 160;
  sp.pad = PadMode::Reflect;
  sp.window.assign(400, 0.f);
  for (int i = 0; i < 400; ++i) sp.window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * M_PI * i / 400));
  sp.log_base = 10;
  sp.log_floor = 1e-10f;
  sp.clamp_below_max = 8.f;
  sp.clamp_frames = 3000;
  sp.out_add = 4.f;
  sp.out_mul = 0.25f;
  sp.mels_first = true;
  const MelBands b = bands_for(201, 60);
  const size_t sz = static_cast<size_t>(sp.n_frames) * 60;
  for (vxfast::simd::Level lv : {vxfast::simd::Level::Scalar, vxfast::simd::level()}) {
    std::vector<float> one(sz), many(sz);
    spectrogram(x.data(), n, sp, b, one.data(), lv, 1);
    spectrogram(x.data(), n, sp, b, many.data(), lv, 5);
    CHECK(one == many);
    std::vector<std::vector<float>> outs(3, std::vector<float>(sz));
    std::vector<std::thread> ts;
    for (int t = 0; t < 3; ++t) ts.emplace_back([&, t] { spectrogram(x.data(), n, sp, b, outs[t].data(), lv, 0); });
    for (auto& t : ts) t.join();
    for (const auto& o : outs) CHECK(o == one);
    for (int64_t c = 0; c * 3000 < sp.n_frames; ++c) {  // each block: min >= (max - 8 + 4) / 4 = max' - 2
      float lo = 1e30f, hi = -1e30f;
      for (int m = 0; m < 60; ++m)
        for (int64_t f = c * 3000; f < std::min<int64_t>(sp.n_frames, (c + 1) * 3000); ++f) {
          lo = std::min(lo, one[m * sp.n_frames + f]);
          hi = std::max(hi, one[m * sp.n_frames + f]);
        }
      CHECK(hi - lo <= 2.f + 1e-6f);
    }
  }
}
