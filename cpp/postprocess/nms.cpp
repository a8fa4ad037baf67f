#include "postprocess/nms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "postprocess/nms_kernels.h"

namespace vxfast::post {
namespace {

// Greedy pass over one class (or everything, class-agnostic). `order` is already score-descending.
// Checking each candidate against the boxes kept so far is the same decision as torchvision's
// "suppress the rest when a box is kept", but costs n x kept instead of n^2, and stops once `limit`
// boxes are kept: a box beyond a class's first max_det survivors can never reach the merged top
// max_det.
template <class T>
void greedy(const T* boxes, const int64_t* order, size_t n, double thr, size_t limit,
            std::vector<int64_t>& keep, SimdLevel, std::vector<float>&) {
  struct Kept {
    T x1, y1, x2, y2, area;
  };
  std::vector<Kept> kept;
  kept.reserve(std::min(n, limit));
  for (size_t k = 0; k < n && kept.size() < limit; ++k) {
    const int64_t j = order[k];
    const T* b = boxes + 4 * j;
    const T area_j = (b[2] - b[0]) * (b[3] - b[1]);
    bool suppressed = false;
    for (const Kept& i : kept) {
      const T xx1 = std::max(i.x1, b[0]);
      const T yy1 = std::max(i.y1, b[1]);
      const T xx2 = std::min(i.x2, b[2]);
      const T yy2 = std::min(i.y2, b[3]);
      const T w = std::max(T(0), xx2 - xx1);
      const T h = std::max(T(0), yy2 - yy1);
      const T inter = w * h;
      const T ovr = inter / (i.area + area_j - inter);
      // torchvision compares the float IoU against the double threshold; 0/0 (degenerate boxes) is
      // NaN and suppresses nothing.
      if (static_cast<double>(ovr) > thr) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) {
      kept.push_back({b[0], b[1], b[2], b[3], area_j});
      keep.push_back(j);
    }
  }
}

// float32 boxes: kept boxes SoA, zero-padded to 16, tested by the SIMD overlap kernel.
// `soa` is scratch shared by the classes of one call (one allocation instead of one per class).
template <>
void greedy<float>(const float* boxes, const int64_t* order, size_t n, double thr, size_t limit,
                   std::vector<int64_t>& keep, SimdLevel level, std::vector<float>& soa) {
  float thr_f = static_cast<float>(thr);
  if (static_cast<double>(thr_f) > thr) thr_f = std::nextafter(thr_f, -1.0f);
  const size_t cap = (std::min(n, limit) + 15) / 16 * 16;
  if (soa.size() < 5 * cap) soa.resize(5 * cap);
  float *x1 = soa.data(), *y1 = x1 + cap, *x2 = y1 + cap, *y2 = x2 + cap, *ar = y2 + cap;
  size_t kept = 0;
  for (size_t k = 0; k < n && kept < limit; ++k) {
    const int64_t j = order[k];
    const float* b = boxes + 4 * j;
    const float area = (b[2] - b[0]) * (b[3] - b[1]);
    if (any_overlap(KeptBoxes{x1, y1, x2, y2, ar, kept}, b, area, thr_f, level)) continue;
    if (kept % 16 == 0)  // a new block of 16: its unused tail must read as zero boxes
      for (float* a : {x1, y1, x2, y2, ar}) std::fill_n(a + kept, 16, 0.0f);
    x1[kept] = b[0];
    y1[kept] = b[1];
    x2[kept] = b[2];
    y2[kept] = b[3];
    ar[kept] = area;
    ++kept;
    keep.push_back(j);
  }
}

}  // namespace

// Score order as an unsigned key that sorts ascending for descending scores: the usual
// sign-flip trick on the float bits, with -0 folded onto +0 so they tie like they compare.
template <class T>
uint64_t descending_key(T s) {
  if (s == 0) s = 0;
  if constexpr (sizeof(T) == 4) {
    uint32_t u;
    std::memcpy(&u, &s, 4);
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    return ~u & 0xFFFFFFFFu;
  } else {
    uint64_t u;
    std::memcpy(&u, &s, 8);
    u = (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
    return ~u;
  }
}

// Sorting (class, score key, index) records directly instead of indices through a comparator that
// dereferences scores and classes: at conf 0.001 (~800 YOLOv8n candidates) the indirect sort was
// most of the NMS time.
struct SortItem {
  int64_t cls;
  uint64_t key;
  int64_t idx;
  bool operator<(const SortItem& o) const {
    return cls != o.cls ? cls < o.cls : key != o.key ? key < o.key : idx < o.idx;
  }
};

// Sorts keys built in ascending index order (the low 16 bits). Small inputs: std::sort. Larger: a
// stable LSD radix sort on the class and score bytes only (the index order is already there and
// stability keeps it), skipping bytes all keys share (the high class byte, usually): ~5 branch-free
// passes instead of a quicksort that mispredicts about every other comparison on ~800 keys.
void sort_packed(std::vector<uint64_t>& keys, bool index_sorted = true) {
  const size_t n = keys.size();
  if (n < 64) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  uint64_t any = 0, all = ~uint64_t(0);
  for (const uint64_t k : keys) {
    any |= k;
    all &= k;
  }
  const uint64_t varying = any ^ all;
  std::vector<uint64_t> tmp(n);
  for (int shift = index_sorted ? 16 : 0; shift < 64; shift += 8) {
    if (((varying >> shift) & 0xFF) == 0) continue;
    size_t start[256] = {0};
    for (const uint64_t k : keys) ++start[(k >> shift) & 0xFF];
    size_t sum = 0;
    for (size_t& c : start) {
      const size_t c0 = c;
      c = sum;
      sum += c0;
    }
    for (const uint64_t k : keys) tmp[start[(k >> shift) & 0xFF]++] = k;
    keys.swap(tmp);
  }
}

// The same (class, score descending, index) order as sorting SortItems, from one sort of 64-bit
// keys: class (16 bits) | 32-bit score key | index (16 bits). Fits float scores, n <= 65536 and class
// ids in [0, 65536), i.e. every YOLO decode; 3-4x faster than the three-field sort at ~800 boxes.
// Returns false (nothing written) when the input does not fit.
template <class T>
bool packed_order(const T* scores, const int64_t* classes, int64_t n, std::vector<int64_t>& order,
                  std::vector<int64_t>& group_end) {
  if constexpr (sizeof(T) != 4) {
    return false;
  } else {
    if (n > 0x10000) return false;
    if (classes)
      for (int64_t i = 0; i < n; ++i)
        if (classes[i] < 0 || classes[i] > 0xFFFF) return false;
    std::vector<uint64_t> keys(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      keys[i] = (uint64_t(classes ? classes[i] : 0) << 48) | (descending_key(scores[i]) << 16) |
                uint64_t(i);
    sort_packed(keys);
    for (int64_t i = 0; i < n; ++i) {
      order[i] = int64_t(keys[i] & 0xFFFF);
      if (i + 1 == n || (keys[i + 1] >> 48) != (keys[i] >> 48)) group_end.push_back(i + 1);
    }
    return true;
  }
}

template <class T>
std::vector<int64_t> nms(const T* boxes, const T* scores, const int64_t* classes, int64_t n,
                         double iou_threshold, int64_t max_det, SimdLevel level) {
  std::vector<int64_t> keep;
  if (n <= 0 || max_det == 0) return keep;
  const size_t limit = max_det < 0 ? static_cast<size_t>(n) : static_cast<size_t>(max_det);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::vector<int64_t> group_end;  // end (in `order`) of each class's run
  if (!packed_order(scores, classes, n, order, group_end)) {
    std::vector<SortItem> items(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) items[i] = {classes ? classes[i] : 0, descending_key(scores[i]), i};
    std::sort(items.begin(), items.end());
    for (size_t i = 0; i < items.size(); ++i) {
      order[i] = items[i].idx;
      if (i + 1 == items.size() || items[i + 1].cls != items[i].cls) group_end.push_back(int64_t(i) + 1);
    }
  }
  int64_t start = 0;
  std::vector<float> scratch;
  for (const int64_t end : group_end) {
    greedy(boxes, order.data() + start, static_cast<size_t>(end - start), iou_threshold, limit,
           keep, level, scratch);
    start = end;
  }
  if (classes && n <= 0x10000 && sizeof(T) == 4) {
    // Merge the classes' survivors back into one score order (ties by index).
    std::vector<uint64_t> merged(keep.size());
    for (size_t i = 0; i < keep.size(); ++i)
      merged[i] = (descending_key(scores[keep[i]]) << 16) | uint64_t(keep[i]);
    sort_packed(merged, false);
    for (size_t i = 0; i < keep.size(); ++i) keep[i] = int64_t(merged[i] & 0xFFFF);
    if (keep.size() > limit) keep.resize(limit);
  } else if (classes) {
    std::vector<SortItem> merged(keep.size());
    for (size_t i = 0; i < keep.size(); ++i) merged[i] = {0, descending_key(scores[keep[i]]), keep[i]};
    std::sort(merged.begin(), merged.end());
    for (size_t i = 0; i < keep.size(); ++i) keep[i] = merged[i].idx;
    if (keep.size() > limit) keep.resize(limit);
  }
  return keep;
}

template std::vector<int64_t> nms<float>(const float*, const float*, const int64_t*, int64_t, double,
                                         int64_t, SimdLevel);
template std::vector<int64_t> nms<double>(const double*, const double*, const int64_t*, int64_t,
                                          double, int64_t, SimdLevel);

}  // namespace vxfast::post
