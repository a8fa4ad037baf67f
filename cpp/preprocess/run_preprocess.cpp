// The fused driver: validates the image, builds OpenCV-INTER_LINEAR tap tables once per call, fills
// the padding, and runs hpass/vpass over the covered rows (split across threads for big frames).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "preprocess/geometry.h"
#include "preprocess/kernels.h"
#include "preprocess/preprocess.h"
#include "preprocess/scalar_inl.h"

namespace vxfast {
namespace {

struct AxisTaps {
  std::vector<int32_t> i0, i1;
  std::vector<float> w;
};

// cv::resize INTER_LINEAR: centre-aligned source coordinate computed in float, edges replicated.
AxisTaps axis_taps(int src, int resized, int r0, int r1) {
  AxisTaps t;
  const int n = std::max(0, r1 - r0);
  t.i0.resize(n), t.i1.resize(n), t.w.resize(n);
  const double scale = 1.0 / (double(resized) / src);
  for (int k = 0; k < n; ++k) {
    float f = float((r0 + k + 0.5) * scale - 0.5);
    int s = int(std::floor(f));
    f -= s;
    if (s < 0) f = 0.f, s = 0;
    if (s >= src - 1) f = 0.f, s = src - 1;
    t.i0[k] = s;
    t.i1[k] = std::min(s + 1, src - 1);
    t.w[k] = f;
  }
  return t;
}

void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

void validate_image(const PlaneImage& im) {
  const std::string size = std::to_string(im.width) + "x" + std::to_string(im.height);
  require(im.width > 0 && im.height > 0, "image size " + size + " must be positive");
  require(im.width <= (1 << 20) && im.height <= (1 << 20), "image size " + size + " is absurd");
  auto plane = [&](int i, long long min_bytes, const char* name) {
    require(im.data[i] != nullptr, std::string("image plane ") + name + " is null");
    require(im.linesize[i] >= min_bytes, std::string("image plane ") + name + " linesize " +
                                             std::to_string(im.linesize[i]) + " < " +
                                             std::to_string(min_bytes) + " bytes for width " +
                                             std::to_string(im.width));
  };
  const int cw = (im.width + 1) / 2;
  switch (im.layout) {
    case PixelLayout::RGB24:
    case PixelLayout::BGR24: plane(0, 3LL * im.width, "rgb"); break;
    case PixelLayout::YUV420P:
      plane(0, im.width, "Y"), plane(1, cw, "U"), plane(2, cw, "V");
      break;
    case PixelLayout::NV12: plane(0, im.width, "Y"), plane(1, 2LL * cw, "UV"); break;
  }
}

YuvCoeffs yuv_coeffs(ColorMatrix m, bool full_range) {
  double kr = 0.299, kb = 0.114;  // BT.601
  switch (m) {
    case ColorMatrix::BT709: kr = 0.2126, kb = 0.0722; break;
    case ColorMatrix::BT2020: kr = 0.2627, kb = 0.0593; break;
    case ColorMatrix::FCC: kr = 0.30, kb = 0.11; break;
    case ColorMatrix::SMPTE240M: kr = 0.212, kb = 0.087; break;
    case ColorMatrix::BT601: break;
  }
  const double kg = 1.0 - kr - kb;
  const double ys = full_range ? 1.0 : 255.0 / 219.0, cs = full_range ? 1.0 : 255.0 / 224.0;
  YuvCoeffs c;
  c.yo = full_range ? 0.f : 16.f;
  c.ym = float(ys);
  c.vr = float(2 * (1 - kr) * cs);
  c.ug = float(2 * kb * (1 - kb) / kg * cs);
  c.vg = float(2 * kr * (1 - kr) / kg * cs);
  c.ub = float(2 * (1 - kb) * cs);
  return c;
}

// Writes `count` pixels of padding starting at element (pixel index) `at`.
struct PadFiller {
  OutDType dtype;
  OutLayout layout;
  ptrdiff_t plane;
  float v[3];
  FillF32Fn fill_f32;
  bool stream;

  template <typename T>
  void fill_as(void* dst, ptrdiff_t at, ptrdiff_t count, const T val[3]) const {
    T* d = static_cast<T*>(dst);
    if (layout == OutLayout::CHW) {
      for (int c = 0; c < 3; ++c) std::fill(d + c * plane + at, d + c * plane + at + count, val[c]);
    } else {
      T* p = d + at * 3;
      for (ptrdiff_t i = 0; i < count; ++i, p += 3) p[0] = val[0], p[1] = val[1], p[2] = val[2];
    }
  }
  void operator()(void* dst, ptrdiff_t at, ptrdiff_t count) const {
    if (count <= 0) return;
    switch (dtype) {
      case OutDType::Float32:
        if (layout == OutLayout::CHW) {
          for (int c = 0; c < 3; ++c) fill_f32(static_cast<float*>(dst) + c * plane + at, count, v[c], stream);
        } else {
          fill_as<float>(dst, at, count, v);
        }
        break;
      case OutDType::Float16: {
        uint16_t h[3];
        for (int c = 0; c < 3; ++c) h[c] = kernel_detail::float_to_half(v[c]);
        fill_as<uint16_t>(dst, at, count, h);
        break;
      }
      case OutDType::UInt8: {
        uint8_t b[3];
        for (int c = 0; c < 3; ++c) b[c] = kernel_detail::round_u8(v[c]);
        fill_as<uint8_t>(dst, at, count, b);
        break;
      }
    }
  }
};

// Measured on the 2-core dev box (docs/performance-history.md): one 1080p letterbox takes ~0.8 ms on one
// core, and spawning threads per call made it 3x slower under load; so split only big frames on
// machines with cores to spare. Callers that batch frames across their own threads pass threads=1.
int auto_threads(const PlaneImage& im, int rows) {
  const long long px = (long long)im.width * im.height;
  const int hw = int(std::thread::hardware_concurrency());
  int t = (hw >= 4 && px >= 6'000'000) ? 2 : 1;
  return std::max(1, std::min(t, rows / 16));
}

}  // namespace

LetterboxInfoC run_preprocess(const PreprocessSpec& spec, const PlaneImage& im, void* dst,
                              int threads) {
  validate_image(im);
  require(dst != nullptr, "run_preprocess: dst is null");
  require(threads >= 0, "run_preprocess: threads=" + std::to_string(threads) + " must be >= 0");
  const Geometry g = compute_geometry(spec, im.width, im.height);
  const LetterboxInfoC info = letterbox_info(spec, im.width, im.height);
  const Kernels K = select_kernels(simd::level());
  const size_t esize = dtype_size(spec.dtype);
  const ptrdiff_t plane = ptrdiff_t(g.out_w) * g.out_h;

  float k[3], bias[3];
  // Bigger than a core's L2: the tensor will not be read back from cache before it is evicted.
  const bool stream = size_t(plane) * 3 * esize > (size_t(2) << 20);
  PadFiller pad{spec.dtype, spec.layout, plane, {}, K.fill_f32, stream};
  for (int c = 0; c < 3; ++c) {
    k[c] = float(spec.scale / spec.std[c]);
    bias[c] = float(-spec.mean[c] / spec.std[c]);
    pad.v[c] = float((spec.pad_value[c] * spec.scale - spec.mean[c]) / spec.std[c]);
  }

  // Padding: whole rows above/below, then the side bands of the covered rows.
  pad(dst, 0, ptrdiff_t(g.y0) * g.out_w);
  pad(dst, ptrdiff_t(g.y1) * g.out_w, ptrdiff_t(g.out_h - g.y1) * g.out_w);
  for (int y = g.y0; y < g.y1; ++y) {
    pad(dst, ptrdiff_t(y) * g.out_w, g.x0);
    pad(dst, ptrdiff_t(y) * g.out_w + g.x1, g.out_w - g.x1);
  }
  // Non-temporal stores are weakly ordered: a full fence (mfence on x86) before the tensor is handed on.
  if (g.x1 <= g.x0 || g.y1 <= g.y0) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return info;
  }

  const AxisTaps tx = axis_taps(im.width, g.resized_w, g.x0 - g.off_x, g.x1 - g.off_x);
  const AxisTaps ty = axis_taps(im.height, g.resized_h, g.y0 - g.off_y, g.y1 - g.off_y);
  const bool yuv = im.layout == PixelLayout::YUV420P || im.layout == PixelLayout::NV12;
  // Gathers read 4 bytes at each tap; stop them where that would run past the row (x1 is sorted).
  const int margin = yuv ? 8 : 2;
  HTaps taps{tx.i0.data(), tx.i1.data(), tx.w.data(), int(tx.w.size()), 0};
  while (taps.n_safe < taps.n && tx.i1[taps.n_safe] + margin <= im.width) ++taps.n_safe;

  // hpass planes hold R,G,B, except BGR24 input which stays in its byte order (B,G,R).
  const bool src_bgr = im.layout == PixelLayout::BGR24;
  int plane_for[3];
  for (int c = 0; c < 3; ++c) plane_for[c] = ((spec.order == ChannelOrder::BGR) != src_bgr) ? 2 - c : c;
  const YuvCoeffs yc = yuv_coeffs(im.matrix, im.full_range);

  auto hpass = [&](int sy, float* const out[3]) {
    const uint8_t* row0 = im.data[0] + ptrdiff_t(sy) * im.linesize[0];
    if (!yuv) {
      K.hpass_rgb(row0, taps, out);
    } else if (im.layout == PixelLayout::YUV420P) {
      K.hpass_yuv(row0, im.data[1] + ptrdiff_t(sy >> 1) * im.linesize[1],
                  im.data[2] + ptrdiff_t(sy >> 1) * im.linesize[2], 1, taps, yc, out);
    } else {
      const uint8_t* uv = im.data[1] + ptrdiff_t(sy >> 1) * im.linesize[1];
      K.hpass_yuv(row0, uv, uv + 1, 2, taps, yc, out);
    }
  };

  const int rows = g.y1 - g.y0;
  // An explicit count is capped: more threads than cores (or than 16-row chunks) only adds overhead.
  const int hw = std::max(1, int(std::thread::hardware_concurrency()));
  const int nt = threads > 0 ? std::max(1, std::min({threads, 2 * hw, rows / 16 + 1}))
                             : auto_threads(im, rows);
  // All row buffers are allocated here, so a worker thread has nothing left that can throw.
  const size_t per_worker = size_t(6) * taps.n;
  std::vector<float> buffers(per_worker * size_t(std::max(1, nt)));

  auto run_rows = [&](int worker, int ya, int yb) {
    const int n = taps.n;
    float* buf = buffers.data() + per_worker * size_t(worker);
    float* slots[2][3];
    for (int s = 0; s < 2; ++s)
      for (int c = 0; c < 3; ++c) slots[s][c] = buf + size_t(s * 3 + c) * n;
    int tag[2] = {-1, -1};
    // Two source rows live at once; a row shared by consecutive tensor rows is resampled once.
    auto find = [&](int sy) { return tag[0] == sy ? 0 : (tag[1] == sy ? 1 : -1); };
    auto load = [&](int sy, int s) {
      hpass(sy, slots[s]);
      tag[s] = sy;
      return s;
    };
    VPassArgs a{};
    a.n = n;
    a.dtype = spec.dtype;
    a.layout = spec.layout;
    a.plane_stride = plane;
    a.stream = stream;
    for (int c = 0; c < 3; ++c) a.k[c] = k[c], a.bias[c] = bias[c];
    for (int y = ya; y < yb; ++y) {
      const int j = y - g.y0;
      int s0 = find(ty.i0[j]), s1 = find(ty.i1[j]);
      if (s0 < 0) s0 = load(ty.i0[j], s1 == 0 ? 1 : 0);
      // Weight 0 on the lower row (integer ratios such as 1080 -> 360): a + 0 * (a - a) == a, so
      // that row is never resampled; halves the work of 1080p -> 640.
      if (ty.w[j] == 0.f) s1 = s0;
      if (s1 < 0) s1 = load(ty.i1[j], s0 == 0 ? 1 : 0);
      for (int c = 0; c < 3; ++c) a.a[c] = slots[s0][plane_for[c]], a.b[c] = slots[s1][plane_for[c]];
      a.wy = ty.w[j];
      const ptrdiff_t pix = ptrdiff_t(y) * g.out_w + g.x0;
      a.dst = static_cast<uint8_t*>(dst) +
              (spec.layout == OutLayout::CHW ? pix : pix * 3) * ptrdiff_t(esize);
      K.vpass(a);
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);  // see above: the streamed rows
  };

  if (nt <= 1) {
    run_rows(0, g.y0, g.y1);
    return info;
  }
  const int chunk = (rows + nt - 1) / nt;
  std::vector<std::thread> pool;
  pool.reserve(nt - 1);
  int started = 1;  // chunk 0 runs on the calling thread
  try {
    for (; started < nt; ++started) {
      int a = g.y0 + started * chunk, b = std::min(g.y1, a + chunk);
      if (a >= b) break;
      pool.emplace_back(run_rows, started, a, b);
    }
  } catch (const std::system_error&) {
    // No thread to be had: the chunks not started run here, after chunk 0.
  }
  run_rows(0, g.y0, std::min(g.y1, g.y0 + chunk));
  for (int t = started; t < nt; ++t) {
    int a = g.y0 + t * chunk, b = std::min(g.y1, a + chunk);
    if (a < b) run_rows(0, a, b);
  }
  for (auto& th : pool) th.join();
  return info;
}

}  // namespace vxfast
