#include "bindings/bindings.h"

namespace py = pybind11;

namespace vxfast {
void bind_preprocess(py::module_& m) {
  // Filled in by the preprocess area.
}
}  // namespace vxfast
