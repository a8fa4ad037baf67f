#pragma once
// Greedy non-maximum suppression with torchvision's semantics: boxes are visited by score descending
// (ties by index), a box is dropped when its IoU with an already kept box is > iou_threshold, and the
// IoU arithmetic is torchvision's (area = (x2-x1)*(y2-y1), same operation order), so results match
// bit for bit on float32 input. With class ids, boxes only suppress boxes of their own class
// (torchvision.ops.batched_nms). Callers check the inputs; these functions never touch Python.
#include <cstdint>
#include <vector>

#include "postprocess/simd_level.h"

namespace vxfast::post {

// boxes: n x 4 (x1, y1, x2, y2), row-major. classes may be null (class-agnostic). max_det < 0: no
// limit. Returns the kept indices by score descending. Scores must not be NaN (the caller rejects
// them: a NaN breaks the strict weak ordering of the sort). `level` picks the overlap kernel for
// float boxes (all levels give identical results); double boxes use the scalar loop.
template <class T>
std::vector<int64_t> nms(const T* boxes, const T* scores, const int64_t* classes, int64_t n,
                         double iou_threshold, int64_t max_det,
                         SimdLevel level = active_simd_level());

extern template std::vector<int64_t> nms<float>(const float*, const float*, const int64_t*, int64_t,
                                                double, int64_t, SimdLevel);
extern template std::vector<int64_t> nms<double>(const double*, const double*, const int64_t*,
                                                 int64_t, double, int64_t, SimdLevel);

}  // namespace vxfast::post
