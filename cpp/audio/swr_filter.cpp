#include "audio/swr_filter.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace vxfast {

namespace {

// libswresample keeps an exact phase per output only while the reduced output rate fits its phase
// count (1 << phase_shift, 1024 by default); beyond that its map is not periodic in Q.
constexpr int64_t kMaxPhases = 1024;
constexpr int64_t kMaxInputPeriod = 1 << 14;  // learning feeds ~P * taps samples: keep it small

UniqueAVFrame template_frame(int rate, int channels, const AVFrame* layout_from) {
  UniqueAVFrame f = make_frame();
  f->format = AV_SAMPLE_FMT_FLTP;
  f->sample_rate = rate;
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  if (layout_from) {
    if (av_channel_layout_copy(&f->ch_layout, &layout_from->ch_layout) < 0) return nullptr;
  } else {
    av_channel_layout_default(&f->ch_layout, channels);
  }
#else
  f->channels = layout_from ? layout_from->channels : channels;
  f->channel_layout = layout_from ? layout_from->channel_layout : av_get_default_channel_layout(channels);
#endif
  return f;
}

}  // namespace

std::vector<float> swr_convert_all(SwrContext* swr, const float* x, int64_t n_in) {
  std::vector<float> out, buf(1 << 16);
  const int64_t block = 8192;
  for (int64_t i = 0;; i += block) {
    const bool last = i >= n_in;
    const int64_t n = last ? 0 : std::min<int64_t>(block, n_in - i);
    const uint8_t* in[1] = {last ? nullptr : reinterpret_cast<const uint8_t*>(x + i)};
    uint8_t* o[1] = {reinterpret_cast<uint8_t*>(buf.data())};
    int got = swr_convert(swr, o, static_cast<int>(buf.size()), last ? nullptr : in, static_cast<int>(n));
    if (got < 0) return {};
    out.insert(out.end(), buf.begin(), buf.begin() + got);
    if (last && got == 0) break;
  }
  return out;
}

std::optional<SwrFilter> learn_swr_filter(int in_rate, int out_rate) {
  if (in_rate <= 0 || out_rate <= 0 || in_rate == out_rate) return std::nullopt;
  const int64_t g = std::gcd<int64_t>(in_rate, out_rate);
  const int64_t P = in_rate / g, Q = out_rate / g;
  if (Q > kMaxPhases || P > kMaxInputPeriod) return std::nullopt;
  UniqueAVFrame mono = template_frame(in_rate, 1, nullptr);
  if (!mono) return std::nullopt;
  auto fresh = [&] { return make_float_resampler(mono.get(), out_rate, 1); };

  // The filter's reach in input samples, from one impulse.
  const int64_t probe_at = 8192;
  std::vector<float> x(static_cast<size_t>(2 * probe_at), 0.f);
  x[probe_at] = 1.f;
  UniqueSwrContext swr = fresh();
  if (!swr) return std::nullopt;
  std::vector<float> y = swr_convert_all(swr.get(), x.data(), static_cast<int64_t>(x.size()));
  int64_t lo = -1, hi = -1;
  for (int64_t m = 0; m < static_cast<int64_t>(y.size()); ++m) {
    if (y[m] != 0.f) {
      if (lo < 0) lo = m;
      hi = m;
    }
  }
  if (lo < 0) return std::nullopt;
  const int64_t reach = (hi - lo + 1) * P / Q + 4;
  if (reach > probe_at / 2) return std::nullopt;

  // One impulse per input phase: spacing S > reach with gcd(S, P) = 1 gives every residue mod P.
  int64_t S = reach + 4;
  while (std::gcd(S, P) != 1) ++S;
  const int64_t first = 4 * reach + 64;
  x.assign(static_cast<size_t>(first + P * S + 4 * reach + 64), 0.f);
  for (int64_t j = 0; j < P; ++j) x[first + j * S] = 1.f;
  swr = fresh();
  if (!swr) return std::nullopt;
  y = swr_convert_all(swr.get(), x.data(), static_cast<int64_t>(x.size()));
  std::map<std::pair<int64_t, int64_t>, float> seen;  // (phase, tap position) -> coefficient
  int64_t tmin = INT64_MAX, tmax = INT64_MIN;
  for (int64_t m = 0; m < static_cast<int64_t>(y.size()); ++m) {
    if (y[m] == 0.f) continue;
    const int64_t base = m * P / Q;
    const int64_t j = std::llround(static_cast<double>(base - first) / static_cast<double>(S));
    const int64_t t = first + j * S - base;
    if (j < 0 || j >= P || std::abs(t) > reach) return std::nullopt;
    auto [it, fresh_key] = seen.emplace(std::make_pair(m % Q, t), y[m]);
    if (!fresh_key && it->second != y[m]) return std::nullopt;  // not one periodic filter
    tmin = std::min(tmin, t);
    tmax = std::max(tmax, t);
  }
  SwrFilter f;
  f.P = P;
  f.Q = Q;
  f.offset = tmin;
  f.taps = static_cast<int>(tmax - tmin + 1);
  f.in_rate = in_rate;
  f.out_rate = out_rate;
  const int64_t Q8 = (Q + 7) / 8 * 8;
  f.w.assign(static_cast<size_t>(Q8 * f.taps), 0.f);
  for (const auto& [key, v] : seen) f.w[key.first * f.taps + (key.second - tmin)] = v;
  f.advance.resize(static_cast<size_t>(Q));
  for (int64_t q = 0; q < Q; ++q) f.advance[q] = static_cast<int32_t>((q + 1) * P / Q - q * P / Q);
  f.phase_start.resize(static_cast<size_t>(Q8));
  for (int64_t q = 0; q < Q8; ++q) f.phase_start[q] = static_cast<int32_t>((q < Q ? q : Q - 1) * P / Q);
  for (int64_t q = 0; q < Q; ++q) {  // a low-pass filter passes DC: each phase sums to ~1
    double sum = 0;
    for (int t = 0; t < f.taps; ++t) sum += f.w[q * f.taps + t];
    if (std::fabs(sum - 1.0) > 1e-2) return std::nullopt;
  }
  return f;
}

std::optional<std::vector<float>> learn_swr_downmix(const AVFrame* in) {
  const int ch = frame_channels(in);
  if (ch < 1 || ch > 64) return std::nullopt;
  if (ch == 1) return std::vector<float>{1.f};
  const int rate = 48000;  // the matrix does not depend on the rate; equal rates: no resampling
  UniqueAVFrame t = template_frame(rate, ch, in);
  if (!t) return std::nullopt;
  std::vector<float> coef(static_cast<size_t>(ch));
  const int n = 64;
  for (int c = 0; c < ch; ++c) {
    UniqueSwrContext swr = make_float_resampler(t.get(), rate, 1);
    if (!swr) return std::nullopt;
    std::vector<std::vector<float>> planes(static_cast<size_t>(ch), std::vector<float>(n, 0.f));
    std::fill(planes[c].begin(), planes[c].end(), 1.f);
    std::vector<const uint8_t*> in_ptrs(static_cast<size_t>(ch));
    for (int k = 0; k < ch; ++k) in_ptrs[k] = reinterpret_cast<const uint8_t*>(planes[k].data());
    std::vector<float> out(2 * n);
    uint8_t* o[1] = {reinterpret_cast<uint8_t*>(out.data())};
    int got = swr_convert(swr.get(), o, 2 * n, in_ptrs.data(), n);
    if (got != n) return std::nullopt;
    for (int i = 1; i < n; ++i) {
      if (out[i] != out[0]) return std::nullopt;
    }
    coef[c] = out[0];
  }
  return coef;
}

}  // namespace vxfast
