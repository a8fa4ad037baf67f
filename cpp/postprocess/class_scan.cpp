#include "postprocess/class_scan.h"

#include <algorithm>
#include <cmath>

#include "postprocess/class_scan_block.h"

namespace vxfast::post {
namespace {

// Anchors are processed in blocks of kBlock (class_scan_block.h): a narrow register tile walked down
// all 80 rows instead touches 80 pages per tile, which defeats the L2 streamer and the L1 TLB (see
// docs/performance-history.md).

// Branch-free on purpose: GCC/Clang vectorise this (SSE2 on x86-64, NEON on aarch64) at baseline
// flags; the variant that also tracked the argmax has control flow and stayed scalar (~4x slower).
void max_row(const float* __restrict row, float* __restrict best, float* __restrict bad,
             int64_t len) {
  for (int64_t k = 0; k < len; ++k) {
    const float v = row[k];
    bad[k] += v * 0.0f;  // per anchor: stays 0 for finite v, NaN after any NaN or inf
    best[k] = v > best[k] ? v : best[k];
  }
}

}  // namespace

void append_candidates(Candidates& out, const int32_t* anchor, const float* score, const int32_t* cls,
                       size_t n) {
  out.anchor.insert(out.anchor.end(), anchor, anchor + n);
  out.score.insert(out.score.end(), score, score + n);
  out.cls.insert(out.cls.end(), cls, cls + n);
}

// Reference: best score per anchor, then for the anchors above conf the first class equal to it,
// which is numpy's argmax (first maximum).
bool scan_class_rows_scalar(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                            Candidates& out) {
  float best[kBlock];
  float bad[kBlock];
  bool finite = true;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = std::min(kBlock, n - b0);
    for (int64_t k = 0; k < len; ++k) {
      best[k] = rows[b0 + k];
      bad[k] = best[k] * 0.0f;
    }
    for (int c = 1; c < nc; ++c) max_row(rows + c * row_stride + b0, best, bad, len);
    for (int64_t k = 0; k < len; ++k) finite &= bad[k] == bad[k];
    for (int64_t k = 0; k < len; ++k) {
      if (!(best[k] > conf)) continue;
      int c = 0;
      while (c < nc - 1 && !(rows[c * row_stride + b0 + k] == best[k])) ++c;
      out.anchor.push_back(static_cast<int32_t>(b0 + k));
      out.score.push_back(best[k]);
      out.cls.push_back(c);
    }
  }
  return finite;
}

bool scan_class_rows(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                     Candidates& out, SimdLevel level) {
#if defined(__x86_64__)
  if (level == SimdLevel::Avx512) return scan_class_rows_avx512(rows, row_stride, nc, n, conf, out);
  if (level == SimdLevel::Avx2) return scan_class_rows_avx2(rows, row_stride, nc, n, conf, out);
#endif
  return scan_class_rows_scalar(rows, row_stride, nc, n, conf, out);
}

}  // namespace vxfast::post
