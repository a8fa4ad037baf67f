#include "bindings/bindings.h"

namespace py = pybind11;

namespace vxfast {
void bind_decode(py::module_& m) {}
}  // namespace vxfast
