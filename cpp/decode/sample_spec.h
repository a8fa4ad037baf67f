#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decode/frame_index.h"

namespace vxfast {

// Which frames to deliver: "all", "keyframes", "every:N", "fps:X", "uniform:N", among the frames
// with start <= pts < end (seconds on the stream's clock, as FrameIndex::pts_sec; negative = unset).
// A start between two frames lands on the later one.
struct SampleSpec {
  enum class Kind { All, Keyframes, Every, Fps, Uniform };
  Kind kind = Kind::All;
  double value = 0;
  double start = -1;
  double end = -1;

  // Throws std::invalid_argument naming the bad string.
  static SampleSpec parse(const std::string& text, double start, double end);
};

// Display indices to deliver, ascending, repeats allowed ("fps:X" above the native rate shows a
// frame twice; "uniform:N" over fewer than N frames repeats some). Needs an exact index.
std::vector<int64_t> plan_targets(const SampleSpec& spec, const FrameIndex& index);

}  // namespace vxfast
