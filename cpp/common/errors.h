#pragma once
// Typed exceptions thrown by the C++ core. cpp/bindings/module.cpp registers each as a Python
// exception of the same name under vxfast._core (all subclasses of VxfastError). Argument errors use
// std::invalid_argument, which pybind11 maps to ValueError.
#include <stdexcept>
#include <string>

namespace vxfast {

struct VxfastError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A video could not be opened, decoded or seeked. The message names the file and the problem.
struct VideoError : VxfastError {
  using VxfastError::VxfastError;
};

}  // namespace vxfast
