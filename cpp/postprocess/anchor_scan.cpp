// Best class per anchor for anchors-first heads ([N, 4+nc]): each anchor's scores are contiguous,
// so this is a horizontal max per anchor, then (only above conf) the first class equal to it.
#include <cmath>

#include "postprocess/class_scan.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) bool scan_anchor_rows_avx2(const float* data, int64_t stride,
                                                                int nc, int64_t n, float conf,
                                                                Candidates& out) {
  const __m256 zero = _mm256_setzero_ps();
  const int nc8 = nc & ~7;
  __m256 bad = zero;
  float bad_tail = 0.0f;
  for (int64_t a = 0; a < n; ++a) {
    const float* s = data + a * stride;
    __m256 mx = _mm256_set1_ps(s[0]);
    for (int c = 0; c < nc8; c += 8) {
      const __m256 v = _mm256_loadu_ps(s + c);
      mx = _mm256_max_ps(mx, v);
      bad = _mm256_fmadd_ps(v, zero, bad);
    }
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float best = _mm_cvtss_f32(h);
    for (int c = nc8; c < nc; ++c) {
      bad_tail += s[c] * 0.0f;
      best = s[c] > best ? s[c] : best;
    }
    if (best > conf) push(out, a, best, first_equal(s, nc, best));
  }
  return !_mm256_movemask_ps(_mm256_cmp_ps(bad, bad, _CMP_UNORD_Q)) && bad_tail == bad_tail;
}

__attribute__((target("avx512f,avx512bw,avx512dq"))) bool scan_anchor_rows_avx512(
    const float* data, int64_t stride, int nc, int64_t n, float conf, Candidates& out) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512 lowest = _mm512_set1_ps(-INFINITY);
  __m512 bad = zero;
  for (int64_t a = 0; a < n; ++a) {
    const float* s = data + a * stride;
    __m512 mx = lowest;
    for (int c = 0; c < nc; c += 16) {
      const __mmask16 l = nc - c >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (nc - c)) - 1);
      // Lanes past nc read as -inf so they never win the max, and leave `bad` untouched.
      const __m512 v = _mm512_mask_loadu_ps(lowest, l, s + c);
      mx = _mm512_max_ps(mx, v);
      bad = _mm512_mask3_fmadd_ps(v, zero, bad, l);
    }
    const float best = _mm512_reduce_max_ps(mx);
    if (best > conf) push(out, a, best, first_equal(s, nc, best));
  }
  return _mm512_cmp_ps_mask(bad, bad, _CMP_UNORD_Q) == 0;
}
#endif

bool scan_anchor_rows(const float* data, int64_t stride, int nc, int64_t n, float conf,
                      Candidates& out, SimdLevel level) {
#if defined(__x86_64__)
  if (level == SimdLevel::Avx512) return scan_anchor_rows_avx512(data, stride, nc, n, conf, out);
  if (level == SimdLevel::Avx2) return scan_anchor_rows_avx2(data, stride, nc, n, conf, out);
#endif
  return scan_anchor_rows_scalar(data, stride, nc, n, conf, out);
}

}  // namespace vxfast::post
