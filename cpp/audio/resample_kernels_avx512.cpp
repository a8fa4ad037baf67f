// AVX-512 polyphase kernel of resample_kernels.h (flags from cmake/simd.cmake).
//
// With many phases (Q >= 16, e.g. 160 for 44.1 -> 16 kHz) the lanes run across periods: output
// k Q + q reads input k P + start(q) + t, so for 16 consecutive periods and one (q, t) the 16
// inputs lie P apart. Each group of 16 periods first transposes its input span (16 rows of
// C = start(Q - 1) + taps samples, 16 x 16 register transposes) into columns, then sums every phase
// as one FMA chain over its taps in tap order, 8 phases interleaved so the FMA latency hides; the
// weight is a broadcast, the input column an aligned load. Half the work of the per-output
// layout below (measured: 4.5 vs 7.3 ns per output here), which pays a horizontal sum per output.
// An output's value does not depend on the call's range: a group reads zeros for input outside x,
// which only reaches outputs the caller did not ask for.
// With few phases (48 -> 16 kHz has Q = 1) the per-output layout (resample_per_output_impl.h) with
// taps in 16-lane chunks.
#include <immintrin.h>

#include <cstddef>
#include <new>

#include "audio/resample_kernels.h"
#include "audio/resample_per_output_impl.h"

namespace vxfast {

namespace {

struct Ops {  // 16 lanes for resample_per_output_impl.h
  using V = __m512;
  int full;
  __mmask16 tail;
  explicit Ops(int taps) : full(taps / 16), tail(static_cast<__mmask16>((1u << (taps % 16)) - 1u)) {}
  static V zero() { return _mm512_setzero_ps(); }
  V dot(const float* w, const float* p) const {
    __m512 acc = _mm512_setzero_ps();
    int k = 0;
    for (int c = 0; c < full; ++c, k += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(w + k), _mm512_loadu_ps(p + k), acc);
    if (tail) acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w + k), _mm512_maskz_loadu_ps(tail, p + k), acc);
    return acc;
  }
  static __m256 fold(__m512 v) {
    return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  }
  // Halves, then two rounds of pairwise adds (each output's own lanes only, in a fixed order).
  static __m128 reduce4(const V* a) {
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(fold(a[0]), fold(a[1])), _mm256_hadd_ps(fold(a[2]), fold(a[3])));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  }
};

// 16 rows (row j from src[j] + c0) of 16 floats -> 16 columns of 16 at dst + c * 16.
inline void transpose16(const float* const* src, int64_t c0, float* dst) {
  __m512 r[16], t[16], u[16];
  for (int j = 0; j < 16; ++j) r[j] = _mm512_loadu_ps(src[j] + c0);
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {  // u[4i + k], 128-bit lane l: rows 4i..4i+3 of column 4l + k
    u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int k = 0; k < 4; ++k) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x88), v1 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xDD);
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x88), v3 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xDD);
    _mm512_store_ps(dst + k * 16, _mm512_shuffle_f32x4(v0, v2, 0x88));
    _mm512_store_ps(dst + (k + 4) * 16, _mm512_shuffle_f32x4(v1, v3, 0x88));
    _mm512_store_ps(dst + (k + 8) * 16, _mm512_shuffle_f32x4(v0, v2, 0xDD));
    _mm512_store_ps(dst + (k + 12) * 16, _mm512_shuffle_f32x4(v1, v3, 0xDD));
  }
}

struct Scratch {  // 64-byte aligned floats, freed on every way out
  float* p;
  explicit Scratch(int64_t n) : p(static_cast<float*>(::operator new(static_cast<size_t>(n) * sizeof(float), std::align_val_t(64)))) {}
  ~Scratch() { ::operator delete(p, std::align_val_t(64)); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

void across_periods(const SwrFilter& f, const float* x, int64_t x_first, int64_t x_len, int64_t m0, int64_t n,
                    float* out) {
  const int64_t P = f.P, Q = f.Q, Q8 = static_cast<int64_t>(f.phase_start.size());
  const int taps = f.taps;
  const int64_t C = f.phase_start[Q - 1] + taps;  // input columns one period's outputs read
  Scratch cols_buf(C * 16), sums_buf(Q8 * 16);
  float* cols = cols_buf.p;
  float* sums = sums_buf.p;
  const int32_t* start = f.phase_start.data();
  const float* W = f.w.data();
  const int64_t m_end = m0 + n;
  for (int64_t k0 = m0 / Q; k0 * Q < m_end; k0 += 16) {
    const float* rows[16];
    bool inside = true;
    for (int j = 0; j < 16; ++j) {
      const int64_t s0 = (k0 + j) * P + f.offset - x_first;
      inside = inside && s0 >= 0 && s0 + C <= x_len;
      rows[j] = x + s0;
    }
    if (inside) {
      int64_t c = 0;
      for (; c + 16 <= C; c += 16) transpose16(rows, c, cols + c * 16);
      for (; c < C; ++c) {
        for (int j = 0; j < 16; ++j) cols[c * 16 + j] = rows[j][c];
      }
    } else {
      for (int j = 0; j < 16; ++j) {
        const int64_t s0 = (k0 + j) * P + f.offset - x_first;
        for (int64_t c = 0; c < C; ++c) {
          const int64_t i = s0 + c;
          cols[c * 16 + j] = i >= 0 && i < x_len ? x[i] : 0.f;
        }
      }
    }
    for (int64_t q = 0; q < Q8; q += 8) {
      __m512 a[8];
      const float* r[8];
      const float* w[8];
      for (int u = 0; u < 8; ++u) {
        a[u] = _mm512_setzero_ps();
        r[u] = cols + static_cast<int64_t>(start[q + u]) * 16;
        w[u] = W + (q + u) * taps;
      }
      for (int t = 0; t < taps; ++t) {
        for (int u = 0; u < 8; ++u) a[u] = _mm512_fmadd_ps(_mm512_set1_ps(w[u][t]), _mm512_load_ps(r[u] + t * 16), a[u]);
      }
      for (int u = 0; u < 8; ++u) _mm512_store_ps(sums + (q + u) * 16, a[u]);
    }
    const int64_t lo = m0 > k0 * Q ? m0 : k0 * Q;
    const int64_t hi = m_end < (k0 + 16) * Q ? m_end : (k0 + 16) * Q;
    int64_t j = lo / Q - k0, q = lo % Q;
    float* o = out + (lo - m0);
    for (int64_t m = lo; m < hi; ++j, q = 0) {
      const int64_t stop = hi - m < Q - q ? hi - m : Q - q;
      const float* s = sums + q * 16 + j;
      for (int64_t i = 0; i < stop; ++i) o[i] = s[i * 16];
      o += stop;
      m += stop;
    }
  }
}

}  // namespace

void resample_avx512(const SwrFilter& f, const float* x, int64_t x_first, int64_t x_len, int64_t m0, int64_t n,
                     float* out) {
  if (n <= 0) return;
  if (f.Q >= 16) {
    across_periods(f, x, x_first, x_len, m0, n, out);
  } else {
    resample_impl::per_output<Ops>(f, x, x_first, m0, n, out);
  }
}

}  // namespace vxfast
