#include "decode/random_access.h"

#include <string>

#include "common/errors.h"

namespace vxfast {

// Random access keeps FFmpeg's thread count (more threads only delay the first frame after a seek).
RandomAccess::RandomAccess(std::shared_ptr<const VideoSource> src)
    : src_(std::move(src)), cursor_(src_, [this] { return src_->new_session(false); }) {}

void RandomAccess::decode(const std::vector<int64_t>& indices, FrameWriter& writer,
                          const std::vector<uint8_t*>& dsts, std::vector<FrameMeta>& metas) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool exact = src_->index() != nullptr;
  metas.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const int64_t t = indices[i];
    DecodedFrame d;
    switch (cursor_.decode_to(t, d)) {
      case FrameCursor::Landed::End:
        cursor_.reset();
        throw VideoError(src_->path() + ": frame " + std::to_string(t) +
                         " is past the last decodable frame");
      case FrameCursor::Landed::Later:
        cursor_.reset();
        throw VideoError(src_->path() + ": frame " + std::to_string(t) +
                         " could not be decoded (damaged stream)");
      case FrameCursor::Landed::Exact: break;
    }
    writer.write(d.frame, dsts[i]);
    metas[i] = FrameMeta{exact ? d.index : t, d.pts, d.keyframe, false};
  }
}

}  // namespace vxfast
