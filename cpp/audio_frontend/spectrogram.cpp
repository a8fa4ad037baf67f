#include "audio_frontend/spectrogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "audio_frontend/batch_fft.h"
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
  BandsView view;
  Kernels k;
  LogParams logp;
  float* out;
  int n_out;
  int64_t frames_per_task;
  int64_t clamp_frames, n_clamp_blocks;  // clamp blocks (the whole output: one block)
  float* maxima;                         // n_clamp_blocks per task, when clamping
  const BatchFftView* batch;             // kBatch frames per FFT call (batch_fft.h), or null: RealFft per frame
};

// Frames are computed 16 at a time into a tile held value-major (tile[m * kTile + j]: value m of
// frame t0 + j), the batched FFT's layout: the (n_mels, n_frames) output then gets runs of 16
// consecutive floats (a cache line) per mel instead of one float every n_frames * 4 bytes, and the
// log runs over the whole tile at once.
constexpr int kTile = kBatch;

// One frame's samples into buf (L values), conditioned and windowed.
void load_frame(const Run& r, int64_t f, float* buf) {
  const SpectrogramSpec& sp = *r.spec;
  const int L = sp.frame_length;
  const float* w = sp.window.data();
  const int64_t s0 = sp.first_start + f * sp.hop;
  const bool cond = sp.dither != 0.f || sp.remove_dc || sp.preemphasis != 0.f;
  const bool inside = s0 >= 0 && s0 + L <= r.n;
  if (inside && !cond) {  // the common case: window straight from the input, no copy
    const float* src = r.x + s0;
    for (int i = 0; i < L; ++i) buf[i] = src[i] * w[i];
    return;
  }
  if (inside) {
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
  for (int i = 0; i < L; ++i) buf[i] *= w[i];
}

// The tile's log, clamp maxima or affine map, then its frames into the output.
void finish_tile(const Run& r, int64_t t0, int nt, float* vt, float* maxima) {
  const SpectrogramSpec& sp = *r.spec;
  const int n_out = r.n_out;
  if (sp.log_base != 0) r.k.log(vt, n_out * kTile, r.logp);
  if (sp.clamp_below_max > 0.f) {
    float lane_max[kTile];
    std::fill(lane_max, lane_max + kTile, -std::numeric_limits<float>::infinity());
    for (int m = 0; m < n_out; ++m)
      for (int j = 0; j < kTile; ++j) lane_max[j] = vt[m * kTile + j] > lane_max[j] ? vt[m * kTile + j] : lane_max[j];
    for (int j = 0; j < nt; ++j) {
      float& b = maxima[(t0 + j) / r.clamp_frames];
      b = std::max(b, lane_max[j]);
    }
  } else if (sp.out_add != 0.f || sp.out_mul != 1.f) {  // with a clamp this waits for pass 2
    for (int i = 0; i < n_out * kTile; ++i) vt[i] = (vt[i] + sp.out_add) * sp.out_mul;
  }
  if (sp.mels_first) {
    for (int m = 0; m < n_out; ++m) std::memcpy(r.out + m * sp.n_frames + t0, vt + m * kTile, sizeof(float) * nt);
  } else {
    for (int j = 0; j < nt; ++j) {
      float* o = r.out + (t0 + j) * n_out;
      for (int m = 0; m < n_out; ++m) o[m] = vt[m * kTile + j];
    }
  }
}

// |X|^p from |X|^2 for p != 2.
void apply_power(float* s, int64_t n, float power) {
  if (power == 1.f) {
    for (int64_t i = 0; i < n; ++i) s[i] = std::sqrt(s[i]);
  } else if (power != 2.f) {
    const float e = power * 0.5f;
    for (int64_t i = 0; i < n; ++i) s[i] = std::pow(s[i], e);
  }
}

void run_block(const Run& r, int task) {
  const SpectrogramSpec& sp = *r.spec;
  const int64_t f0 = task * r.frames_per_task, f1 = std::min(sp.n_frames, f0 + r.frames_per_task);
  if (f0 >= f1) return;
  const int n_bins = sp.n_fft / 2 + 1, n_out = r.n_out, L = sp.frame_length;
  AlignedFloats tile = aligned_floats(static_cast<size_t>(kTile) * std::max(n_out, n_bins) + 16);
  float* vt = tile.get();
  float* maxima = sp.clamp_below_max > 0.f ? r.maxima + static_cast<int64_t>(task) * r.n_clamp_blocks : nullptr;
  const bool cond = sp.dither != 0.f || sp.remove_dc || sp.preemphasis != 0.f;
  if (r.batch) {
    AlignedFloats work = aligned_floats(4 * static_cast<size_t>(r.batch->h) * kBatch + 16),
                  pw = aligned_floats(static_cast<size_t>(n_bins) * kBatch + 16),
                  frames = aligned_floats(static_cast<size_t>(kBatch) * sp.n_fft + 16);
    for (int64_t t0 = f0; t0 < f1; t0 += kTile) {
      const int nt = static_cast<int>(std::min<int64_t>(kTile, f1 - t0));
      const int64_t s0 = sp.first_start + t0 * sp.hop;
      if (nt == kTile && !cond && s0 >= 0 && s0 + (kTile - 1) * sp.hop + L <= r.n) {
        // The common case: the 16 frames straight from the input (strided gathers), windowed there.
        r.k.power_batch(*r.batch, r.x + s0, sp.hop, sp.window.data(), L, work.get(), pw.get());
      } else {  // padding, conditioning or a short last tile: frames assembled first
        for (int j = 0; j < kTile; ++j) {
          float* fb = frames.get() + static_cast<int64_t>(j) * sp.n_fft;
          if (j < nt)
            load_frame(r, t0 + j, fb);
          else
            std::fill(fb, fb + L, 0.f);
        }
        r.k.power_batch(*r.batch, frames.get(), sp.n_fft, nullptr, L, work.get(), pw.get());
      }
      apply_power(pw.get(), static_cast<int64_t>(n_bins) * kBatch, sp.power);
      if (r.view.n_mels > 0)
        r.k.bands_batch(r.view, pw.get(), vt);
      else
        std::memcpy(vt, pw.get(), sizeof(float) * n_bins * kBatch);
      finish_tile(r, t0, nt, vt, maxima);
    }
    return;
  }
  RealFft fft(sp.n_fft);
  AlignedFloats frame = aligned_floats(sp.n_fft), X = aligned_floats(2 * n_bins + 16), spec = aligned_floats(n_bins + 16),
                mel = aligned_floats(n_out + 16);
  float* buf = frame.get();
  std::fill(buf + L, buf + sp.n_fft, 0.f);  // the FFT leaves its input unchanged
  for (int64_t t0 = f0; t0 < f1; t0 += kTile) {
    const int nt = static_cast<int>(std::min<int64_t>(kTile, f1 - t0));
    for (int j = 0; j < nt; ++j) {
      load_frame(r, t0 + j, buf);
      fft.forward(buf, X.get());
      float* s = spec.get();
      r.k.power(X.get(), n_bins, s);
      apply_power(s, n_bins, sp.power);
      float* v = s;
      if (r.view.n_mels > 0) {
        r.k.bands(r.view, s, mel.get());
        v = mel.get();
      }
      for (int m = 0; m < n_out; ++m) vt[m * kTile + j] = v[m];
    }
    finish_tile(r, t0, nt, vt, maxima);
  }
}

// Pass 2 of a clamp: v = (max(v, lo) + add) * mul (the compiler vectorises the max).
void clamp_affine(float* v, int64_t n, float lo, float add, float mul) {
  for (int64_t i = 0; i < n; ++i) {
    const float c = v[i] < lo ? lo : v[i];
    v[i] = (c + add) * mul;
  }
}

// Frames [f0, f1) of the output, every row, against their blocks' floors.
void clamp_block(const Run& r, const std::vector<float>& lo, int task) {
  const SpectrogramSpec& sp = *r.spec;
  const int64_t f0 = task * r.frames_per_task, f1 = std::min(sp.n_frames, f0 + r.frames_per_task);
  for (int64_t a = f0; a < f1;) {
    const int64_t c = a / r.clamp_frames, b = std::min(f1, (c + 1) * r.clamp_frames);
    if (sp.mels_first) {
      for (int m = 0; m < r.n_out; ++m) clamp_affine(r.out + m * sp.n_frames + a, b - a, lo[c], sp.out_add, sp.out_mul);
    } else {
      clamp_affine(r.out + a * r.n_out, (b - a) * r.n_out, lo[c], sp.out_add, sp.out_mul);
    }
    a = b;
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
  if (!(sp.clamp_below_max >= 0.f) || !std::isfinite(sp.clamp_below_max))
    throw std::invalid_argument("clamp_below_max must be finite and >= 0");
  if (sp.clamp_frames < 0) throw std::invalid_argument("clamp_frames must be >= 0");
  if (sp.n_frames == 0) return;
  RealFft probe(sp.n_fft);  // fails early, on the caller's thread, for a length av_tx cannot do
  const bool clamp = sp.clamp_below_max > 0.f;
  // The batched FFT where RealFft would split (Whisper's 400); av_tx's own lengths stay per frame.
  std::unique_ptr<BatchFftPlan> batch;
  if (!rfft_direct(sp.n_fft) && BatchFftPlan::supports(sp.n_fft)) batch = std::make_unique<BatchFftPlan>(sp.n_fft);
  const BatchFftView batch_view = batch ? batch->view() : BatchFftView{};
  Run r{x, n, &sp, view(bands), select_kernels(level), LogParams{sp.log_base, sp.log_mul, sp.log_floor, sp.log_offset},
        out, bands.n_mels > 0 ? bands.n_mels : sp.n_fft / 2 + 1, sp.n_frames,
        sp.clamp_frames > 0 ? sp.clamp_frames : sp.n_frames, 1, nullptr, batch ? &batch_view : nullptr};
  r.n_clamp_blocks = (sp.n_frames + r.clamp_frames - 1) / r.clamp_frames;
  post::TaskPool& pool = post::shared_task_pool();
  // ~0.5-1 us of work per frame: below a few hundred frames the hand-off costs more than it saves.
  const int64_t kMinFramesPerTask = 256;
  int64_t want = threads > 0 ? threads : pool.helpers() + 1;
  want = std::min<int64_t>(want, std::max<int64_t>(1, sp.n_frames / kMinFramesPerTask));
  want = std::min<int64_t>(want, pool.helpers() + 1);
  // Tasks start on a tile boundary, so every tile but the last is whole.
  r.frames_per_task = ((sp.n_frames + want - 1) / want + kTile - 1) / kTile * kTile;
  std::vector<float> maxima;
  if (clamp) {
    maxima.assign(static_cast<size_t>(want * r.n_clamp_blocks), -std::numeric_limits<float>::infinity());
    r.maxima = maxima.data();
  }
  auto pass1 = [&r](int t) { run_block(r, t); };
  if (want <= 1)
    pass1(0);
  else
    pool.run(static_cast<int>(want), static_cast<int>(want) - 1, pass1);
  if (!clamp) return;
  // The floors: each block's maximum (over every task) less the range.
  std::vector<float> lo(static_cast<size_t>(r.n_clamp_blocks), -std::numeric_limits<float>::infinity());
  for (int64_t t = 0; t < want; ++t)
    for (int64_t c = 0; c < r.n_clamp_blocks; ++c) lo[c] = std::max(lo[c], maxima[t * r.n_clamp_blocks + c]);
  for (float& v : lo) v -= sp.clamp_below_max;
  auto pass2 = [&r, &lo](int t) { clamp_block(r, lo, t); };
  if (want <= 1)
    pass2(0);
  else
    pool.run(static_cast<int>(want), static_cast<int>(want) - 1, pass2);
}

}  // namespace vxfast::audio_frontend
