#pragma once
// What a model wants its input tensor to look like: geometry (letterbox / stretch / centre crop),
// normalisation, channel order, layout and dtype. Plain data; validate() rejects bad values with
// std::invalid_argument naming the field.
#include <array>
#include <cstdint>

namespace vxfast {

enum class ResizeMode { Letterbox, Resize, CenterCrop };
enum class OutDType { Float32, Float16, UInt8 };
enum class OutLayout { CHW, HWC };
enum class ChannelOrder { RGB, BGR };

struct PreprocessSpec {
  ResizeMode mode = ResizeMode::Letterbox;
  int height = 640, width = 640;  // output (Letterbox/Resize) or crop (CenterCrop) size
  // CenterCrop: the short side is resized to this first (torchvision Resize(int)); 0 = crop side.
  int resize_short = 0;
  // Letterbox: pad to the smallest multiple of `stride` around the resized image instead of the
  // full height x width (Ultralytics auto=True); 0 = always height x width.
  int stride = 0;
  bool center = true;   // Letterbox: split the padding evenly (else image top-left)
  bool scaleup = true;  // Letterbox: allow enlarging small images
  // Pixel value (0..255, output channel order) of the padding, before normalisation.
  std::array<double, 3> pad_value{114.0, 114.0, 114.0};
  // out[c] = (pixel * scale - mean[c]) / std[c]; mean/std in output channel order.
  // Double so the padding value equals numpy's `pad / 255` bit for bit.
  double scale = 1.0 / 255.0;
  std::array<double, 3> mean{0.0, 0.0, 0.0};
  std::array<double, 3> std{1.0, 1.0, 1.0};
  ChannelOrder order = ChannelOrder::RGB;
  OutLayout layout = OutLayout::CHW;
  OutDType dtype = OutDType::Float32;

  void validate() const;
};

// Largest accepted output side; larger targets are almost certainly a mistake (and would need
// gigabytes per frame).
constexpr int kMaxPreprocessSide = 16384;

}  // namespace vxfast
