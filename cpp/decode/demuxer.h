#pragma once
#include <string>

#include "common/ffmpeg_common.h"

namespace vxfast {

// Owns an opened input and its best video stream; reads that stream's packets only.
// Not thread-safe: one Demuxer per decoding session.
class Demuxer {
 public:
  // Throws VideoError naming the path: missing file, not a media file, no video stream.
  explicit Demuxer(const std::string& path);

  AVFormatContext* format() const { return fmt_.get(); }
  AVStream* stream() const { return fmt_->streams[stream_index_]; }
  int stream_index() const { return stream_index_; }
  const std::string& path() const { return path_; }

  // Next packet of the video stream into pkt (caller unrefs). Returns 0, AVERROR_EOF, or another
  // negative error (a truncated or damaged file; the caller decides whether to go on).
  int read(AVPacket* pkt);

  // Positions the demuxer at or before `ts` (stream time base) on a keyframe. Returns false when the
  // format cannot seek there.
  bool seek(int64_t ts);

 private:
  std::string path_;
  UniqueAVFormatContext fmt_;
  int stream_index_ = -1;
};

}  // namespace vxfast
