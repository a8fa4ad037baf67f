#pragma once
// The batched real FFT + |X|^2 and the batched banded mel sums (batch_fft.h), written once over a
// vector type. Included by kernels_scalar.cpp, kernels_avx2.cpp and kernels_avx512.cpp, each with
// its own Ops in an anonymous namespace (so every instantiation has internal linkage: no weak
// symbols in ISA objects; no std:: templates here for the same reason). Ops provides T (W lanes),
// load/store (unaligned), add, sub, mul, fmadd(a, b, c) = a * b + c, set1, zero and
// load_columns(p, stride, valid, cols): cols[c] lane j = p[j * stride + c] for c < valid, 0 for
// valid <= c < W (a W x W transpose; it reads nothing at or past c = valid).
//
// Layout: element e of a batch (a complex value, or a real one for spectra and mel values) keeps
// its kBatch lanes together: re at buf[2e * kBatch + lane], im at buf[(2e + 1) * kBatch + lane]; a
// kernel walks the lanes in groups of W.
#include <cstdint>

#include "audio_frontend/batch_fft.h"
#include "audio_frontend/mel_bands.h"

namespace vxfast::audio_frontend::batch_impl {

// One radix-R pass of the Stockham DIF FFT: with len = R m and stride s (s = product of the earlier
// radices), dst[q + s (R p + j)] = W_len^(j p) sum_k src[q + s (p + k m)] W_R^(j k).
template <class O, int R>
void stage(const float* src, float* dst, int m, int s, const float* tw, int g) {
  using T = typename O::T;
  auto re = [g](auto* b, int e) { return b + 2 * e * kBatch + g; };
  auto im = [g](auto* b, int e) { return b + (2 * e + 1) * kBatch + g; };
  for (int p = 0; p < m; ++p) {
    T wr[R], wi[R];
    for (int j = 1; j < R; ++j) {
      wr[j] = O::set1(tw[2 * (p * (R - 1) + j - 1)]);
      wi[j] = O::set1(tw[2 * (p * (R - 1) + j - 1) + 1]);
    }
    for (int q = 0; q < s; ++q) {
      T ar[R], ai[R], br[R], bi[R];
      for (int k = 0; k < R; ++k) {
        ar[k] = O::load(re(src, q + s * (p + k * m)));
        ai[k] = O::load(im(src, q + s * (p + k * m)));
      }
      if constexpr (R == 2) {
        br[0] = O::add(ar[0], ar[1]), bi[0] = O::add(ai[0], ai[1]);
        br[1] = O::sub(ar[0], ar[1]), bi[1] = O::sub(ai[0], ai[1]);
      } else if constexpr (R == 3) {
        const T c = O::set1(-0.5f), sn = O::set1(0.86602540378443865f);  // W_3 = c - i sn
        const T tr = O::add(ar[1], ar[2]), ti = O::add(ai[1], ai[2]);
        const T dr = O::sub(ar[1], ar[2]), di = O::sub(ai[1], ai[2]);
        const T mr = O::fmadd(c, tr, ar[0]), mi = O::fmadd(c, ti, ai[0]);
        br[0] = O::add(ar[0], tr), bi[0] = O::add(ai[0], ti);
        br[1] = O::fmadd(sn, di, mr), bi[1] = O::sub(mi, O::mul(sn, dr));  // m - i sn d
        br[2] = O::sub(mr, O::mul(sn, di)), bi[2] = O::fmadd(sn, dr, mi);  // m + i sn d
      } else if constexpr (R == 4) {
        const T t0r = O::add(ar[0], ar[2]), t0i = O::add(ai[0], ai[2]);
        const T t1r = O::sub(ar[0], ar[2]), t1i = O::sub(ai[0], ai[2]);
        const T t2r = O::add(ar[1], ar[3]), t2i = O::add(ai[1], ai[3]);
        const T t3r = O::sub(ar[1], ar[3]), t3i = O::sub(ai[1], ai[3]);
        br[0] = O::add(t0r, t2r), bi[0] = O::add(t0i, t2i);
        br[2] = O::sub(t0r, t2r), bi[2] = O::sub(t0i, t2i);
        br[1] = O::add(t1r, t3i), bi[1] = O::sub(t1i, t3r);  // t1 - i t3
        br[3] = O::sub(t1r, t3i), bi[3] = O::add(t1i, t3r);  // t1 + i t3
      } else {
        static_assert(R == 5, "radix 2, 3, 4 or 5");
        const T c1 = O::set1(0.30901699437494745f), c2 = O::set1(-0.8090169943749473f);  // cos(2 pi/5), cos(4 pi/5)
        const T s1 = O::set1(0.9510565162951535f), s2 = O::set1(0.5877852522924732f);   // sin(2 pi/5), sin(4 pi/5)
        const T t1r = O::add(ar[1], ar[4]), t1i = O::add(ai[1], ai[4]), t2r = O::add(ar[2], ar[3]), t2i = O::add(ai[2], ai[3]);
        const T t3r = O::sub(ar[1], ar[4]), t3i = O::sub(ai[1], ai[4]), t4r = O::sub(ar[2], ar[3]), t4i = O::sub(ai[2], ai[3]);
        const T b1r = O::fmadd(c2, t2r, O::fmadd(c1, t1r, ar[0])), b1i = O::fmadd(c2, t2i, O::fmadd(c1, t1i, ai[0]));
        const T b2r = O::fmadd(c1, t2r, O::fmadd(c2, t1r, ar[0])), b2i = O::fmadd(c1, t2i, O::fmadd(c2, t1i, ai[0]));
        const T d1r = O::fmadd(s2, t4r, O::mul(s1, t3r)), d1i = O::fmadd(s2, t4i, O::mul(s1, t3i));
        const T d2r = O::sub(O::mul(s2, t3r), O::mul(s1, t4r)), d2i = O::sub(O::mul(s2, t3i), O::mul(s1, t4i));
        br[0] = O::add(ar[0], O::add(t1r, t2r)), bi[0] = O::add(ai[0], O::add(t1i, t2i));
        br[1] = O::add(b1r, d1i), bi[1] = O::sub(b1i, d1r);  // b1 - i d1
        br[4] = O::sub(b1r, d1i), bi[4] = O::add(b1i, d1r);  // b1 + i d1
        br[2] = O::add(b2r, d2i), bi[2] = O::sub(b2i, d2r);
        br[3] = O::sub(b2r, d2i), bi[3] = O::add(b2i, d2r);
      }
      O::store(re(dst, q + s * R * p), br[0]);
      O::store(im(dst, q + s * R * p), bi[0]);
      for (int j = 1; j < R; ++j) {
        const int e = q + s * (R * p + j);
        O::store(re(dst, e), O::sub(O::mul(br[j], wr[j]), O::mul(bi[j], wi[j])));
        O::store(im(dst, e), O::fmadd(br[j], wi[j], O::mul(bi[j], wr[j])));
      }
    }
  }
}

// Power spectra of kBatch frames: frame j's sample t is in[j * stride + t] (* window[t] unless
// window is null) for t < L, 0 up to n. pw[k * kBatch + j], k <= n/2. work: 4 * (n/2) * kBatch floats.
template <class O>
void power_batch(const BatchFftView& pl, const float* in, int64_t stride, const float* window, int L, float* work,
                 float* pw) {
  using T = typename O::T;
  const int h = pl.h;
  for (int g = 0; g < kBatch; g += O::W) {
    float* src = work;
    float* dst = work + 2 * h * kBatch;
    const float* base = in + g * stride;
    // z[t/2] = x[2 (t/2)] + i x[2 (t/2) + 1]: sample t is element t/2, part t % 2, so the packed
    // input is the frames' samples transposed, W samples of W frames at a time.
    for (int t = 0; t < 2 * h; t += O::W) {
      T cols[O::W];
      const int cnt = 2 * h - t < O::W ? 2 * h - t : O::W;
      const int valid = L - t < 0 ? 0 : (L - t < cnt ? L - t : cnt);
      O::load_columns(base + t, stride, valid, cols);
      for (int c = 0; c < cnt; ++c) {
        T v = cols[c];
        if (window && c < valid) v = O::mul(v, O::set1(window[t + c]));
        O::store(src + (t + c) * kBatch + g, v);
      }
    }
    int len = h, s = 1;
    for (int st = 0; st < pl.n_stages; ++st) {
      const int r = pl.radix[st], m = len / r;
      switch (r) {
        case 2: stage<O, 2>(src, dst, m, s, pl.tw[st], g); break;
        case 3: stage<O, 3>(src, dst, m, s, pl.tw[st], g); break;
        case 4: stage<O, 4>(src, dst, m, s, pl.tw[st], g); break;
        default: stage<O, 5>(src, dst, m, s, pl.tw[st], g); break;
      }
      len = m;
      s *= r;
      float* t = src;
      src = dst;
      dst = t;
    }
    // X[k] = E[k] + W_n^k O[k], E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / 2i; |X|^2.
    const T half = O::set1(0.5f);
    {
      const T zr = O::load(src + g), zi = O::load(src + kBatch + g);
      const T a = O::add(zr, zi), b = O::sub(zr, zi);
      O::store(pw + g, O::mul(a, a));
      O::store(pw + h * kBatch + g, O::mul(b, b));
    }
    for (int k = 1; k < h; ++k) {
      const T ar = O::load(src + 2 * k * kBatch + g), ai = O::load(src + (2 * k + 1) * kBatch + g);
      const T br = O::load(src + 2 * (h - k) * kBatch + g), ci = O::load(src + (2 * (h - k) + 1) * kBatch + g);  // b = conj: bi = -ci
      const T er = O::mul(half, O::add(ar, br)), ei = O::mul(half, O::sub(ai, ci));
      const T orr = O::mul(half, O::add(ai, ci)), oi = O::mul(half, O::sub(br, ar));
      const T wr = O::set1(pl.split[2 * k]), wi = O::set1(pl.split[2 * k + 1]);
      const T xr = O::sub(O::fmadd(wr, orr, er), O::mul(wi, oi));
      const T xi = O::fmadd(wi, orr, O::fmadd(wr, oi, ei));
      O::store(pw + k * kBatch + g, O::fmadd(xr, xr, O::mul(xi, xi)));
    }
  }
}

// out[m * kBatch + j] = sum_k weights[offset[m] + k] * pw[(start[m] + k) * kBatch + j].
template <class O>
void bands_batch(const BandsView& b, const float* pw, float* out) {
  using T = typename O::T;
  for (int g = 0; g < kBatch; g += O::W)
    for (int m = 0; m < b.n_mels; ++m) {
      const float* w = b.weights + b.offset[m];
      const float* s = pw + static_cast<int64_t>(b.start[m]) * kBatch + g;
      T acc = O::zero();
      for (int k = 0; k < b.count[m]; ++k) acc = O::fmadd(O::set1(w[k]), O::load(s + k * kBatch), acc);
      O::store(out + m * kBatch + g, acc);
    }
}

}  // namespace vxfast::audio_frontend::batch_impl
