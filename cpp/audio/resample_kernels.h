#pragma once
// The polyphase resampling kernel (one per SIMD level, common/simd.h) and the downmix. The scalar
// kernel is the reference the SIMD ones are tested against (tests/test_audio_resample.py); they
// differ only in float summation order.
#include <cstdint>

#include "audio/swr_filter.h"
#include "common/simd.h"

namespace vxfast {

// Outputs m0 .. m0 + n - 1 of filter f into out: out[i] = sum_t w[m mod Q][t] * x[idx(m) + t]
// with idx(m) = floor(m P / Q) + offset - x_first, i.e. x[0] is input sample x_first, and x holds
// x_len samples. The caller guarantees every window of these outputs lies inside x; a kernel may
// compute neighbouring outputs too (reading zeros for what lies outside x) and drop them.
using ResampleFn = void (*)(const SwrFilter& f, const float* x, int64_t x_first, int64_t x_len, int64_t m0,
                            int64_t n, float* out);

struct ResampleKernel {
  simd::Level level;  // what it really uses
  ResampleFn run;
};
ResampleKernel select_resample_kernel(simd::Level want);

void resample_scalar(const SwrFilter& f, const float* x, int64_t x_first, int64_t x_len, int64_t m0, int64_t n,
                     float* out);
#if defined(__x86_64__) || defined(_M_X64)
void resample_avx2(const SwrFilter& f, const float* x, int64_t x_first, int64_t x_len, int64_t m0, int64_t n,
                   float* out);
void resample_avx512(const SwrFilter& f, const float* x, int64_t x_first, int64_t x_len, int64_t m0, int64_t n,
                     float* out);
#endif

// out[i] = sum_c coef[c] * in[c][i], in channel order, as libswresample's float rematrix computes
// it (separate multiplies and adds: this file is built for the baseline ISA, so no FMA contracts
// them and the sum is bit-identical).
void downmix(const float* const* in, int channels, const float* coef, int64_t n, float* out);

}  // namespace vxfast
