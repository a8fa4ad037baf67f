// Type translation only: numpy in, numpy out. Every loop over boxes or anchors runs with the GIL
// released; results are std::vectors handed to numpy without a copy (a capsule owns them).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "bindings/bindings.h"
#include "postprocess/nms.h"
#include "postprocess/retinaface_decode.h"
#include "postprocess/simd_level.h"
#include "postprocess/task_pool.h"
#include "postprocess/yolo_decode.h"
#include "postprocess/yolo_decoder.h"
#include "common/letterbox_geometry.h"

namespace py = pybind11;

namespace vxfast {
namespace {

using post::DetectionBuffers;
using post::LetterboxInverse;

template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
  auto owner = std::make_unique<std::vector<T>>(std::move(v));
  const T* data = owner->data();
  py::capsule cap(owner.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owner.release();  // the capsule owns it now
  return py::array_t<T>(shape, data, cap);
}

py::tuple to_python(DetectionBuffers&& d, int kpt_dim) {
  const py::ssize_t n = d.size();
  std::vector<py::ssize_t> extra_shape{n, d.extra_dim};
  if (kpt_dim >= 2 && d.extra_dim % kpt_dim == 0) extra_shape = {n, d.extra_dim / kpt_dim, kpt_dim};
  return py::make_tuple(to_numpy(std::move(d.boxes), {n, 4}), to_numpy(std::move(d.scores), {n}),
                        to_numpy(std::move(d.cls), {n}), to_numpy(std::move(d.extra), extra_shape));
}

void check_unit(double v, const char* name) {
  if (!(v >= 0.0 && v <= 1.0))
    throw std::invalid_argument(std::string(name) + " must be in [0, 1], got " + std::to_string(v));
}

post::SimdLevel simd_arg(const std::optional<std::string>& simd) {
  simd_checkpoint();
  if (!simd) return post::active_simd_level();
  return post::kernel_level(vxfast::simd::parse_runnable(*simd, "simd"));
}

// Six values read from a foreign object or an array row (sizes may be fractional there).
LetterboxInverse checked_inverse(const double v[6], py::ssize_t b) {
  const std::string what = "letterbox of image " + std::to_string(b);
  LetterboxGeometry{v[0], v[1], v[2], v[3], 0, 0}.validate(what);
  if (!(v[4] >= 0) || !(v[5] >= 0) || !std::isfinite(v[4]) || !std::isfinite(v[5]))
    throw std::invalid_argument(what + ": letterbox needs finite src sizes >= 0");
  LetterboxInverse l = post::inverse_of(LetterboxGeometry{v[0], v[1], v[2], v[3], 0, 0});
  l.src_width = static_cast<float>(v[4]);
  l.src_height = static_cast<float>(v[5]);
  return l;
}

// One entry of a letterbox argument: a LetterboxGeometry (vxfast.LetterboxInfo) is read natively
// and was validated when it was made; any other object is read by its six attributes (a
// NamedTuple, a user's own class) and validated here.
LetterboxInverse letterbox_item(const py::handle& item, py::ssize_t b) {
  if (py::isinstance<LetterboxGeometry>(item)) return post::inverse_of(py::cast<const LetterboxGeometry&>(item));
  static const char* const fields[6] = {"scale_x", "scale_y", "pad_left", "pad_top", "src_width",
                                        "src_height"};
  double v[6];
  for (int k = 0; k < 6; ++k) {
    PyObject* attr = PyObject_GetAttrString(item.ptr(), fields[k]);
    if (!attr) {
      if (!PyErr_ExceptionMatches(PyExc_AttributeError)) throw py::error_already_set();
      PyErr_Clear();
      throw std::invalid_argument(
          "letterbox[" + std::to_string(b) + "] (" + std::string(Py_TYPE(item.ptr())->tp_name) +
          ") lacks one of the attributes scale_x, scale_y, pad_left, pad_top, src_width, src_height");
    }
    v[k] = PyFloat_AsDouble(attr);
    Py_DECREF(attr);
    if (v[k] == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  }
  return checked_inverse(v, b);
}

// letterbox: None; a LetterboxGeometry (vxfast.LetterboxInfo, as a Batch carries it), broadcast
// over the batch; a [B, 6] array (scale_x, scale_y, pad_left, pad_top, src_width, src_height); an
// object with those attributes; or a sequence of such, one per image.
std::vector<LetterboxInverse> letterboxes(const py::object& lb, py::ssize_t batch) {
  if (lb.is_none()) return std::vector<LetterboxInverse>(static_cast<size_t>(batch));
  if (py::isinstance<LetterboxGeometry>(lb))  // the per-batch path of detect(): no Python in between
    return std::vector<LetterboxInverse>(static_cast<size_t>(batch),
                                         post::inverse_of(py::cast<const LetterboxGeometry&>(lb)));
  std::vector<LetterboxInverse> out(static_cast<size_t>(batch));
  if (py::isinstance<py::array>(lb)) {
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(lb);
    if (!a || a.ndim() != 2 || a.shape(0) != batch || a.shape(1) != 6)
      throw std::invalid_argument("letterbox must give one (scale_x, scale_y, pad_left, pad_top, "
                                  "src_width, src_height) per image; got an array of the wrong shape");
    auto r = a.unchecked<2>();
    for (py::ssize_t b = 0; b < batch; ++b) {
      const double v[6] = {r(b, 0), r(b, 1), r(b, 2), r(b, 3), r(b, 4), r(b, 5)};
      out[b] = checked_inverse(v, b);
    }
    return out;
  }
  // A NamedTuple with the six attributes is one letterbox, not a sequence of them.
  if (py::hasattr(lb, "scale_x") || !py::isinstance<py::sequence>(lb)) {
    return std::vector<LetterboxInverse>(static_cast<size_t>(batch), letterbox_item(lb, 0));
  }
  py::sequence items = py::reinterpret_borrow<py::sequence>(lb);
  const py::ssize_t n = static_cast<py::ssize_t>(items.size());
  if (n == 1 && batch > 1) return std::vector<LetterboxInverse>(static_cast<size_t>(batch), letterbox_item(items[0], 0));
  if (n != batch)
    throw std::invalid_argument("letterbox gives " + std::to_string(n) + " entries for a batch of " +
                                std::to_string(batch) + " images");
  for (py::ssize_t b = 0; b < batch; ++b) out[b] = letterbox_item(items[b], b);
  return out;
}

template <class T>
py::array_t<int64_t> nms_typed(py::array boxes_in, py::array scores_in, double iou,
                               std::optional<py::array_t<int64_t, py::array::c_style | py::array::forcecast>> classes,
                               int64_t max_det, post::SimdLevel level) {
  auto boxes = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(boxes_in);
  auto scores = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(scores_in);
  if (!boxes || !scores) throw std::invalid_argument("boxes and scores must be numeric arrays");
  if (boxes.ndim() != 2 || boxes.shape(1) != 4)
    throw std::invalid_argument("boxes must have shape [N, 4], got ndim " + std::to_string(boxes.ndim()));
  const int64_t n = boxes.shape(0);
  if (scores.ndim() != 1 || scores.shape(0) != n)
    throw std::invalid_argument("scores must have shape [N] with N = " + std::to_string(n));
  if (classes && (classes->ndim() != 1 || classes->shape(0) != n))
    throw std::invalid_argument("classes must have shape [N] with N = " + std::to_string(n));
  if (!(iou >= 0 && iou <= 1)) throw std::invalid_argument("iou_threshold must be in [0, 1], got " + std::to_string(iou));
  const T* b = boxes.data();
  const T* s = scores.data();
  const int64_t* c = classes ? classes->data() : nullptr;
  std::vector<int64_t> keep;
  {
    py::gil_scoped_release release;
    for (int64_t i = 0; i < n; ++i)
      if (std::isnan(s[i]))
        throw std::invalid_argument("scores contains NaN at index " + std::to_string(i));
    keep = post::nms<T>(b, s, c, n, iou, max_det, level);
  }
  const py::ssize_t k = static_cast<py::ssize_t>(keep.size());
  return to_numpy(std::move(keep), {k});
}

py::array_t<int64_t> nms_any(py::array boxes, py::array scores, double iou,
                             std::optional<py::array_t<int64_t, py::array::c_style | py::array::forcecast>> classes,
                             int64_t max_det, std::optional<std::string> simd) {
  const post::SimdLevel level = simd_arg(simd);
  if (boxes.dtype().is(py::dtype::of<double>()) || scores.dtype().is(py::dtype::of<double>()))
    return nms_typed<double>(boxes, scores, iou, std::move(classes), max_det, level);
  return nms_typed<float>(boxes, scores, iou, std::move(classes), max_det, level);
}

py::list to_list(std::vector<DetectionBuffers>&& results, int kpt_dim) {
  py::list out(results.size());
  for (size_t i = 0; i < results.size(); ++i) out[i] = to_python(std::move(results[i]), kpt_dim);
  return out;
}

post::YoloDecoder make_decoder(const std::string& format, int nc, double conf, double iou,
                               int64_t max_det, bool agnostic, std::vector<int64_t> classes,
                               int kpt_dim, int threads, const std::optional<std::string>& simd) {
  post::YoloParams p;  // checked by the YoloDecoder constructor
  p.format = post::parse_yolo_format(format);
  p.nc = nc;
  p.conf = static_cast<float>(conf);
  p.iou = iou;
  p.max_det = max_det;
  p.agnostic = agnostic;
  p.classes = std::move(classes);
  p.kpt_dim = kpt_dim;
  p.simd = simd_arg(simd);
  p.threads = threads;
  return post::YoloDecoder(std::move(p));
}

// The per-batch call: the shape against the prepared layout, the letterbox read natively, the
// decode with the GIL released.
py::list decode_with(const post::YoloDecoder& dec,
                     const py::array_t<float, py::array::c_style | py::array::forcecast>& output,
                     const py::object& letterbox) {
  if (output.ndim() != 3)
    throw std::invalid_argument("output must have rank 3 [batch, ...], got rank " + std::to_string(output.ndim()));
  const py::ssize_t B = output.shape(0), d1 = output.shape(1), d2 = output.shape(2);
  dec.check_shape(B, d1, d2);
  const std::vector<LetterboxInverse> lbs = letterboxes(letterbox, B);
  std::vector<DetectionBuffers> results;
  {
    py::gil_scoped_release release;
    results = dec(output.data(), B, d1, d2, lbs);
  }
  return to_list(std::move(results), dec.params().kpt_dim);
}

// One-shot form kept for tests and benchmarks: prepares a decoder and runs it once.
py::list yolo_decode(py::array_t<float, py::array::c_style | py::array::forcecast> output,
                     const std::string& format, int nc, double conf, double iou, int64_t max_det,
                     bool agnostic, std::vector<int64_t> classes,
                     const py::object& letterbox, int kpt_dim, std::optional<std::string> simd,
                     int threads) {
  if (output.ndim() != 3)
    throw std::invalid_argument("output must have rank 3 [batch, ...], got rank " + std::to_string(output.ndim()));
  const post::YoloDecoder dec =
      make_decoder(format, nc, conf, iou, max_det, agnostic, std::move(classes), kpt_dim, threads, simd);
  return decode_with(dec, output, letterbox);
}

py::list retinaface_decode(py::array_t<float, py::array::c_style | py::array::forcecast> output,
                           int input_width, int input_height, double conf, double iou, int64_t max_det,
                           const py::object& letterbox, double variance_center, double variance_size, const std::string& scores) {
  if (output.ndim() != 3 || output.shape(2) < 16)
    throw std::invalid_argument("RetinaFace output must have shape [batch, priors, 16], got rank " +
                                std::to_string(output.ndim()));
  if (input_width < 1 || input_height < 1)
    throw std::invalid_argument("input size must be positive, got " + std::to_string(input_width) +
                                " x " + std::to_string(input_height));
  check_unit(conf, "conf");
  check_unit(iou, "iou");
  post::RetinaFaceParams p;
  p.input_width = input_width;
  p.input_height = input_height;
  p.conf = static_cast<float>(conf);
  p.iou = iou;
  p.max_det = max_det;
  p.variance_center = static_cast<float>(variance_center);
  p.variance_size = static_cast<float>(variance_size);
  if (scores == "auto") p.scores = post::ScoreMode::Auto;
  else if (scores == "probabilities") p.scores = post::ScoreMode::Probabilities;
  else if (scores == "logits") p.scores = post::ScoreMode::Logits;
  else throw std::invalid_argument("scores must be 'auto', 'probabilities' or 'logits', got '" + scores + "'");
  const int64_t priors = post::retinaface_prior_count(p);
  if (output.shape(1) != priors)
    throw std::invalid_argument("RetinaFace output has " + std::to_string(output.shape(1)) +
                                " priors but a " + std::to_string(input_width) + "x" +
                                std::to_string(input_height) + " input gives " + std::to_string(priors));
  const py::ssize_t B = output.shape(0), n = output.shape(1), row = output.shape(2);
  const std::vector<LetterboxInverse> lbs = letterboxes(letterbox, B);
  std::vector<DetectionBuffers> results(static_cast<size_t>(B));
  {
    py::gil_scoped_release release;
    for (py::ssize_t b = 0; b < B; ++b)
      results[b] = post::decode_retinaface(output.data() + b * n * row, n, row, p, lbs[b]);
  }
  return to_list(std::move(results), 2);
}

}  // namespace

void bind_postprocess(py::module_& m) {
  m.def("nms", &nms_any, py::arg("boxes"), py::arg("scores"), py::arg("iou_threshold"),
        py::arg("classes") = py::none(), py::arg("max_det") = -1, py::arg("simd") = py::none(),
        "Greedy NMS (torchvision semantics); float64 input is computed in float64, anything else "
        "in float32. Returns kept indices (int64) by score descending.");
  m.def("yolo_decode", &yolo_decode, py::arg("output"), py::arg("format"), py::arg("nc"),
        py::arg("conf"), py::arg("iou"), py::arg("max_det"), py::arg("agnostic"), py::arg("classes"),
        py::arg("letterbox"), py::arg("kpt_dim"), py::arg("simd") = py::none(), py::arg("threads") = 1,
        "Decode a [B, ., .] YOLO output; one (boxes, scores, class_ids, extra) tuple per image. "
        "threads: 1 = this thread only, 0 = auto, n = up to n (same results for every value).");
  py::class_<post::YoloDecoder>(
      m, "YoloDecoder",
      "A YOLO decoder prepared once per model (vxfast.postprocess.YoloDecoder builds it): the "
      "parameters are validated here, a call only checks the output's shape against the layout.")
      .def(py::init(&make_decoder), py::arg("format"), py::arg("nc"), py::arg("conf"), py::arg("iou"),
           py::arg("max_det"), py::arg("agnostic"), py::arg("classes"), py::arg("kpt_dim") = 0,
           py::arg("threads") = 1, py::arg("simd") = py::none())
      .def("__call__", &decode_with, py::arg("output"), py::arg("letterbox") = py::none(),
           "Decode a [B, ., .] output; one (boxes, scores, class_ids, extra) tuple per image.")
      .def("check_shape", [](const post::YoloDecoder& d, int64_t b, int64_t d1, int64_t d2) { d.check_shape(b, d1, d2); },
           py::arg("batch"), py::arg("d1"), py::arg("d2"),
           "Raise ValueError when an output [batch, d1, d2] does not fit the prepared layout.")
      .def_property_readonly("format", [](const post::YoloDecoder& d) { return std::string(post::yolo_format_name(d.params().format)); })
      .def_property_readonly("nc", [](const post::YoloDecoder& d) { return d.params().nc; })
      .def_property_readonly("conf", [](const post::YoloDecoder& d) { return double(d.params().conf); })
      .def_property_readonly("iou", [](const post::YoloDecoder& d) { return d.params().iou; })
      .def_property_readonly("max_det", [](const post::YoloDecoder& d) { return d.params().max_det; })
      .def_property_readonly("agnostic", [](const post::YoloDecoder& d) { return d.params().agnostic; })
      .def_property_readonly("classes", [](const post::YoloDecoder& d) { return d.params().classes; })
      .def_property_readonly("kpt_dim", [](const post::YoloDecoder& d) { return d.params().kpt_dim; })
      .def_property_readonly("threads", [](const post::YoloDecoder& d) { return d.params().threads; });
  m.def("retinaface_decode", &retinaface_decode, py::arg("output"), py::arg("input_width"),
        py::arg("input_height"), py::arg("conf"), py::arg("iou"), py::arg("max_det"),
        py::arg("letterbox"), py::arg("variance_center") = 0.1, py::arg("variance_size") = 0.2, py::arg("scores") = "auto",
        "Decode a [B, priors, 16] RetinaFace output; one (boxes, scores, class_ids, landmarks) per image.");
  m.def("retinaface_prior_count", [](int w, int h) {
    post::RetinaFaceParams p;
    p.input_width = w;
    p.input_height = h;
    return post::retinaface_prior_count(p);
  }, py::arg("input_width"), py::arg("input_height"));
  m.def("postprocess_pool_stats", [] {
    const auto st = post::shared_task_pool().stats();
    py::dict d;
    d["helpers"] = post::shared_task_pool().helpers();
    d["calls"] = st.calls;
    d["tasks"] = st.tasks;
    d["helper_tasks"] = st.helper_tasks;
    d["inline_calls"] = st.inline_calls;
    d["woken"] = st.woken;
    return d;
  }, "Counters of the postprocess worker pool (created by this call if not yet there).");
}

}  // namespace vxfast
