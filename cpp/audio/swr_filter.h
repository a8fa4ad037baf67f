#pragma once
// libswresample's resampling filter and downmix, read back from libswresample itself so that
// vxfast's own kernels (resample_kernels.h) reproduce its output without re-deriving its filter
// design (which differs between FFmpeg versions).
//
// With its default options (exact_rational) libswresample's resampler is a linear, periodic map:
// output m is  sum_t w[m mod Q][t] * x[floor(m P / Q) + offset + t],  P / Q = in_rate / out_rate
// reduced. Feeding it unit impulses, one per input phase, spaced wider than the filter, gives every
// coefficient exactly (a float times 1 plus zeros). Learning checks that every coefficient is seen
// consistently and gives up (nullopt: keep libswresample) when the map is not of that form, e.g.
// when the phase count is not exact (rates whose reduced out_rate is above 1024).
//
// Its edges (measured, and what libswresample's source does): the input before the first sample is
// mirrored (x[-n] = x[n]); at the end libswresample mirrors a few samples and stops at a count the
// streaming class does not re-derive: it takes the last samples from libswresample itself
// (PolyphaseResampler::flush).
#include <cstdint>
#include <optional>
#include <vector>

#include "common/ffmpeg_common.h"

namespace vxfast {

struct SwrFilter {
  int64_t P = 1, Q = 1;   // input / output samples per period
  int64_t offset = 0;     // first tap, relative to floor(m P / Q)
  int taps = 0;
  std::vector<float> w;   // phase-major, taps per phase; Q rows, then zero rows up to phase_start.size()
  std::vector<int32_t> advance;  // per phase q: floor((q + 1) P / Q) - floor(q P / Q)
  // floor(q P / Q) for q < Q rounded up to a multiple of 8, for kernels that run 8 phases at a time
  // (the padding repeats the last phase's start; its rows of w are zeros).
  std::vector<int32_t> phase_start;
  int in_rate = 0, out_rate = 0;
};

// The filter libswresample uses from in_rate to out_rate (float planar, default options); nullopt
// when the rates are equal or the map is not the periodic one above.
std::optional<SwrFilter> learn_swr_filter(int in_rate, int out_rate);

// The coefficients libswresample's default downmix gives each input channel of `in` (its layout
// and format) into one output channel; nullopt if it is not a plain weighted sum of the channels.
std::optional<std::vector<float>> learn_swr_downmix(const AVFrame* in);

// Runs n mono float samples through `swr` (mono planar float in and out) and flushes it: all of
// its output. Empty on an FFmpeg error.
std::vector<float> swr_convert_all(SwrContext* swr, const float* x, int64_t n);

}  // namespace vxfast
