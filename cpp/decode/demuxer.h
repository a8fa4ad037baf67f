#pragma once
#include <map>
#include <memory>
#include <string>

#include "common/ffmpeg_common.h"
#include "decode/byte_input.h"
#include "decode/io_deadline.h"

namespace vxfast {

// Where a video comes from: a path or URL FFmpeg opens itself, or bytes read through a custom
// AVIO context. name() is what error messages call it.
struct MediaInput {
  std::string path;
  std::shared_ptr<ByteInput> bytes;  // set: read these instead of opening `path`
  const std::string& name() const { return bytes ? bytes->name() : path; }
  static MediaInput from_path(std::string p) { return MediaInput{std::move(p), nullptr}; }
};

struct DemuxOptions {
  double open_timeout = 0;  // seconds for open + stream probing; <= 0: none
  double read_timeout = 0;  // seconds one read may wait for data; <= 0: none
  std::map<std::string, std::string> options;  // FFmpeg format/protocol options (rtsp_transport...)
  std::shared_ptr<IoDeadline> deadline;         // shared with whoever may abort(); made when null
};

// Owns an opened input and its best video stream; reads that stream's packets only.
// Not thread-safe: one Demuxer per decoding session (deadline()->abort() is the exception: any
// thread may call it to end a blocked call).
class Demuxer {
 public:
  // Throws VideoError naming the input: missing file, not a media file, no video stream, a
  // timeout; InputReadError when reading in-memory/stream input failed.
  explicit Demuxer(const std::string& path);
  Demuxer(const MediaInput& input, const DemuxOptions& opts = {});

  AVFormatContext* format() const { return fmt_.get(); }
  AVStream* stream() const { return fmt_->streams[stream_index_]; }
  int stream_index() const { return stream_index_; }
  const std::string& path() const { return name_; }
  IoDeadline& deadline() const { return *deadline_; }

  // Next packet of the video stream into pkt (caller unrefs). Returns 0, AVERROR_EOF, or another
  // negative error (a truncated or damaged file; the caller decides whether to go on). Throws
  // InputReadError when the input itself failed, and VideoError when read_timeout passed without
  // data or the deadline was aborted.
  int read(AVPacket* pkt);

  // Positions the demuxer at or before `ts` (stream time base) on a keyframe. Returns false when the
  // format cannot seek there.
  bool seek(int64_t ts);

 private:
  void open(const MediaInput& input);
  [[noreturn]] void fail(const std::string& what, int err) const;
  void check_input() const;

  std::string name_;
  DemuxOptions opts_;
  std::shared_ptr<IoDeadline> deadline_;
  std::unique_ptr<ByteReader> reader_;  // in-memory/stream input (outlives avio_ and fmt_)
  UniqueAVIOContext avio_;
  UniqueAVFormatContext fmt_;
  int stream_index_ = -1;
};

}  // namespace vxfast
