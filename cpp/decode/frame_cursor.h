#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "decode/decode_session.h"
#include "decode/video_source.h"

namespace vxfast {

// "Decode up to display index N": the one routine behind planned sampling (FrameSampler) and
// accurate seeks (RandomAccess). It keeps one DecodeSession and, for each wanted index, seeks only
// when that skips decoding (the wanted frame is behind the cursor, or a keyframe lies between the
// cursor and it), else decodes straight on. Frames between are decoded (they are references) but
// never handed out. Not thread-safe; its owner serialises calls.
class FrameCursor {
 public:
  using SessionFactory = std::function<std::unique_ptr<DecodeSession>()>;
  enum class Landed {
    Exact,  // out.index == target
    Later,  // the first frame at or after target came out past it: target was not decodable
    End,    // the stream ended before any frame at or after target
  };

  // open: makes the session on first use (lets the owner choose decoder threads).
  FrameCursor(std::shared_ptr<const VideoSource> src, SessionFactory open);

  // Decodes up to display index `target` (>= 0) and returns the first frame with index >= target
  // in `out` (valid until the next call). Without an exact index, indices are estimates and a
  // frame past an estimate counts as Exact.
  Landed decode_to(int64_t target, DecodedFrame& out);

  bool started() const { return session_ != nullptr; }
  DecodeCounters counters() const { return session_ ? session_->counters() : DecodeCounters{}; }
  // Drops the session (after an error): the next call reopens the file.
  void reset() { session_.reset(); }

 private:
  bool should_seek(int64_t target) const;

  std::shared_ptr<const VideoSource> src_;
  SessionFactory open_;
  std::unique_ptr<DecodeSession> session_;
};

}  // namespace vxfast
