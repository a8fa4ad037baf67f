#include "track/kalman_xyah.h"

#include <cmath>
#include <utility>

namespace vxfast::track {
namespace {

constexpr double kStdPos = 1.0 / 20;
constexpr double kStdVel = 1.0 / 160;

// Solves S * X = B for X (4 x 8) with S 4x4, by LU with partial pivoting (as LAPACK's gesv).
void solve4(std::array<double, 16> s, std::array<double, 32>& b) {
  for (int k = 0; k < 4; ++k) {
    int p = k;
    for (int i = k + 1; i < 4; ++i)
      if (std::fabs(s[i * 4 + k]) > std::fabs(s[p * 4 + k])) p = i;
    if (p != k) {
      for (int j = 0; j < 4; ++j) std::swap(s[k * 4 + j], s[p * 4 + j]);
      for (int j = 0; j < 8; ++j) std::swap(b[k * 8 + j], b[p * 8 + j]);
    }
    const double piv = s[k * 4 + k];
    for (int i = k + 1; i < 4; ++i) {
      const double l = s[i * 4 + k] / piv;
      s[i * 4 + k] = l;
      for (int j = k + 1; j < 4; ++j) s[i * 4 + j] -= l * s[k * 4 + j];
      for (int j = 0; j < 8; ++j) b[i * 8 + j] -= l * b[k * 8 + j];
    }
  }
  for (int k = 3; k >= 0; --k) {
    for (int j = 0; j < 8; ++j) {
      double v = b[k * 8 + j];
      for (int i = k + 1; i < 4; ++i) v -= s[k * 4 + i] * b[i * 8 + j];
      b[k * 8 + j] = v / s[k * 4 + k];
    }
  }
}

}  // namespace

KalmanState kalman_initiate(const std::array<double, 4>& z) {
  KalmanState s;
  for (int i = 0; i < 4; ++i) s.mean[i] = z[i];
  const double h = z[3];
  const double std[8] = {2 * kStdPos * h, 2 * kStdPos * h, 1e-2, 2 * kStdPos * h,
                         10 * kStdVel * h, 10 * kStdVel * h, 1e-5, 10 * kStdVel * h};
  for (int i = 0; i < 8; ++i) s.cov[i * 9] = std[i] * std[i];
  return s;
}

void kalman_predict(KalmanState& s, bool zero_h_velocity) {
  auto& m = s.mean;
  auto& c = s.cov;
  if (zero_h_velocity) m[7] = 0;
  const double h = m[3];
  const double std[8] = {kStdPos * h, kStdPos * h, 1e-2, kStdPos * h,
                         kStdVel * h, kStdVel * h, 1e-5, kStdVel * h};
  for (int i = 0; i < 4; ++i) m[i] = m[i] + m[i + 4];
  // F P F^T with F = [[I, I], [0, I]]: rows first, then columns, each a single exact-order sum.
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) c[i * 8 + j] = c[i * 8 + j] + c[(i + 4) * 8 + j];
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) c[i * 8 + j] = c[i * 8 + j] + c[i * 8 + j + 4];
  for (int i = 0; i < 8; ++i) c[i * 9] += std[i] * std[i];
}

void kalman_update(KalmanState& s, const std::array<double, 4>& z) {
  auto& m = s.mean;
  auto& c = s.cov;
  const double h = m[3];
  const double r[4] = {kStdPos * h, kStdPos * h, 1e-1, kStdPos * h};
  std::array<double, 16> S;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) S[i * 4 + j] = c[i * 8 + j] + (i == j ? r[i] * r[i] : 0.0);
  // K^T (4 x 8) solves S K^T = (P H^T)^T = P[:4, :].
  std::array<double, 32> kt;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) kt[i * 8 + j] = c[i * 8 + j];
  solve4(S, kt);
  double innov[4];
  for (int k = 0; k < 4; ++k) innov[k] = z[k] - m[k];
  for (int i = 0; i < 8; ++i) {
    double acc = 0;
    for (int k = 0; k < 4; ++k) acc += innov[k] * kt[k * 8 + i];
    m[i] += acc;
  }
  // P - K S K^T, as K (S K^T).
  double skt[32];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) {
      double acc = 0;
      for (int k = 0; k < 4; ++k) acc += S[i * 4 + k] * kt[k * 8 + j];
      skt[i * 8 + j] = acc;
    }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      double acc = 0;
      for (int k = 0; k < 4; ++k) acc += kt[k * 8 + i] * skt[k * 8 + j];
      c[i * 8 + j] -= acc;
    }
}

}  // namespace vxfast::track
