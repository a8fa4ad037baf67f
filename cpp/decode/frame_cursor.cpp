#include "decode/frame_cursor.h"

namespace vxfast {

FrameCursor::FrameCursor(std::shared_ptr<const VideoSource> src, SessionFactory open)
    : src_(std::move(src)), open_(std::move(open)) {}

bool FrameCursor::should_seek(int64_t target) const {
  const int64_t cur = session_->position();
  if (const FrameIndex* idx = src_->index().get()) {
    // A keyframe after the cursor and at or before the target: decoding on would only redo work
    // the seek skips.
    return target < cur || idx->key_display[idx->keyframe_at_or_before(target)] > cur;
  }
  // Approximate mode: no keyframe table, so seek only for jumps of more than two seconds.
  const double fps = src_->info().fps > 0 ? src_->info().fps : 25;
  return cur < 0 || target < cur || (target - cur) > 2 * fps;
}

FrameCursor::Landed FrameCursor::decode_to(int64_t target, DecodedFrame& out) {
  if (!session_) session_ = open_();
  if (should_seek(target)) session_->seek_to(target);
  while (session_->next(out)) {
    if (out.index < target) continue;
    return out.index == target || !src_->index() ? Landed::Exact : Landed::Later;
  }
  return Landed::End;
}

}  // namespace vxfast
