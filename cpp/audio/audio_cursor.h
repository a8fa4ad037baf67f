#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_info.h"
#include "audio/audio_source.h"
#include "audio/polyphase_resampler.h"
#include "audio/sample_fifo.h"
#include "common/ffmpeg_common.h"

namespace vxfast {

// A position in one audio stream, resampled to planar float at a fixed rate and channel count.
//
// Time: sample k of the output is at start_time() + k / rate() seconds on the stream's clock, where
// start_time() is the first decoded frame's pts (priming samples already dropped by the decoder,
// edit lists applied by the demuxer). Positions are integer sample counts, never accumulated
// floats, so there is no drift. Each decoded frame is placed by its pts against the running input
// sample counter: holes longer than gap_tolerance (a packet the decoder rejected, a broken muxer)
// are filled with silence and overlaps dropped, so later samples stay at their true time; smaller
// jitter (container timestamp rounding) is ignored.
//
// Seeking lands on an input sample that is a multiple of in_rate / gcd(in_rate, out_rate), where
// the resampler's phase matches a decode from the start, after a pre-roll that primes both the
// decoder and the resampler: a read from a seek point gives the samples a read from the start
// gives (to float rounding). Not thread-safe.
class AudioCursor {
 public:
  // out_rate / out_channels 0: the stream's own. threads > 1: AAC-LC decodes on that many threads
  // (AudioSource); resampling and the timeline stay on the calling thread.
  AudioCursor(const std::string& path, int stream, int out_rate, int out_channels, int threads = 1);

  const AudioInfo& info() const { return src_.info(); }
  const AudioStats& stats() { return src_.stats(); }
  int rate() const { return out_rate_; }
  int channels() const { return out_channels_; }
  double start_time() const { return t0_; }
  bool eof() const { return eof_; }
  // What converted the samples last: "vxfast-<level>" (polyphase_resampler.h), "libswresample",
  // or "none" before the first frame.
  const std::string& resampler() const { return resampler_; }

  // Index of the first output sample at or after time t (clamped to >= 0).
  int64_t offset_at(double t) const;
  // Makes `offset` the first sample the fifo keeps: drops what is before it and decodes (or seeks,
  // when it is far ahead or behind) to reach it.
  void position(int64_t offset);
  // Decodes until the fifo holds the samples before `end` or the stream ended; returns fifo().end().
  int64_t fill_to(int64_t end);
  const SampleFifo& fifo() const { return fifo_; }

  // Samples [from, to) (to < 0: to the end), channel-major, appended to out[c].
  void read(int64_t from, int64_t to, std::vector<std::vector<float>>& out);
  // For each of n times, the len samples centred on it (first sample at round((t - start) * rate)
  // - len / 2), zero outside the stream, into out (n, channels, len). One forward pass over the
  // times in sorted order; seeks only across long stretches.
  void windows(const double* times, int64_t n, int64_t len, float* out);

 private:
  void produce();
  void push(const AVFrame* f, int64_t off, int64_t count);
  void push_silence(int64_t count);
  void flush_resampler();
  void drop_resampler();
  bool take_run(const ResampledRun& r);
  void drain(int64_t count, const uint8_t* const* in);
  void restart();
  void seek_to(int64_t offset);

  AudioSource src_;
  int out_rate_ = 0, out_channels_ = 0;
  int in_rate_ = 0;         // the stream's rate at open: the unit of input positions
  int64_t P_ = 1, Q_ = 1;   // in_rate / g, out_rate / g: phase period in input / output samples
  double t0_ = 0;
  double gap_tolerance_ = 0.005;  // seconds

  UniqueAVFrame frame_ = make_frame();
  UniqueAVFrame params_ = make_frame();  // a frame with the resampler's input settings
  UniqueSwrContext swr_;
  // vxfast's own kernel for the conversions it reproduces (polyphase_resampler.h); libswresample
  // (swr_) for the rest. At most one of them holds a run.
  std::unique_ptr<PolyphaseResampler> poly_;
  bool poly_on_ = false;
  std::string resampler_ = "none";
  int64_t run_in0_ = 0;       // input position where the resampler's run began
  const ResamplePlan* plan_ = nullptr;  // what the decode workers resample with (poly_'s)
  // Input position from which every sample came straight from decoded frames, placed contiguously
  // (no silence, trimmed overlap or rate change since): where a worker's pre-roll may start.
  int64_t regular_from_ = 0;
  bool pending_ = false;    // frame_ decoded but not consumed yet
  double pending_pts_ = 0;
  int64_t gap_left_ = 0;    // silence still to put in before the pending frame
  bool anchored_ = true;    // false right after a seek, until the first frame places the timeline
  int64_t seek_in_ = 0;     // after a seek: the aligned input position to start from
  int64_t in_next_ = 0;     // input position the next frame should start at
  int64_t want_from_ = 0;   // output samples before this are dropped as they come
  bool eof_ = false;
  bool rate_changed_ = false;  // frames at another rate came since the timeline was last checked
  int64_t pts_shift_ = 0;      // added to pts-derived positions after such a change
  SampleFifo fifo_;
  std::vector<const uint8_t*> in_ptrs_;
};

}  // namespace vxfast
