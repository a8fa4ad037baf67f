#pragma once
// RetinaFace (biubug6/Pytorch_Retinaface layout) output decoding: per prior 4 box deltas, 2 class
// scores (background, face) and 10 landmark deltas. Exports differ on the scores: biubug6's
// convert_to_onnx.py in test mode applies softmax, a training-mode export (like the shared
// retinaface-mnet025.onnx) leaves logits; ScoreMode::Auto tells them apart per image. Priors are not materialised: only the few
// anchors above the confidence threshold are decoded, and their prior is computed from the index.
#include <cstdint>
#include <vector>

#include "postprocess/detections.h"
#include "postprocess/letterbox_map.h"

namespace vxfast::post {

enum class ScoreMode { Auto, Probabilities, Logits };

struct RetinaFaceParams {
  int input_width = 640, input_height = 640;
  std::vector<int> steps{8, 16, 32};
  std::vector<std::vector<int>> min_sizes{{16, 32}, {64, 128}, {256, 512}};
  float variance_center = 0.1f, variance_size = 0.2f;
  float conf = 0.5f;
  double iou = 0.4;
  int64_t max_det = 750;
  ScoreMode scores = ScoreMode::Auto;
};

// Auto: probabilities when every (background, face) pair lies in [0, 1] and sums to 1 within 1e-3.
bool retinaface_scores_are_logits(const float* data, int64_t n, int64_t row);

// Number of priors the configuration produces (what the model's N must be).
int64_t retinaface_prior_count(const RetinaFaceParams& p);

// data: one image, n x 16 row-major. Boxes (xyxy) and 5 landmarks (x, y) come back in input pixels,
// or source pixels through `lb`.
DetectionBuffers decode_retinaface(const float* data, int64_t n, int64_t row, const RetinaFaceParams& p,
                                   const LetterboxInverse& lb);

}  // namespace vxfast::post
