// Best class per anchor for anchors-first heads ([N, 4+nc]): each anchor's scores are contiguous,
// so this is a horizontal max per anchor, then (only above conf) the first class equal to it.
#include <cmath>

#include "postprocess/class_scan.h"

namespace vxfast::post {
namespace {

inline void push(Candidates& out, int64_t a, float score, int cls) {
  out.anchor.push_back(static_cast<int32_t>(a));
  out.score.push_back(score);
  out.cls.push_back(cls);
}

inline int first_equal(const float* s, int nc, float v) {
  int c = 0;
  while (c < nc - 1 && !(s[c] == v)) ++c;
  return c;
}

}  // namespace

bool scan_anchor_rows_scalar(const float* data, int64_t stride, int nc, int64_t n, float conf,
                             Candidates& out) {
  bool finite = true;
  for (int64_t a = 0; a < n; ++a) {
    const float* s = data + a * stride;
    // Four partial maxima so the compare-select is not one serial chain of nc steps.
    float m[4] = {s[0], s[0], s[0], s[0]};
    float bad = 0.0f;
    for (int c = 0; c < nc; ++c) {
      const float v = s[c];
      bad += v * 0.0f;
      m[c & 3] = v > m[c & 3] ? v : m[c & 3];
    }
    finite &= bad == bad;
    float best = m[0];
    for (int j = 1; j < 4; ++j) best = m[j] > best ? m[j] : best;
    if (best > conf) push(out, a, best, first_equal(s, nc, best));
  }
  return finite;
}

bool scan_anchor_rows(const float* data, int64_t stride, int nc, int64_t n, float conf,
                      Candidates& out, SimdLevel level) {
#if defined(__x86_64__)
  if (level == SimdLevel::Avx512) return scan_anchor_rows_avx512(data, stride, nc, n, conf, out);
  if (level == SimdLevel::Avx2) return scan_anchor_rows_avx2(data, stride, nc, n, conf, out);
#endif
  return scan_anchor_rows_scalar(data, stride, nc, n, conf, out);
}

}  // namespace vxfast::post
