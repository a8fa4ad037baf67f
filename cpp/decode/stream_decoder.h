#pragma once
#include <string>

#include "common/ffmpeg_common.h"

namespace vxfast {

// An opened decoder for one stream. threads == 0 lets FFmpeg pick (frame + slice threading).
class StreamDecoder {
 public:
  StreamDecoder(const AVStream* stream, int threads, const std::string& path);

  AVCodecContext* context() const { return ctx_.get(); }
  // Key frames only: the decoder itself skips everything else (AVDISCARD_NONKEY), so non-key
  // packets cost nothing beyond demuxing.
  void set_keyframes_only(bool on) { ctx_->skip_frame = on ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT; }
  void flush() { avcodec_flush_buffers(ctx_.get()); }

  int send(const AVPacket* pkt) { return avcodec_send_packet(ctx_.get(), pkt); }
  int receive(AVFrame* frame) { return avcodec_receive_frame(ctx_.get(), frame); }

 private:
  UniqueAVCodecContext ctx_;
};

}  // namespace vxfast
