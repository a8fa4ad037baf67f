#pragma once
// Streaming resampler that reproduces libswresample's default conversion (its learned filter and
// downmix, swr_filter.h) with vxfast's SIMD kernels (docs/performance.md, "Own resampling
// kernel"). Being vxfast's own code, its pieces can run on the decode workers
// (ParallelAacDecode), each block's outputs equal to what one run over the stream gives.
//
// A run starts like libswresample's (input before sample 0 mirrored) and ends like it: flush()
// hands the last ~2 filter lengths of input to a fresh libswresample context started on a phase-
// aligned sample (a multiple of P, where its phase equals the run's), whose start mirror cannot
// reach the outputs taken from it, so its end handling (mirrored samples, output count) is
// libswresample's own. Outputs equal libswresample's to float rounding (summation order).
// Not thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "audio/resample_kernels.h"
#include "audio/sample_fifo.h"
#include "audio/swr_filter.h"
#include "common/ffmpeg_common.h"

namespace vxfast {

// What a decode worker needs to resample a block of frames the way the reading cursor's
// PolyphaseResampler would (ParallelAacDecode): the filter, the downmix, the frame settings it is
// for and the cursor's timeline rule (positions from pts against t0; jitter up to `tolerance`
// samples ignored, as AudioCursor places frames).
struct ResamplePlan {
  SwrFilter f;
  std::vector<float> coef;  // downmix weights; empty: channels pass through
  int in_channels = 0, out_channels = 0;
  UniqueAVFrame params;     // the frame settings (format, rate, layout) the plan is for
  double t0 = 0;
  int64_t tolerance = 0;
  ResampleKernel kernel;
};

// A run of contiguous input samples (a decode block: pre-roll then kept frames) and the outputs it
// owns: those whose window ends inside the kept samples, [M(in_start), M(in_end)) with
// M(s) = the first output whose window reaches past input sample s - 1.
struct ResampledRun {
  const ResamplePlan* plan = nullptr;      // the plan it was made with
  // Positions are the cursor's: a frame's pts position plus `offset` (the cursor's counter minus
  // the pts position, as the cursor last told the workers). jitter_*: the range of (pts position -
  // run position) over the kept frames, for the cursor to check its own placement rule.
  int64_t offset = 0, jitter_min = 0, jitter_max = 0;
  int64_t in_first = 0;                    // position of in[c][0] (the first pre-roll sample)
  int64_t in_start = 0, in_end = 0;        // the kept samples
  int64_t m_begin = 0, m_end = 0;          // the outputs
  int64_t len = 0;                         // samples in `in` (in_end - in_first)
  std::vector<std::vector<float>> in;      // per output channel, after the downmix (capacity reused)
  std::vector<std::vector<float>> out;     // per output channel, m_end - m_begin samples
};

// The first output whose window [start, start + taps) reaches past input sample s - 1.
int64_t first_output_after(const SwrFilter& f, int64_t s);
// Fills r.out from r.in; false when an output's window would reach before r.in_first or before the
// run's sample 0 (the start mirror stays with the cursor).
bool resample_run(const ResamplePlan& p, ResampledRun& r);

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
  // Appends count samples already downmixed (one plane per output channel).
  void push_mixed(const float* const* planes, int64_t count, SampleFifo& fifo);
  // Ends the run: its last outputs into fifo, then clear().
  void flush(SampleFifo& fifo);
  // Drops the run without output.
  void clear();
  // Writes the outputs held back for a whole group (see group_) that the input already allows.
  void produce_pending(SampleFifo& fifo) { produce(fifo, true); }
  simd::Level level() const { return kernel_.level; }

  // The plan that lets decode workers resample like this object (configured for `params`).
  std::shared_ptr<const ResamplePlan> plan(const AVFrame* params, double t0, int64_t tolerance) const;
  int64_t end() const { return first_ + len_; }       // input samples of the run so far
  int64_t next_output() const { return m_next_; }
  // Input kept before the end of the run: the windows still to compute and flush()'s hand-over
  // (two filter lengths and a period before the end), with a margin.
  int64_t history() const { return 2 * f_.taps + 2 * f_.P + f_.P / f_.Q + 256; }
  int64_t window_start(int64_t m) const { return m / f_.Q * f_.P + (m % f_.Q) * f_.P / f_.Q + f_.offset; }
  bool primed() const { return primed_; }
  // Goes on after a run resampled elsewhere: `r` holds the input up to r.in_end and the outputs
  // up to r.m_end (this object had input up to r.in_start and outputs up to r.m_begin). r's
  // positions count from the stream's sample 0, this run's from `origin` (a multiple of P).
  void continue_after(const ResampledRun& r, int64_t origin);

 private:
  float* grow(int c, int64_t n);  // room for n more input samples in channel c's buffer
  void commit(int64_t n);
  void produce(SampleFifo& fifo, bool all);

  int out_rate_, out_channels_;
  ResampleKernel kernel_;
  std::optional<SwrFilter> filter_;  // learned for the current input rate
  SwrFilter f_;                      // *filter_ once configured
  std::vector<float> coef_;          // downmix coefficients; empty: channels pass through
  int in_channels_ = 0;
  // Outputs are written in whole groups of this many (aligned on the run's output 0), except by
  // produce_pending/flush: the AVX-512 kernel computes 16 periods at a time (resample_kernels_avx512.cpp),
  // so a frame's few hundred outputs at a time would cost it a whole group each.
  int64_t group_ = 1;
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
