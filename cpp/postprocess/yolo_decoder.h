#pragma once
// A YOLO decoder prepared once per model: the parameters (layout, class count, thresholds, class
// filter, keypoint size) are validated when it is built, so decoding a batch only checks that the
// output's shape fits the prepared layout. Immutable after construction: one decoder may serve
// several threads at once (detect() runs one batch per model stream).
#include <cstdint>
#include <string>
#include <vector>

#include "postprocess/yolo_decode.h"

namespace vxfast::post {

// "channels_first", "channels_last", "objectness", "end2end"; anything else throws.
YoloFormat parse_yolo_format(const std::string& name);
const char* yolo_format_name(YoloFormat f);

class YoloDecoder {
 public:
  // Throws std::invalid_argument naming the first bad parameter.
  explicit YoloDecoder(YoloParams p);

  // Throws std::invalid_argument when an output [batch, d1, d2] does not fit the layout.
  void check_shape(int64_t batch, int64_t d1, int64_t d2) const;

  // check_shape first (it is cheap and needs no lock); lbs has one entry per image.
  std::vector<DetectionBuffers> operator()(const float* data, int64_t batch, int64_t d1, int64_t d2,
                                           const std::vector<LetterboxInverse>& lbs) const {
    return decode_yolo_batch(data, batch, d1, d2, p_, lbs);
  }

  const YoloParams& params() const { return p_; }

 private:
  YoloParams p_;
};

}  // namespace vxfast::post
