#include "audio_frontend/fft.h"

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/tx.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace vxfast::audio_frontend {

void AlignedFree::operator()(void* p) const { av_free(p); }

AlignedFloats aligned_floats(std::size_t n) {
  void* p = av_mallocz(n * sizeof(float) + 64);  // av_malloc aligns to the CPU's widest SIMD
  if (!p) throw std::bad_alloc();
  return AlignedFloats(static_cast<float*>(p));
}

namespace {

// Z[k + m q] = sum_r Y_r[k] W_p^(r q) for k < m, q < p (Y_r at y + 2 r m, complex interleaved).
template <int P>
void butterflies(const float* y, const float* wp, int m, float* z, int p_dyn = P) {
  const int p = P > 0 ? P : p_dyn;
  for (int k = 0; k < m; ++k)
    for (int q = 0; q < p; ++q) {
      float re = 0.f, im = 0.f;
      int e = 0;  // (r q) mod p, stepped instead of divided
      for (int r = 0; r < p; ++r) {
        const float* a = y + 2 * (r * m + k);
        const float* w = wp + 2 * e;
        re += a[0] * w[0] - a[1] * w[1];
        im += a[0] * w[1] + a[1] * w[0];
        e += q;
        if (e >= p) e -= p;
      }
      z[2 * (k + m * q)] = re;
      z[2 * (k + m * q) + 1] = im;
    }
}

// Radix 5 written out (Whisper's 400 = 2 * 5 * 40 lands here): 4 real multiplies per output pair
// instead of the general sum's 25 complex products per 5 outputs.
void butterflies5(const float* y, int m, float* z) {
  const float c1 = 0.30901699437494745f, c2 = -0.8090169943749473f;  // cos(2 pi/5), cos(4 pi/5)
  const float s1 = 0.9510565162951535f, s2 = 0.5877852522924732f;   // sin(2 pi/5), sin(4 pi/5)
  for (int k = 0; k < m; ++k) {
    const float* a0 = y + 2 * k;
    const float* a1 = a0 + 2 * m;
    const float* a2 = a1 + 2 * m;
    const float* a3 = a2 + 2 * m;
    const float* a4 = a3 + 2 * m;
    const float t1r = a1[0] + a4[0], t1i = a1[1] + a4[1], t2r = a2[0] + a3[0], t2i = a2[1] + a3[1];
    const float t3r = a1[0] - a4[0], t3i = a1[1] - a4[1], t4r = a2[0] - a3[0], t4i = a2[1] - a3[1];
    const float b1r = a0[0] + c1 * t1r + c2 * t2r, b1i = a0[1] + c1 * t1i + c2 * t2i;
    const float b2r = a0[0] + c2 * t1r + c1 * t2r, b2i = a0[1] + c2 * t1i + c1 * t2i;
    const float d1r = s1 * t3r + s2 * t4r, d1i = s1 * t3i + s2 * t4i;
    const float d2r = s2 * t3r - s1 * t4r, d2i = s2 * t3i - s1 * t4i;
    float* z0 = z + 2 * k;
    float* z1 = z0 + 2 * m;
    float* z2 = z1 + 2 * m;
    float* z3 = z2 + 2 * m;
    float* z4 = z3 + 2 * m;
    z0[0] = a0[0] + t1r + t2r;
    z0[1] = a0[1] + t1i + t2i;
    z1[0] = b1r + d1i;  // b1 - i d1
    z1[1] = b1i - d1r;
    z4[0] = b1r - d1i;  // b1 + i d1
    z4[1] = b1i + d1r;
    z2[0] = b2r + d2i;
    z2[1] = b2i - d2r;
    z3[0] = b2r - d2i;
    z3[1] = b2i + d2r;
  }
}

// X[k] = (Z[k] + conj Z[h-k]) / 2 + W_n^k (Z[k] - conj Z[h-k]) / 2i for k = 0..h: ~18 scalar
// instructions per bin, a third of the 400-point transform's own (non-av_tx) instructions; the
// reversed read Z[h-k] keeps baseline-ISA compilers from vectorising it.
void unpack_real(const float* __restrict z, const float* __restrict w, int h, float* __restrict out) {
  out[0] = z[0] + z[1];
  out[1] = 0.f;
  out[2 * h] = z[0] - z[1];
  out[2 * h + 1] = 0.f;
  for (int k = 1; k < h; ++k) {
    const float ar = z[2 * k], ai = z[2 * k + 1], br = z[2 * (h - k)], bi = -z[2 * (h - k) + 1];
    const float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
    const float or_ = 0.5f * (ai - bi), oi = -0.5f * (ar - br);
    const float wr = w[2 * k], wi = w[2 * k + 1];
    out[2 * k] = er + wr * or_ - wi * oi;
    out[2 * k + 1] = ei + wr * oi + wi * or_;
  }
}

}  // namespace

bool av_tx_friendly(int m) {
  if (m < 1) return false;
  while (m % 2 == 0) m /= 2;
  return m == 1 || m == 3 || m == 5 || m == 7 || m == 9 || m == 15;
}

bool rfft_direct(int n) { return n >= 2 && n % 4 == 0 && av_tx_friendly(n / 2); }

RealFft::RealFft(int n) : n_(n) {
  if (n < 2 || n % 2 != 0) throw std::invalid_argument("n_fft must be even and >= 2; got " + std::to_string(n));
  const int h = n / 2;
  // av_tx's real FFT needs n divisible by 4 (its n/2-point complex core is split again); other
  // lengths go through the packed complex path, p sub-FFTs of length m = h / p.
  if (!rfft_direct(n)) {
    p_ = h;  // worst case: one h x h DFT (m = 1), only for lengths with a large prime factor
    m_ = 1;
    for (int p = 1; p <= 64 && p < h; ++p)
      if (h % p == 0 && av_tx_friendly(h / p)) {
        p_ = p;
        m_ = h / p;
        break;
      }
  }
  const float scale = 1.0f;
  av_tx_fn fn = nullptr;
  int err = 0;
  if (!p_) err = av_tx_init(&ctx_, &fn, AV_TX_FLOAT_RDFT, 0, n, &scale, 0);
  else if (m_ > 1) err = av_tx_init(&ctx_, &fn, AV_TX_FLOAT_FFT, 0, m_, &scale, 0);
  if (err < 0 || (!ctx_ && (!p_ || m_ > 1)))
    throw std::invalid_argument("n_fft=" + std::to_string(n) + ": FFmpeg's av_tx cannot build this FFT");
  fn_ = fn;
  if (!p_) return;
  sub_in_ = aligned_floats(2 * static_cast<std::size_t>(h) + 16);
  sub_out_ = aligned_floats(2 * static_cast<std::size_t>(h) + 16);
  z_ = aligned_floats(2 * static_cast<std::size_t>(h) + 16);
  tw_.resize(2 * static_cast<std::size_t>(h));
  for (int r = 0; r < p_; ++r)
    for (int k = 0; k < m_; ++k) {
      const double a = -2.0 * M_PI * static_cast<double>((static_cast<long long>(r) * k) % h) / h;
      tw_[2 * (r * m_ + k)] = static_cast<float>(std::cos(a));
      tw_[2 * (r * m_ + k) + 1] = static_cast<float>(std::sin(a));
    }
  wp_.resize(2 * static_cast<std::size_t>(p_));
  for (int j = 0; j < p_; ++j) {
    wp_[2 * j] = static_cast<float>(std::cos(-2.0 * M_PI * j / p_));
    wp_[2 * j + 1] = static_cast<float>(std::sin(-2.0 * M_PI * j / p_));
  }
  split_.resize(2 * static_cast<std::size_t>(h + 1));
  for (int k = 0; k <= h; ++k) {
    split_[2 * k] = static_cast<float>(std::cos(-2.0 * M_PI * k / n));
    split_[2 * k + 1] = static_cast<float>(std::sin(-2.0 * M_PI * k / n));
  }
}

RealFft::~RealFft() { av_tx_uninit(&ctx_); }

void RealFft::forward(float* in, float* out) {
  if (!p_) {
    fn_(ctx_, out, in, sizeof(float));
    return;
  }
  const int h = n_ / 2, p = p_, m = m_;
  // z[t] = in[2t] + i in[2t+1]; sub-sequence r holds z[p j + r] at sub_in[r*m + j].
  float* si = sub_in_.get();
  float* so = sub_out_.get();
  for (int r = 0; r < p; ++r)
    for (int j = 0; j < m; ++j) {
      si[2 * (r * m + j)] = in[2 * (p * j + r)];
      si[2 * (r * m + j) + 1] = in[2 * (p * j + r) + 1];
    }
  if (m > 1)
    for (int r = 0; r < p; ++r) fn_(ctx_, so + 2 * r * m, si + 2 * r * m, sizeof(float) * 2);
  else
    for (int i = 0; i < 2 * p; ++i) so[i] = si[i];  // m = 1: the sub-FFTs are copies
  // Twiddle Y_r[k] *= W_h^(r k) (r = 0 is 1), then Z[k + m q] = sum_r Y_r[k] W_p^(r q).
  for (int r = 1; r < p; ++r)
    for (int k = 0; k < m; ++k) {
      float* y = so + 2 * (r * m + k);
      const float* w = tw_.data() + 2 * (r * m + k);
      const float re = y[0] * w[0] - y[1] * w[1], im = y[0] * w[1] + y[1] * w[0];
      y[0] = re;
      y[1] = im;
    }
  float* z = z_.get();
  switch (p) {  // a compile-time radix lets the compiler unroll the p x p sums
    case 1: std::memcpy(z, so, sizeof(float) * 2 * static_cast<std::size_t>(m)); break;
    case 2: butterflies<2>(so, wp_.data(), m, z); break;
    case 3: butterflies<3>(so, wp_.data(), m, z); break;
    case 4: butterflies<4>(so, wp_.data(), m, z); break;
    case 5: butterflies5(so, m, z); break;
    default: butterflies<0>(so, wp_.data(), m, z, p); break;
  }
  // Real spectrum from the half-length complex one: X[k] = E[k] + W_n^k O[k].
  unpack_real(z, split_.data(), h, out);
}

std::vector<std::complex<double>> reference_dft(const float* x, int n) {
  std::vector<std::complex<double>> X(n / 2 + 1);
  for (int k = 0; k <= n / 2; ++k) {
    double re = 0, im = 0;
    for (int t = 0; t < n; ++t) {
      // (k * t) mod n keeps the angle small, so the double sine stays exact to ~1e-16.
      const double a = -2.0 * M_PI * static_cast<double>((static_cast<long long>(k) * t) % n) / n;
      re += x[t] * std::cos(a);
      im += x[t] * std::sin(a);
    }
    X[k] = {re, im};
  }
  return X;
}

// Radix-2 real FFT: an n/2-point complex FFT of the even/odd pairs, then the usual split step.
Radix2Rfft::Radix2Rfft(int n) : n_(n) {
  if (n < 4 || (n & (n - 1)) != 0) throw std::invalid_argument("Radix2Rfft needs a power of two >= 4");
  const int h = n / 2;
  int bits = 0;
  while ((1 << bits) < h) ++bits;
  bitrev_.resize(h);
  for (int i = 0; i < h; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitrev_[i] = r;
  }
  tw_.resize(h + 2);
  for (int i = 0; i < h / 2; ++i) {
    tw_[2 * i] = static_cast<float>(std::cos(-2.0 * M_PI * i / h));
    tw_[2 * i + 1] = static_cast<float>(std::sin(-2.0 * M_PI * i / h));
  }
  half_tw_.resize(2 * h);
  for (int k = 0; k < h; ++k) {
    half_tw_[2 * k] = static_cast<float>(std::cos(-2.0 * M_PI * k / n));
    half_tw_[2 * k + 1] = static_cast<float>(std::sin(-2.0 * M_PI * k / n));
  }
  buf_.resize(2 * h);
}

void Radix2Rfft::forward(const float* in, float* out) {
  const int h = n_ / 2;
  float* z = buf_.data();
  for (int i = 0; i < h; ++i) {
    z[2 * bitrev_[i]] = in[2 * i];
    z[2 * bitrev_[i] + 1] = in[2 * i + 1];
  }
  for (int len = 2; len <= h; len <<= 1) {
    const int step = h / len, half = len / 2;
    for (int s = 0; s < h; s += len)
      for (int j = 0; j < half; ++j) {
        const float wr = tw_[2 * j * step], wi = tw_[2 * j * step + 1];
        float* a = z + 2 * (s + j);
        float* b = z + 2 * (s + j + half);
        const float br = b[0] * wr - b[1] * wi, bi = b[0] * wi + b[1] * wr;
        b[0] = a[0] - br;
        b[1] = a[1] - bi;
        a[0] += br;
        a[1] += bi;
      }
  }
  out[0] = z[0] + z[1];
  out[1] = 0.f;
  out[2 * h] = z[0] - z[1];
  out[2 * h + 1] = 0.f;
  for (int k = 1; k < h; ++k) {
    const float ar = z[2 * k], ai = z[2 * k + 1], br = z[2 * (h - k)], bi = -z[2 * (h - k) + 1];
    const float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi), or_ = 0.5f * (ai - bi), oi = -0.5f * (ar - br);
    const float wr = half_tw_[2 * k], wi = half_tw_[2 * k + 1];
    out[2 * k] = er + wr * or_ - wi * oi;
    out[2 * k + 1] = ei + wr * oi + wi * or_;
  }
}

}  // namespace vxfast::audio_frontend
