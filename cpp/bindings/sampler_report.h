#pragma once
// Shared by the decode and pipeline bindings: the stats dict of a FrameSampler and the warning that
// reports damaged input when an iteration ends.
#include <pybind11/pybind11.h>

#include <string>

#include "decode/video_reader.h"

namespace vxfast {

inline pybind11::dict sampler_stats_dict(const SamplerStats& s) {
  pybind11::dict d;
  d["delivered"] = s.delivered;
  d["decoded_frames"] = s.decode.decoded_frames;
  d["corrupt_packets"] = s.decode.corrupt_packets;
  d["corrupt_frames"] = s.decode.corrupt_frames;
  d["decoder_errors"] = s.decode.decoder_errors;
  d["missing_frames"] = s.missing_frames;
  d["seeks"] = s.decode.seeks;
  return d;
}

// Emits vxfast.CorruptFrameWarning naming the file when anything was damaged. GIL held.
inline void warn_if_damaged(const std::string& path, const SamplerStats& s) {
  int64_t bad = s.decode.corrupt_packets + s.decode.corrupt_frames + s.decode.decoder_errors + s.missing_frames;
  if (bad == 0) return;
  std::string msg = path + ": " + std::to_string(s.decode.corrupt_packets) + " corrupt packets, " +
                    std::to_string(s.decode.corrupt_frames) + " damaged frames, " +
                    std::to_string(s.decode.decoder_errors) + " decoder errors (concealed), " +
                    std::to_string(s.missing_frames) + " planned frames not decodable; " +
                    std::to_string(s.delivered) + " frames delivered";
  pybind11::object warn = pybind11::module_::import("vxfast._core").attr("CorruptFrameWarning");
  if (PyErr_WarnEx(warn.ptr(), msg.c_str(), 2) < 0) throw pybind11::error_already_set();
}

}  // namespace vxfast
