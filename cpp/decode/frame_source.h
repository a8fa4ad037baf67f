#pragma once
#include <cstdint>

#include "common/ffmpeg_common.h"

namespace vxfast {

struct DecodedFrame {
  const AVFrame* frame = nullptr;  // owned by the source, valid until its next call
  int64_t index = -1;              // display order
  double pts = 0;                  // seconds from the first frame
  bool keyframe = false;
};

struct DecodeCounters {
  int64_t corrupt_packets = 0;  // packets the demuxer or decoder rejected
  int64_t corrupt_frames = 0;   // frames the decoder flagged as damaged (still delivered, concealed)
  int64_t decoder_errors = 0;   // errors the decoder reported while concealing damage
  int64_t decoded_frames = 0;
  int64_t seeks = 0;
};

// A forward cursor over a video's frames in display order: a DecodeSession, or a DecodeAhead that
// runs one on its own thread. The sampler is written against this so both behave the same.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The next frame in display order. False at end of stream.
  virtual bool next(DecodedFrame& out) = 0;
  // Repositions on the keyframe at or before display index idx; the next frames start there.
  virtual void seek_to(int64_t idx) = 0;
  // Display index the next frame will (at least) have; -1 right after a seek in approximate mode.
  virtual int64_t position() const = 0;
  virtual DecodeCounters counters() const = 0;
  // A hint: frames past display index `last` are probably not wanted (a seek follows), so don't
  // decode them speculatively. They are still delivered if asked for. A seek resets it to "none":
  // set it after seeking.
  virtual void set_speculation_limit(int64_t /*last*/) {}
};

}  // namespace vxfast
