#pragma once
// The input every feature kernel reads: one 8-bit luma plane, borrowed (never owned) from the caller.
#include <cstdint>

namespace vxfast::features {

struct LumaView {
  const uint8_t* data = nullptr;
  int64_t height = 0;
  int64_t width = 0;
  int64_t stride = 0;  // bytes between rows, >= width
  const uint8_t* row(int64_t y) const { return data + y * stride; }
};

// OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba) for offsets of at most one pixel; a
// one-pixel axis reflects onto itself, as cv::borderInterpolate does.
inline int64_t reflect101(int64_t i, int64_t n) {
  if (n == 1) return 0;
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

// BORDER_REPLICATE (aaa|abc|ccc): what cv2.medianBlur uses whatever the caller asks.
inline int64_t replicate(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

}  // namespace vxfast::features
