#pragma once
#include <deque>
#include <memory>
#include <string>

#include "audio/audio_info.h"
#include "audio/parallel_decode.h"
#include "common/ffmpeg_common.h"

namespace vxfast {

// Demux + decode of one audio stream of a file: hands out decoded frames with their start time in
// seconds on the stream's clock (NaN when the frame has no timestamp). Damaged packets are skipped
// and counted in stats. Not thread-safe: one per reading cursor.
class AudioSource {
 public:
  // stream: -1 = FFmpeg's best audio stream, k >= 0 = the k-th audio stream of the container.
  // Throws VideoError naming the path (missing, unreadable, no audio stream, no decoder) and
  // std::invalid_argument for a stream number the file does not have. threads > 1: an AAC-LC
  // stream is decoded on that many threads (ParallelAacDecode) once its first frame has confirmed
  // the profile; other codecs, and threads <= 1, decode on the calling thread.
  AudioSource(const std::string& path, int stream, int threads = 1);

  const AudioInfo& info() const { return info_; }
  AudioStats& stats() { return stats_; }

  // Next decoded frame into `frame` (its time in seconds in `pts`); false at the end of the stream.
  bool next(AVFrame* frame, double& pts);
  // Lets a parallel decode started from now on resample on its workers (ParallelAacDecode).
  void set_resample_plan(std::shared_ptr<const ResamplePlan> plan) { plan_ = std::move(plan); }
  // When the next piece of the stream is a block the workers resampled: its run (valid until the
  // next call), to accept_run() or expand_run() (then next() hands out its frames); else null.
  const ResampledRun* next_run();
  void accept_run();
  void expand_run();
  void set_run_offset(int64_t offset) {
    if (par_) par_->set_offset(offset);
  }
  // Positions the demuxer at or before `t` seconds (stream clock) and flushes the decoder. False
  // when the container cannot seek; the source is then unchanged, except after a parallel decode
  // (its demuxer had read ahead): then rewind() before decoding on.
  bool seek(double t);
  // Back to the first packet (reopens the input, which every container supports).
  void rewind();

 private:
  void open();
  bool feed();
  bool parallel_ready() const;

  std::string path_;
  int want_stream_;
  AudioInfo info_;
  AudioStats stats_;
  UniqueAVFormatContext fmt_;
  UniqueAVCodecContext dec_;
  UniqueAVPacket pkt_ = make_packet();
  AVRational tb_{1, 1};
  bool eof_sent_ = false;
  int threads_ = 1;
  bool frames_lc_ = true;                  // every frame so far had AAC-LC's 1024 samples
  std::deque<UniqueAVPacket> history_;     // last packets fed: the parallel decode's first pre-roll
  std::shared_ptr<const ResamplePlan> plan_;
  std::unique_ptr<ParallelAacDecode> par_;  // declared after fmt_: stops before the demuxer closes
};

}  // namespace vxfast
