// Python types for the audio area: AudioInfo and AudioCursor (one decode position in one stream).
// Arrays come back (channels, samples) float32; vxfast.audio squeezes mono. Decoding runs with the
// GIL released; the arrays are filled from the cursor's buffer in one copy each.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <vector>

#include "audio/audio_cursor.h"
#include "audio/resample_kernels.h"
#include "audio/swr_filter.h"
#include "bindings/bindings.h"

namespace py = pybind11;

namespace vxfast {

namespace {

py::array_t<float> planar_to_array(std::vector<std::vector<float>>&& chans) {
  const py::ssize_t c = static_cast<py::ssize_t>(chans.size());
  const py::ssize_t n = c ? static_cast<py::ssize_t>(chans[0].size()) : 0;
  if (c == 1) {  // hand the vector itself to numpy: no copy for mono
    auto* v = new std::vector<float>(std::move(chans[0]));
    py::capsule owner(v, [](void* p) { delete static_cast<std::vector<float>*>(p); });
    return py::array_t<float>({c, n}, {n * static_cast<py::ssize_t>(sizeof(float)), static_cast<py::ssize_t>(sizeof(float))}, v->data(), owner);
  }
  py::array_t<float> out({c, n});
  float* dst = out.mutable_data();
  for (py::ssize_t i = 0; i < c; ++i) std::memcpy(dst + i * n, chans[i].data(), sizeof(float) * n);
  return out;
}

py::dict stats_dict(const AudioStats& s) {
  py::dict d;
  d["packets"] = s.packets;
  d["frames"] = s.frames;
  d["corrupt_packets"] = s.corrupt_packets;
  d["gap_samples"] = s.gap_samples;
  d["overlap_samples"] = s.overlap_samples;
  d["seeks"] = s.seeks;
  return d;
}

}  // namespace

void bind_audio(py::module_& m) {
  py::class_<AudioInfo>(m, "AudioInfo", "The source audio stream, before resampling (times in seconds on the stream's clock)")
      .def_readonly("path", &AudioInfo::path)
      .def_readonly("codec", &AudioInfo::codec)
      .def_readonly("sample_fmt", &AudioInfo::sample_fmt)
      .def_readonly("sample_rate", &AudioInfo::sample_rate)
      .def_readonly("channels", &AudioInfo::channels)
      .def_readonly("layout", &AudioInfo::layout)
      .def_readonly("duration", &AudioInfo::duration)
      .def_readonly("start_time", &AudioInfo::start_time)
      .def_readonly("stream_index", &AudioInfo::stream_index)
      .def_readonly("audio_stream_count", &AudioInfo::audio_stream_count)
      .def_readonly("bit_rate", &AudioInfo::bit_rate)
      .def_readonly("container", &AudioInfo::container)
      .def("to_dict", [](const AudioInfo& i) {
        py::dict d;
        d["path"] = i.path;
        d["codec"] = i.codec;
        d["sample_fmt"] = i.sample_fmt;
        d["sample_rate"] = i.sample_rate;
        d["channels"] = i.channels;
        d["layout"] = i.layout;
        d["duration"] = i.duration;
        d["start_time"] = i.start_time;
        d["stream_index"] = i.stream_index;
        d["audio_stream_count"] = i.audio_stream_count;
        d["bit_rate"] = i.bit_rate;
        d["container"] = i.container;
        return d;
      })
      .def("__repr__", [](const AudioInfo& i) {
        return "AudioInfo(codec='" + i.codec + "', sample_rate=" + std::to_string(i.sample_rate) +
               ", channels=" + std::to_string(i.channels) + ", layout='" + i.layout +
               "', duration=" + std::to_string(i.duration) + ", start_time=" + std::to_string(i.start_time) +
               ", stream_index=" + std::to_string(i.stream_index) + ")";
      });

  py::class_<AudioCursor>(m, "AudioCursor", "One decode position in one audio stream, resampled to float32")
      .def(py::init<const std::string&, int, int, int, int>(), py::arg("path"), py::arg("stream"),
           py::arg("sample_rate"), py::arg("channels"), py::arg("threads") = 1,
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("info", [](const AudioCursor& c) {
        AudioInfo i = c.info();
        i.start_time = c.start_time();
        return i;
      })
      .def_property_readonly("sample_rate", &AudioCursor::rate)
      .def_property_readonly("channels", &AudioCursor::channels)
      .def_property_readonly("start_time", &AudioCursor::start_time)
      .def_property_readonly("resampler", &AudioCursor::resampler,
                             "What converted the samples last: 'vxfast-<simd level>', 'libswresample' or 'none'")
      .def("offset_at", &AudioCursor::offset_at, py::arg("time"))
      .def("stats", [](AudioCursor& c) { return stats_dict(c.stats()); })
      .def("read", [](AudioCursor& c, int64_t from, int64_t to) {
        std::vector<std::vector<float>> chans;
        {
          py::gil_scoped_release release;
          c.read(from, to, chans);
        }
        return planar_to_array(std::move(chans));
      }, py::arg("start"), py::arg("end"),
      "Samples [start, end) as sample offsets (end < 0: to the end), (channels, n) float32")
      .def("chunk", [](AudioCursor& c, int64_t from, int64_t len, int64_t end) {
        int64_t stop = from + len;
        if (end >= 0 && end < stop) stop = end;
        int64_t have;
        {
          py::gil_scoped_release release;
          c.position(from);
          have = std::min(c.fill_to(stop), stop);
        }
        int64_t n = std::max<int64_t>(0, have - std::max<int64_t>(from, 0));
        py::array_t<float> out({static_cast<py::ssize_t>(c.channels()), static_cast<py::ssize_t>(n)});
        if (n > 0) c.fifo().copy_out(from, n, out.mutable_data(), n);
        return out;
      }, py::arg("start"), py::arg("length"), py::arg("end"),
      "Up to `length` samples from offset `start` (not past `end` when end >= 0), (channels, n)")
      .def("windows", [](AudioCursor& c, py::array_t<double, py::array::c_style | py::array::forcecast> times, int64_t len) {
        if (times.ndim() != 1) throw std::invalid_argument("times must be 1-D");
        if (len <= 0) throw std::invalid_argument("window length must be > 0 samples");
        const py::ssize_t n = times.shape(0);
        py::array_t<float> out({n, static_cast<py::ssize_t>(c.channels()), static_cast<py::ssize_t>(len)});
        const double* t = times.data();
        float* o = out.mutable_data();
        {
          py::gil_scoped_release release;
          c.windows(t, n, len, o);
        }
        return out;
      }, py::arg("times"), py::arg("length"),
      "(len(times), channels, length) windows centred on each time, zero outside the stream");

  m.def("resample_level", [] { return std::string(simd::name(select_resample_kernel(simd::level()).level)); },
        "The SIMD level AudioCursor's own resampling kernel runs at");
  // Test hooks for the resampling kernels (tests/test_audio_resample.py).
  m.def("_swr_filter", [](int in_rate, int out_rate) -> py::object {
    std::optional<SwrFilter> f;
    {
      py::gil_scoped_release release;
      f = learn_swr_filter(in_rate, out_rate);
    }
    if (!f) return py::none();
    py::dict d;
    d["P"] = f->P;
    d["Q"] = f->Q;
    d["offset"] = f->offset;
    d["taps"] = f->taps;
    py::array_t<float> w({static_cast<py::ssize_t>(f->Q), static_cast<py::ssize_t>(f->taps)});
    std::memcpy(w.mutable_data(), f->w.data(), sizeof(float) * f->Q * f->taps);
    d["weights"] = w;
    return d;
  }, py::arg("in_rate"), py::arg("out_rate"),
  "libswresample's filter for in_rate -> out_rate as learned (None when not reproduced)");
  m.def("_resample_kernel", [](int in_rate, int out_rate, py::array_t<float, py::array::c_style | py::array::forcecast> x,
                               int64_t m0, int64_t n, const std::string& level) {
    std::optional<SwrFilter> f = learn_swr_filter(in_rate, out_rate);
    if (!f) throw std::invalid_argument("no learned filter for these rates");
    if (x.ndim() != 1) throw std::invalid_argument("x must be 1-D");
    const int64_t len = x.shape(0);
    auto start = [&](int64_t m) { return m / f->Q * f->P + (m % f->Q) * f->P / f->Q + f->offset; };
    if (m0 < 0 || n < 0 || (n > 0 && (start(m0) < 0 || start(m0 + n - 1) + f->taps > len)))
      throw std::invalid_argument("outputs [m0, m0 + n) need input outside x");
    const ResampleKernel k = select_resample_kernel(simd::parse_runnable(level, "level"));
    py::array_t<float> out(static_cast<py::ssize_t>(n));
    const float* xp = x.data();
    float* o = out.mutable_data();
    {
      py::gil_scoped_release release;
      if (n > 0) k.run(*f, xp, 0, len, m0, n, o);
    }
    return out;
  }, py::arg("in_rate"), py::arg("out_rate"), py::arg("x"), py::arg("m0"), py::arg("n"), py::arg("level"),
  "Outputs [m0, m0 + n) of the learned filter over x with the kernel of one SIMD level");
}

}  // namespace vxfast
