#pragma once
#include <string>

#include "audio/audio_info.h"
#include "common/ffmpeg_common.h"

namespace vxfast {

// Demux + decode of one audio stream of a file: hands out decoded frames with their start time in
// seconds on the stream's clock (NaN when the frame has no timestamp). Damaged packets are skipped
// and counted in stats. Not thread-safe: one per reading cursor.
class AudioSource {
 public:
  // stream: -1 = FFmpeg's best audio stream, k >= 0 = the k-th audio stream of the container.
  // Throws VideoError naming the path (missing, unreadable, no audio stream, no decoder) and
  // std::invalid_argument for a stream number the file does not have.
  AudioSource(const std::string& path, int stream);

  const AudioInfo& info() const { return info_; }
  AudioStats& stats() { return stats_; }

  // Next decoded frame into `frame` (its time in seconds in `pts`); false at the end of the stream.
  bool next(AVFrame* frame, double& pts);
  // Positions the demuxer at or before `t` seconds (stream clock) and flushes the decoder. False
  // when the container cannot seek; the source is then unchanged.
  bool seek(double t);
  // Back to the first packet (reopens the input, which every container supports).
  void rewind();

 private:
  void open();
  bool feed();

  std::string path_;
  int want_stream_;
  AudioInfo info_;
  AudioStats stats_;
  UniqueAVFormatContext fmt_;
  UniqueAVCodecContext dec_;
  UniqueAVPacket pkt_ = make_packet();
  AVRational tb_{1, 1};
  bool eof_sent_ = false;
};

}  // namespace vxfast
