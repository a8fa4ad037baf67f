#pragma once
// Lane-width traits for kernels written once and built twice: a kernel body is a template over
// `V`, and the _avx2.cpp / _avx512.cpp translation units instantiate it with Lanes256 / Lanes512.
// Only for ISA translation units (cmake/simd.cmake gives them their -m flags): each struct exists
// only when the file's flags allow its instructions. Everything is in an anonymous namespace, so
// no inline function compiled with AVX-512 flags can be shared with (and picked by the linker for)
// baseline code; scripts/check_isa_objects.sh checks the objects for such weak symbols.
//
// Operations are named after what the kernels need, each one instruction (or a fixed short
// sequence) per ISA; where the two ISAs differ in a way that changes results (e.g. rsqrt
// precision), the op says so and each kernel keeps its ISA's historic behaviour.
#include <immintrin.h>

#include <cstdint>

namespace {

#if defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
struct Lanes256 {
  static constexpr int N = 8;     // float / int32 lanes
  static constexpr int N16 = 16;  // int16 lanes
  using F = __m256;
  using I = __m256i;
  using M = __m256;  // compare result: all-ones lanes

  // float
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F loadu(const float* p) { return _mm256_loadu_ps(p); }
  static F load(const float* p) { return _mm256_load_ps(p); }
  static void storeu(float* p, F v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, F v) { _mm256_store_ps(p, v); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }  // a < b ? a : b
  static F max(F a, F b) { return _mm256_max_ps(a, b); }  // a > b ? a : b
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F cvt(I v) { return _mm256_cvtepi32_ps(v); }
  static I cvt_round(F v) { return _mm256_cvtps_epi32(v); }

  // masks
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M gt_and(M m, F a, F b) { return _mm256_and_ps(m, _mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
  static bool any(M m) { return _mm256_movemask_ps(m) != 0; }
  static bool all_zero(F w) { return _mm256_movemask_ps(_mm256_cmp_ps(w, zero(), _CMP_NEQ_OQ)) == 0; }

  // int32
  static I loadu_i(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
  static void store_i(void* p, I v) { _mm256_store_si256(static_cast<__m256i*>(p), v); }
  static void storeu_i(void* p, I v) { _mm256_storeu_si256(static_cast<__m256i*>(p), v); }
  static I set1_i(int32_t v) { return _mm256_set1_epi32(v); }
  static I add_i(I a, I b) { return _mm256_add_epi32(a, b); }
  static I sub_i(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I and_i(I a, I b) { return _mm256_and_si256(a, b); }
  template <int S> static I srli(I v) { return _mm256_srli_epi32(v, S); }
  template <int S> static I slli(I v) { return _mm256_slli_epi32(v, S); }
  static I srlv(I v, I s) { return _mm256_srlv_epi32(v, s); }
  // 4 bytes at base + idx[k] (byte offsets) per lane.
  static I gather(const int* base, I idx) { return _mm256_i32gather_epi32(base, idx, 1); }
  static int64_t reduce_add_i(I v) {
    alignas(32) int32_t l[8];
    store_i(l, v);
    int64_t t = 0;
    for (int32_t x : l) t += x;
    return t;
  }
  // Lane sum in double, lane by lane in order.
  static double reduce_add(F v) {
    alignas(32) float l[8];
    store(l, v);
    double t = 0;
    for (float f : l) t += f;
    return t;
  }

  // Output conversions: N halves / N saturated bytes.
  static void store_f16(uint16_t* p, F v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  static void store_f16_aligned(uint16_t* p, F v) {
    _mm_store_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  static void store_u8(uint8_t* p, I q) {  // q in 0..255
    const __m128i w16 = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(w16, w16));
  }

  // int16 (N16 lanes)
  static I widen_u8(const uint8_t* p) {  // N16 bytes -> int16 lanes
    return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I set1_i16(int16_t v) { return _mm256_set1_epi16(v); }
  static I add_i16(I a, I b) { return _mm256_add_epi16(a, b); }
  static I sub_i16(I a, I b) { return _mm256_sub_epi16(a, b); }
  template <int S> static I slli_i16(I v) { return _mm256_slli_epi16(v, S); }
  static I madd_i16(I a, I b) { return _mm256_madd_epi16(a, b); }
  static I unpacklo_i16(I a, I b) { return _mm256_unpacklo_epi16(a, b); }
  static I unpackhi_i16(I a, I b) { return _mm256_unpackhi_epi16(a, b); }
  // first_i16(n) (0 < n < N16) then keep_i16(k, v): v's int16 lanes below n, the rest zeroed.
  using K16 = __m256i;
  static K16 first_i16(int n) {
    // A window into N16 all-ones then N16 zeros.
    alignas(32) static constexpr int16_t kWindow[32] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                        -1, -1, -1, -1, -1, -1, -1, -1};
    return loadu_i(kWindow + 16 - n);
  }
  static I keep_i16(K16 k, I v) { return _mm256_and_si256(v, k); }
  // sqrt(x) for int32 lanes x >= 0 as 2 * acc increments: x * rsqrt(x) refined by one Newton step
  // (~23 bits from rsqrtps' 12), folded as t * (3 - t * y0) with t = x * y0 (vsqrtps is a
  // 6-cycle-throughput instruction). x = 0 masks y0 to 0, so zero gradients add exact zeros.
  static F add_sqrt_x2(F acc, I g2) {
    const F x = cvt(g2);
    const F y0 = _mm256_and_ps(_mm256_rsqrt_ps(x), _mm256_cmp_ps(x, zero(), _CMP_GT_OQ));
    const F t = mul(x, y0);
    return fmadd(t, fnmadd(t, y0, set1(3.0f)), acc);
  }
};
#endif

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
struct Lanes512 {
  static constexpr int N = 16;
  static constexpr int N16 = 32;
  using F = __m512;
  using I = __m512i;
  using M = __mmask16;

  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F loadu(const float* p) { return _mm512_loadu_ps(p); }
  static F load(const float* p) { return _mm512_load_ps(p); }
  static void storeu(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, F v) { _mm512_store_ps(p, v); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F cvt(I v) { return _mm512_cvtepi32_ps(v); }
  static I cvt_round(F v) { return _mm512_cvtps_epi32(v); }

  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M gt_and(M m, F a, F b) { return _mm512_mask_cmp_ps_mask(m, a, b, _CMP_GT_OQ); }
  static bool any(M m) { return m != 0; }
  static bool all_zero(F w) { return _mm512_cmp_ps_mask(w, zero(), _CMP_NEQ_OQ) == 0; }

  static I loadu_i(const void* p) { return _mm512_loadu_si512(p); }
  static void store_i(void* p, I v) { _mm512_store_si512(p, v); }
  static void storeu_i(void* p, I v) { _mm512_storeu_si512(p, v); }
  static I set1_i(int32_t v) { return _mm512_set1_epi32(v); }
  static I add_i(I a, I b) { return _mm512_add_epi32(a, b); }
  static I sub_i(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I and_i(I a, I b) { return _mm512_and_si512(a, b); }
  template <int S> static I srli(I v) { return _mm512_srli_epi32(v, S); }
  template <int S> static I slli(I v) { return _mm512_slli_epi32(v, S); }
  static I srlv(I v, I s) { return _mm512_srlv_epi32(v, s); }
  static I gather(const int* base, I idx) { return _mm512_i32gather_epi32(idx, base, 1); }
  static int64_t reduce_add_i(I v) { return _mm512_reduce_add_epi32(v); }
  // Lane sum in float (the reduction tree), then widened.
  static double reduce_add(F v) { return static_cast<double>(_mm512_reduce_add_ps(v)); }

  static void store_f16(uint16_t* p, F v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  static void store_f16_aligned(uint16_t* p, F v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  static void store_u8(uint8_t* p, I q) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtusepi32_epi8(q));
  }

  static I widen_u8(const uint8_t* p) {
    return _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static I set1_i16(int16_t v) { return _mm512_set1_epi16(v); }
  static I add_i16(I a, I b) { return _mm512_add_epi16(a, b); }
  static I sub_i16(I a, I b) { return _mm512_sub_epi16(a, b); }
  template <int S> static I slli_i16(I v) { return _mm512_slli_epi16(v, S); }
  static I madd_i16(I a, I b) { return _mm512_madd_epi16(a, b); }
  static I unpacklo_i16(I a, I b) { return _mm512_unpacklo_epi16(a, b); }
  static I unpackhi_i16(I a, I b) { return _mm512_unpackhi_epi16(a, b); }
  using K16 = __mmask32;
  static K16 first_i16(int n) { return __mmask32((1u << n) - 1); }
  static I keep_i16(K16 k, I v) { return _mm512_maskz_mov_epi16(k, v); }
  // As Lanes256::add_sqrt_x2 with rsqrt14 (14 bits before the Newton step: full float precision;
  // vsqrtps zmm has a 12-cycle throughput).
  static F add_sqrt_x2(F acc, I g2) {
    const F x = cvt(g2);
    const F y0 = _mm512_maskz_rsqrt14_ps(_mm512_test_epi32_mask(g2, g2), x);
    const F t = mul(x, y0);
    return fmadd(t, fnmadd(t, y0, set1(3.0f)), acc);
  }
};
#endif

}  // namespace
