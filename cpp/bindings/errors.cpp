#include "bindings/bindings.h"
#include "common/errors.h"

namespace py = pybind11;

namespace vxfast {
void bind_errors(py::module_& m) {
  // Translators run most-recently-registered first, so the base goes in before its subclasses.
  auto& base = py::register_exception<VxfastError>(m, "VxfastError", PyExc_RuntimeError);
  py::register_exception<VideoError>(m, "VideoError", base.ptr());
  m.attr("CorruptFrameWarning") =
      py::handle(PyErr_NewException("vxfast._core.CorruptFrameWarning", PyExc_UserWarning, nullptr));
}
}  // namespace vxfast
