#pragma once
// OC-SORT's Kalman filter: 7 states (cx, cy, area, aspect, and velocities of the first three),
// SORT's noise values, Joseph-form update, and the observation-centric re-update (ORU): the state
// at the first missed frame is kept, and when an observation comes back the filter restarts from it
// over virtual boxes interpolated (cx, cy, w, h linear) from the last observation to the new one.
// Same arithmetic order as the reference (tests/ocsort_reference.py, itself checked against
// noahcao/OC_SORT's kalmanfilter.py).
#include <array>
#include <cstdint>

namespace vxfast::track {

using Vec4d = std::array<double, 4>;

class KalmanXysr {
 public:
  // z: (cx, cy, area, aspect) of the first box.
  void init(const Vec4d& z);
  void predict();
  // A missed frame (the reference's update(None)).
  void miss();
  // An observation; runs the re-update first when the track had missed frames after being
  // observed. Returns true when it did.
  bool observe(const Vec4d& z);

  std::array<double, 7> x{};

 private:
  void correct(const Vec4d& z);
  std::array<double, 49> P{};
  std::array<double, 7> saved_x{};
  std::array<double, 49> saved_P{};
  bool observed_ = false, saved_ = false;
  int64_t misses_ = 0;  // missed frames since the last observation
  Vec4d last_z_{};      // the last observation as the filter's history holds it
};

}  // namespace vxfast::track
