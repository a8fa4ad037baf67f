#pragma once
// Plain result buffers for one image; the binding hands them to numpy without copying.
#include <cstdint>
#include <vector>

namespace vxfast::post {

struct DetectionBuffers {
  std::vector<float> boxes;    // n x 4, x1 y1 x2 y2
  std::vector<float> scores;   // n
  std::vector<int64_t> cls;    // n
  std::vector<float> extra;    // n x extra_dim (keypoints, landmarks or raw extra channels)
  int64_t extra_dim = 0;
  int64_t size() const { return static_cast<int64_t>(scores.size()); }
};

}  // namespace vxfast::post
