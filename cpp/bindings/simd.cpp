// vxfast.simd_info / set_simd_level: the library's one SIMD level (common/simd.h) and the level
// each area's kernels use for it.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "audio/resample_kernels.h"
#include "audio_frontend/kernels.h"
#include "common/simd.h"
#include "features/feature_set.h"
#include "postprocess/simd_level.h"
#include "preprocess/kernels.h"

namespace py = pybind11;

namespace vxfast {

void simd_checkpoint() {
  simd::level();  // an unknown VXFAST_SIMD raises here, before any work (ValueError)
  const std::string w = simd::take_warning();
  if (!w.empty() && PyErr_WarnEx(PyExc_RuntimeWarning, w.c_str(), 1) != 0) throw py::error_already_set();
}

void bind_simd(py::module_& m) {
  m.def("simd_info", [] {
    simd_checkpoint();
    const simd::Level l = simd::level();
    py::dict areas;
    areas["preprocess"] = simd::name(select_kernels(l).level);
    areas["postprocess"] = simd::name(post::kernel_level(l));
    areas["features"] = features::simd_level_name(features::kernel_level(l));
    areas["audio_frontend"] = simd::name(audio_frontend::select_kernels(l).level);
    areas["audio_resample"] = simd::name(select_resample_kernel(l).level);
    std::vector<std::string> runnable;
    for (simd::Level r : {simd::Level::Scalar, simd::Level::Neon, simd::Level::Avx2, simd::Level::Avx512})
      if (simd::cpu_supports(r)) runnable.emplace_back(simd::name(r));
    py::dict d;
    d["cpu"] = simd::name(simd::cpu_best());
    d["requested"] = simd::env_request().empty() ? py::object(py::none()) : py::str(simd::env_request());
    d["level"] = simd::name(l);
    d["areas"] = areas;
    d["runnable"] = runnable;
    d["avx512vbmi"] = simd::cpu_has_avx512_vbmi();
    return d;
  }, "{'cpu', 'requested' (VXFAST_SIMD or None), 'level', 'areas': {area: level}, 'runnable', 'avx512vbmi'}.");
  m.def("set_simd_level", [](const std::string& level) {
    simd::set_level(level);
    simd_checkpoint();
  }, py::arg("level"),
        "Every area's SIMD level: scalar, neon, avx2, avx512 (lowered to what the CPU runs, with a "
        "RuntimeWarning), or native (back to VXFAST_SIMD / the CPU's best).");
}

}  // namespace vxfast
