// AVX-512F/BW row kernels (16 floats a step): kernels_lanes.inc at 512 bits, plus the AVX-512-only
// non-temporal stores for outputs bigger than the caches. Built with AVX-512 flags by
// cmake/simd.cmake; only called where common/simd.h says the CPU has them.
#include "preprocess/kernels_lanes.inc"

namespace {

// Non-temporal stores for outputs bigger than the caches: a tensor row is written once and not
// read back here, so fetching its lines first (read-for-ownership) only doubles the traffic.
// Streams need 64-byte alignment: the head up to it uses masked ordinary stores.
inline void stream_row_f32(const VPassArgs& a) {
  const __m512 wy = _mm512_set1_ps(a.wy);
  for (int c = 0; c < 3; ++c) {
    float* d = static_cast<float*>(a.dst) + c * a.plane_stride;
    const __m512 k = _mm512_set1_ps(a.k[c]), bias = _mm512_set1_ps(a.bias[c]);
    auto value = [&](int i, __mmask16 m) {
      __m512 v = lerp<Lanes512>(_mm512_maskz_loadu_ps(m, a.a[c] + i), _mm512_maskz_loadu_ps(m, a.b[c] + i), wy);
      return _mm512_fmadd_ps(v, k, bias);
    };
    const int head = int(((64 - (reinterpret_cast<uintptr_t>(d) & 63)) & 63) / 4);
    int i = a.n < head ? a.n : head;
    if (i > 0) _mm512_mask_storeu_ps(d, __mmask16((1u << i) - 1), value(0, __mmask16((1u << i) - 1)));
    for (; i + 16 <= a.n; i += 16) _mm512_stream_ps(d + i, value(i, 0xffff));
    if (i < a.n) {
      const __mmask16 m = __mmask16((1u << (a.n - i)) - 1);
      _mm512_mask_storeu_ps(d + i, m, value(i, m));
    }
  }
}

void vpass_streaming(const VPassArgs& a) {
  if (a.stream && a.dtype == OutDType::Float32 && a.layout == OutLayout::CHW &&
      (reinterpret_cast<uintptr_t>(a.dst) & 3) == 0) {
    stream_row_f32(a);
    return;
  }
  vpass<Lanes512>(a);
}

template <bool kStream>
void fill_f32(float* d, ptrdiff_t n, float v, bool stream) {
  const __m512 x = _mm512_set1_ps(v);
  ptrdiff_t i = 0;
  if (kStream && stream) {
    for (; i < n && (reinterpret_cast<uintptr_t>(d + i) & 63); ++i) d[i] = v;
    for (; i + 16 <= n; i += 16) _mm512_stream_ps(d + i, x);
  }
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, x);
  for (; i < n; ++i) d[i] = v;
}

}  // namespace

namespace vxfast {

Kernels avx512_kernels(bool streaming) {
  return {hpass_rgb<Lanes512>, hpass_yuv<Lanes512>, streaming ? vpass_streaming : vpass<Lanes512>,
          SimdLevel::Avx512, streaming ? fill_f32<true> : fill_f32<false>};
}

}  // namespace vxfast
