#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "decode/decode_session.h"
#include "decode/frame_index.h"
#include "decode/frame_writer.h"
#include "decode/sample_spec.h"
#include "decode/video_info.h"

namespace vxfast {

struct ReaderOptions {
  int threads = 0;            // decoder threads, 0 = FFmpeg's choice
  int sequential_threads = -1;  // frame iterators' (FrameSampler) decoder threads; -1 = `threads`
  bool exact = true;          // build a FrameIndex at open (one demux-only pass)
  bool apply_rotation = true; // rotate frames upright per the display matrix
};

// An opened video: its info and (in exact mode) its frame index. Immutable after construction,
// so any number of samplers on any threads can share it.
class VideoSource {
 public:
  VideoSource(const std::string& path, const ReaderOptions& opts);
  const VideoInfo& info() const { return info_; }
  const std::shared_ptr<const FrameIndex>& index() const { return index_; }
  const ReaderOptions& options() const { return opts_; }
  const std::string& path() const { return info_.path; }
  int rotation_to_apply() const { return opts_.apply_rotation ? info_.rotation : 0; }
  // threads: decoder threads for this session; -1 uses the reader's option.
  std::unique_ptr<DecodeSession> new_session(bool keyframes_only, int threads = -1) const;

 private:
  ReaderOptions opts_;
  VideoInfo info_;
  std::shared_ptr<const FrameIndex> index_;
};

struct FrameMeta {
  int64_t index = -1;
  double pts = 0;
  bool keyframe = false;
  bool repeat = false;  // same decoded frame as the previous delivery (fps above the native rate)
};

struct SamplerStats {
  DecodeCounters decode;
  int64_t missing_frames = 0;  // planned frames that could not be decoded (damaged or truncated)
  int64_t delivered = 0;
};

// Delivers sampled frames one at a time through a FrameWriter into caller-owned memory.
// Thread-safe (one call at a time; concurrent calls serialise).
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

  std::shared_ptr<const VideoSource> src_;
  SampleSpec spec_;
  std::shared_ptr<FrameWriter> writer_;
  std::unique_ptr<DecodeSession> session_;
  bool planned_ = false;
  std::vector<int64_t> targets_;
  size_t pos_ = 0;
  bool started_ = false;
  int64_t first_index_ = -1;
  FrameMeta last_;
  int64_t missing_ = 0, delivered_ = 0;
  DecodeCounters finished_sessions_;
  mutable std::mutex mu_;
};

// Decodes specific display indices (accurate seek) into caller buffers, reusing one session
// between calls so nearby random accesses don't reopen the file.
class RandomAccess {
 public:
  explicit RandomAccess(std::shared_ptr<const VideoSource> src) : src_(std::move(src)) {}
  // indices: ascending, unique, in range. dsts[i] receives indices[i]. Throws VideoError when a
  // frame cannot be decoded.
  void decode(const std::vector<int64_t>& indices, FrameWriter& writer,
              const std::vector<uint8_t*>& dsts, std::vector<FrameMeta>& metas);

 private:
  std::shared_ptr<const VideoSource> src_;
  std::unique_ptr<DecodeSession> session_;
  std::mutex mu_;
};

}  // namespace vxfast
