#pragma once
// Constant-velocity Kalman filter over (cx, cy, aspect, h) and their velocities, one step per
// update, with the noise weights of ByteTrack / Ultralytics' KalmanFilterXYAH (position 1/20,
// velocity 1/160, relative to the box height). Doubles throughout, as the reference's numpy.
#include <array>

namespace vxfast::track {

struct KalmanState {
  std::array<double, 8> mean{};
  std::array<double, 64> cov{};  // row-major 8x8
};

// Measurement (cx, cy, a, h) -> state with zero velocity.
KalmanState kalman_initiate(const std::array<double, 4>& z);
// One time step. `zero_h_velocity` mirrors the reference: tracks that are not currently tracked
// predict with their height velocity set to 0.
void kalman_predict(KalmanState& s, bool zero_h_velocity);
// Correction with measurement (cx, cy, a, h).
void kalman_update(KalmanState& s, const std::array<double, 4>& z);

}  // namespace vxfast::track
