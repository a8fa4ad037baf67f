#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "decode/decode_session.h"
#include "decode/frame_cursor.h"
#include "decode/frame_writer.h"
#include "decode/sample_spec.h"
#include "decode/video_source.h"

namespace vxfast {

struct FrameMeta {
  int64_t index = -1;
  double pts = 0;  // seconds on the stream's clock (FrameIndex::pts_sec)
  bool keyframe = false;
  bool repeat = false;  // same decoded frame as the previous delivery (fps above the native rate)
};

struct SamplerStats {
  DecodeCounters decode;
  int64_t missing_frames = 0;  // planned frames that could not be decoded (damaged or truncated)
  int64_t delivered = 0;
};

// The sequential sampler: delivers the frames a SampleSpec selects, in display order, one at a time
// through a FrameWriter into caller-owned memory. Planned modes (every/fps/uniform, and all with an
// exact index) go through a FrameCursor; keyframes and approximate all/every stream straight through
// one session. Thread-safe (one call at a time; concurrent calls serialise).
class FrameSampler {
 public:
  FrameSampler(std::shared_ptr<const VideoSource> src, const SampleSpec& spec,
               std::shared_ptr<FrameWriter> writer);
  // Writes the next frame into dst (writer->bytes() bytes) unless meta.repeat. False at the end.
  bool next(uint8_t* dst, FrameMeta& meta);
  SamplerStats stats() const;
  FrameWriter& writer() { return *writer_; }

 private:
  bool next_planned(uint8_t* dst, FrameMeta& meta);
  bool next_streamed(uint8_t* dst, FrameMeta& meta);
  std::unique_ptr<DecodeSession> open_session(bool keyframes_only) const;
  DecodeCounters counters() const;

  std::shared_ptr<const VideoSource> src_;
  SampleSpec spec_;
  std::shared_ptr<FrameWriter> writer_;
  FrameCursor cursor_;                     // planned modes
  std::unique_ptr<DecodeSession> session_; // streamed modes
  bool planned_ = false;
  std::vector<int64_t> targets_;
  size_t pos_ = 0;
  int64_t first_index_ = -1;
  FrameMeta last_;
  int64_t missing_ = 0, delivered_ = 0;
  mutable std::mutex mu_;
};

}  // namespace vxfast
