#pragma once
// Where the resized source lands in the output tensor, for each ResizeMode.
#include "preprocess/spec.h"

namespace vxfast {

struct Geometry {
  int out_w = 0, out_h = 0;          // tensor spatial size
  int resized_w = 0, resized_h = 0;  // the (virtual) resized source
  int off_x = 0, off_y = 0;          // its origin in tensor coordinates (>0 pad, <0 crop)
  int x0 = 0, x1 = 0, y0 = 0, y1 = 0;  // tensor region covered by the source; the rest is padding
};

Geometry compute_geometry(const PreprocessSpec& spec, int src_w, int src_h);

}  // namespace vxfast
