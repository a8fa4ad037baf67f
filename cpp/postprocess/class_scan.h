#pragma once
// The hot loop of YOLOv8-style decoding: for a channels-first head ([nc rows of N anchor scores]),
// find each anchor's best class (first maximum, like numpy argmax) and keep the anchors whose best
// score is > conf. This one pass over nc x N floats is nearly all of the work at any confidence, so
// it has AVX2 and AVX-512 versions next to the scalar reference (which compilers vectorise at
// baseline flags, e.g. NEON on aarch64). All levels give identical results.
#include <cstdint>
#include <vector>

#include "postprocess/simd_level.h"

namespace vxfast::post {

struct Candidates {
  std::vector<int32_t> anchor;
  std::vector<float> score;
  std::vector<int32_t> cls;
  void clear() {
    anchor.clear();
    score.clear();
    cls.clear();
  }
};

// Appends n candidates (out of line, baseline flags: see candidate_buffer.h).
void append_candidates(Candidates& out, const int32_t* anchor, const float* score, const int32_t* cls,
                       size_t n);

// rows: pointer to class 0's row; row c starts at rows + c * row_stride (row_stride >= n). Appends
// to `out` in anchor order. Returns false if any score is NaN or infinite.
bool scan_class_rows(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                     Candidates& out, SimdLevel level);

bool scan_class_rows_scalar(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                            Candidates& out);
#if defined(__x86_64__)
bool scan_class_rows_avx2(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                          Candidates& out);
bool scan_class_rows_avx512(const float* rows, int64_t row_stride, int nc, int64_t n, float conf,
                            Candidates& out);
#endif

// The transposed layout: anchor a's nc scores start at data + a * anchor_stride (contiguous). Same
// results as scan_class_rows on the transposed array.
bool scan_anchor_rows(const float* data, int64_t anchor_stride, int nc, int64_t n, float conf,
                      Candidates& out, SimdLevel level);
bool scan_anchor_rows_scalar(const float* data, int64_t anchor_stride, int nc, int64_t n,
                             float conf, Candidates& out);
#if defined(__x86_64__)
bool scan_anchor_rows_avx2(const float* data, int64_t anchor_stride, int nc, int64_t n, float conf,
                           Candidates& out);
bool scan_anchor_rows_avx512(const float* data, int64_t anchor_stride, int nc, int64_t n,
                             float conf, Candidates& out);
#endif

}  // namespace vxfast::post
