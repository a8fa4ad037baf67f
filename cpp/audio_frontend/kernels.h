#pragma once
// The per-frame kernels of the spectrogram, one set per SIMD level (common/simd.h): the spectrum
// (|X|^2 from av_tx's interleaved complex output) and the banded mel sums. The scalar versions are
// the reference the SIMD ones are tested against (tests/test_audio_frontend_simd.py); they differ
// only in float summation order.
#include <cstdint>

#include "audio_frontend/mel_bands.h"
#include "common/simd.h"

namespace vxfast::audio_frontend {

// power[k] = re[k]^2 + im[k]^2 for k < n (X interleaved re, im).
using PowerFn = void (*)(const float* X, int n, float* power);
// out[m] = sum_k weights[offset[m] + k] * spec[start[m] + k], k < count[m].
using BandsFn = void (*)(const BandsView& b, const float* spec, float* out);

struct Kernels {
  simd::Level level;  // what these kernels really use
  PowerFn power;
  BandsFn bands;
};

// The kernels for a level; NEON (and anything without x86 kernels) uses the scalar ones, which the
// compiler vectorises where it can.
Kernels select_kernels(simd::Level want);

void power_scalar(const float* X, int n, float* power);
void bands_scalar(const BandsView& b, const float* spec, float* out);
#if defined(__x86_64__) || defined(_M_X64)
void power_avx2(const float* X, int n, float* power);
void bands_avx2(const BandsView& b, const float* spec, float* out);
void power_avx512(const float* X, int n, float* power);
void bands_avx512(const BandsView& b, const float* spec, float* out);
#endif

}  // namespace vxfast::audio_frontend
