// Trackers: type translation only (python/vxfast/tracking.py holds the user-facing checks).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "track/byte_tracker.h"
#include "track/ocsort_tracker.h"

namespace py = pybind11;

namespace vxfast {
namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

track::DetectionsView dets_view(const FloatArray& a) {
  if (a.ndim() != 2 || a.shape(1) != 6)
    throw std::invalid_argument("detections must have shape (N, 6) [x1, y1, x2, y2, score, class]; got ndim " +
                                std::to_string(a.ndim()));
  return {a.data(), a.shape(0)};
}

py::array_t<float> rows_array(std::vector<float>&& out) {
  const auto m = static_cast<py::ssize_t>(out.size() / track::kOutputColumns);
  auto* heap = new std::vector<float>(std::move(out));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  return py::array_t<float>({m, static_cast<py::ssize_t>(track::kOutputColumns)}, heap->data(), owner);
}

// The two trackers share one Python surface: update / reset / frame_count / ids_issued / params.
template <class Tracker, class Params>
void def_tracker_common(py::class_<Tracker>& cls) {
  cls.def(py::init<const Params&>(), py::arg("params"))
      .def(
          "update",
          [](Tracker& self, const FloatArray& dets, std::optional<double> t) {
            const track::DetectionsView v = dets_view(dets);
            std::vector<float> out;
            {
              py::gil_scoped_release release;  // `dets` stays referenced by the caller's frame
              self.update(v, t, out);
            }
            return rows_array(std::move(out));
          },
          py::arg("detections"), py::arg("t") = py::none(),
          "(N, 6) float32 [x1, y1, x2, y2, score, class] -> (M, 8) [x1, y1, x2, y2, id, score, class, row]")
      .def("reset", &Tracker::reset)
      .def_property_readonly("frame_count", &Tracker::frame_count)
      .def_property_readonly("ids_issued", &Tracker::ids_issued)
      .def_property_readonly("params", &Tracker::params);
}

}  // namespace

void bind_track(py::module_& m) {
  py::class_<track::ByteTrackParams>(m, "ByteTrackParams", "ByteTrack parameters (Ultralytics' bytetrack.yaml)")
      .def(py::init<>())
      .def_readwrite("track_high_thresh", &track::ByteTrackParams::track_high_thresh)
      .def_readwrite("track_low_thresh", &track::ByteTrackParams::track_low_thresh)
      .def_readwrite("new_track_thresh", &track::ByteTrackParams::new_track_thresh)
      .def_readwrite("track_buffer", &track::ByteTrackParams::track_buffer)
      .def_readwrite("match_thresh", &track::ByteTrackParams::match_thresh)
      .def_readwrite("fuse_score", &track::ByteTrackParams::fuse_score)
      .def_readwrite("high_thresh_inclusive", &track::ByteTrackParams::high_thresh_inclusive)
      .def_readwrite("scale_buffer_by_frame_rate", &track::ByteTrackParams::scale_buffer_by_frame_rate)
      .def_readwrite("frame_rate", &track::ByteTrackParams::frame_rate);

  py::class_<track::ByteTracker> byte_tracker(
      m, "ByteTracker", "ByteTrack state of one stream; update() one frame at a time (not thread-safe)");
  def_tracker_common<track::ByteTracker, track::ByteTrackParams>(byte_tracker);

  py::class_<track::OcSortParams>(m, "OcSortParams", "OC-SORT parameters (noahcao/OC_SORT's defaults)")
      .def(py::init<>())
      .def_readwrite("det_thresh", &track::OcSortParams::det_thresh)
      .def_readwrite("max_age", &track::OcSortParams::max_age)
      .def_readwrite("min_hits", &track::OcSortParams::min_hits)
      .def_readwrite("iou_threshold", &track::OcSortParams::iou_threshold)
      .def_readwrite("delta_t", &track::OcSortParams::delta_t)
      .def_readwrite("inertia", &track::OcSortParams::inertia)
      .def_readwrite("use_byte", &track::OcSortParams::use_byte)
      .def_readwrite("low_thresh", &track::OcSortParams::low_thresh)
      .def_readwrite("frame_rate", &track::OcSortParams::frame_rate);

  py::class_<track::OcSortTracker> ocsort_tracker(
      m, "OcSortTracker", "OC-SORT state of one stream; update() one frame at a time (not thread-safe)");
  def_tracker_common<track::OcSortTracker, track::OcSortParams>(ocsort_tracker);
  ocsort_tracker
      .def_property_readonly("stats", [](const track::OcSortTracker& self) {
        const track::OcSortStats& s = self.stats();
        return py::dict(py::arg("oru") = s.oru, py::arg("ocr") = s.ocr, py::arg("byte") = s.byte);
      }, "Counts of re-updates (oru), recoveries (ocr) and low-score matches (byte) since reset.");

  m.def(
      "_lapjv_dense",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& cost) {
        if (cost.ndim() != 2) throw std::invalid_argument("cost must be 2-D");
        const int r = static_cast<int>(cost.shape(0)), c = static_cast<int>(cost.shape(1));
        std::vector<int> x;
        {
          py::gil_scoped_release release;
          track::DenseLapjv solver;
          solver.solve(cost.data(), r, c, x);
        }
        return py::array_t<int>(static_cast<py::ssize_t>(x.size()), x.data());
      },
      py::arg("cost"), "Test hook: x of lap.lapjv(cost, extend_cost=True) (no cost_limit: zero padding).");

  m.def(
      "_lap_limited",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& cost, double limit) {
        if (cost.ndim() != 2) throw std::invalid_argument("cost must be 2-D");
        const int r = static_cast<int>(cost.shape(0)), c = static_cast<int>(cost.shape(1));
        std::vector<int> x, y;
        {
          py::gil_scoped_release release;
          track::LinearAssignment solver;
          solver.solve(cost.data(), r, c, limit, x, y);
        }
        return py::make_tuple(py::array_t<int>(static_cast<py::ssize_t>(x.size()), x.data()),
                              py::array_t<int>(static_cast<py::ssize_t>(y.size()), y.data()));
      },
      py::arg("cost"), py::arg("limit"),
      "Test hook: the assignment lap.lapjv(cost, extend_cost=True, cost_limit=limit) returns, as (x, y).");

  m.def(
      "_lap_sparse",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& cost, double limit) {
        if (cost.ndim() != 2) throw std::invalid_argument("cost must be 2-D");
        const int r = static_cast<int>(cost.shape(0)), c = static_cast<int>(cost.shape(1));
        std::vector<int> x, y;
        bool sparse = false;
        {
          py::gil_scoped_release release;
          std::vector<track::CostEdge> edges;
          const double* a = cost.data();
          for (int i = 0; i < r; ++i)
            for (int j = 0; j < c; ++j)
              if (!(a[static_cast<size_t>(i) * c + j] > limit + track::SparseAssignment::kTieEps))
                edges.push_back({i, j, a[static_cast<size_t>(i) * c + j]});
          track::SparseAssignment solver;
          sparse = solver.solve(r, c, edges, limit, x, y);
          if (!sparse) track::LinearAssignment().solve(a, r, c, limit, x, y);
        }
        return py::make_tuple(py::array_t<int>(static_cast<py::ssize_t>(x.size()), x.data()),
                              py::array_t<int>(static_cast<py::ssize_t>(y.size()), y.data()), sparse);
      },
      py::arg("cost"), py::arg("limit"),
      "Test hook: ByteTrack's association solver (sparse over the pairs below the limit, dense where it "
      "declines a tie) as (x, y, solved_sparse).");
}

}  // namespace vxfast
