#include "audio_frontend/spectrogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "audio_frontend/fft.h"
#include "audio_frontend/kernels.h"
#include "postprocess/task_pool.h"

namespace vxfast::audio_frontend {
namespace {

// Index of the sample a padded position reads, for positions outside [0, n).
int64_t fold(int64_t i, int64_t n, PadMode mode) {
  switch (mode) {
    case PadMode::Edge:
      return i < 0 ? 0 : n - 1;
    case PadMode::Reflect: {  // period 2(n-1), as numpy's repeated reflection
      if (n == 1) return 0;
      const int64_t p = 2 * (n - 1);
      int64_t r = i % p;
      if (r < 0) r += p;
      return r < n ? r : p - r;
    }
    case PadMode::Symmetric: {  // period 2n
      const int64_t p = 2 * n;
      int64_t r = i % p;
      if (r < 0) r += p;
      return r < n ? r : p - 1 - r;
    }
    case PadMode::Zero:
      break;
  }
  return -1;
}

// splitmix64: a seed per frame, so dither does not depend on how frames are split over threads.
uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Gauss {  // Box-Muller over splitmix64: portable (std::normal_distribution is not)
  uint64_t s;
  bool have = false;
  double spare = 0;
  double uniform() { s = mix(s); return (static_cast<double>(s >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  double next() {
    if (have) { have = false; return spare; }
    const double r = std::sqrt(-2.0 * std::log(uniform())), a = 2.0 * M_PI * uniform();
    spare = r * std::sin(a);
    have = true;
    return r * std::cos(a);
  }
};

struct Run {
  const float* x;
  int64_t n;
  const SpectrogramSpec* spec;
  const MelBands* bands;
  BandsView view;
  Kernels k;
  float* out;
  int n_out;
  int64_t frames_per_task;
};

void run_block(const Run& r, int task) {
  const SpectrogramSpec& sp = *r.spec;
  const int64_t f0 = task * r.frames_per_task, f1 = std::min(sp.n_frames, f0 + r.frames_per_task);
  if (f0 >= f1) return;
  RealFft fft(sp.n_fft);
  const int n_bins = sp.n_fft / 2 + 1, L = sp.frame_length;
  AlignedFloats frame = aligned_floats(sp.n_fft), X = aligned_floats(2 * n_bins + 16),
                spec = aligned_floats(n_bins + 16), mel = aligned_floats(r.n_out + 16);
  float* buf = frame.get();
  const bool cond = sp.dither != 0.f || sp.remove_dc || sp.preemphasis != 0.f;
  for (int64_t f = f0; f < f1; ++f) {
    const int64_t s0 = sp.first_start + f * sp.hop;
    if (s0 >= 0 && s0 + L <= r.n) {
      std::memcpy(buf, r.x + s0, sizeof(float) * L);
    } else {
      const int64_t ne = r.n + sp.zero_tail;  // the signal the padding reflects: x, then zeros
      for (int i = 0; i < L; ++i) {
        int64_t s = s0 + i;
        if (s < 0 || s >= ne) {
          if (sp.pad == PadMode::Zero) {
            buf[i] = 0.f;
            continue;
          }
          s = fold(s, ne, sp.pad);
        }
        buf[i] = s < r.n ? r.x[s] : 0.f;
      }
    }
    if (cond) {
      if (sp.dither != 0.f) {
        Gauss g{mix(sp.seed ^ mix(static_cast<uint64_t>(f)))};
        for (int i = 0; i < L; ++i) buf[i] += sp.dither * static_cast<float>(g.next());
      }
      if (sp.remove_dc) {
        double sum = 0;
        for (int i = 0; i < L; ++i) sum += buf[i];
        const float mean = static_cast<float>(sum / L);
        for (int i = 0; i < L; ++i) buf[i] -= mean;
      }
      if (sp.preemphasis != 0.f) {
        for (int i = L - 1; i > 0; --i) buf[i] -= sp.preemphasis * buf[i - 1];
        buf[0] -= sp.preemphasis * buf[0];
      }
    }
    for (int i = 0; i < L; ++i) buf[i] *= sp.window[i];
    std::fill(buf + L, buf + sp.n_fft, 0.f);
    fft.forward(buf, X.get());
    float* s = spec.get();
    r.k.power(X.get(), n_bins, s);
    if (sp.power == 1.f) {
      for (int i = 0; i < n_bins; ++i) s[i] = std::sqrt(s[i]);
    } else if (sp.power != 2.f) {
      const float e = sp.power * 0.5f;
      for (int i = 0; i < n_bins; ++i) s[i] = std::pow(s[i], e);
    }
    float* v = s;
    if (r.view.n_mels > 0) {
      r.k.bands(r.view, s, mel.get());
      v = mel.get();
    }
    if (sp.log_base == 10) {
      for (int m = 0; m < r.n_out; ++m) v[m] = sp.log_mul * std::log10(std::max(v[m], sp.log_floor) + sp.log_offset);
    } else if (sp.log_base == 1) {
      for (int m = 0; m < r.n_out; ++m) v[m] = sp.log_mul * std::log(std::max(v[m], sp.log_floor) + sp.log_offset);
    }
    if (sp.mels_first) {
      for (int m = 0; m < r.n_out; ++m) r.out[m * sp.n_frames + f] = v[m];
    } else {
      std::memcpy(r.out + f * r.n_out, v, sizeof(float) * r.n_out);
    }
  }
}

}  // namespace

void spectrogram(const float* x, int64_t n, const SpectrogramSpec& sp, const MelBands& bands, float* out,
                 simd::Level level, int threads) {
  if (sp.n_fft < 2 || sp.n_fft % 2) throw std::invalid_argument("n_fft must be even and >= 2");
  if (sp.frame_length < 1 || sp.frame_length > sp.n_fft)
    throw std::invalid_argument("frame_length must be in [1, n_fft]");
  if (sp.hop < 1) throw std::invalid_argument("hop must be >= 1");
  if (static_cast<int>(sp.window.size()) != sp.frame_length)
    throw std::invalid_argument("window must have frame_length values");
  if (sp.n_frames < 0) throw std::invalid_argument("n_frames must be >= 0");
  if (sp.zero_tail < 0) throw std::invalid_argument("zero_tail must be >= 0");
  if (sp.n_frames > 0 && n + sp.zero_tail < 1) throw std::invalid_argument("samples must be non-empty");
  if (bands.n_mels > 0 && bands.n_bins != sp.n_fft / 2 + 1)
    throw std::invalid_argument("mel filterbank has " + std::to_string(bands.n_bins) + " bins; n_fft=" +
                                std::to_string(sp.n_fft) + " gives " + std::to_string(sp.n_fft / 2 + 1));
  if (sp.log_base != 0 && sp.log_base != 1 && sp.log_base != 10) throw std::invalid_argument("log_base must be 0, 1 or 10");
  if (sp.n_frames == 0) return;
  RealFft probe(sp.n_fft);  // fails early, on the caller's thread, for a length av_tx cannot do
  Run r{x, n, &sp, &bands, view(bands), select_kernels(level), out,
        bands.n_mels > 0 ? bands.n_mels : sp.n_fft / 2 + 1, sp.n_frames};
  post::TaskPool& pool = post::shared_task_pool();
  // ~1 us of work per frame: below a few hundred frames the hand-off costs more than it saves.
  const int64_t kMinFramesPerTask = 256;
  int64_t want = threads > 0 ? threads : pool.helpers() + 1;
  want = std::min<int64_t>(want, std::max<int64_t>(1, sp.n_frames / kMinFramesPerTask));
  want = std::min<int64_t>(want, pool.helpers() + 1);
  if (want <= 1) {
    run_block(r, 0);
    return;
  }
  r.frames_per_task = (sp.n_frames + want - 1) / want;
  auto task = [&r](int t) { run_block(r, t); };
  pool.run(static_cast<int>(want), static_cast<int>(want) - 1, task);
}

}  // namespace vxfast::audio_frontend
