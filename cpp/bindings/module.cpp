#include "bindings/bindings.h"

#include <string>

#ifndef VXFAST_VERSION
#define VXFAST_VERSION "dev"
#endif

namespace py = pybind11;

// One submodule per area (vxfast._core.decode, ...), so the low-level API reads like the tree
// (decode -> preprocess -> postprocess; features, pipeline, simd). Each is also registered in
// sys.modules, so `import vxfast._core.decode`, pickling of its types and stubtest find it. The
// exceptions and the warning are shared by every area and stay at the top.
PYBIND11_MODULE(_core, m) {
  m.doc() = "vxfast C++ core: FFmpeg decode, preprocessing, postprocessing, frame features";
  m.attr("__version__") = VXFAST_VERSION;
  vxfast::bind_errors(m);
  py::object modules = py::module_::import("sys").attr("modules");
  auto area = [&](const char* name, const char* doc, void (*bind)(py::module_&)) {
    py::module_ sub = m.def_submodule(name, doc);
    modules[py::str(std::string("vxfast._core.") + name)] = sub;
    bind(sub);
  };
  area("simd", "One SIMD level for every kernel family (common/simd.h)", vxfast::bind_simd);
  area("decode", "Demux, decode, sampling, FFmpeg logging", vxfast::bind_decode);
  area("geometry", "Letterbox geometry shared by preprocessing and the decoders", vxfast::bind_geometry);
  area("preprocess", "Letterbox / resize / crop kernels", vxfast::bind_preprocess);
  area("postprocess", "YOLO / RetinaFace decoding and NMS", vxfast::bind_postprocess);
  area("features", "Frame-quality features on luma", vxfast::bind_features);
  area("track", "Multi-object trackers (ByteTrack, OC-SORT) over per-frame detections", vxfast::bind_track);
  area("pipeline", "Batch ring: decode + preprocess on a producer thread", vxfast::bind_pipeline);
  area("audio", "Audio demux, decode and resampling with sample-accurate time", vxfast::bind_audio);
  area("audio_frontend", "Spectrogram / mel / fbank front-ends", vxfast::bind_audio_frontend);
  area("sources", "Live sources: reconnecting decode threads and the deadline batcher", vxfast::bind_sources);
}
