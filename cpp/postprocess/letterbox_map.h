#pragma once
// Maps coordinates from the letterboxed model input back to source pixels:
// x_src = (x - pad_left) / scale_x, clipped to [0, src_width] (same for y). Float arithmetic in this
// order, so it matches numpy doing the same on float32 arrays.
#include <algorithm>

#include "common/letterbox_geometry.h"

namespace vxfast::post {

struct LetterboxInverse {
  bool enabled = false;
  float scale_x = 1, scale_y = 1, pad_left = 0, pad_top = 0, src_width = 0, src_height = 0;

  float x(float v) const { return std::clamp((v - pad_left) / scale_x, 0.0f, src_width); }
  float y(float v) const { return std::clamp((v - pad_top) / scale_y, 0.0f, src_height); }
  // In-place on an (x1, y1, x2, y2) box.
  void box(float* b) const {
    if (!enabled) return;
    b[0] = x(b[0]);
    b[1] = y(b[1]);
    b[2] = x(b[2]);
    b[3] = y(b[3]);
  }
  // In-place on an (x, y) point.
  void point(float* p) const {
    if (!enabled) return;
    p[0] = x(p[0]);
    p[1] = y(p[1]);
  }
};

// The inverse of a geometry the caller has validated (LetterboxGeometry::validate).
inline LetterboxInverse inverse_of(const LetterboxGeometry& g) {
  LetterboxInverse l;
  l.enabled = true;
  l.scale_x = static_cast<float>(g.scale_x);
  l.scale_y = static_cast<float>(g.scale_y);
  l.pad_left = static_cast<float>(g.pad_left);
  l.pad_top = static_cast<float>(g.pad_top);
  l.src_width = static_cast<float>(g.src_width);
  l.src_height = static_cast<float>(g.src_height);
  return l;
}

}  // namespace vxfast::post
