// Python side of the batch pipeline: BatchPipeline yields Batch objects whose `tensor` is a view of
// a preallocated ring slot. A slot goes back to the producer once Python holds no reference into
// it (checked with the GIL at each next()); if the caller keeps every batch, the ring grows rather
// than deadlocking.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/sampler_report.h"
#include "common/errors.h"
#include "common/letterbox_geometry.h"
#include "decode/preprocess_writer.h"
#include "pipeline/batch_ring.h"

namespace py = pybind11;

namespace vxfast {

namespace {

struct PyBatch {
  py::object tensor;
  py::array_t<int64_t> indices;
  py::array_t<double> pts;
  py::array_t<bool> keyframes;
  py::object letterbox = py::none();  // one LetterboxGeometry shared by every batch of a pipeline
  int count = 0;
};

class BatchPipeline {
 public:
  BatchPipeline(std::shared_ptr<VideoSource> src, const std::string& sample, double start, double end,
                const PreprocessSpec& spec, int batch, int prefetch, int preprocess_threads,
                std::optional<LetterboxGeometry> letterbox) {
    simd_checkpoint();  // here, not as a producer-thread error
    // Wrapped once: every batch hands out the same object, which the decoders read natively.
    if (letterbox) letterbox_ = py::cast(*letterbox);
    if (prefetch < 1) throw std::invalid_argument("prefetch=" + std::to_string(prefetch) + " must be >= 1");
    SampleSpec sspec = SampleSpec::parse(sample, start, end);
    const VideoInfo& in = src->info();
    auto writer = std::make_shared<PreprocessWriter>(spec, in.coded_width, in.coded_height,
                                                     src->rotation_to_apply(), preprocess_threads);
    std::vector<int64_t> fshape;
    for (auto d : writer->shape()) fshape.push_back(d);
    shape_.push_back(batch);
    shape_.insert(shape_.end(), fshape.begin(), fshape.end());
    dtype_ = py::dtype(writer->dtype());
    src_ = src;
    ring_ = std::make_unique<BatchRing>(std::make_unique<FrameSampler>(src, sspec, writer), batch);
    for (int i = 0; i < prefetch + 1; ++i) add_slot();
    ring_->start();
  }

  ~BatchPipeline() { close(); }

  py::object next() {
    if (!ring_) throw py::stop_iteration();
    size_t out = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (!out_[i]) continue;
      if (slots_[i].ref_count() == 1) {
        out_[i] = false;
        ring_->release(static_cast<int>(i));
      } else {
        ++out;
      }
    }
    if (out == slots_.size()) add_slot();  // the caller holds every batch: grow instead of waiting forever
    int id;
    {
      py::gil_scoped_release nogil;
      id = ring_->next_ready();
    }
    if (id < 0) {
      finish();
      throw py::stop_iteration();
    }
    out_[id] = true;
    const BatchSlot& s = ring_->slot(id);
    PyBatch b;
    b.count = s.count;
    b.tensor = s.count == ring_->batch_size() ? py::object(slots_[id])
                                              : py::object(slots_[id][py::slice(0, s.count, 1)]);
    b.indices = py::array_t<int64_t>(s.count);
    b.pts = py::array_t<double>(s.count);
    b.keyframes = py::array_t<bool>(s.count);
    auto idx = b.indices.mutable_unchecked<1>();
    auto pts = b.pts.mutable_unchecked<1>();
    auto key = b.keyframes.mutable_unchecked<1>();
    for (int i = 0; i < s.count; ++i) {
      idx(i) = s.metas[i].index;
      pts(i) = s.metas[i].pts;
      key(i) = s.metas[i].keyframe;
    }
    b.letterbox = letterbox_;
    return py::cast(std::move(b));
  }

  py::dict stats() const {
    if (!ring_) return final_stats_;
    py::dict d = sampler_stats_dict(ring_->stats());
    d["ring_slots"] = static_cast<int64_t>(slots_.size());
    return d;
  }

  void close() {
    if (ring_) {
      py::gil_scoped_release nogil;  // the producer never needs the GIL; join without holding it
      ring_->stop();
    }
    ring_.reset();
  }

 private:
  void add_slot() {
    py::array arr(dtype_, shape_);
    slots_.push_back(arr);
    out_.push_back(false);
    ring_->add_slot(static_cast<uint8_t*>(arr.mutable_data()));
  }

  void finish() {
    SamplerStats s = ring_->stats();
    final_stats_ = stats();
    close();
    warn_if_damaged(src_->path(), s);
  }

  std::shared_ptr<VideoSource> src_;
  std::unique_ptr<BatchRing> ring_;
  std::vector<py::array> slots_;
  std::vector<bool> out_;
  std::vector<ptrdiff_t> shape_;
  py::dtype dtype_;
  py::object letterbox_ = py::none();
  py::dict final_stats_;
};

}  // namespace

void bind_pipeline(py::module_& m) {
  py::class_<PyBatch>(m, "Batch", "A batch of model tensors and the frames they came from. `tensor` is a view "
                                  "of a ring slot, reused once you drop every reference to it.")
      .def_readonly("tensor", &PyBatch::tensor)
      .def_readonly("indices", &PyBatch::indices)
      .def_readonly("pts", &PyBatch::pts)
      .def_readonly("keyframes", &PyBatch::keyframes)
      .def_readonly("letterbox", &PyBatch::letterbox)
      .def_readonly("count", &PyBatch::count)
      .def("__len__", [](const PyBatch& b) { return b.count; })
      .def("__repr__", [](const PyBatch& b) {
        return "Batch(count=" + std::to_string(b.count) + ", first_index=" +
               (b.count ? std::to_string(b.indices.at(0)) : std::string("-")) + ")";
      });

  py::class_<BatchPipeline>(m, "BatchPipeline")
      .def(py::init<std::shared_ptr<VideoSource>, const std::string&, double, double, const PreprocessSpec&, int,
                    int, int, std::optional<LetterboxGeometry>>(),
           py::arg("source"), py::arg("sample"), py::arg("start"), py::arg("end"), py::arg("preprocess"),
           py::arg("batch"), py::arg("prefetch") = 2, py::arg("preprocess_threads") = 1,
           py::arg("letterbox") = py::none())
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &BatchPipeline::next)
      .def("stats", &BatchPipeline::stats)
      .def("close", &BatchPipeline::close);
}

}  // namespace vxfast
