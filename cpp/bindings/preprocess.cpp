// Binding of cpp/preprocess: type translation and argument checks only. Images cross without a copy
// (rows may be strided, pixels must be packed); the tensor is written in place into `out` when given.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>

#include "bindings/bindings.h"
#include "preprocess/kernels.h"
#include "preprocess/preprocess.h"

namespace py = pybind11;

namespace vxfast {
namespace {

template <typename E>
E parse_enum(const std::string& s, const char* arg,
             std::initializer_list<std::pair<const char*, E>> names) {
  std::string all;
  for (auto& [n, v] : names) {
    if (s == n) return v;
    all += std::string(all.empty() ? "" : ", ") + n;
  }
  throw std::invalid_argument(std::string(arg) + "='" + s + "' is not one of: " + all);
}

std::array<double, 3> triple(const std::vector<double>& v, const char* arg) {
  if (v.size() == 1) return {v[0], v[0], v[0]};
  if (v.size() != 3)
    throw std::invalid_argument(std::string(arg) + " needs 1 or 3 values, got " +
                                std::to_string(v.size()));
  return {v[0], v[1], v[2]};
}

py::dtype out_dtype(OutDType d) {
  switch (d) {
    case OutDType::Float32: return py::dtype("float32");
    case OutDType::Float16: return py::dtype("float16");
    case OutDType::UInt8: break;
  }
  return py::dtype("uint8");
}

const char* dtype_name(OutDType d) {
  return d == OutDType::Float32 ? "float32" : (d == OutDType::Float16 ? "float16" : "uint8");
}

// A uint8 array of `ndim` dims whose last `packed` dims are contiguous bytes; rows may be strided.
void check_u8(const py::array& a, const char* arg, int ndim) {
  if (a.dtype().kind() != 'u' || a.itemsize() != 1)
    throw std::invalid_argument(std::string(arg) + ": expected dtype uint8, got " +
                                std::string(py::str(a.dtype())));
  if (a.ndim() != ndim)
    throw std::invalid_argument(std::string(arg) + ": expected " + std::to_string(ndim) +
                                " dimensions, got shape " + std::string(py::str(py::tuple(
                                                                 py::cast(std::vector<ssize_t>(
                                                                     a.shape(), a.shape() + a.ndim()))))));
}

[[noreturn]] void not_packed(const py::array& a, const char* arg) {
  std::vector<ssize_t> st(a.strides(), a.strides() + a.ndim());
  throw std::invalid_argument(std::string(arg) + ": pixels must be packed bytes with positive row "
                              "stride (got strides " + std::string(py::str(py::cast(st))) +
                              "); use numpy.ascontiguousarray, or input_order instead of [..., ::-1]");
}

// Checks an (H, W, 3) uint8 image and returns its PlaneImage view.
PlaneImage rgb_view(const py::array& a, const char* arg, bool bgr, ssize_t skip_dims = 0) {
  const ssize_t* sh = a.shape() + skip_dims;
  const ssize_t* st = a.strides() + skip_dims;
  if (sh[2] != 3)
    throw std::invalid_argument(std::string(arg) + ": expected 3 channels (H, W, 3), got " +
                                std::to_string(sh[2]));
  if (sh[0] == 0 || sh[1] == 0)
    throw std::invalid_argument(std::string(arg) + ": empty image " + std::to_string(sh[1]) + "x" +
                                std::to_string(sh[0]));
  if (st[2] != 1 || st[1] != 3 || st[0] < 3 * sh[1] || st[0] > INT32_MAX) not_packed(a, arg);
  return plane_image_rgb(static_cast<const uint8_t*>(a.data()), int(st[0]), int(sh[1]), int(sh[0]),
                         bgr);
}

void check_plane(const py::array& a, const char* arg, ssize_t h, ssize_t wbytes, int item) {
  check_u8(a, arg, item == 1 ? 2 : 3);
  if (a.shape(0) != h || a.shape(1) * item != wbytes)
    throw std::invalid_argument(std::string(arg) + ": expected " + std::to_string(h) + " rows of " +
                                std::to_string(wbytes / item) + " samples, got shape (" +
                                std::to_string(a.shape(0)) + ", " + std::to_string(a.shape(1)) + ")");
  if ((item == 2 && (a.shape(2) != 2 || a.strides(2) != 1)) || a.strides(1) != item ||
      a.strides(0) < wbytes || a.strides(0) > INT32_MAX)
    not_packed(a, arg);
}

// `out` given: must match exactly (it is written in place); None: a new array.
py::array prepare_out(const PreprocessSpec& spec, std::vector<int64_t> shape, const py::object& out) {
  if (out.is_none()) return py::array(out_dtype(spec.dtype), std::vector<ssize_t>(shape.begin(), shape.end()));
  if (!py::isinstance<py::array>(out))
    throw std::invalid_argument("out: expected a numpy array, got " +
                                std::string(py::str(py::type::of(out).attr("__name__"))));
  py::array o = py::reinterpret_borrow<py::array>(out);
  std::vector<int64_t> got(o.shape(), o.shape() + o.ndim());
  if (got != shape)
    throw std::invalid_argument("out: expected shape " + std::string(py::str(py::cast(shape))) +
                                ", got " + std::string(py::str(py::cast(got))));
  if (!o.dtype().is(out_dtype(spec.dtype)))
    throw std::invalid_argument(std::string("out: expected dtype ") + dtype_name(spec.dtype) +
                                ", got " + std::string(py::str(o.dtype())));
  if (!(o.flags() & py::array::c_style))
    throw std::invalid_argument("out: must be C-contiguous (e.g. batch[i] of a C-contiguous batch)");
  if (!o.writeable()) throw std::invalid_argument("out: array is read-only");
  return o;
}

bool parse_input_order(const std::string& s) {
  return parse_enum<bool>(s, "input_order", {{"rgb", false}, {"bgr", true}});
}

py::tuple preprocess_image(const PreprocessSpec& spec, const py::array& img,
                           const std::string& input_order, const py::object& out, int threads) {
  simd_checkpoint();
  check_u8(img, "image", 3);
  PlaneImage view = rgb_view(img, "image", parse_input_order(input_order));
  py::array o = prepare_out(spec, output_shape(spec, view.width, view.height), out);
  void* dst = o.mutable_data();
  LetterboxInfoC info;
  {
    py::gil_scoped_release nogil;
    info = run_preprocess(spec, view, dst, threads);
  }
  return py::make_tuple(o, py::cast(info));
}

py::tuple preprocess_batch(const PreprocessSpec& spec, const py::array& imgs,
                           const std::string& input_order, const py::object& out, int threads) {
  simd_checkpoint();
  check_u8(imgs, "images", 4);
  const ssize_t n = imgs.shape(0);
  if (n == 0) throw std::invalid_argument("images: empty batch");
  const bool bgr = parse_input_order(input_order);
  PlaneImage first = rgb_view(imgs, "images", bgr, 1);
  std::vector<int64_t> shape = output_shape(spec, first.width, first.height);
  const size_t bytes = output_bytes(spec, first.width, first.height);
  shape.insert(shape.begin(), n);
  py::array o = prepare_out(spec, shape, out);
  uint8_t* dst = static_cast<uint8_t*>(o.mutable_data());
  const uint8_t* src = static_cast<const uint8_t*>(imgs.data());
  const ssize_t step = imgs.strides(0);
  std::vector<LetterboxInfoC> infos(n);
  {
    py::gil_scoped_release nogil;
    for (ssize_t i = 0; i < n; ++i) {
      PlaneImage im = first;
      im.data[0] = src + i * step;
      infos[i] = run_preprocess(spec, im, dst + i * bytes, threads);
    }
  }
  py::list l;
  for (auto& i : infos) l.append(py::cast(i));
  return py::make_tuple(o, l);
}

py::tuple preprocess_yuv(const PreprocessSpec& spec, const py::array& y, const py::array& u,
                         const py::object& v, const std::string& matrix, bool full_range,
                         const py::object& out, int threads) {
  simd_checkpoint();
  check_u8(y, "y", 2);
  const ssize_t h = y.shape(0), w = y.shape(1);
  if (h == 0 || w == 0) throw std::invalid_argument("y: empty plane");
  if (y.strides(1) != 1 || y.strides(0) < w || y.strides(0) > INT32_MAX) not_packed(y, "y");
  const ssize_t ch = (h + 1) / 2, cw = (w + 1) / 2;
  PlaneImage im;
  im.width = int(w), im.height = int(h);
  im.matrix = parse_enum<ColorMatrix>(matrix, "matrix",
                                      {{"bt601", ColorMatrix::BT601}, {"bt709", ColorMatrix::BT709},
                                       {"bt2020", ColorMatrix::BT2020}, {"fcc", ColorMatrix::FCC},
                                       {"smpte240m", ColorMatrix::SMPTE240M}});
  im.full_range = full_range;
  im.data[0] = static_cast<const uint8_t*>(y.data()), im.linesize[0] = int(y.strides(0));
  py::array va;
  if (v.is_none()) {  // NV12: u is the interleaved (H/2, W/2, 2) UV plane
    check_plane(u, "uv", ch, 2 * cw, 2);
    im.layout = PixelLayout::NV12;
  } else {
    va = py::reinterpret_borrow<py::array>(v);
    check_plane(u, "u", ch, cw, 1);
    check_plane(va, "v", ch, cw, 1);
    im.layout = PixelLayout::YUV420P;
    im.data[2] = static_cast<const uint8_t*>(va.data()), im.linesize[2] = int(va.strides(0));
  }
  im.data[1] = static_cast<const uint8_t*>(u.data()), im.linesize[1] = int(u.strides(0));
  py::array o = prepare_out(spec, output_shape(spec, im.width, im.height), out);
  void* dst = o.mutable_data();
  LetterboxInfoC info;
  {
    py::gil_scoped_release nogil;
    info = run_preprocess(spec, im, dst, threads);
  }
  return py::make_tuple(o, py::cast(info));
}

PreprocessSpec make_spec(const std::string& mode, int height, int width, int resize_short, int stride,
                         bool center, bool scaleup, const std::vector<double>& pad_value, double scale,
                         const std::vector<double>& mean, const std::vector<double>& std_,
                         const std::string& order, const std::string& layout,
                         const std::string& dtype) {
  PreprocessSpec s;
  s.mode = parse_enum<ResizeMode>(mode, "mode",
                                  {{"letterbox", ResizeMode::Letterbox},
                                   {"resize", ResizeMode::Resize},
                                   {"center_crop", ResizeMode::CenterCrop}});
  s.height = height, s.width = width, s.resize_short = resize_short, s.stride = stride;
  s.center = center, s.scaleup = scaleup, s.scale = scale;
  s.pad_value = triple(pad_value, "pad_value");
  s.mean = triple(mean, "mean");
  s.std = triple(std_, "std");
  s.order = parse_enum<ChannelOrder>(order, "order", {{"rgb", ChannelOrder::RGB}, {"bgr", ChannelOrder::BGR}});
  s.layout = parse_enum<OutLayout>(layout, "layout", {{"chw", OutLayout::CHW}, {"hwc", OutLayout::HWC}});
  s.dtype = parse_enum<OutDType>(dtype, "dtype",
                                 {{"float32", OutDType::Float32},
                                  {"float16", OutDType::Float16},
                                  {"uint8", OutDType::UInt8}});
  s.validate();
  return s;
}

}  // namespace

void bind_preprocess(py::module_& m) {
  py::class_<PreprocessSpec>(m, "PreprocessSpec",
                             "Validated C++ preprocessing spec (build it with vxfast.Letterbox etc.).")
      .def(py::init(&make_spec), py::kw_only(), py::arg("mode") = "letterbox",
           py::arg("height") = 640, py::arg("width") = 640, py::arg("resize_short") = 0,
           py::arg("stride") = 0, py::arg("center") = true, py::arg("scaleup") = true,
           py::arg("pad_value") = std::vector<double>{114.0}, py::arg("scale") = 1.0 / 255.0,
           py::arg("mean") = std::vector<double>{0.0}, py::arg("std") = std::vector<double>{1.0},
           py::arg("order") = "rgb", py::arg("layout") = "chw", py::arg("dtype") = "float32")
      .def_property_readonly("height", [](const PreprocessSpec& s) { return s.height; })
      .def_property_readonly("width", [](const PreprocessSpec& s) { return s.width; })
      .def_property_readonly("dtype", [](const PreprocessSpec& s) { return dtype_name(s.dtype); })
      .def_property_readonly("layout", [](const PreprocessSpec& s) {
        return s.layout == OutLayout::CHW ? "chw" : "hwc";
      })
      .def("output_shape", &output_shape, py::arg("src_width"), py::arg("src_height"))
      .def("output_bytes", &output_bytes, py::arg("src_width"), py::arg("src_height"))
      .def("geometry", &letterbox_info, py::arg("src_width"), py::arg("src_height"),
           "The LetterboxGeometry a source of this size gets (no pixels touched).");

  m.def("preprocess_image", &preprocess_image, py::arg("spec"), py::arg("image"),
        py::arg("input_order") = "rgb", py::arg("out") = py::none(), py::arg("threads") = 0,
        "(H, W, 3) uint8 -> (tensor, (scale_x, scale_y, pad_left, pad_top, src_w, src_h)).");
  m.def("preprocess_batch", &preprocess_batch, py::arg("spec"), py::arg("images"),
        py::arg("input_order") = "rgb", py::arg("out") = py::none(), py::arg("threads") = 0,
        "(N, H, W, 3) uint8 -> (N-batch tensor, [info tuple per image]).");
  m.def("preprocess_yuv", &preprocess_yuv, py::arg("spec"), py::arg("y"), py::arg("u"),
        py::arg("v") = py::none(), py::arg("matrix") = "bt601", py::arg("full_range") = false,
        py::arg("out") = py::none(), py::arg("threads") = 0,
        "Fused YUV420P (y, u, v) or NV12 (y, uv as (H/2, W/2, 2), v=None) -> (tensor, info).");
  m.def("avx512_vbmi_available", &avx512_vbmi_available,
        "True when the AVX-512 YUV kernel can fetch taps with VBMI byte permutes.");
  m.def("set_avx512_vbmi", &set_avx512_vbmi, py::arg("on"),
        "Tests/benchmarks: False makes the AVX-512 YUV kernel use gathers even where VBMI exists.");
  m.def("set_avx512_streaming", &set_avx512_streaming, py::arg("on"),
        "Benchmarks: False keeps AVX-512 float32 CHW outputs bigger than L2 on ordinary stores.");
}

}  // namespace vxfast
