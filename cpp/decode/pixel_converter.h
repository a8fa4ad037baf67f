#pragma once
#include <string>
#include <vector>

#include "common/ffmpeg_common.h"
#include "decode/frame_writer.h"

namespace vxfast {

enum class PixelFormat { RGB24, BGR24, GRAY, YUV420P, NV12 };

PixelFormat parse_pixel_format(const std::string& name);  // throws std::invalid_argument
const char* pixel_format_name(PixelFormat f);

// Writes frames in a pixel format at the stream's size (rotated when asked). RGB/BGR/gray go
// through swscale, exactly as FFmpeg/PyAV convert; yuv420p/nv12 copy the decoder's planes when the
// decoder already produces that layout (no range or colour change), else swscale converts.
//
// Layout of yuv420p output: Y (h x w), then U and V ((h+1)/2 x (w+1)/2 each), contiguous: for even
// sizes this is OpenCV's I420 (h*3/2, w) image. nv12: Y then interleaved UV ((h+1)/2 x 2*((w+1)/2)).
class PixelConverter : public FrameWriter {
 public:
  // width/height: decoded (unrotated) size; rotation: clockwise degrees to apply (0 = none).
  PixelConverter(PixelFormat fmt, int width, int height, int rotation);
  std::vector<ptrdiff_t> shape() const override;
  size_t bytes() const override;
  void write(const AVFrame* src, uint8_t* dst) override;

  int out_width() const { return rotated() ? h_ : w_; }
  int out_height() const { return rotated() ? w_ : h_; }

 private:
  bool rotated() const { return rotation_ == 90 || rotation_ == 270; }
  void convert_unrotated(const AVFrame* src, uint8_t* dst);
  void sws_convert(const AVFrame* src, uint8_t* dst);

  PixelFormat fmt_;
  int w_, h_, rotation_;
  UniqueSwsContext sws_;
  int sws_src_w_ = 0, sws_src_h_ = 0, sws_src_fmt_ = -1, sws_colorspace_ = -1, sws_range_ = -1;
  std::vector<uint8_t> scratch_;
  UniqueAVFrame aligned_;         // swscale target when output rows are not 32-byte multiples  // unrotated output when a rotation is applied
};

}  // namespace vxfast
