#pragma once
// Where a source image sits in its model tensor: tensor = source * scale + pad. pad is negative for a
// centre crop; scale_x = resized_width / src_width (exact per axis, not the rounded letterbox ratio).
// Made once per source size by the preprocess spec, carried by every Batch of a pipeline and read by
// the postprocess decoders, so one C++ value crosses every stage (no Python object in between).
#include <cmath>
#include <stdexcept>
#include <string>

namespace vxfast {

struct LetterboxGeometry {
  double scale_x = 1, scale_y = 1, pad_left = 0, pad_top = 0;
  int src_width = 0, src_height = 0;

  bool operator==(const LetterboxGeometry& o) const {
    return scale_x == o.scale_x && scale_y == o.scale_y && pad_left == o.pad_left &&
           pad_top == o.pad_top && src_width == o.src_width && src_height == o.src_height;
  }
  bool operator!=(const LetterboxGeometry& o) const { return !(*this == o); }

  // Mapping back divides by the scales: they must be finite and > 0, the pads finite, the sizes
  // >= 0. `what` names the value in the error (e.g. "letterbox[3]").
  void validate(const std::string& what) const {
    if (!std::isfinite(scale_x) || !std::isfinite(scale_y) || !std::isfinite(pad_left) ||
        !std::isfinite(pad_top))
      throw std::invalid_argument(what + ": letterbox values must be finite");
    if (!(scale_x > 0) || !(scale_y > 0) || src_width < 0 || src_height < 0)
      throw std::invalid_argument(what + ": letterbox needs scale_x, scale_y > 0 and src sizes >= 0, got scale " +
                                  std::to_string(scale_x) + " x " + std::to_string(scale_y));
  }
};

}  // namespace vxfast
