#pragma once
// The (a, b) box pairs that overlap with positive area, by sort-and-sweep on x1: O((A + B) log(A + B))
// plus the pairs whose x ranges meet, instead of the A x B pair test. "Overlap" is exactly the
// negation of iou_distance's no-overlap test, so the pairs left out are those it gives distance 1.
#include <utility>
#include <vector>

#include "track/iou.h"

namespace vxfast::track {

class OverlapSweep {
 public:
  // out: (index in a, index in b), in no particular order. Returns false, with out empty, if a box
  // has a non-finite coordinate (the caller then tests all pairs). Buffers are kept.
  bool pairs(const std::vector<BoxF>& a, const std::vector<BoxF>& b, std::vector<std::pair<int, int>>& out);

 private:
  std::vector<int> order_a_, order_b_, active_a_, active_b_;
  std::vector<std::pair<float, int>> keys_;
};

}  // namespace vxfast::track
