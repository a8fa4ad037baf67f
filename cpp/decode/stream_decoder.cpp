#include "decode/stream_decoder.h"

#include "common/errors.h"

namespace vxfast {

StreamDecoder::StreamDecoder(const AVStream* stream, int threads, const std::string& path) {
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  if (!codec) {
    std::string name = stream->codecpar->codec_id != AV_CODEC_ID_NONE
                           ? avcodec_get_name(stream->codecpar->codec_id)
                           : "unknown";
    uint32_t tag = stream->codecpar->codec_tag;
    if (tag) {
      char fourcc[AV_FOURCC_MAX_STRING_SIZE] = {0};
      av_fourcc_make_string(fourcc, tag);
      name += std::string(", fourcc ") + fourcc;
    }
    throw VideoError(path + ": unsupported codec (" + name + "): no decoder in this FFmpeg build");
  }
  ctx_.reset(avcodec_alloc_context3(codec));
  if (!ctx_) throw VideoError(path + ": out of memory allocating a decoder");
  int err = avcodec_parameters_to_context(ctx_.get(), stream->codecpar);
  if (err < 0) throw VideoError(path + ": bad codec parameters (FFmpeg: " + av_error_string(err) + ")");
  ctx_->pkt_timebase = stream->time_base;
  ctx_->thread_count = threads < 0 ? 0 : threads;
  ctx_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  err = avcodec_open2(ctx_.get(), codec, nullptr);
  if (err < 0) {
    throw VideoError(path + ": cannot open the " + codec->name + " decoder (FFmpeg: " +
                     av_error_string(err) + ")");
  }
}

}  // namespace vxfast
