#pragma once
#include <cstddef>
#include <cstdint>

namespace vxfast {

// Rotates a w x h image of `bpp`-byte pixels clockwise by 90/180/270 degrees into dst
// (h x w for 90/270). Strides are in bytes. Used to apply container rotation metadata.
void rotate_plane(const uint8_t* src, ptrdiff_t src_stride, int w, int h, int bpp, int degrees,
                  uint8_t* dst, ptrdiff_t dst_stride);

}  // namespace vxfast
