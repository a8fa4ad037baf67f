// Python types for the sources area: SourceCore (one LiveSource), BatcherCore (StreamBatcher) and
// LiveFrame. Frame data is a numpy array over the pooled C++ buffer (no copy); the buffer returns to
// the pool when the array is freed. Every wait and close() runs with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings/bindings.h"
#include "bindings/media_input.h"
#include "common/errors.h"
#include "decode/pixel_converter.h"
#include "decode/preprocess_writer.h"
#include "sources/live_source.h"
#include "sources/stream_batcher.h"

namespace py = pybind11;

namespace vxfast {

namespace {

struct PyLiveFrame {
  std::string source;
  std::optional<int> source_index;  // set by Streams only: a lone Source belongs to no list
  int64_t seq = -1, epoch = 0;
  double pts = 0, recv_time = 0;
  int width = 0, height = 0;
  py::object data;
};

py::object to_python(const LiveFrame& f, const std::string& name, const std::string& dtype,
                     std::optional<int> index) {
  auto* keep = new FramePool::Buffer(f.data);
  py::capsule owner(keep, [](void* p) { delete static_cast<FramePool::Buffer*>(p); });
  PyLiveFrame out;
  out.source = name;
  out.source_index = index;
  out.seq = f.seq;
  out.epoch = f.epoch;
  out.pts = f.pts;
  out.recv_time = f.recv_time;
  out.width = f.width;
  out.height = f.height;
  out.data = py::array(py::dtype(dtype), f.shape, f.data->data(), owner);
  return py::cast(std::move(out));
}

py::dict stats_dict(const LiveSource& s) {
  const SourceStats st = s.stats();
  py::dict d;
  d["name"] = s.name();
  d["state"] = source_state_name(st.state);
  d["frames_decoded"] = st.frames_decoded;
  d["frames_dropped"] = st.frames_dropped;
  d["frames_delivered"] = st.frames_delivered;
  d["reconnects"] = st.reconnects;
  d["attempts"] = st.attempts;
  d["stalls"] = st.stalls;
  d["epoch"] = st.epoch;
  d["queued"] = st.queued;
  d["max_queued"] = st.max_queued;
  d["last_error"] = st.last_error.empty() ? py::object(py::none()) : py::object(py::str(st.last_error));
  auto opt = [](double v) { return v < 0 ? py::object(py::none()) : py::object(py::float_(v)); };
  d["frame_age"] = opt(st.frame_age);
  d["latency_p50"] = opt(st.latency_p50);
  d["latency_p95"] = opt(st.latency_p95);
  return d;
}

class SourceCore {
 public:
  SourceCore(py::object input, const std::string& name, bool latest, int max_queue, bool live,
             double open_timeout, double read_timeout, double initial, double max_delay, double factor,
             double jitter, int64_t max_attempts, const std::map<std::string, std::string>& options,
             const std::string& format, const PreprocessSpec* spec, int threads, uint64_t seed) {
    MediaInput in = media_input_from_python(input, "source");
    LiveSourceOptions o;
    o.name = name;
    o.latest = latest;
    o.max_queue = max_queue;
    o.live = live;
    o.demux.open_timeout = open_timeout;
    o.demux.read_timeout = read_timeout;
    o.demux.options = options;
    o.backoff = Backoff{initial, max_delay, factor, jitter, max_attempts};
    o.decoder_threads = threads;
    o.seed = seed;
    WriterFactory make;
    if (spec) {
      PreprocessSpec sp = *spec;
      dtype_ = PreprocessWriter(sp, 64, 64, 0, 0).dtype();
      make = [sp](int w, int h, int rot) { return std::make_shared<PreprocessWriter>(sp, w, h, rot, 0); };
    } else {
      PixelFormat pf = parse_pixel_format(format);
      dtype_ = "uint8";
      make = [pf](int w, int h, int rot) { return std::make_shared<PixelConverter>(pf, w, h, rot); };
    }
    py::gil_scoped_release nogil;
    src_ = std::make_shared<LiveSource>(std::move(in), std::move(o), std::move(make));
  }
  ~SourceCore() {
    py::gil_scoped_release nogil;
    src_->close();
  }

  py::object next(double timeout) {
    LiveFrame f;
    bool ok;
    {
      py::gil_scoped_release nogil;
      ok = src_->next(f, timeout);
    }
    if (!ok) return py::none();
    return to_python(f, src_->name(), dtype_, std::nullopt);
  }
  void close() {
    py::gil_scoped_release nogil;
    src_->close();
  }
  std::string state() const { return source_state_name(src_->state()); }
  bool finished() const { return src_->finished(); }
  py::dict stats() const { return stats_dict(*src_); }
  std::string name() const { return src_->name(); }
  const std::shared_ptr<LiveSource>& source() const { return src_; }
  const std::string& dtype() const { return dtype_; }

 private:
  std::shared_ptr<LiveSource> src_;
  std::string dtype_;
};

class BatcherCore {
 public:
  BatcherCore(const std::vector<SourceCore*>& sources, int batch, double max_wait_s) {
    std::vector<std::shared_ptr<LiveSource>> s;
    for (auto* c : sources) {
      s.push_back(c->source());
      dtypes_.push_back(c->dtype());
    }
    batcher_ = std::make_unique<StreamBatcher>(std::move(s), batch, max_wait_s);
  }
  py::object next(double timeout) {
    bool ok;
    {
      py::gil_scoped_release nogil;
      ok = batcher_->next(items_, timeout);
    }
    if (!ok) return py::none();
    py::list out;
    for (const auto& it : items_) {
      const auto& src = batcher_->sources()[static_cast<size_t>(it.source)];
      out.append(to_python(it.frame, src->name(), dtypes_[static_cast<size_t>(it.source)], it.source));
    }
    items_.clear();  // buffers go back to the pool once Python drops the arrays
    return out;
  }
  bool all_finished() const { return batcher_->all_finished(); }

 private:
  std::unique_ptr<StreamBatcher> batcher_;
  std::vector<std::string> dtypes_;
  std::vector<BatchItem> items_;
};

}  // namespace

void bind_sources(py::module_& m) {
  py::class_<PyLiveFrame>(m, "LiveFrame", "One decoded frame of a live source.")
      .def_readonly("source", &PyLiveFrame::source, "the source's name")
      .def_readonly("source_index", &PyLiveFrame::source_index,
                    "position of the source in the Streams that batched the frame; None for a frame read from "
                    "a Source directly")
      .def_readonly("seq", &PyLiveFrame::seq, "strictly increasing per source, across reconnections")
      .def_readonly("epoch", &PyLiveFrame::epoch, "1 for the first connection, +1 per reconnection")
      .def_readonly("pts", &PyLiveFrame::pts, "seconds on the stream's clock (restarts with the stream)")
      .def_readonly("recv_time", &PyLiveFrame::recv_time, "wall clock (time.time()) when it was decoded")
      .def_readonly("width", &PyLiveFrame::width)
      .def_readonly("height", &PyLiveFrame::height)
      .def_readonly("data", &PyLiveFrame::data)
      .def("__repr__", [](const PyLiveFrame& f) {
        char buf[256];
        snprintf(buf, sizeof(buf), "LiveFrame(source=%s, seq=%lld, epoch=%lld, pts=%.3f, %dx%d)", f.source.c_str(),
                 static_cast<long long>(f.seq), static_cast<long long>(f.epoch), f.pts, f.width, f.height);
        return std::string(buf);
      });

  py::class_<SourceCore>(m, "SourceCore")
      .def(py::init<py::object, const std::string&, bool, int, bool, double, double, double, double, double, double,
                    int64_t, const std::map<std::string, std::string>&, const std::string&, const PreprocessSpec*,
                    int, uint64_t>(),
           py::arg("input"), py::arg("name"), py::arg("latest"), py::arg("max_queue"), py::arg("live"),
           py::arg("open_timeout"), py::arg("read_timeout"), py::arg("initial"), py::arg("max_delay"),
           py::arg("factor"), py::arg("jitter"), py::arg("max_attempts"), py::arg("options"), py::arg("format"),
           py::arg("preprocess"), py::arg("threads"), py::arg("seed"))
      .def("next", &SourceCore::next, py::arg("timeout"),
           "the next frame, or None after timeout seconds (< 0: wait) or when the source is over")
      .def("close", &SourceCore::close)
      .def_property_readonly("state", &SourceCore::state)
      .def_property_readonly("name", &SourceCore::name)
      .def("finished", &SourceCore::finished)
      .def("stats", &SourceCore::stats);

  py::class_<BatcherCore>(m, "BatcherCore")
      .def(py::init<const std::vector<SourceCore*>&, int, double>(), py::arg("sources"), py::arg("batch"),
           py::arg("max_wait_s"), py::keep_alive<1, 2>())
      .def("next", &BatcherCore::next, py::arg("timeout"),
           "a list of LiveFrame (1..batch), or None when every source is over or after timeout seconds")
      .def("all_finished", &BatcherCore::all_finished);
}

}  // namespace vxfast
