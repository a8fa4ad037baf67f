#pragma once
// Python objects -> MediaInput: a str/os.PathLike path or URL, a bytes-like object (read straight
// from its buffer, no Python call per read) or a binary file-like object (read/readinto, seek when
// seekable; its methods are called with the GIL acquired for that call only).
#include <pybind11/pybind11.h>

#include "decode/demuxer.h"

namespace vxfast {
// Call with the GIL held. Raises TypeError/ValueError naming `arg` for objects it cannot read.
MediaInput media_input_from_python(pybind11::handle src, const char* arg);
// Translates InputReadError into vxfast.VideoError with the Python exception that caused it as
// __cause__ (registered once, by bind_decode).
void register_input_error_translator();
}  // namespace vxfast
