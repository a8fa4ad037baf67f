#pragma once
// One binding file per area; each only translates types between Python and the C++ core.
#include <pybind11/pybind11.h>

namespace vxfast {
void bind_errors(pybind11::module_& m);
void bind_decode(pybind11::module_& m);
void bind_geometry(pybind11::module_& m);
void bind_preprocess(pybind11::module_& m);
void bind_postprocess(pybind11::module_& m);
void bind_features(pybind11::module_& m);
void bind_pipeline(pybind11::module_& m);
void bind_simd(pybind11::module_& m);
void bind_audio(pybind11::module_& m);
void bind_audio_frontend(pybind11::module_& m);
void bind_sources(pybind11::module_& m);
void bind_track(pybind11::module_& m);
// Called by bindings before kernels run (GIL held): raises ValueError for an unknown VXFAST_SIMD
// and turns a pending "level lowered" message (common/simd.h) into one RuntimeWarning.
void simd_checkpoint();
}  // namespace vxfast
