#pragma once
// Streaming resampler that reproduces libswresample's default conversion (its learned filter and
// downmix, swr_filter.h) with vxfast's SIMD kernels, ~5x less CPU than libswresample's own loop
// for 44.1 kHz -> 16 kHz (docs/performance.md, "Own resampling kernel").
//
// A run starts like libswresample's (input before sample 0 mirrored) and ends like it: flush()
// hands the last ~2 filter lengths of input to a fresh libswresample context started on a phase-
// aligned sample (a multiple of P, where its phase equals the run's), whose start mirror cannot
// reach the outputs taken from it, so its end handling (mirrored samples, output count) is
// libswresample's own. Outputs equal libswresample's to float rounding (summation order).
// Not thread-safe.
#include <cstdint>
#include <optional>
#include <vector>

#include "audio/resample_kernels.h"
#include "audio/sample_fifo.h"
#include "audio/swr_filter.h"
#include "common/ffmpeg_common.h"

namespace vxfast {

class PolyphaseResampler {
 public:
  PolyphaseResampler(int out_rate, int out_channels, simd::Level level);

  // Prepares a run for frames like f (ends none: flush() or clear() first). False when
  // libswresample's conversion for them is not one this class reproduces (then use
  // libswresample): sample formats other than planar float (or mono float), equal rates, a
  // non-periodic filter, a channel change other than a plain downmix to mono.
  bool configure(const AVFrame* f);
  // Appends count samples of f from sample off (f as configured) and writes every output whose
  // window is complete to fifo.
  void push(const AVFrame* f, int64_t off, int64_t count, SampleFifo& fifo);
  void push_silence(int64_t count, SampleFifo& fifo);
  // Ends the run: its last outputs into fifo, then clear().
  void flush(SampleFifo& fifo);
  // Drops the run without output.
  void clear();
  simd::Level level() const { return kernel_.level; }

 private:
  float* grow(int c, int64_t n);  // room for n more input samples in channel c's buffer
  void commit(int64_t n);
  void produce(SampleFifo& fifo);
  int64_t window_start(int64_t m) const { return m / f_.Q * f_.P + (m % f_.Q) * f_.P / f_.Q + f_.offset; }

  int out_rate_, out_channels_;
  ResampleKernel kernel_;
  std::optional<SwrFilter> filter_;  // learned for the current input rate
  SwrFilter f_;                      // *filter_ once configured
  std::vector<float> coef_;          // downmix coefficients; empty: channels pass through
  int in_channels_ = 0;
  UniqueAVFrame mono_;               // mono float frame at the input rate: the tail context's input
  // Per output channel: the run's input samples [first_, first_ + len_), after the downmix.
  std::vector<std::vector<float>> buf_;
  int64_t first_ = 0, len_ = 0;
  int64_t run_len_ = 0;   // input samples in this run
  int64_t m_next_ = 0;    // next output of the run
  bool primed_ = false;   // the start mirror is in place
  std::vector<const float*> planes_;
};

}  // namespace vxfast
