#include "bindings/bindings.h"

#ifndef VXFAST_VERSION
#define VXFAST_VERSION "dev"
#endif

PYBIND11_MODULE(_core, m) {
  m.doc() = "vxfast C++ core: FFmpeg decode, preprocessing, postprocessing, frame features";
  m.attr("__version__") = VXFAST_VERSION;
  vxfast::bind_errors(m);
  vxfast::bind_decode(m);
  vxfast::bind_geometry(m);
  vxfast::bind_preprocess(m);
  vxfast::bind_postprocess(m);
  vxfast::bind_features(m);
  vxfast::bind_pipeline(m);
  vxfast::bind_simd(m);
}
