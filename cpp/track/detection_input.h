#pragma once
// Per-frame detections handed to a tracker: rows of [x1, y1, x2, y2, score, class] in float32.
#include <cstdint>
#include <string>

namespace vxfast::track {

struct DetectionsView {
  const float* data = nullptr;  // row-major n x 6
  int64_t n = 0;
  const float* row(int64_t i) const { return data + i * 6; }
};

// Throws std::invalid_argument naming the first row with a NaN/inf value or x2 < x1 / y2 < y1.
void validate_detections(const DetectionsView& d);

// One output row: [x1, y1, x2, y2, track_id, score, class, input_row].
constexpr int kOutputColumns = 8;

}  // namespace vxfast::track
