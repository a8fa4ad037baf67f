#pragma once
// The YUV -> RGB conversion of a decoded frame, chosen here and only here for every output path:
// swscale's rgb24/bgr24/gray (PixelConverter) and the fused model tensor (PreprocessWriter) read
// the same answer, so both give the same colours on BT.601, BT.709 and BT.2020 video, limited or
// full range.
#include "common/ffmpeg_common.h"
#include "preprocess/preprocess.h"

namespace vxfast {

struct FrameColor {
  ColorMatrix matrix = ColorMatrix::BT601;
  bool full_range = false;  // JPEG/full range (0..255) instead of limited (16..235 / 16..240)
};

// Untagged or unknown colourspaces are BT.601, as swscale (and so FFmpeg, PyAV and OpenCV) assume;
// BT.2020 constant luminance is treated as non-constant, as swscale does. Full range when the frame
// says so or the decoder outputs a JPEG-range format (yuvj420p, yuvj422p, ...).
FrameColor frame_color(const AVFrame* f);

// swscale's SWS_CS_* for a matrix (the argument of sws_getCoefficients).
int sws_colorspace(ColorMatrix m);

// The JPEG-range aliases (yuvj*) are deprecated in swscale: the plain format with the same layout.
AVPixelFormat without_jpeg_alias(AVPixelFormat f);

}  // namespace vxfast
