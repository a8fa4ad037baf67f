// AVX-512 VBMI tap fetch of the YUV horizontal pass. Built with AVX-512 + VBMI flags by
// cmake/simd.cmake; select_kernels() calls it only where the CPU reports VBMI.
#include "preprocess/kernels_lanes.inc"

namespace {

// When the taps of 16 columns fall in a 64-byte window (downscales up to ~4x, e.g. 1080p -> 640),
// one masked load + vpermb per plane replaces each gather; gathers are microcoded (and slower still
// under the GDS mitigation), and were most of this kernel's time. The load's mask covers only bytes
// up to the last tap, so it never touches memory the gather would not.
inline __m512i bytes_at(__m512i window, __m512i idx) {
  return _mm512_maskz_permutexvar_epi8(0x1111111111111111ULL, idx, window);  // zero-extended
}

inline YuvTaps<Lanes512> yuv_taps_permute(const uint8_t* y, const uint8_t* u, const uint8_t* v,
                                          bool nv12, __m512i x0, __m512i x1, int base, int last) {
  YuvTaps<Lanes512> p;
  const __mmask64 ym = ~0ULL >> (63 - (last - base));
  __m512i wy = _mm512_maskz_loadu_epi8(ym, y + base);
  __m512i b = _mm512_set1_epi32(base);
  p.y0 = _mm512_cvtepi32_ps(bytes_at(wy, _mm512_sub_epi32(x0, b)));
  p.y1 = _mm512_cvtepi32_ps(bytes_at(wy, _mm512_sub_epi32(x1, b)));
  const int cb = base >> 1, cl = last >> 1;
  __m512i c0 = _mm512_sub_epi32(_mm512_srli_epi32(x0, 1), _mm512_set1_epi32(cb));
  __m512i c1 = _mm512_sub_epi32(_mm512_srli_epi32(x1, 1), _mm512_set1_epi32(cb));
  if (nv12) {  // byte 2c is U, 2c + 1 is V
    const __mmask64 cm = ~0ULL >> (63 - (2 * (cl - cb) + 1));
    __m512i wc = _mm512_maskz_loadu_epi8(cm, u + 2 * cb);
    c0 = _mm512_add_epi32(c0, c0), c1 = _mm512_add_epi32(c1, c1);
    const __m512i one = _mm512_set1_epi32(1);
    p.u0 = _mm512_cvtepi32_ps(bytes_at(wc, c0));
    p.v0 = _mm512_cvtepi32_ps(bytes_at(wc, _mm512_add_epi32(c0, one)));
    p.u1 = _mm512_cvtepi32_ps(bytes_at(wc, c1));
    p.v1 = _mm512_cvtepi32_ps(bytes_at(wc, _mm512_add_epi32(c1, one)));
  } else {
    const __mmask64 cm = ~0ULL >> (63 - (cl - cb));
    __m512i wu = _mm512_maskz_loadu_epi8(cm, u + cb), wv = _mm512_maskz_loadu_epi8(cm, v + cb);
    p.u0 = _mm512_cvtepi32_ps(bytes_at(wu, c0)), p.v0 = _mm512_cvtepi32_ps(bytes_at(wv, c0));
    p.u1 = _mm512_cvtepi32_ps(bytes_at(wu, c1)), p.v1 = _mm512_cvtepi32_ps(bytes_at(wv, c1));
  }
  return p;
}

}  // namespace

namespace vxfast {

void hpass_yuv_avx512vbmi(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step,
                          const HTaps& t, const YuvCoeffs& k, float* const out[3]) {
  const bool nv12 = uv_step == 2;
  int i = 0;
  for (; i + 16 <= t.n; i += 16) {
    __m512i x0 = _mm512_loadu_si512(t.x0 + i), x1 = _mm512_loadu_si512(t.x1 + i);
    // Taps ascend, so the block's window is [x0[i], x1[i + 15]]; NV12's chroma spans twice that.
    const int base = t.x0[i], last = t.x1[i + 15];
    const bool fits = last - base < (nv12 ? 62 : 64);
    YuvTaps<Lanes512> p;
    if (fits) {
      p = yuv_taps_permute(y, u, v, nv12, x0, x1, base, last);
    } else if (i + 16 <= t.n_safe) {
      p = yuv_taps_gather<Lanes512>(reinterpret_cast<const int*>(y), reinterpret_cast<const int*>(u),
                                    reinterpret_cast<const int*>(v), nv12, x0, x1);
    } else {
      break;
    }
    yuv_store<Lanes512>(k, p, _mm512_loadu_ps(t.w + i), i, out);
  }
  hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, i);
}

}  // namespace vxfast
