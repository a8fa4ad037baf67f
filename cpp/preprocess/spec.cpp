#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "preprocess/geometry.h"
#include "preprocess/preprocess.h"

namespace vxfast {
namespace {

void check_side(const char* name, int v) {
  if (v <= 0 || v > kMaxPreprocessSide)
    throw std::invalid_argument(std::string("PreprocessSpec: ") + name + "=" + std::to_string(v) +
                                " must be in 1.." + std::to_string(kMaxPreprocessSide));
}

void check_source(int w, int h) {
  if (w <= 0 || h <= 0)
    throw std::invalid_argument("source image size " + std::to_string(w) + "x" + std::to_string(h) +
                                " must be positive");
}

}  // namespace

void PreprocessSpec::validate() const {
  check_side("height", height);
  check_side("width", width);
  if (resize_short < 0 || resize_short > kMaxPreprocessSide)
    throw std::invalid_argument("PreprocessSpec: resize_short=" + std::to_string(resize_short) +
                                " must be in 0.." + std::to_string(kMaxPreprocessSide));
  if (stride < 0 || stride > kMaxPreprocessSide)
    throw std::invalid_argument("PreprocessSpec: stride=" + std::to_string(stride) +
                                " must be 0 (off) or positive");
  if (!std::isfinite(scale))
    throw std::invalid_argument("PreprocessSpec: scale=" + std::to_string(scale) + " must be finite");
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(mean[c]))
      throw std::invalid_argument("PreprocessSpec: mean[" + std::to_string(c) + "] is not finite");
    if (!std::isfinite(std[c]) || std[c] == 0.f)
      throw std::invalid_argument("PreprocessSpec: std[" + std::to_string(c) + "]=" +
                                  std::to_string(std[c]) + " must be finite and non-zero");
    if (!std::isfinite(pad_value[c]))
      throw std::invalid_argument("PreprocessSpec: pad_value[" + std::to_string(c) +
                                  "] is not finite");
  }
}

Geometry compute_geometry(const PreprocessSpec& spec, int src_w, int src_h) {
  check_source(src_w, src_h);
  spec.validate();
  Geometry g;
  switch (spec.mode) {
    case ResizeMode::Resize:
      g.out_w = g.resized_w = spec.width;
      g.out_h = g.resized_h = spec.height;
      break;
    case ResizeMode::Letterbox: {
      // Ultralytics LetterBox arithmetic, including Python's round-half-even, so pads agree exactly.
      double r = std::min(double(spec.height) / src_h, double(spec.width) / src_w);
      if (!spec.scaleup) r = std::min(r, 1.0);
      g.resized_w = std::max(1, int(std::nearbyint(src_w * r)));
      g.resized_h = std::max(1, int(std::nearbyint(src_h * r)));
      int dw = spec.width - g.resized_w, dh = spec.height - g.resized_h;
      if (spec.stride > 0) dw %= spec.stride, dh %= spec.stride;
      g.out_w = g.resized_w + dw;
      g.out_h = g.resized_h + dh;
      // round(d/2 - 0.1) == floor(d/2) for integer d
      g.off_x = spec.center ? dw / 2 : 0;
      g.off_y = spec.center ? dh / 2 : 0;
      break;
    }
    case ResizeMode::CenterCrop: {
      // torchvision: Resize(int) keeps aspect with int() truncation of the long side, then
      // CenterCrop with round-half-even of the offset.
      int s = spec.resize_short > 0 ? spec.resize_short : std::min(spec.height, spec.width);
      long long short_side = std::min(src_w, src_h), long_side = std::max(src_w, src_h);
      long long new_long = (long long)((double)s * (double)long_side / (double)short_side);
      if (new_long > (1LL << 26))  // tap math stays in int and float precision
        throw std::invalid_argument("CenterCrop: resizing " + std::to_string(src_w) + "x" +
                                    std::to_string(src_h) + " to short side " + std::to_string(s) +
                                    " gives an absurd long side " + std::to_string(new_long));
      new_long = std::max<long long>(1, new_long);
      if (src_w <= src_h)
        g.resized_w = s, g.resized_h = int(new_long);
      else
        g.resized_h = s, g.resized_w = int(new_long);
      g.out_w = spec.width, g.out_h = spec.height;
      // A crop larger than the image pads first (floor of half the excess on the left/top).
      auto offset = [](int resized, int crop) {
        return resized < crop ? (crop - resized) / 2 : -int(std::nearbyint((resized - crop) / 2.0));
      };
      g.off_x = offset(g.resized_w, spec.width);
      g.off_y = offset(g.resized_h, spec.height);
      break;
    }
  }
  g.x0 = std::max(0, g.off_x);
  g.x1 = std::min(g.out_w, g.off_x + g.resized_w);
  g.y0 = std::max(0, g.off_y);
  g.y1 = std::min(g.out_h, g.off_y + g.resized_h);
  return g;
}

size_t dtype_size(OutDType d) {
  switch (d) {
    case OutDType::Float32: return 4;
    case OutDType::Float16: return 2;
    case OutDType::UInt8: return 1;
  }
  return 0;
}

std::vector<int64_t> output_shape(const PreprocessSpec& spec, int src_w, int src_h) {
  Geometry g = compute_geometry(spec, src_w, src_h);
  if (spec.layout == OutLayout::CHW) return {3, g.out_h, g.out_w};
  return {g.out_h, g.out_w, 3};
}

size_t output_bytes(const PreprocessSpec& spec, int src_w, int src_h) {
  Geometry g = compute_geometry(spec, src_w, src_h);
  return size_t(3) * size_t(g.out_w) * size_t(g.out_h) * dtype_size(spec.dtype);
}

LetterboxInfoC letterbox_info(const PreprocessSpec& spec, int src_w, int src_h) {
  Geometry g = compute_geometry(spec, src_w, src_h);
  LetterboxInfoC info;
  info.scale_x = double(g.resized_w) / src_w;
  info.scale_y = double(g.resized_h) / src_h;
  info.pad_left = g.off_x;
  info.pad_top = g.off_y;
  info.src_width = src_w;
  info.src_height = src_h;
  return info;
}

}  // namespace vxfast
