#include "decode/color.h"

namespace vxfast {

namespace {
bool is_jpeg_alias(AVPixelFormat f) {
  return f == AV_PIX_FMT_YUVJ420P || f == AV_PIX_FMT_YUVJ422P || f == AV_PIX_FMT_YUVJ444P ||
         f == AV_PIX_FMT_YUVJ440P || f == AV_PIX_FMT_YUVJ411P;
}
}  // namespace

FrameColor frame_color(const AVFrame* f) {
  FrameColor c;
  switch (f->colorspace) {
    case AVCOL_SPC_BT709: c.matrix = ColorMatrix::BT709; break;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: c.matrix = ColorMatrix::BT2020; break;
    case AVCOL_SPC_FCC: c.matrix = ColorMatrix::FCC; break;
    case AVCOL_SPC_SMPTE240M: c.matrix = ColorMatrix::SMPTE240M; break;
    default: c.matrix = ColorMatrix::BT601; break;
  }
  c.full_range = f->color_range == AVCOL_RANGE_JPEG || is_jpeg_alias(static_cast<AVPixelFormat>(f->format));
  return c;
}

int sws_colorspace(ColorMatrix m) {
  switch (m) {
    case ColorMatrix::BT709: return SWS_CS_ITU709;
    case ColorMatrix::BT2020: return SWS_CS_BT2020;
    case ColorMatrix::FCC: return SWS_CS_FCC;
    case ColorMatrix::SMPTE240M: return SWS_CS_SMPTE240M;
    case ColorMatrix::BT601: break;
  }
  return SWS_CS_ITU601;
}

AVPixelFormat without_jpeg_alias(AVPixelFormat f) {
  switch (f) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P;
    default: return f;
  }
}

}  // namespace vxfast
