#include "track/kalman_xysr.h"

#include <cmath>
#include <utility>

namespace vxfast::track {

namespace {
constexpr double kR[4] = {1.0, 1.0, 10.0, 10.0};
constexpr double kQ[7] = {1.0, 1.0, 1.0, 1.0, 0.01, 0.01, 0.0001};

// 4x4 inverse by Gauss-Jordan with partial pivoting (S is symmetric positive definite).
void invert4(const double* a, double* inv) {
  double m[4][8];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) m[i][j] = j < 4 ? a[i * 4 + j] : (j - 4 == i ? 1.0 : 0.0);
  for (int c = 0; c < 4; ++c) {
    int p = c;
    for (int r = c + 1; r < 4; ++r)
      if (std::fabs(m[r][c]) > std::fabs(m[p][c])) p = r;
    if (p != c)
      for (int j = 0; j < 8; ++j) std::swap(m[p][j], m[c][j]);
    const double d = m[c][c];
    for (int j = 0; j < 8; ++j) m[c][j] /= d;
    for (int r = 0; r < 4; ++r) {
      if (r == c) continue;
      const double f = m[r][c];
      if (f == 0.0) continue;
      for (int j = 0; j < 8; ++j) m[r][j] -= f * m[c][j];
    }
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) inv[i * 4 + j] = m[i][j + 4];
}
}  // namespace

void KalmanXysr::init(const Vec4d& z) {
  x = {z[0], z[1], z[2], z[3], 0.0, 0.0, 0.0};
  P.fill(0.0);
  for (int i = 0; i < 7; ++i) P[i * 7 + i] = i >= 4 ? 10000.0 : 10.0;
  observed_ = saved_ = false;
  misses_ = 0;
}

void KalmanXysr::predict() {
  // x = F x, P = F P F' + Q with F the constant-velocity transition on (cx, cy, area).
  for (int i = 0; i < 3; ++i) x[i] += x[i + 4];
  double fp[49];
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) fp[i * 7 + j] = P[i * 7 + j] + (i < 3 ? P[(i + 4) * 7 + j] : 0.0);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) P[i * 7 + j] = fp[i * 7 + j] + (j < 3 ? fp[i * 7 + j + 4] : 0.0);
  for (int i = 0; i < 7; ++i) P[i * 7 + i] += kQ[i];
}

void KalmanXysr::correct(const Vec4d& z) {
  double s[16], si[16], k[28];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) s[i * 4 + j] = P[i * 7 + j] + (i == j ? kR[i] : 0.0);
  invert4(s, si);
  for (int i = 0; i < 7; ++i)  // K = P H' S^-1; H' selects P's first four columns
    for (int j = 0; j < 4; ++j) {
      double acc = 0.0;
      for (int q = 0; q < 4; ++q) acc += P[i * 7 + q] * si[q * 4 + j];
      k[i * 4 + j] = acc;
    }
  double y[4];
  for (int i = 0; i < 4; ++i) y[i] = z[i] - x[i];
  for (int i = 0; i < 7; ++i) {
    double acc = 0.0;
    for (int q = 0; q < 4; ++q) acc += k[i * 4 + q] * y[q];
    x[i] += acc;
  }
  // P = (I - K H) P (I - K H)' + K R K'
  double a[49], ap[49];
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) a[i * 7 + j] = (i == j ? 1.0 : 0.0) - (j < 4 ? k[i * 4 + j] : 0.0);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) {
      double acc = 0.0;
      for (int q = 0; q < 7; ++q) acc += a[i * 7 + q] * P[q * 7 + j];
      ap[i * 7 + j] = acc;
    }
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) {
      double acc = 0.0;
      for (int q = 0; q < 7; ++q) acc += ap[i * 7 + q] * a[j * 7 + q];
      double krk = 0.0;
      for (int q = 0; q < 4; ++q) krk += k[i * 4 + q] * kR[q] * k[j * 4 + q];
      P[i * 7 + j] = acc + krk;
    }
}

void KalmanXysr::miss() {
  if (observed_) {  // first miss after an observation: the state to re-update from
    saved_x = x;
    saved_P = P;
    saved_ = true;
  }
  observed_ = false;
  ++misses_;
}

bool KalmanXysr::observe(const Vec4d& z) {
  bool reupdated = false;
  if (!observed_ && saved_) {
    x = saved_x;
    P = saved_P;
    saved_ = false;
    const double gap = static_cast<double>(misses_ + 1);
    const int64_t steps = misses_ + 1;
    const double w1 = std::sqrt(last_z_[2] * last_z_[3]), h1 = std::sqrt(last_z_[2] / last_z_[3]);
    const double w2 = std::sqrt(z[2] * z[3]), h2 = std::sqrt(z[2] / z[3]);
    const double dx = (z[0] - last_z_[0]) / gap, dy = (z[1] - last_z_[1]) / gap;
    const double dw = (w2 - w1) / gap, dh = (h2 - h1) / gap;
    const Vec4d start = last_z_;
    for (int64_t i = 0; i < steps; ++i) {
      const double n = static_cast<double>(i + 1);
      const double w = w1 + n * dw, h = h1 + n * dh;
      const Vec4d v{start[0] + n * dx, start[1] + n * dy, w * h, w / h};
      correct(v);
      if (i != steps - 1) predict();
      last_z_ = v;  // the reference's history ends with the last virtual box, not the real one
    }
    reupdated = true;
  } else {
    last_z_ = z;
  }
  observed_ = true;
  misses_ = 0;
  correct(z);
  return reupdated;
}

}  // namespace vxfast::track
