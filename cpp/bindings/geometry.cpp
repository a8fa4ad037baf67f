// Binding of common/letterbox_geometry.h as vxfast.LetterboxInfo (_core.LetterboxGeometry): the one
// geometry value that the preprocess spec makes, the Batch carries and the decoders read natively.
// The mapping methods compute like numpy on the same array (float32 arithmetic for every input but
// float64), so they agree bit for bit with the Python dataclass they replace.
#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "bindings/bindings.h"
#include "common/letterbox_geometry.h"

namespace py = pybind11;

namespace vxfast {
namespace {

enum class Map { SourceBoxes, SourcePoints, TensorBoxes };

template <class T>
py::array map_typed(const LetterboxGeometry& g, const py::array& in, Map how) {
  // A fresh C-contiguous copy in T: the input is never written.
  py::array_t<T> out(std::vector<py::ssize_t>(in.shape(), in.shape() + in.ndim()));
  out[py::ellipsis()] = in;
  const py::ssize_t last = in.shape(in.ndim() - 1);
  const py::ssize_t rows = last ? out.size() / last : 0;
  T* d = out.mutable_data();
  const T sx = static_cast<T>(g.scale_x), sy = static_cast<T>(g.scale_y);
  const T pl = static_cast<T>(g.pad_left), pt = static_cast<T>(g.pad_top);
  const T w = static_cast<T>(g.src_width), h = static_cast<T>(g.src_height);
  // np.clip keeps NaN; std::clamp does too (both comparisons are false).
  auto bx = [&](T v) { return std::clamp((v - pl) / sx, T(0), w); };
  auto by = [&](T v) { return std::clamp((v - pt) / sy, T(0), h); };
  {
    py::gil_scoped_release nogil;
    for (py::ssize_t r = 0; r < rows; ++r) {
      T* p = d + r * last;
      switch (how) {
        case Map::SourceBoxes: p[0] = bx(p[0]), p[1] = by(p[1]), p[2] = bx(p[2]), p[3] = by(p[3]); break;
        case Map::SourcePoints: p[0] = bx(p[0]), p[1] = by(p[1]); break;
        case Map::TensorBoxes:
          p[0] = p[0] * sx + pl, p[1] = p[1] * sy + pt, p[2] = p[2] * sx + pl, p[3] = p[3] * sy + pt;
          break;
      }
    }
  }
  return std::move(out);
}

py::array map_array(const LetterboxGeometry& g, const py::object& obj, Map how) {
  py::array in = py::array::ensure(obj);
  if (!in) throw std::invalid_argument("expected an array of coordinates");
  const bool boxes = how != Map::SourcePoints;
  const char* name = boxes ? "xyxy" : "points";
  if (in.ndim() == 0 || (boxes ? in.shape(in.ndim() - 1) != 4 : in.shape(in.ndim() - 1) < 2)) {
    std::string shape = std::string(py::str(py::tuple(py::cast(
        std::vector<py::ssize_t>(in.shape(), in.shape() + in.ndim())))));
    throw std::invalid_argument(std::string(name) + ": expected shape (..., " + (boxes ? "4" : "2+") +
                                "), got " + shape);
  }
  if (in.dtype().is(py::dtype::of<double>())) return map_typed<double>(g, in, how);
  py::array out = map_typed<float>(g, in, how);
  // float16 stays float16 (as numpy would keep it); the arithmetic runs in float32.
  if (in.dtype().kind() == 'f' && in.itemsize() == 2) return out.attr("astype")(in.dtype());
  return out;
}

std::string repr(const LetterboxGeometry& g) {
  auto f = [](double v) { return std::string(py::repr(py::float_(v))); };
  return "LetterboxInfo(scale_x=" + f(g.scale_x) + ", scale_y=" + f(g.scale_y) + ", pad_left=" +
         f(g.pad_left) + ", pad_top=" + f(g.pad_top) + ", src_width=" + std::to_string(g.src_width) +
         ", src_height=" + std::to_string(g.src_height) + ")";
}

py::tuple as_tuple(const LetterboxGeometry& g) {
  return py::make_tuple(g.scale_x, g.scale_y, g.pad_left, g.pad_top, g.src_width, g.src_height);
}

LetterboxGeometry make(double sx, double sy, double pl, double pt, int w, int h) {
  LetterboxGeometry g{sx, sy, pl, pt, w, h};
  g.validate("LetterboxInfo");
  return g;
}

}  // namespace

void bind_geometry(py::module_& m) {
  py::class_<LetterboxGeometry>(
      m, "LetterboxGeometry",
      "How a source image was placed in its tensor: tensor = source * scale + pad (immutable).\n\n"
      "scale_x/scale_y are resized/source per axis (> 0); pad_left/pad_top are negative for a "
      "centre crop. Exposed as vxfast.LetterboxInfo.")
      .def(py::init(&make), py::arg("scale_x"), py::arg("scale_y"), py::arg("pad_left"),
           py::arg("pad_top"), py::arg("src_width"), py::arg("src_height"))
      .def_readonly("scale_x", &LetterboxGeometry::scale_x)
      .def_readonly("scale_y", &LetterboxGeometry::scale_y)
      .def_readonly("pad_left", &LetterboxGeometry::pad_left)
      .def_readonly("pad_top", &LetterboxGeometry::pad_top)
      .def_readonly("src_width", &LetterboxGeometry::src_width)
      .def_readonly("src_height", &LetterboxGeometry::src_height)
      .def("to_source", [](const LetterboxGeometry& g, const py::object& a) { return map_array(g, a, Map::SourceBoxes); },
           py::arg("xyxy"),
           "Boxes (..., 4) x1, y1, x2, y2 in tensor pixels -> source pixels, clipped to the image "
           "(a new array: float64 stays float64, anything else becomes float32).")
      .def("to_source_points",
           [](const LetterboxGeometry& g, const py::object& a) { return map_array(g, a, Map::SourcePoints); },
           py::arg("points"),
           "Points (..., D), D >= 2 (x, y[, score...]) -> source pixels, clipped; extra columns "
           "such as keypoint confidences are kept as they are.")
      .def("to_tensor", [](const LetterboxGeometry& g, const py::object& a) { return map_array(g, a, Map::TensorBoxes); },
           py::arg("xyxy"), "Boxes (..., 4) in source pixels -> tensor pixels (the forward mapping).")
      .def("astuple", &as_tuple, "(scale_x, scale_y, pad_left, pad_top, src_width, src_height)")
      .def(py::self == py::self)
      .def(py::self != py::self)
      .def("__hash__", [](const LetterboxGeometry& g) { return py::hash(as_tuple(g)); })
      .def("__repr__", &repr)
      .def(py::pickle([](const LetterboxGeometry& g) { return as_tuple(g); },
                      [](const py::tuple& t) {
                        if (t.size() != 6) throw std::invalid_argument("LetterboxInfo state needs 6 values");
                        return make(t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                                    t[3].cast<double>(), t[4].cast<int>(), t[5].cast<int>());
                      }));
}

}  // namespace vxfast
