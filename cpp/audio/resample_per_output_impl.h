#pragma once
// The per-output layout of the polyphase kernel (resample_kernels.h), written once over a vector
// type: each output's taps in vector-wide chunks, four outputs at a time (independent FMA chains),
// every output reduced the same way whatever range a call covers. Included by
// resample_kernels_avx2.cpp and resample_kernels_avx512.cpp, each with its own Ops in an anonymous
// namespace (so every instantiation has internal linkage: no weak symbols in ISA objects; no std::
// templates here for the same reason). Ops(taps) provides V, dot(w, p) -> V (the taps' products,
// lane-wise summed) and reduce4(const V* a) -> __m128 (the four sums, in a fixed order).
#include <immintrin.h>

#include <cstdint>

#include "audio/swr_filter.h"

namespace vxfast::resample_impl {

template <class O>
void per_output(const SwrFilter& f, const float* x, int64_t x_first, int64_t m0, int64_t n, float* out) {
  const O ops(f.taps);
  int64_t q = m0 % f.Q;
  const float* p = x + (m0 / f.Q * f.P + q * f.P / f.Q + f.offset - x_first);
  const float* wb = f.w.data();
  const int32_t* adv = f.advance.data();
  for (int64_t i = 0; i < n; i += 4) {
    const int64_t k = n - i < 4 ? n - i : 4;
    typename O::V a[4] = {O::zero(), O::zero(), O::zero(), O::zero()};
    for (int64_t j = 0; j < k; ++j) {
      a[j] = ops.dot(wb + q * f.taps, p);
      p += adv[q];
      if (++q == f.Q) q = 0;
    }
    const __m128 s = O::reduce4(a);
    if (k == 4) {
      _mm_storeu_ps(out + i, s);
    } else {
      alignas(16) float r[4];
      _mm_store_ps(r, s);
      for (int64_t j = 0; j < k; ++j) out[i + j] = r[j];
    }
  }
}

}  // namespace vxfast::resample_impl
