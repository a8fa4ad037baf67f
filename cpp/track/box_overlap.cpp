#include "track/box_overlap.h"

#include <algorithm>
#include <cmath>

namespace vxfast::track {
namespace {

bool overlaps(const BoxF& p, const BoxF& q) {
  return !(p[2] <= q[0] || q[2] <= p[0] || p[3] <= q[1] || q[3] <= p[1]);
}

// Drops the boxes of `active` that end at or before x (no later box, starting at >= x, can meet them)
// and reports the pairs of `box` with the rest.
template <bool kBoxIsA>
void meet(const BoxF& box, int index, const std::vector<BoxF>& others, std::vector<int>& active,
          std::vector<std::pair<int, int>>& out) {
  size_t kept = 0;
  for (size_t k = 0; k < active.size(); ++k) {
    const int o = active[k];
    const BoxF& q = others[o];
    if (q[2] <= box[0]) continue;
    active[kept++] = o;
    if (overlaps(box, q)) out.emplace_back(kBoxIsA ? index : o, kBoxIsA ? o : index);
  }
  active.resize(kept);
}

}  // namespace

bool OverlapSweep::pairs(const std::vector<BoxF>& a, const std::vector<BoxF>& b, std::vector<std::pair<int, int>>& out) {
  out.clear();
  for (const auto* boxes : {&a, &b})
    for (const BoxF& q : *boxes)
      if (!(std::isfinite(q[0]) && std::isfinite(q[1]) && std::isfinite(q[2]) && std::isfinite(q[3]))) return false;
  // Sorting (x1, index) keys in place is several times faster than indices compared through the boxes.
  auto sort_by_x1 = [this](const std::vector<BoxF>& boxes, std::vector<int>& order) {
    keys_.resize(boxes.size());
    for (size_t i = 0; i < boxes.size(); ++i) keys_[i] = {boxes[i][0], static_cast<int>(i)};
    std::sort(keys_.begin(), keys_.end());
    order.resize(boxes.size());
    for (size_t i = 0; i < boxes.size(); ++i) order[i] = keys_[i].second;
  };
  sort_by_x1(a, order_a_);
  sort_by_x1(b, order_b_);
  active_a_.clear();
  active_b_.clear();
  size_t ia = 0, ib = 0;
  // Each box meets the boxes of the other list that started before it and still reach past its x1;
  // every x-overlapping pair is met once, when its later-starting box comes.
  while (ia < order_a_.size() || ib < order_b_.size()) {
    const bool take_a = ib == order_b_.size() || (ia < order_a_.size() && a[order_a_[ia]][0] <= b[order_b_[ib]][0]);
    if (take_a) {
      const int i = order_a_[ia++];
      meet<true>(a[i], i, b, active_b_, out);
      active_a_.push_back(i);
    } else {
      const int j = order_b_[ib++];
      meet<false>(b[j], j, a, active_a_, out);
      active_b_.push_back(j);
    }
  }
  return true;
}

}  // namespace vxfast::track
