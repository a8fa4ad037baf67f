#pragma once
#include <memory>

#include "decode/frame_writer.h"
#include "decode/pixel_converter.h"
#include "preprocess/preprocess.h"

namespace vxfast {

// Decoder frame -> model tensor in one pass: the fused kernel reads the decoder's own YUV420P/NV12
// planes (no RGB frame in between). Other decoder layouts (4:2:2, 4:4:4, 10-bit) and rotated
// streams first go through a PixelConverter to yuv420p.
class PreprocessWriter : public FrameWriter {
 public:
  // width/height: decoded (unrotated) size; rotation: clockwise degrees to apply.
  PreprocessWriter(const PreprocessSpec& spec, int width, int height, int rotation, int threads);
  std::vector<ptrdiff_t> shape() const override;
  std::string dtype() const override;
  size_t bytes() const override;
  void write(const AVFrame* src, uint8_t* dst) override;
  // Geometry of the mapping back to source pixels (after rotation).
  LetterboxInfoC info() const { return letterbox_info(spec_, out_w_, out_h_); }

 private:
  PreprocessSpec spec_;
  int w_, h_, rotation_, threads_, out_w_, out_h_;
  std::unique_ptr<PixelConverter> to_yuv_;  // only when the decoder's layout can't be read directly
  std::vector<uint8_t> yuv_;
};

}  // namespace vxfast
