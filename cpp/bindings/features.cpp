// Frame features: type translation only (checks that need Python types live here, the rest in
// python/vxfast/features.py).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>

#include "bindings/bindings.h"
#include "bindings/sampler_report.h"
#include "features/codec_stats.h"
#include "features/feature_set.h"
#include "features/feature_writer.h"

namespace py = pybind11;

namespace vxfast {
namespace {

features::LumaView luma_view(const py::array& y) {
  if (!py::dtype::of<uint8_t>().is(y.dtype()))
    throw std::invalid_argument("y must be a uint8 luma plane; got dtype " + std::string(py::str(y.dtype())));
  if (y.ndim() != 2)
    throw std::invalid_argument("y must be 2-D (H, W); got " + std::to_string(y.ndim()) + " dimensions");
  if (y.shape(0) == 0 || y.shape(1) == 0)
    throw std::invalid_argument("y must be non-empty; got shape (" + std::to_string(y.shape(0)) + ", " +
                                std::to_string(y.shape(1)) + ")");
  // Padded rows (a decoder's linesize) are fine; anything else would need a copy the caller should
  // see.
  if (y.strides(1) != 1 || y.strides(0) < y.shape(1))
    throw std::invalid_argument("y must have contiguous rows (strides (>= W, 1)); got strides (" +
                                std::to_string(y.strides(0)) + ", " + std::to_string(y.strides(1)) +
                                "); pass np.ascontiguousarray(y)");
  return {static_cast<const uint8_t*>(y.data()), y.shape(0), y.shape(1), y.strides(0)};
}

features::SimdLevel level_arg(const std::string& simd) {
  simd_checkpoint();
  return simd == "auto" ? features::active_simd_level() : features::parse_simd_level(simd);
}

}  // namespace

void bind_features(py::module_& m) {
  m.def("features_names", [] {
    py::list names;
    for (const char* n : features::kFeatureNames) names.append(n);
    return names;
  }, "Names of the frame features, in the column order of features_compute's result.");

  m.def(
      "features_compute",
      [](const py::array& y, const std::string& simd, int threads) {
        const features::LumaView v = luma_view(y);
        const features::SimdLevel level = level_arg(simd);
        py::array_t<double> out(features::kNumFeatures);
        features::FeatureVector f;
        {
          py::gil_scoped_release release;  // `y` stays referenced by the caller's frame
          f = features::compute(v, level, threads);
        }
        std::copy(f.begin(), f.end(), out.mutable_data());
        return out;
      },
      py::arg("y"), py::arg("simd") = "auto", py::arg("threads") = 0,
      "Feature vector (float64, features_names() order) of one uint8 luma plane.");

  m.def(
      "features_quality",
      [](std::shared_ptr<VideoSource> src, const std::string& sample, const std::string& simd, int threads,
         double start, double end) {
        const features::SimdLevel level = level_arg(simd);
        features::QualityRun run;
        {
          py::gil_scoped_release release;  // the whole video in one call, on the decoder's own luma
          run = features::quality(src, sample, level, threads, start, end);
        }
        warn_if_damaged(src->path(), run.stats);  // as VideoReader.frames does when it ends
        const auto n = static_cast<py::ssize_t>(run.index.size());
        py::array_t<double> vals({n, static_cast<py::ssize_t>(features::kNumFeatures)});
        std::copy(run.values.begin(), run.values.end(), vals.mutable_data());
        return py::make_tuple(py::array_t<int64_t>(n, run.index.data()), py::array_t<double>(n, run.pts.data()),
                              vals);
      },
      py::arg("source"), py::arg("sample"), py::arg("simd") = "auto", py::arg("threads") = 0,
      py::arg("start") = -1.0, py::arg("end") = -1.0,
      "(index int64 (n,), pts float64 (n,), values float64 (n, len(features_names()))) of the frames "
      "VideoReader.frames(sample, start, end) delivers (start/end in seconds, < 0: unbounded), computed "
      "on each decoded luma plane.");

  m.def("features_simd_levels", [] {
    std::vector<std::string> out;
    for (auto l : {features::SimdLevel::Reference, features::SimdLevel::Scalar, features::SimdLevel::Avx2,
                   features::SimdLevel::Avx512})
      if (features::simd_level_supported(l)) out.emplace_back(features::simd_level_name(l));
    return out;
  }, "Levels features_compute(simd=...) accepts on this CPU: 'reference' (the definitions) first.");

  m.def(
      "features_codec_stats",
      [](const std::string& path) {
        features::CodecStats s;
        {
          py::gil_scoped_release release;
          s = features::codec_stats(path);
        }
        py::dict d;
        d["codec"] = s.codec;
        d["profile"] = s.profile;
        d["width"] = s.width;
        d["height"] = s.height;
        d["fps"] = s.fps;
        d["fps_declared"] = s.fps_declared;
        d["duration"] = s.duration;
        d["bit_rate"] = s.bit_rate;
        d["bit_rate_declared"] = s.bit_rate_declared;
        d["frames"] = s.packets;
        d["keyframes"] = s.keyframe_display_indices;
        d["gop_mean"] = s.gop_mean;
        d["gop_max"] = s.gop_max;
        d["frame_types_source"] = s.types_source;
        py::dict counts, sizes;
        for (const auto& [t, c] : s.type_counts) counts[py::str(std::string(1, t))] = c;
        for (const auto& [t, b] : s.type_mean_size) sizes[py::str(std::string(1, t))] = b;
        d["frame_types"] = counts;
        d["mean_packet_size"] = sizes;
        return d;
      },
      py::arg("path"), "Codec cues of the best video stream from its packets alone (no pixel decode).");
}

}  // namespace vxfast
