#include "bindings/bindings.h"

namespace py = pybind11;

namespace vxfast {
void bind_postprocess(py::module_& m) {
  // Filled in by the postprocess area.
}
}  // namespace vxfast
