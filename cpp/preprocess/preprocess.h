#pragma once
// Public C++ API of the preprocessing area: one image (RGB/BGR interleaved, or the decoder's own
// YUV420P / NV12 planes) to one model tensor in a single pass. Colour conversion happens at the
// bilinear taps, at output resolution; no full-resolution RGB frame is ever materialised.
//
// Usage (e.g. from the decoder, per AVFrame):
//   vxfast::PlaneImage img = vxfast::plane_image_yuv420p(f->data, f->linesize, f->width, f->height,
//                                                         vxfast::ColorMatrix::BT709, false);
//   std::vector<int64_t> shape = vxfast::output_shape(spec, f->width, f->height);  // e.g. {3,640,640}
//   // dst: output_bytes(spec, w, h) bytes, e.g. one slot of a batch tensor
//   vxfast::LetterboxInfoC info = vxfast::run_preprocess(spec, img, dst);
// run_preprocess is thread-safe, touches no Python state (call it with the GIL released) and throws
// std::invalid_argument for bad arguments.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "preprocess/spec.h"
#include "common/letterbox_geometry.h"

namespace vxfast {

enum class PixelLayout { YUV420P, NV12, RGB24, BGR24 };
// YUV -> RGB matrix (the luma weights Kr, Kb of each standard; FCC and SMPTE 240M as swscale has them).
enum class ColorMatrix { BT601, BT709, BT2020, FCC, SMPTE240M };

// Borrowed view of one image. YUV420P: data = {Y, U, V}; NV12: {Y, UV}; RGB24/BGR24: {pixels}.
// linesize in bytes (FFmpeg's meaning; must be positive). Chroma planes are (w+1)/2 x (h+1)/2.
struct PlaneImage {
  const uint8_t* data[3] = {nullptr, nullptr, nullptr};
  int linesize[3] = {0, 0, 0};
  int width = 0, height = 0;
  PixelLayout layout = PixelLayout::RGB24;
  ColorMatrix matrix = ColorMatrix::BT601;
  bool full_range = false;  // YUV only: JPEG/full range (0..255) instead of limited (16..235)
};

// Maps tensor coordinates back to source pixels: src = (t - pad) / scale (common/letterbox_geometry.h).
using LetterboxInfoC = LetterboxGeometry;

// Per image, no batch dimension: {3, H, W} for CHW, {H, W, 3} for HWC.
std::vector<int64_t> output_shape(const PreprocessSpec& spec, int src_w, int src_h);
size_t output_bytes(const PreprocessSpec& spec, int src_w, int src_h);
size_t dtype_size(OutDType dtype);

// Writes one image's tensor into dst (output_bytes(spec, w, h) bytes, any alignment).
// threads: 0 = decide from the frame size (1 for small frames), n = at most n std::threads.
LetterboxInfoC run_preprocess(const PreprocessSpec& spec, const PlaneImage& image, void* dst,
                              int threads = 0);

// Only the geometry (no pixels touched): what run_preprocess would return.
LetterboxInfoC letterbox_info(const PreprocessSpec& spec, int src_w, int src_h);

// Convenience builders for FFmpeg-style pointer/linesize arrays.
inline PlaneImage plane_image_yuv420p(const uint8_t* const data[3], const int linesize[3], int w,
                                      int h, ColorMatrix m, bool full_range) {
  PlaneImage p;
  for (int i = 0; i < 3; ++i) p.data[i] = data[i], p.linesize[i] = linesize[i];
  p.width = w, p.height = h, p.layout = PixelLayout::YUV420P, p.matrix = m, p.full_range = full_range;
  return p;
}
inline PlaneImage plane_image_nv12(const uint8_t* const data[2], const int linesize[2], int w, int h,
                                   ColorMatrix m, bool full_range) {
  PlaneImage p;
  for (int i = 0; i < 2; ++i) p.data[i] = data[i], p.linesize[i] = linesize[i];
  p.width = w, p.height = h, p.layout = PixelLayout::NV12, p.matrix = m, p.full_range = full_range;
  return p;
}
inline PlaneImage plane_image_rgb(const uint8_t* data, int linesize, int w, int h, bool bgr) {
  PlaneImage p;
  p.data[0] = data, p.linesize[0] = linesize, p.width = w, p.height = h;
  p.layout = bgr ? PixelLayout::BGR24 : PixelLayout::RGB24;
  return p;
}

}  // namespace vxfast
