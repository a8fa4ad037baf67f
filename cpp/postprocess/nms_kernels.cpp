#include "postprocess/nms_kernels.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vxfast::post {

bool any_overlap_scalar(const KeptBoxes& k, const float* b, float area, float thr_f) {
  for (size_t i = 0; i < k.n; ++i) {
    const float xx1 = std::max(k.x1[i], b[0]);
    const float yy1 = std::max(k.y1[i], b[1]);
    const float xx2 = std::min(k.x2[i], b[2]);
    const float yy2 = std::min(k.y2[i], b[3]);
    const float w = std::max(0.0f, xx2 - xx1);
    const float h = std::max(0.0f, yy2 - yy1);
    const float inter = w * h;
    const float ovr = inter / (k.area[i] + area - inter);
    if (ovr > thr_f) return true;
  }
  return false;
}

#if defined(__x86_64__)
namespace {
// The SIMD kernels divide only where inter > uni * lo may hold. For thr_f >= 0 (the threshold is in
// [0, 1]) a suppressing pair has inter / uni > thr_f exactly (rounding is monotonic and thr_f is a
// float), so inter > 0, uni >= 0 and, for finite uni > 0, inter > thr_f * uni >= fl(uni * lo)
// with lo = thr_f * (1 - 2^-20) (the product's rounding error is at most 2^-24 relative); uni = +0
// gives uni * lo = 0 < inter. So the filter never drops a pair the division would keep, and the
// division (10 cycles per 16 lanes, most of the NMS time at conf 0.001) is skipped for the many
// kept boxes that do not overlap the candidate at all.
float prefilter_threshold(float thr_f) {
  return static_cast<float>(static_cast<double>(thr_f) * (1.0 - 0x1p-20));
}
}  // namespace

// _mm*_max_ps(a, b) is (a > b ? a : b), so max_ps(cand, kept) == std::max(kept, cand) even with
// NaN; likewise min_ps(cand, kept) == std::min(kept, cand) and max_ps(d, 0) == std::max(0, d).
__attribute__((target("avx2,fma"))) bool any_overlap_avx2(const KeptBoxes& k, const float* b,
                                                           float area, float thr_f) {
  const __m256 bx1 = _mm256_set1_ps(b[0]), by1 = _mm256_set1_ps(b[1]);
  const __m256 bx2 = _mm256_set1_ps(b[2]), by2 = _mm256_set1_ps(b[3]);
  const __m256 ba = _mm256_set1_ps(area), thr = _mm256_set1_ps(thr_f), zero = _mm256_setzero_ps();
  const __m256 lo = _mm256_set1_ps(prefilter_threshold(thr_f));
  for (size_t i = 0; i < k.n; i += 8) {
    const __m256 w = _mm256_max_ps(_mm256_sub_ps(_mm256_min_ps(bx2, _mm256_loadu_ps(k.x2 + i)),
                                                 _mm256_max_ps(bx1, _mm256_loadu_ps(k.x1 + i))),
                                   zero);
    const __m256 h = _mm256_max_ps(_mm256_sub_ps(_mm256_min_ps(by2, _mm256_loadu_ps(k.y2 + i)),
                                                 _mm256_max_ps(by1, _mm256_loadu_ps(k.y1 + i))),
                                   zero);
    const __m256 inter = _mm256_mul_ps(w, h);
    const __m256 uni = _mm256_sub_ps(_mm256_add_ps(_mm256_loadu_ps(k.area + i), ba), inter);
    const __m256 maybe = _mm256_cmp_ps(inter, _mm256_mul_ps(uni, lo), _CMP_GT_OQ);
    if (!_mm256_movemask_ps(maybe)) continue;
    const __m256 ovr = _mm256_div_ps(inter, uni);
    if (_mm256_movemask_ps(_mm256_and_ps(maybe, _mm256_cmp_ps(ovr, thr, _CMP_GT_OQ)))) return true;
  }
  return false;
}

__attribute__((target("avx512f,avx512bw,avx512dq"))) bool any_overlap_avx512(const KeptBoxes& k,
                                                                               const float* b,
                                                                               float area,
                                                                               float thr_f) {
  const __m512 bx1 = _mm512_set1_ps(b[0]), by1 = _mm512_set1_ps(b[1]);
  const __m512 bx2 = _mm512_set1_ps(b[2]), by2 = _mm512_set1_ps(b[3]);
  const __m512 ba = _mm512_set1_ps(area), thr = _mm512_set1_ps(thr_f), zero = _mm512_setzero_ps();
  const __m512 lo = _mm512_set1_ps(prefilter_threshold(thr_f));
  for (size_t i = 0; i < k.n; i += 16) {
    const __m512 w = _mm512_max_ps(_mm512_sub_ps(_mm512_min_ps(bx2, _mm512_loadu_ps(k.x2 + i)),
                                                 _mm512_max_ps(bx1, _mm512_loadu_ps(k.x1 + i))),
                                   zero);
    const __m512 h = _mm512_max_ps(_mm512_sub_ps(_mm512_min_ps(by2, _mm512_loadu_ps(k.y2 + i)),
                                                 _mm512_max_ps(by1, _mm512_loadu_ps(k.y1 + i))),
                                   zero);
    const __m512 inter = _mm512_mul_ps(w, h);
    const __m512 uni = _mm512_sub_ps(_mm512_add_ps(_mm512_loadu_ps(k.area + i), ba), inter);
    const __mmask16 maybe = _mm512_cmp_ps_mask(inter, _mm512_mul_ps(uni, lo), _CMP_GT_OQ);
    if (maybe && _mm512_mask_cmp_ps_mask(maybe, _mm512_div_ps(inter, uni), thr, _CMP_GT_OQ))
      return true;
  }
  return false;
}
#endif

}  // namespace vxfast::post
