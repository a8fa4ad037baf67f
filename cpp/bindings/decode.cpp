// Python types for the decode area: VideoInfo, Frame, the frame iterator and the reader core.
//
// Buffer ownership: every Frame.data is a numpy array the C++ side writes into directly (no copy).
// An iterator keeps a small pool of (Frame, array) pairs and reuses a pair only once Python holds
// no reference to either, so frames you keep stay valid and a plain `for f in frames` loop runs
// with two buffers and no per-frame allocation.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <list>
#include <memory>
#include <utility>

extern "C" {
#include <libavutil/log.h>
}

#include "bindings/bindings.h"
#include "bindings/media_input.h"
#include "bindings/sampler_report.h"
#include "common/errors.h"
#include "decode/pixel_converter.h"
#include "decode/preprocess_writer.h"
#include "decode/video_reader.h"

namespace py = pybind11;

namespace vxfast {

namespace {

struct PyFrame {
  int64_t index = -1;
  double pts = 0;
  bool keyframe = false;
  py::object data;
  std::string format;
  int width = 0, height = 0;
  py::object letterbox = py::none();  // LetterboxInfo when data is a model tensor
};

py::tuple frame_planes(const PyFrame& f) {
  if (f.format != "yuv420p" && f.format != "nv12") return py::make_tuple(f.data);
  py::array arr = py::reinterpret_borrow<py::array>(f.data);
  py::array flat = arr.attr("reshape")(-1);
  ptrdiff_t w = f.width, h = f.height, cw = (w + 1) / 2, ch = (h + 1) / 2;
  auto view = [&](ptrdiff_t off, ptrdiff_t rows, ptrdiff_t cols) {
    return flat[py::slice(off, off + rows * cols, 1)].attr("reshape")(rows, cols);
  };
  if (f.format == "yuv420p") {
    return py::make_tuple(view(0, h, w), view(w * h, ch, cw), view(w * h + cw * ch, ch, cw));
  }
  py::object uv = flat[py::slice(w * h, w * h + 2 * cw * ch, 1)].attr("reshape")(ch, cw, 2);
  return py::make_tuple(view(0, h, w), uv);
}

class FrameIterator {
 public:
  FrameIterator(std::shared_ptr<const VideoSource> src, std::unique_ptr<FrameSampler> sampler,
                std::string format, int width, int height, py::object letterbox)
      : src_(std::move(src)), sampler_(std::move(sampler)), format_(std::move(format)), w_(width), h_(height),
        letterbox_(std::move(letterbox)) {
    const FrameWriter& w = sampler_->writer();
    shape_ = w.shape();
    dtype_ = py::dtype(w.dtype());
  }

  py::object next() {
    if (done_) throw py::stop_iteration();
    Slot* slot = acquire();
    FrameMeta meta;
    bool ok;
    slot->busy = true;  // another Python thread on this iterator must not pick it while we decode
    try {
      py::gil_scoped_release nogil;
      ok = sampler_->next(slot->ptr, meta);
    } catch (...) {
      slot->busy = false;
      throw;
    }
    slot->busy = false;
    if (!ok) {
      finish();
      throw py::stop_iteration();
    }
    if (meta.repeat) return last_;  // the same decoded frame, shown again
    PyFrame& f = slot->frame_obj.cast<PyFrame&>();
    f.index = meta.index;
    f.pts = meta.pts;
    f.keyframe = meta.keyframe;
    last_ = slot->frame_obj;
    return slot->frame_obj;
  }

  py::dict stats() const { return sampler_stats_dict(sampler_->stats()); }
  void close() {
    done_ = true;
    slots_.clear();
    last_ = py::none();
  }

 private:
  struct Slot {
    py::object frame_obj;
    py::array arr;
    uint8_t* ptr = nullptr;
    bool busy = false;
  };

  // A slot is free when only the pool refers to its Frame and only the pool and that Frame refer
  // to its array, and no thread is decoding into it. Checked with the GIL held. std::list keeps
  // slot addresses stable while another thread decodes into one.
  bool is_free(const Slot& s) const {
    return !s.busy && last_.ptr() != s.frame_obj.ptr() && s.frame_obj.ref_count() == 1 && s.arr.ref_count() == 2;
  }

  Slot* acquire() {
    Slot* found = nullptr;
    size_t spare = 0;
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (!is_free(*it)) {
        ++it;
      } else if (!found) {
        found = &*it++;
      } else if (++spare > 2) {
        it = slots_.erase(it);  // frames the caller kept for a while and then dropped
      } else {
        ++it;
      }
    }
    if (found) return found;
    slots_.emplace_back();
    Slot& s = slots_.back();
    s.arr = py::array(dtype_, shape_);
    s.ptr = static_cast<uint8_t*>(s.arr.mutable_data());
    PyFrame f;
    f.data = s.arr;
    f.format = format_;
    f.width = w_;
    f.height = h_;
    f.letterbox = letterbox_;
    s.frame_obj = py::cast(std::move(f));
    return &s;
  }

  void finish() {
    done_ = true;
    warn_if_damaged(src_->path(), sampler_->stats());
  }

  std::shared_ptr<const VideoSource> src_;
  std::unique_ptr<FrameSampler> sampler_;
  std::string format_;
  int w_, h_;
  py::object letterbox_;
  std::vector<ptrdiff_t> shape_;
  py::dtype dtype_;
  std::list<Slot> slots_;
  py::object last_ = py::none();
  bool done_ = false;
};

class ReaderCore {
 public:
  // path: a path or URL, bytes-like data or a binary file-like object (bindings/media_input.h).
  ReaderCore(py::object path, int threads, bool exact, bool apply_rotation, int sequential_threads) {
    if (threads < 0) throw std::invalid_argument("threads must be >= 0 (0 = FFmpeg's choice)");
    ReaderOptions o;
    o.threads = threads;
    o.sequential_threads = sequential_threads < 0 ? -1 : sequential_threads;
    o.exact = exact;
    o.apply_rotation = apply_rotation;
    MediaInput input = media_input_from_python(path, "path");
    py::gil_scoped_release nogil;  // the index pass reads the whole file
    src_ = std::make_shared<VideoSource>(input, o);
    random_ = std::make_unique<RandomAccess>(src_);
  }

  const VideoInfo& info() const { return src_->info(); }
  std::shared_ptr<VideoSource> source() const { return src_; }

  std::unique_ptr<FrameIterator> frames(const std::string& sample, double start, double end,
                                        const std::string& format, const PreprocessSpec* spec,
                                        py::object letterbox) {
    SampleSpec sspec = SampleSpec::parse(sample, start, end);
    std::shared_ptr<FrameWriter> writer = make_writer(format, spec);
    std::string fname = spec ? "tensor" : format_name(format);
    auto sampler = std::make_unique<FrameSampler>(src_, sspec, writer);
    return std::make_unique<FrameIterator>(src_, std::move(sampler), fname, src_->info().width,
                                           src_->info().height, std::move(letterbox));
  }

  py::list get_frames_at(const std::vector<int64_t>& indices, const std::string& format,
                         const PreprocessSpec* spec, py::object letterbox) {
    int64_t n = src_->info().frame_count;
    std::vector<int64_t> norm(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
      int64_t k = indices[i] < 0 ? indices[i] + n : indices[i];
      if (k < 0 || (src_->info().frame_count_exact && k >= n)) {
        throw VideoError(src_->path() + ": frame index " + std::to_string(indices[i]) +
                         " is out of range (the video has " + std::to_string(n) + " frames)");
      }
      norm[i] = k;
    }
    std::vector<int64_t> uniq = norm;
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    std::shared_ptr<FrameWriter> writer = make_writer(format, spec);
    std::string fname = spec ? "tensor" : format_name(format);
    std::vector<py::object> objs;
    std::vector<uint8_t*> dsts;
    std::vector<ptrdiff_t> shape = writer->shape();
    for (size_t i = 0; i < uniq.size(); ++i) {
      py::array arr(py::dtype(writer->dtype()), shape);
      dsts.push_back(static_cast<uint8_t*>(arr.mutable_data()));
      PyFrame f;
      f.data = arr;
      f.format = fname;
      f.width = src_->info().width;
      f.height = src_->info().height;
      f.letterbox = letterbox;
      objs.push_back(py::cast(std::move(f)));
    }
    std::vector<FrameMeta> metas;
    {
      py::gil_scoped_release nogil;
      random_->decode(uniq, *writer, dsts, metas);
    }
    for (size_t i = 0; i < uniq.size(); ++i) {
      PyFrame& f = objs[i].cast<PyFrame&>();
      f.index = metas[i].index;
      f.pts = metas[i].pts;
      f.keyframe = metas[i].keyframe;
    }
    py::list out;
    for (int64_t k : norm) {
      size_t pos = std::lower_bound(uniq.begin(), uniq.end(), k) - uniq.begin();
      out.append(objs[pos]);
    }
    return out;
  }

  py::object index_pts() const {
    const auto& idx = src_->index();
    if (!idx) return py::none();
    return py::array_t<double>(idx->pts_sec.size(), idx->pts_sec.data());
  }
  py::object keyframe_indices() const {
    const auto& idx = src_->index();
    if (!idx) return py::none();
    return py::array_t<int64_t>(idx->key_display.size(), idx->key_display.data());
  }

 private:
  static std::string format_name(const std::string& f) { return pixel_format_name(parse_pixel_format(f)); }
  std::shared_ptr<FrameWriter> make_writer(const std::string& format, const PreprocessSpec* spec) const {
    const VideoInfo& in = src_->info();
    if (spec) {
      return std::make_shared<PreprocessWriter>(*spec, in.coded_width, in.coded_height,
                                                src_->rotation_to_apply(), 0);
    }
    return std::make_shared<PixelConverter>(parse_pixel_format(format), in.coded_width, in.coded_height,
                                            src_->rotation_to_apply());
  }

  std::shared_ptr<VideoSource> src_;
  std::unique_ptr<RandomAccess> random_;
};

py::dict info_dict(const VideoInfo& i) {
  py::dict d;
  d["path"] = i.path; d["width"] = i.width; d["height"] = i.height; d["fps"] = i.fps;
  d["frame_count"] = i.frame_count; d["frame_count_exact"] = i.frame_count_exact;
  d["duration"] = i.duration; d["start_time"] = i.start_time; d["codec"] = i.codec; d["pix_fmt"] = i.pix_fmt;
  d["bit_rate"] = i.bit_rate; d["rotation"] = i.rotation; d["rotation_applied"] = i.rotation_applied;
  d["has_audio"] = i.has_audio; d["audio_sample_rate"] = i.audio_sample_rate;
  d["audio_channels"] = i.audio_channels; d["audio_codec"] = i.audio_codec;
  d["coded_width"] = i.coded_width; d["coded_height"] = i.coded_height;
  d["header_fps"] = i.header_fps; d["header_frame_count"] = i.header_frame_count;
  d["keyframe_count"] = i.keyframe_count; d["container"] = i.container;
  d["color_space"] = i.color_space; d["color_range"] = i.color_range;
  return d;
}

}  // namespace

void bind_decode(py::module_& m) {
  register_input_error_translator();
  // FFmpeg's log level is process-wide state shared with every other FFmpeg user in the process
  // (PyAV, OpenCV): nothing here touches it at import; vxfast.set_log_level() is the only setter.
  m.def("ffmpeg_set_log_level", [](int level) { av_log_set_level(level); }, py::arg("level"));
  m.def("ffmpeg_log_level", [] { return av_log_get_level(); });

  py::class_<VideoInfo>(m, "VideoInfo", "What a VideoReader knows about its video stream.")
      .def_readonly("path", &VideoInfo::path)
      .def_readonly("width", &VideoInfo::width, "frame width as delivered (after rotation)")
      .def_readonly("height", &VideoInfo::height)
      .def_readonly("fps", &VideoInfo::fps, "frames per second as the stream plays")
      .def_readonly("frame_count", &VideoInfo::frame_count)
      .def_readonly("frame_count_exact", &VideoInfo::frame_count_exact,
                    "True when frame_count comes from a full packet scan, False for a header estimate")
      .def_readonly("duration", &VideoInfo::duration, "seconds")
      .def_readonly("start_time", &VideoInfo::start_time,
                    "pts of the first frame in seconds on the stream's clock (frames play from "
                    "start_time to start_time + duration)")
      .def_readonly("codec", &VideoInfo::codec)
      .def_readonly("pix_fmt", &VideoInfo::pix_fmt)
      .def_readonly("bit_rate", &VideoInfo::bit_rate)
      .def_readonly("rotation", &VideoInfo::rotation, "clockwise degrees needed to display upright")
      .def_readonly("rotation_applied", &VideoInfo::rotation_applied)
      .def_readonly("has_audio", &VideoInfo::has_audio)
      .def_readonly("audio_sample_rate", &VideoInfo::audio_sample_rate)
      .def_readonly("audio_channels", &VideoInfo::audio_channels)
      .def_readonly("audio_codec", &VideoInfo::audio_codec)
      .def_readonly("coded_width", &VideoInfo::coded_width)
      .def_readonly("coded_height", &VideoInfo::coded_height)
      .def_readonly("header_fps", &VideoInfo::header_fps, "what the container header claims")
      .def_readonly("header_frame_count", &VideoInfo::header_frame_count)
      .def_readonly("keyframe_count", &VideoInfo::keyframe_count)
      .def_readonly("container", &VideoInfo::container)
      .def_readonly("color_space", &VideoInfo::color_space)
      .def_readonly("color_range", &VideoInfo::color_range)
      .def("to_dict", &info_dict)
      .def("__repr__", [](const VideoInfo& i) {
        char buf[512];
        snprintf(buf, sizeof(buf),
                 "VideoInfo(%s: %dx%d %s %s, %.3f fps, %lld frames%s, %.3f s, rotation=%d, audio=%s)",
                 i.path.c_str(), i.width, i.height, i.codec.c_str(), i.pix_fmt.c_str(), i.fps,
                 static_cast<long long>(i.frame_count), i.frame_count_exact ? "" : " (estimated)",
                 i.duration, i.rotation, i.has_audio ? "yes" : "no");
        return std::string(buf);
      });

  py::class_<PyFrame>(m, "Frame", "One decoded frame. `data` is a numpy array the decoder wrote into "
                                  "directly; it stays valid as long as you hold it.")
      .def_readonly("index", &PyFrame::index, "display-order index in the video")
      .def_readonly("pts", &PyFrame::pts, "presentation time in seconds on the stream's clock (PyAV's frame.time; "
                    "the first frame has info.start_time)")
      .def_readonly("keyframe", &PyFrame::keyframe)
      .def_readonly("data", &PyFrame::data)
      .def_readonly("format", &PyFrame::format)
      .def_readonly("width", &PyFrame::width)
      .def_readonly("height", &PyFrame::height)
      .def_readonly("letterbox", &PyFrame::letterbox,
                    "with preprocess=: the LetterboxInfo mapping tensor coordinates back to source pixels")
      .def_property_readonly("planes", &frame_planes,
                             "yuv420p: (Y, U, V) views; nv12: (Y, UV) views; otherwise (data,)")
      .def("__repr__", [](const PyFrame& f) {
        char buf[160];
        snprintf(buf, sizeof(buf), "Frame(index=%lld, pts=%.6f, keyframe=%s, format=%s, %dx%d)",
                 static_cast<long long>(f.index), f.pts, f.keyframe ? "True" : "False", f.format.c_str(),
                 f.width, f.height);
        return std::string(buf);
      });

  py::class_<FrameIterator>(m, "FrameIterator")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &FrameIterator::next)
      .def("stats", &FrameIterator::stats,
           "counters so far: delivered, decoded_frames, corrupt_packets, corrupt_frames, missing_frames, seeks")
      .def("close", &FrameIterator::close);

  py::class_<VideoSource, std::shared_ptr<VideoSource>>(m, "VideoSource",
                                                        "An opened video shared by readers and pipelines (opaque).");

  py::class_<ReaderCore>(m, "ReaderCore")
      .def("source", &ReaderCore::source)
      .def_property_readonly("seekable", [](const ReaderCore& r) {
        const MediaInput& in = r.source()->input();
        return !in.bytes || in.bytes->seekable();
      }, "False for a non-seekable stream (read once, front to back)")
      .def(py::init<py::object, int, bool, bool, int>(), py::arg("path"), py::arg("threads") = 0,
           py::arg("exact") = true, py::arg("apply_rotation") = true, py::arg("sequential_threads") = -1)
      .def_property_readonly("info", &ReaderCore::info, py::return_value_policy::reference_internal)
      .def("frames", &ReaderCore::frames, py::arg("sample") = "all", py::arg("start") = -1.0,
           py::arg("end") = -1.0, py::arg("format") = "rgb24", py::arg("preprocess") = nullptr,
           py::arg("letterbox") = py::none())
      .def("get_frames_at", &ReaderCore::get_frames_at, py::arg("indices"), py::arg("format") = "rgb24",
           py::arg("preprocess") = nullptr, py::arg("letterbox") = py::none())
      .def("index_pts", &ReaderCore::index_pts)
      .def("keyframe_indices", &ReaderCore::keyframe_indices);
}

}  // namespace vxfast
