#include "decode/rotate.h"

#include <cstring>

namespace vxfast {

namespace {
// Blocked so both the reads and the strided writes stay within a few cache lines per tile.
constexpr int kTile = 32;

template <int BPP>
void rotate_tiles(const uint8_t* src, ptrdiff_t ss, int w, int h, int deg, uint8_t* dst, ptrdiff_t ds) {
  for (int y0 = 0; y0 < h; y0 += kTile) {
    for (int x0 = 0; x0 < w; x0 += kTile) {
      int y1 = y0 + kTile < h ? y0 + kTile : h, x1 = x0 + kTile < w ? x0 + kTile : w;
      for (int y = y0; y < y1; ++y) {
        const uint8_t* s = src + y * ss;
        for (int x = x0; x < x1; ++x) {
          int dx, dy;
          if (deg == 90) { dx = h - 1 - y; dy = x; }
          else if (deg == 270) { dx = y; dy = w - 1 - x; }
          else { dx = w - 1 - x; dy = h - 1 - y; }
          std::memcpy(dst + dy * ds + dx * BPP, s + x * BPP, BPP);
        }
      }
    }
  }
}
}  // namespace

void rotate_plane(const uint8_t* src, ptrdiff_t ss, int w, int h, int bpp, int deg, uint8_t* dst,
                  ptrdiff_t ds) {
  switch (bpp) {
    case 1: rotate_tiles<1>(src, ss, w, h, deg, dst, ds); break;
    case 2: rotate_tiles<2>(src, ss, w, h, deg, dst, ds); break;
    case 3: rotate_tiles<3>(src, ss, w, h, deg, dst, ds); break;
    default: rotate_tiles<4>(src, ss, w, h, deg, dst, ds); break;
  }
}

}  // namespace vxfast
