#pragma once
// OC-SORT (motion only, IoU cost) over per-frame detections, one object per stream with its own ID
// counter. Reproduces the reference algorithm (noahcao/OC_SORT, through tests/ocsort_reference.py):
// first round on IoU plus the momentum cost (OCM), an optional BYTE round of low-score boxes against
// the unmatched tracks' predictions, the recovery round (OCR) of the unmatched tracks' last
// observations against the unmatched detections, re-update on re-association (ORU, in KalmanXysr),
// min_hits / max_age, and the same order of new IDs and output rows.
// Not thread-safe: one thread updates a tracker at a time; separate trackers are independent.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "track/dense_lapjv.h"
#include "track/detection_input.h"
#include "track/kalman_xysr.h"

namespace vxfast::track {

struct OcSortParams {
  double det_thresh = 0.6;  // OC-SORT's --track_thresh
  int max_age = 30;         // frames (at frame_rate) a track lives unmatched
  int min_hits = 3;
  double iou_threshold = 0.3;
  int delta_t = 3;
  double inertia = 0.2;
  bool use_byte = false;
  double low_thresh = 0.1;  // lower score bound of the BYTE round (fixed 0.1 in the reference)
  double frame_rate = 30.0;
};

struct OcSortStats {
  int64_t oru = 0;   // re-updates after a gap
  int64_t ocr = 0;   // tracks recovered from their last observation
  int64_t byte = 0;  // tracks matched to low-score boxes
};

class OcSortTracker {
 public:
  explicit OcSortTracker(const OcSortParams& p);
  ~OcSortTracker();
  OcSortTracker(const OcSortTracker&) = delete;
  OcSortTracker& operator=(const OcSortTracker&) = delete;

  // One frame; `t` in seconds is optional (max_age then counts time at frame_rate; the filter still
  // steps once per call). Throws std::invalid_argument for bad rows or a time going backwards.
  void update(const DetectionsView& dets, std::optional<double> t, std::vector<float>& out);
  void reset();

  const OcSortParams& params() const { return p_; }
  int64_t frame_count() const { return frame_count_; }
  int64_t ids_issued() const { return next_id_; }
  const OcSortStats& stats() const { return stats_; }

  struct Track;
  struct Det {
    double box[5];  // x1, y1, x2, y2, score
    float cls;
    int64_t row;
  };

 private:
  // lap.lapjv(cost, extend_cost=True) pairs (row, col) in row order.
  void lap_pairs(const std::vector<double>& cost, int rows, int cols, std::vector<std::pair<int, int>>& pairs);
  // A rescue round (BYTE / OCR) of rows (dets) against boxes of tracks `cand`; returns false when the
  // best IoU does not pass the threshold (the lists are then left as they are).
  bool rescue(const std::vector<const Det*>& rows, const std::vector<std::array<double, 4>>& boxes,
              std::vector<int>& row_ids, std::vector<int>& cand, int64_t& counter);
  void track_update(Track& t, const Det& d);

  OcSortParams p_;
  int64_t frame_count_ = 0, next_id_ = 0, now_ = 0;
  std::vector<std::unique_ptr<Track>> tracks_;
  OcSortStats stats_;
  DenseLapjv lap_;
  std::vector<double> iou_, cost_;
  std::vector<int> x_;
};

}  // namespace vxfast::track
