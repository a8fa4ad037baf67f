#pragma once
// The per-frame kernels of the spectrogram, one set per SIMD level (common/simd.h): the spectrum
// (|X|^2 from av_tx's interleaved complex output), the banded mel sums and the log. The scalar
// versions are the reference the SIMD ones are tested against (tests/test_audio_frontend_simd.py,
// tests/cpp/test_audio_frontend.cpp); power and bands differ only in float summation order, the log
// by its polynomial (see LogFn).
#include <cstdint>

#include "audio_frontend/batch_fft.h"
#include "audio_frontend/mel_bands.h"
#include "common/simd.h"

namespace vxfast::audio_frontend {

// power[k] = re[k]^2 + im[k]^2 for k < n (X interleaved re, im).
using PowerFn = void (*)(const float* X, int n, float* power);
// out[m] = sum_k weights[offset[m] + k] * spec[start[m] + k], k < count[m].
using BandsFn = void (*)(const BandsView& b, const float* spec, float* out);

// out = mul * log_base(max(v, floor) + offset), base 10 or e (1).
struct LogParams {
  int base = 10;
  float mul = 1.f, floor = 0.f, offset = 0.f;
};
// v[i] = the log above, in place, for i < n; returns the largest result (-inf for n == 0). The scalar
// reference calls libm's log10f/logf per value (~30 ns each with glibc: log10f calls logf). The SIMD
// versions compute ln(m 2^e) = e ln2 + 2 atanh((m-1)/(m+1)) with m in [sqrt(1/2), sqrt(2)), the atanh
// series to s^9 (truncation < 1e-9), summed as e log_b(2) + ln(m) / ln(b), times mul; measured against the
// log in double over every 251st positive float: <= 3 ulp (libm: 2; tests/cpp/test_audio_frontend.cpp).
// Zero, subnormal, infinite and NaN inputs take the reference's value.
using LogFn = float (*)(float* v, int n, const LogParams& p);

// kBatch frames at once (batch_fft.h): power spectra pw[k * kBatch + j] of frames whose sample t
// is in[j * stride + t] (* window[t] unless null) for t < L, zeros up to the plan's n; work holds
// 4 * (n/2) * kBatch floats. The scalar version (the same template, one lane) is the reference.
using PowerBatchFn = void (*)(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L,
                              float* work, float* pw);
// Banded mel sums of kBatch spectra: out[m * kBatch + j] from pw[k * kBatch + j].
using BandsBatchFn = void (*)(const BandsView& b, const float* pw, float* out);

struct Kernels {
  simd::Level level;  // what these kernels really use
  PowerFn power;
  BandsFn bands;
  LogFn log;
  PowerBatchFn power_batch;
  BandsBatchFn bands_batch;
};

// The kernels for a level; NEON (and anything without x86 kernels) uses the scalar ones, which the
// compiler vectorises where it can.
Kernels select_kernels(simd::Level want);

void power_scalar(const float* X, int n, float* power);
void bands_scalar(const BandsView& b, const float* spec, float* out);
float log_scalar(float* v, int n, const LogParams& p);
void power_batch_scalar(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L, float* work,
                   float* pw);
void bands_batch_scalar(const BandsView& b, const float* pw, float* out);
// One value of the reference log (the SIMD kernels' path for zero, subnormal, inf and NaN lanes).
float log_one(float v, const LogParams& p);
#if defined(__x86_64__) || defined(_M_X64)
void power_avx2(const float* X, int n, float* power);
void bands_avx2(const BandsView& b, const float* spec, float* out);
float log_avx2(float* v, int n, const LogParams& p);
void power_batch_avx2(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L, float* work,
                   float* pw);
void bands_batch_avx2(const BandsView& b, const float* pw, float* out);
void power_avx512(const float* X, int n, float* power);
void bands_avx512(const BandsView& b, const float* spec, float* out);
float log_avx512(float* v, int n, const LogParams& p);
void power_batch_avx512(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L, float* work,
                   float* pw);
void bands_batch_avx512(const BandsView& b, const float* pw, float* out);
#endif

}  // namespace vxfast::audio_frontend
