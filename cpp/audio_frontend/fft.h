#pragma once
// Real-to-complex FFT for the audio front-ends.
//
// Choice (measured, docs/performance.md "Audio front-ends"): FFmpeg's av_tx, which vxfast already
// links, with hand-written SIMD. Its real FFT (AV_TX_FLOAT_RDFT) is used directly when n is a
// multiple of 4 and n/2 a power of two times 1, 3, 5, 7, 9 or 15 (YAMNet/Kaldi's 512, CLAP's 1024):
// av_tx has fast codelets for those (and gives wrong results for n = 2 mod 4). Other lengths (Whisper's 400: n/2 = 200 = 8 * 25) fall to av_tx's naive
// DFT, which recomputes its twiddles per product (~2 ms per 400-point transform here, 3000x slower),
// so for them RealFft packs the real input into n/2 complex values and does one Cooley-Tukey step
// itself: n/2 = p * m with p <= 64 and m an av_tx-friendly length (200 = 5 * 40), p complex av_tx
// FFTs of length m, radix-p butterflies, then the usual real-from-half-length split (any even n is
// exact; a large prime n/2 degrades to one O(n^2) DFT). The small radix-2 FFT kept here (Radix2Rfft) lost to
// av_tx at 512 and 1024. The scalar double-precision DFT (reference_dft) is the tests' oracle.
//
// The spectrogram engine sends the lengths this class would split and BatchFftPlan supports
// (n/2 = 2^a 3^b 5^c, Whisper's 400 among them) to the batched FFT instead (batch_fft.h, ~10x
// faster per frame); the split plan stays for the other lengths and as a second implementation.
//
// A RealFft is not thread-safe (av_tx contexts keep scratch); each worker owns one.
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

struct AVTXContext;

namespace vxfast::audio_frontend {

// Buffers av_tx may read with aligned SIMD loads (64 bytes covers AVX-512).
struct AlignedFree {
  void operator()(void* p) const;
};
using AlignedFloats = std::unique_ptr<float[], AlignedFree>;
AlignedFloats aligned_floats(std::size_t n);

class RealFft {
 public:
  // n: even transform length >= 2. Throws std::invalid_argument if av_tx cannot do it.
  explicit RealFft(int n);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  int size() const { return n_; }
  // in: n floats (64-byte aligned, e.g. aligned_floats); out: n/2 + 1 complex values, interleaved
  // (re, im) in 2 * (n/2 + 1) floats (64-byte aligned). `in` is left unchanged.
  void forward(float* in, float* out);

 private:
  // true: av_tx's real FFT of length n directly; false: the split plan below.
  bool direct() const { return p_ == 0; }

 private:
  int n_;
  int p_ = 0, m_ = 0;  // split plan: n/2 = p_ * m_
  AVTXContext* ctx_ = nullptr;
  void (*fn_)(AVTXContext*, void*, void*, std::ptrdiff_t) = nullptr;
  AlignedFloats sub_in_, sub_out_, z_;   // p * m complex inputs / outputs, n/2 complex
  std::vector<float> tw_;                // W_h^(r k), r < p, k < m (re, im)
  std::vector<float> wp_;                // W_p^j, j < p (re, im)
  std::vector<float> split_;             // W_n^k, k <= n/2 (re, im)
};

// Whether av_tx has fast codelets for a complex FFT of length m (2^a * {1, 3, 5, 7, 9, 15}).
bool av_tx_friendly(int m);
// Whether RealFft(n) is av_tx's real FFT itself (n % 4 == 0 and n/2 av_tx-friendly), not the split plan.
bool rfft_direct(int n);

// The oracle: X[k] = sum_t x[t] e^{-2 pi i k t / n}, k = 0..n/2, in double, O(n^2).
std::vector<std::complex<double>> reference_dft(const float* x, int n);

// A plain iterative radix-2 real FFT (n a power of two), kept only to measure av_tx against.
class Radix2Rfft {
 public:
  explicit Radix2Rfft(int n);
  void forward(const float* in, float* out);  // out: 2 * (n/2 + 1) floats

 private:
  int n_;
  std::vector<int> bitrev_;
  std::vector<float> tw_, half_tw_, buf_;
};

}  // namespace vxfast::audio_frontend
