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
}  // namespace vxfast
