#include "decode/pixel_converter.h"

#include <cstring>
#include <stdexcept>

extern "C" {
#include <libavutil/opt.h>
}

#include "common/errors.h"
#include "decode/color.h"
#include "decode/rotate.h"

namespace vxfast {

PixelFormat parse_pixel_format(const std::string& n) {
  if (n == "rgb24" || n == "rgb") return PixelFormat::RGB24;
  if (n == "bgr24" || n == "bgr") return PixelFormat::BGR24;
  if (n == "gray" || n == "gray8") return PixelFormat::GRAY;
  if (n == "yuv420p" || n == "i420") return PixelFormat::YUV420P;
  if (n == "nv12") return PixelFormat::NV12;
  throw std::invalid_argument("format=" + n + " is not one of rgb24, bgr24, gray, yuv420p, nv12");
}

const char* pixel_format_name(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB24: return "rgb24";
    case PixelFormat::BGR24: return "bgr24";
    case PixelFormat::GRAY: return "gray";
    case PixelFormat::YUV420P: return "yuv420p";
    case PixelFormat::NV12: return "nv12";
  }
  return "?";
}

namespace {
constexpr int kSwsAlign = 32;

AVPixelFormat to_av(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB24: return AV_PIX_FMT_RGB24;
    case PixelFormat::BGR24: return AV_PIX_FMT_BGR24;
    case PixelFormat::GRAY: return AV_PIX_FMT_GRAY8;
    case PixelFormat::YUV420P: return AV_PIX_FMT_YUV420P;
    case PixelFormat::NV12: return AV_PIX_FMT_NV12;
  }
  return AV_PIX_FMT_NONE;
}

}  // namespace

PixelConverter::PixelConverter(PixelFormat fmt, int width, int height, int rotation)
    : fmt_(fmt), w_(width), h_(height), rotation_(rotation) {
  if (rotation_ != 0) scratch_.resize(bytes());
}

std::vector<ptrdiff_t> PixelConverter::shape() const {
  ptrdiff_t W = out_width(), H = out_height();
  switch (fmt_) {
    case PixelFormat::RGB24:
    case PixelFormat::BGR24: return {H, W, 3};
    case PixelFormat::GRAY: return {H, W};
    default:
      if (W % 2 == 0 && H % 2 == 0) return {H * 3 / 2, W};
      return {static_cast<ptrdiff_t>(bytes())};
  }
}

size_t PixelConverter::bytes() const {
  size_t W = w_, H = h_, cw = (W + 1) / 2, ch = (H + 1) / 2;
  switch (fmt_) {
    case PixelFormat::RGB24:
    case PixelFormat::BGR24: return W * H * 3;
    case PixelFormat::GRAY: return W * H;
    default: return W * H + 2 * cw * ch;
  }
}

void PixelConverter::sws_convert(const AVFrame* src, uint8_t* dst) {
  const FrameColor color = frame_color(src);
  const int full_range = color.full_range ? 1 : 0;
  AVPixelFormat sfmt = without_jpeg_alias(static_cast<AVPixelFormat>(src->format));
  int cs = sws_colorspace(color.matrix);
  if (!sws_ || src->width != sws_src_w_ || src->height != sws_src_h_ || sfmt != sws_src_fmt_ ||
      cs != sws_colorspace_ || full_range != sws_range_) {
    SwsContext* c = sws_alloc_context();
    if (!c) throw VideoError("out of memory allocating a scaler");
    sws_.reset(c);
    av_opt_set_int(c, "srcw", src->width, 0);
    av_opt_set_int(c, "srch", src->height, 0);
    av_opt_set_int(c, "src_format", sfmt, 0);
    av_opt_set_int(c, "dstw", w_, 0);
    av_opt_set_int(c, "dsth", h_, 0);
    av_opt_set_int(c, "dst_format", to_av(fmt_), 0);
    av_opt_set_int(c, "sws_flags", SWS_BICUBIC, 0);  // FFmpeg's default: same pixels as the ffmpeg CLI
    if (sws_init_context(c, nullptr, nullptr) < 0) {
      sws_.reset();
      throw VideoError(std::string("cannot convert ") + av_get_pix_fmt_name(sfmt) + " to " +
                       pixel_format_name(fmt_));
    }
    const int* coefs = sws_getCoefficients(cs);
    bool dst_yuv = fmt_ == PixelFormat::YUV420P || fmt_ == PixelFormat::NV12;
    sws_setColorspaceDetails(c, coefs, full_range, coefs, dst_yuv ? full_range : 1, 0, 1 << 16, 1 << 16);
    sws_src_w_ = src->width;
    sws_src_h_ = src->height;
    sws_src_fmt_ = sfmt;
    sws_colorspace_ = cs;
    sws_range_ = full_range;
  }
  uint8_t* planes[4] = {nullptr, nullptr, nullptr, nullptr};
  int lines[4] = {0, 0, 0, 0};
  int cw = (w_ + 1) / 2, ch = (h_ + 1) / 2;
  switch (fmt_) {
    case PixelFormat::RGB24:
    case PixelFormat::BGR24: planes[0] = dst; lines[0] = w_ * 3; break;
    case PixelFormat::GRAY: planes[0] = dst; lines[0] = w_; break;
    case PixelFormat::YUV420P:
      planes[0] = dst; lines[0] = w_;
      planes[1] = dst + static_cast<size_t>(w_) * h_; lines[1] = cw;
      planes[2] = planes[1] + static_cast<size_t>(cw) * ch; lines[2] = cw;
      break;
    case PixelFormat::NV12:
      planes[0] = dst; lines[0] = w_;
      planes[1] = dst + static_cast<size_t>(w_) * h_; lines[1] = 2 * cw;
      break;
  }
  bool aligned = true;
  for (int i = 0; i < 4; ++i) aligned = aligned && lines[i] % kSwsAlign == 0;
  if (aligned) {
    sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, planes, lines);
    return;
  }
  // swscale's SIMD paths assume 16-byte aligned rows and give wrong pixels on odd widths with packed
  // tight rows: scale into an aligned frame, then copy rows out.
  if (!aligned_) {
    aligned_ = make_frame();
    aligned_->format = to_av(fmt_);
    aligned_->width = w_;
    aligned_->height = h_;
    if (av_frame_get_buffer(aligned_.get(), kSwsAlign) < 0) throw VideoError("out of memory");
  }
  sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, aligned_->data, aligned_->linesize);
  int rows[4] = {h_, fmt_ == PixelFormat::YUV420P || fmt_ == PixelFormat::NV12 ? ch : 0,
                 fmt_ == PixelFormat::YUV420P ? ch : 0, 0};
  for (int i = 0; i < 4 && planes[i]; ++i) {
    av_image_copy_plane(planes[i], lines[i], aligned_->data[i], aligned_->linesize[i], lines[i], rows[i]);
  }
}

void PixelConverter::convert_unrotated(const AVFrame* src, uint8_t* dst) {
  int cw = (w_ + 1) / 2, ch = (h_ + 1) / 2;
  bool same_size = src->width == w_ && src->height == h_;
  auto f = static_cast<AVPixelFormat>(src->format);
  if (same_size && fmt_ == PixelFormat::YUV420P && (f == AV_PIX_FMT_YUV420P || f == AV_PIX_FMT_YUVJ420P)) {
    uint8_t* u = dst + static_cast<size_t>(w_) * h_;
    av_image_copy_plane(dst, w_, src->data[0], src->linesize[0], w_, h_);
    av_image_copy_plane(u, cw, src->data[1], src->linesize[1], cw, ch);
    av_image_copy_plane(u + static_cast<size_t>(cw) * ch, cw, src->data[2], src->linesize[2], cw, ch);
    return;
  }
  if (same_size && fmt_ == PixelFormat::NV12 && f == AV_PIX_FMT_NV12) {
    av_image_copy_plane(dst, w_, src->data[0], src->linesize[0], w_, h_);
    av_image_copy_plane(dst + static_cast<size_t>(w_) * h_, 2 * cw, src->data[1], src->linesize[1], 2 * cw, ch);
    return;
  }
  sws_convert(src, dst);
}

void PixelConverter::write(const AVFrame* src, uint8_t* dst) {
  if (rotation_ == 0) {
    convert_unrotated(src, dst);
    return;
  }
  uint8_t* tmp = scratch_.data();
  convert_unrotated(src, tmp);
  int W = w_, H = h_, cw = (w_ + 1) / 2, ch = (h_ + 1) / 2;
  int ow = rotated() ? H : W;  // rotated widths of luma and chroma planes
  int ocw = rotated() ? ch : cw;
  switch (fmt_) {
    case PixelFormat::RGB24:
    case PixelFormat::BGR24: rotate_plane(tmp, W * 3, W, H, 3, rotation_, dst, ow * 3); break;
    case PixelFormat::GRAY: rotate_plane(tmp, W, W, H, 1, rotation_, dst, ow); break;
    case PixelFormat::YUV420P: {
      size_t y = static_cast<size_t>(W) * H, c = static_cast<size_t>(cw) * ch;
      rotate_plane(tmp, W, W, H, 1, rotation_, dst, ow);
      rotate_plane(tmp + y, cw, cw, ch, 1, rotation_, dst + y, ocw);
      rotate_plane(tmp + y + c, cw, cw, ch, 1, rotation_, dst + y + c, ocw);
      break;
    }
    case PixelFormat::NV12: {
      size_t y = static_cast<size_t>(W) * H;
      rotate_plane(tmp, W, W, H, 1, rotation_, dst, ow);
      rotate_plane(tmp + y, 2 * cw, cw, ch, 2, rotation_, dst + y, 2 * ocw);
      break;
    }
  }
}

}  // namespace vxfast
