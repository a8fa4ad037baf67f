#pragma once
// Decoding of one image's YOLO head output into detections (candidate scan, box decode, NMS, mapping
// back to source pixels). Layouts, with nc classes and E extra channels (pose keypoints, mask
// coefficients):
//   ChannelsFirst  [4+nc+E, N]  YOLOv8/v11 as exported (cx, cy, w, h, class scores, extras)
//   ChannelsLast   [N, 4+nc+E]  the same, transposed
//   Objectness     [N, 5+nc+E]  YOLOv5/YOLOX (cx, cy, w, h, objectness, class scores, extras)
//   EndToEnd       [N, 6+E]     exports with NMS inside (x1, y1, x2, y2, score, class, extras)
// Semantics follow Ultralytics' non_max_suppression: best class per anchor (first maximum), keep if
// > conf, optional class filter on that best class, per-class (or agnostic) NMS, first max_det.
#include <cstdint>
#include <vector>

#include "postprocess/detections.h"
#include "postprocess/letterbox_map.h"
#include "postprocess/simd_level.h"

namespace vxfast::post {

enum class YoloFormat { ChannelsFirst, ChannelsLast, Objectness, EndToEnd };

struct YoloParams {
  YoloFormat format = YoloFormat::ChannelsFirst;
  int nc = 80;
  float conf = 0.25f;
  double iou = 0.45;
  int64_t max_det = 300;
  bool agnostic = false;
  std::vector<int64_t> classes;  // empty: all classes
  int kpt_dim = 0;               // 2 or 3: extras are keypoints (x, y[, v]) mapped like boxes
  SimdLevel simd = SimdLevel::Scalar;
  // Threads for the class scan (split by anchors) and, for a batch, the per-image NMS: 1 = the
  // calling thread only; 0 = auto (resolve_threads in task_pool.h); n = up to n. Results are the
  // same for every value.
  int threads = 1;
};

// data: one image, d1 x d2 row-major float32. Throws std::invalid_argument for non-finite scores or
// boxes among the values it reads.
DetectionBuffers decode_yolo(const float* data, int64_t d1, int64_t d2, const YoloParams& p,
                             const LetterboxInverse& lb);

// `batch` images, image b at data + b * d1 * d2, with lbs[b]. The same results (and, for bad input,
// the same exception: the first failing image's) as decode_yolo image by image.
std::vector<DetectionBuffers> decode_yolo_batch(const float* data, int64_t batch, int64_t d1,
                                                int64_t d2, const YoloParams& p,
                                                const std::vector<LetterboxInverse>& lbs);

}  // namespace vxfast::post
