#pragma once
// The one spectrogram engine behind every front-end (general melspectrogram, Whisper, Kaldi fbank,
// YAMNet, CLAP): frame -> (dither, DC removal, pre-emphasis) -> window -> real FFT -> |X|^p ->
// banded mel sums -> log. Frames are independent, so long inputs are split into blocks of frames
// run on the shared task pool (postprocess/task_pool.h); each block owns its FFT and scratch, and
// the result does not depend on the thread count (dither is seeded per frame).
#include <cstdint>
#include <vector>

#include "audio_frontend/mel_bands.h"
#include "common/simd.h"

namespace vxfast::audio_frontend {

// How a frame reads samples outside [0, N): zeros, numpy "reflect" (x[-i] = x[i]), Kaldi's
// reflection (x[-i] = x[i-1], as snip_edges=false) or numpy "edge".
enum class PadMode { Zero, Reflect, Symmetric, Edge };

struct SpectrogramSpec {
  int n_fft = 400;
  int frame_length = 400;    // samples each frame reads (<= n_fft; the rest of the FFT input is 0)
  int hop = 160;
  int64_t first_start = 0;   // sample index of frame 0's first sample (negative: padding)
  int64_t n_frames = 0;
  PadMode pad = PadMode::Zero;
  int64_t zero_tail = 0;     // zeros appended to the signal before padding (Whisper's 160)
  std::vector<float> window; // frame_length values
  // Per-frame conditioning, in Kaldi's order (all off by default).
  float dither = 0.f;        // + dither * N(0, 1), from a generator seeded by (seed, frame index)
  uint64_t seed = 0;
  bool remove_dc = false;    // subtract the frame's mean
  float preemphasis = 0.f;   // x[i] -= c * x[i-1], x[0] -= c * x[0]
  float power = 2.f;         // |X|^power (2: power, 1: magnitude)
  // Output value = log_mul * log_b(max(mel, log_floor) + log_offset); log_base 0 = no log.
  int log_base = 0;          // 0, 10 or 'e' (2.718...: pass 1 for natural log)
  float log_mul = 1.f, log_floor = 0.f, log_offset = 0.f;
  // Dynamic-range clamp after the log (Whisper's max(v, max - 8), librosa's top_db): > 0 raises
  // every value below (the largest value of its block) - clamp_below_max to that; blocks of
  // clamp_frames frames (0: the whole output). Needs a second pass over the output (the maximum is
  // known only at the end); it runs threaded, with the affine map below.
  float clamp_below_max = 0.f;
  int64_t clamp_frames = 0;
  float out_add = 0.f, out_mul = 1.f;  // last: value = (value + out_add) * out_mul (Whisper: +4, *0.25)
  bool mels_first = false;   // output (n_mels, n_frames) instead of (n_frames, n_mels)
};

// Runs the spec over x[0..n) into out (n_frames * n_out floats, n_out = bands.n_mels, or the
// n_fft/2 + 1 spectrum bins themselves when bands.n_mels == 0). threads: 0 = auto (by amount of
// work), else at most that many. Throws std::invalid_argument on an inconsistent spec.
void spectrogram(const float* x, int64_t n, const SpectrogramSpec& spec, const MelBands& bands, float* out,
                 simd::Level level, int threads);

}  // namespace vxfast::audio_frontend
