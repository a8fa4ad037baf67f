#include "bindings/bindings.h"

namespace py = pybind11;

namespace vxfast {
void bind_features(py::module_& m) {
  // Filled in by the features area.
}
}  // namespace vxfast
