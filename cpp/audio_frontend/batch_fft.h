#pragma once
// A real FFT of kBatch frames at once, "vertical": lane j of every vector is frame j, so each
// butterfly is plain vector arithmetic with no shuffles, and the spectra come out bin-major
// (pw[k * kBatch + j]), which is what the banded mel sums and the (n_mels, frames) output want.
//
// Why: Whisper's n = 400 has n/2 = 200 = 8 * 25, which av_tx has no fast codelet for; RealFft
// (fft.h) runs it as 5 av_tx FFTs of 40 plus scalar radix-5 butterflies and a scalar real unpack,
// ~1.5 us per frame here, most of the front-end. This plan is a self-sorting (Stockham,
// decimation in frequency) mixed-radix 2/3/4/5 complex FFT of the n/2 packed values
// z[t] = x[2t] + i x[2t+1], then the real-from-half-length split, fused with |X|^2. It serves the
// lengths RealFft would split (n/2 not av_tx-friendly, or n = 2 mod 4) whose n/2 has no prime
// factor above 5; the others keep av_tx per frame. The kernels (kernels.h, PowerBatchFn) are one
// template (batch_fft_impl.h) over the scalar, AVX2 and AVX-512 vector types; the scalar one is
// the reference they are tested against, and all are tested against the double DFT.
#include <vector>

namespace vxfast::audio_frontend {

constexpr int kBatch = 16;  // frames per batch: one AVX-512 vector, two AVX2 ones

// Plain pointers into a BatchFftPlan, for the ISA kernels.
struct BatchFftView {
  int n, h, n_stages;
  const int* radix;          // per stage, first to last
  const float* const* tw;    // per stage: W_{len}^{j p} (re, im) at 2 * (p * (r - 1) + j - 1), p < len / r, 1 <= j < r
  const float* split;        // W_n^k (re, im), k <= h
};

class BatchFftPlan {
 public:
  // Whether the batch plan takes length n: even, n/2 >= 2 with prime factors 2, 3, 5 only.
  static bool supports(int n);
  explicit BatchFftPlan(int n);  // n must be supported (std::invalid_argument otherwise)
  BatchFftView view() const;
  int size() const { return n_; }

 private:
  int n_;
  std::vector<int> radix_;
  std::vector<std::vector<float>> tw_;
  std::vector<const float*> tw_ptr_;
  std::vector<float> split_;
};

}  // namespace vxfast::audio_frontend
