#pragma once
// RAII owners for FFmpeg structs and the only place that knows about FFmpeg version differences.
// Supported: FFmpeg 5.0 (libavcodec 59) through 7.x (libavcodec 61).
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <memory>
#include <string>

namespace vxfast {

struct AVFormatContextCloser {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct AVCodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct AVFrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct AVPacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsContextDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};

// A custom AVIO context owns its buffer (FFmpeg may have reallocated it): both go together.
struct AVIOContextDeleter {
  void operator()(AVIOContext* p) const {
    if (p) av_freep(&p->buffer);
    avio_context_free(&p);
  }
};
struct AVDictionaryDeleter {
  void operator()(AVDictionary* p) const { av_dict_free(&p); }
};

using UniqueAVFormatContext = std::unique_ptr<AVFormatContext, AVFormatContextCloser>;
using UniqueAVCodecContext = std::unique_ptr<AVCodecContext, AVCodecContextDeleter>;
using UniqueAVFrame = std::unique_ptr<AVFrame, AVFrameDeleter>;
using UniqueAVPacket = std::unique_ptr<AVPacket, AVPacketDeleter>;
using UniqueSwsContext = std::unique_ptr<SwsContext, SwsContextDeleter>;
struct SwrContextDeleter {
  void operator()(SwrContext* p) const { swr_free(&p); }
};
using UniqueSwrContext = std::unique_ptr<SwrContext, SwrContextDeleter>;
using UniqueAVIOContext = std::unique_ptr<AVIOContext, AVIOContextDeleter>;
using UniqueAVDictionary = std::unique_ptr<AVDictionary, AVDictionaryDeleter>;

inline UniqueAVFrame make_frame() { return UniqueAVFrame(av_frame_alloc()); }
inline UniqueAVPacket make_packet() { return UniqueAVPacket(av_packet_alloc()); }

// Unrefs the packet when it leaves scope, so a `continue` in a read loop can never leak it.
class PacketRef {
 public:
  explicit PacketRef(AVPacket* p) : p_(p) {}
  ~PacketRef() { av_packet_unref(p_); }
  PacketRef(const PacketRef&) = delete;
  PacketRef& operator=(const PacketRef&) = delete;

 private:
  AVPacket* p_;
};

inline std::string av_error_string(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

// AVFrame.key_frame was deprecated in FFmpeg 6.1 (libavutil 58.29) for AV_FRAME_FLAG_KEY.
inline bool frame_is_key(const AVFrame* f) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 29, 100)
  return (f->flags & AV_FRAME_FLAG_KEY) != 0;
#else
  return f->key_frame != 0;
#endif
}

// AV_FRAME_FLAG_CORRUPT exists in all supported versions; decode_error_flags too.
inline bool frame_is_corrupt(const AVFrame* f) {
  return (f->flags & AV_FRAME_FLAG_CORRUPT) != 0 || f->decode_error_flags != 0;
}

// FF_PROFILE_* became AV_PROFILE_* in FFmpeg 6.1 (libavcodec 60.31); the old names went in 7.0.
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 102)
constexpr int kProfileAacLow = AV_PROFILE_AAC_LOW;
#else
constexpr int kProfileAacLow = FF_PROFILE_AAC_LOW;
#endif

// AVCodecParameters.channels was replaced by ch_layout in FFmpeg 5.1 (libavcodec 59.24) and removed
// in 7.0.
inline int codecpar_channels(const AVCodecParameters* p) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(59, 24, 100)
  return p->ch_layout.nb_channels;
#else
  return p->channels;
#endif
}

// Channel count of a decoded audio frame (AVFrame.channels -> ch_layout, FFmpeg 5.1).
inline int frame_channels(const AVFrame* f) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  return f->ch_layout.nb_channels;
#else
  return f->channels;
#endif
}

// "stereo", "5.1(side)", "6 channels" ... for a stream's layout; "" when unknown.
inline std::string codecpar_layout_name(const AVCodecParameters* p) {
  char buf[128] = {0};
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  if (p->ch_layout.nb_channels <= 0 || av_channel_layout_describe(&p->ch_layout, buf, sizeof(buf)) < 0) return "";
#else
  if (p->channels <= 0) return "";
  av_get_channel_layout_string(buf, sizeof(buf), p->channels, p->channel_layout);
#endif
  return buf;
}

// A resampler from the format/rate/layout of `in` to planar float at out_rate with out_channels
// (0: as the input); the input's own layout is kept when the channel count stays, FFmpeg's default
// layout for the count is used otherwise (an unordered input layout counts as the default one).
// Every other option is libswresample's default, as `ffmpeg -ar R -ac C` and PyAV's AudioResampler
// leave them. Returns null on failure.
inline UniqueSwrContext make_float_resampler(const AVFrame* in, int out_rate, int out_channels) {
  SwrContext* raw = nullptr;
  const auto in_fmt = static_cast<AVSampleFormat>(in->format);
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  AVChannelLayout in_layout{}, out_layout{};
  if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    av_channel_layout_default(&in_layout, in->ch_layout.nb_channels);
  } else if (av_channel_layout_copy(&in_layout, &in->ch_layout) < 0) {
    return nullptr;
  }
  if (out_channels <= 0 || out_channels == in_layout.nb_channels) {
    av_channel_layout_copy(&out_layout, &in_layout);
  } else {
    av_channel_layout_default(&out_layout, out_channels);
  }
  int err = swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLTP, out_rate, &in_layout, in_fmt,
                                in->sample_rate, 0, nullptr);
  av_channel_layout_uninit(&in_layout);
  av_channel_layout_uninit(&out_layout);
  if (err < 0) return nullptr;
#else
  int64_t in_layout = in->channel_layout ? static_cast<int64_t>(in->channel_layout)
                                         : av_get_default_channel_layout(in->channels);
  int64_t out_layout = (out_channels <= 0 || out_channels == in->channels)
                           ? in_layout : av_get_default_channel_layout(out_channels);
  raw = swr_alloc_set_opts(nullptr, out_layout, AV_SAMPLE_FMT_FLTP, out_rate, in_layout, in_fmt,
                           in->sample_rate, 0, nullptr);
  if (!raw) return nullptr;
#endif
  UniqueSwrContext swr(raw);
  if (swr_init(swr.get()) < 0) return nullptr;
  return swr;
}

// True when two decoded audio frames need the same resampler input settings.
inline bool same_audio_params(const AVFrame* a, const AVFrame* b) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  bool layout = av_channel_layout_compare(&a->ch_layout, &b->ch_layout) == 0;
#else
  bool layout = a->channels == b->channels && a->channel_layout == b->channel_layout;
#endif
  return layout && a->format == b->format && a->sample_rate == b->sample_rate;
}

// The display matrix moved from per-stream side data (av_stream_get_side_data, removed in FFmpeg
// 7.0) to codecpar->coded_side_data in FFmpeg 6.1 (libavcodec 60.31).
inline const int32_t* stream_display_matrix(const AVStream* st) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 102)
  const AVPacketSideData* sd = av_packet_side_data_get(
      st->codecpar->coded_side_data, st->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
  return sd && sd->size >= 9 * 4 ? reinterpret_cast<const int32_t*>(sd->data) : nullptr;
#else
  size_t size = 0;
  const uint8_t* data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  return data && size >= 9 * 4 ? reinterpret_cast<const int32_t*>(data) : nullptr;
#endif
}

// Clockwise rotation in degrees (0/90/180/270) needed to display the stream upright.
// av_display_rotation_get returns the counter-clockwise angle the matrix applies.
inline int stream_rotation_degrees(const AVStream* st) {
  const int32_t* m = stream_display_matrix(st);
  if (!m) return 0;
  double ccw = av_display_rotation_get(m);
  if (!(ccw == ccw)) return 0;  // NaN: degenerate matrix
  long cw = std::lround(-ccw);
  cw = ((cw % 360) + 360) % 360;
  return static_cast<int>(((cw + 45) / 90 * 90) % 360);
}

}  // namespace vxfast
