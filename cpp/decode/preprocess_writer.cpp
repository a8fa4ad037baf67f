#include "decode/preprocess_writer.h"

#include "common/ffmpeg_common.h"
#include "decode/color.h"

namespace vxfast {

PreprocessWriter::PreprocessWriter(const PreprocessSpec& spec, int width, int height, int rotation,
                                   int threads)
    : spec_(spec), w_(width), h_(height), rotation_(rotation), threads_(threads) {
  spec_.validate();
  bool swap = rotation == 90 || rotation == 270;
  out_w_ = swap ? h_ : w_;
  out_h_ = swap ? w_ : h_;
}

std::vector<ptrdiff_t> PreprocessWriter::shape() const {
  std::vector<int64_t> s = output_shape(spec_, out_w_, out_h_);
  return std::vector<ptrdiff_t>(s.begin(), s.end());
}

std::string PreprocessWriter::dtype() const {
  switch (spec_.dtype) {
    case OutDType::Float32: return "float32";
    case OutDType::Float16: return "float16";
    default: return "uint8";
  }
}

size_t PreprocessWriter::bytes() const { return output_bytes(spec_, out_w_, out_h_); }

void PreprocessWriter::write(const AVFrame* f, uint8_t* dst) {
  auto fmt = static_cast<AVPixelFormat>(f->format);
  bool direct = rotation_ == 0 && f->width == w_ && f->height == h_ &&
                (fmt == AV_PIX_FMT_YUV420P || fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_NV12);
  const FrameColor color = frame_color(f);
  if (direct) {
    PlaneImage img = fmt == AV_PIX_FMT_NV12
                         ? plane_image_nv12(f->data, f->linesize, f->width, f->height, color.matrix, color.full_range)
                         : plane_image_yuv420p(f->data, f->linesize, f->width, f->height, color.matrix,
                                               color.full_range);
    run_preprocess(spec_, img, dst, threads_);
    return;
  }
  // Rare layouts: planes as yuv420p (rotated when asked), then the same fused kernel. Matrix and
  // range are kept as decoded (PixelConverter copies, or converts YUV to YUV without changing them).
  if (!to_yuv_) {
    to_yuv_ = std::make_unique<PixelConverter>(PixelFormat::YUV420P, w_, h_, rotation_);
    yuv_.resize(to_yuv_->bytes());
  }
  to_yuv_->write(f, yuv_.data());
  int W = out_w_, H = out_h_, cw = (W + 1) / 2, ch = (H + 1) / 2;
  const uint8_t* planes[3] = {yuv_.data(), yuv_.data() + static_cast<size_t>(W) * H,
                              yuv_.data() + static_cast<size_t>(W) * H + static_cast<size_t>(cw) * ch};
  int lines[3] = {W, cw, cw};
  run_preprocess(spec_, plane_image_yuv420p(planes, lines, W, H, color.matrix, color.full_range), dst, threads_);
}

}  // namespace vxfast
