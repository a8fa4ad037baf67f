#pragma once
#include <memory>
#include <string>

#include "decode/decode_session.h"
#include "decode/frame_index.h"
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
  VideoSource(const std::string& path, const ReaderOptions& opts)
      : VideoSource(MediaInput::from_path(path), opts) {}
  // In-memory/stream input: a non-seekable stream is opened in approximate mode whatever
  // opts.exact says (an index pass would consume it).
  VideoSource(const MediaInput& input, const ReaderOptions& opts);
  const VideoInfo& info() const { return info_; }
  const std::shared_ptr<const FrameIndex>& index() const { return index_; }
  const ReaderOptions& options() const { return opts_; }
  const std::string& path() const { return info_.path; }
  const MediaInput& input() const { return input_; }
  int rotation_to_apply() const { return opts_.apply_rotation ? info_.rotation : 0; }
  // threads: decoder threads for this session; -1 uses the reader's option.
  std::unique_ptr<DecodeSession> new_session(bool keyframes_only, int threads = -1) const;

 private:
  MediaInput input_;
  ReaderOptions opts_;
  VideoInfo info_;
  std::shared_ptr<const FrameIndex> index_;
};

}  // namespace vxfast
