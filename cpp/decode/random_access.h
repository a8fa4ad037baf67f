#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "decode/frame_cursor.h"
#include "decode/frame_sampler.h"
#include "decode/frame_writer.h"
#include "decode/video_source.h"

namespace vxfast {

// Decodes specific display indices (accurate seek) into caller buffers, reusing one FrameCursor
// between calls so nearby random accesses don't reopen the file.
class RandomAccess {
 public:
  explicit RandomAccess(std::shared_ptr<const VideoSource> src);
  // indices: ascending, unique, in range. dsts[i] receives indices[i]. Throws VideoError when a
  // frame cannot be decoded.
  void decode(const std::vector<int64_t>& indices, FrameWriter& writer,
              const std::vector<uint8_t*>& dsts, std::vector<FrameMeta>& metas);

 private:
  std::shared_ptr<const VideoSource> src_;
  FrameCursor cursor_;
  std::mutex mu_;
};

}  // namespace vxfast
