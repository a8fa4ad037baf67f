#pragma once
// ByteTrack over per-frame detections, one object per stream with its own ID counter.
// With the default parameters it reproduces Ultralytics' BYTETracker (8.4, bytetrack.yaml) step
// by step, including its list bookkeeping (a lost track past the buffer lingers one frame in the
// lost pool and can still be re-found there; removed IDs are remembered for the last 1000
// removals). The options cover where the original ByteTrack differs (docs/tracking.md).
// Not thread-safe: one thread updates a tracker at a time; separate trackers are independent.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "track/box_overlap.h"
#include "track/detection_input.h"
#include "track/iou.h"
#include "track/kalman_xyah.h"
#include "track/linear_assignment.h"
#include "track/sparse_assignment.h"

namespace vxfast::track {

struct ByteTrackParams {
  double track_high_thresh = 0.25;
  double track_low_thresh = 0.1;
  double new_track_thresh = 0.25;
  int track_buffer = 30;
  double match_thresh = 0.8;
  bool fuse_score = true;
  // Ultralytics puts score == track_high_thresh into the first stage; the original drops it.
  bool high_thresh_inclusive = true;
  // Original ByteTrack keeps lost tracks int(frame_rate / 30 * track_buffer) frames; Ultralytics
  // keeps them track_buffer frames at any frame rate.
  bool scale_buffer_by_frame_rate = false;
  double frame_rate = 30.0;
};

// A frame's clock in millionths of a frame, so ages compare exactly.
using Ticks = int64_t;
constexpr Ticks kTicksPerFrame = 1000000;

class ByteTracker {
 public:
  explicit ByteTracker(const ByteTrackParams& p);
  ~ByteTracker();
  ByteTracker(const ByteTracker&) = delete;
  ByteTracker& operator=(const ByteTracker&) = delete;

  // One frame. `t` (seconds) is optional; without it the clock advances one frame. Throws
  // std::invalid_argument for bad rows or a time before the previous one (state unchanged).
  // `out` gets rows of kOutputColumns for the confirmed tracks of this frame.
  void update(const DetectionsView& dets, std::optional<double> t, std::vector<float>& out);
  void reset();

  const ByteTrackParams& params() const { return p_; }
  int64_t frame_count() const { return frame_count_; }
  int64_t ids_issued() const { return next_id_; }

  struct Track;

 private:
  Track* alloc();
  void track_update(Track& t, const Track& det);
  void track_reactivate(Track& t, const Track& det);
  // Assignment of `rows` to `cols` on the IoU distance (score-fused if asked); fills matches
  // (row, col) in row order and the unmatched rows / cols.
  void associate(const std::vector<Track*>& rows, const std::vector<Track*>& cols, bool fuse, double limit,
                 std::vector<std::pair<int, int>>& matches, std::vector<int>& u_rows, std::vector<int>& u_cols);
  void merge(std::vector<Track*>& activated, std::vector<Track*>& refind, std::vector<Track*>& lost,
             std::vector<Track*>& removed);

  ByteTrackParams p_;
  Ticks max_lost_ticks_;
  int64_t frame_count_ = 0;
  Ticks now_ = 0;
  int64_t next_id_ = 0;
  std::vector<Track*> tracked_, lost_;
  std::deque<int64_t> removed_ids_;
  std::unordered_map<int64_t, int> removed_count_;

  // Track storage: every Track lives in store_; free_ holds the ones not in use.
  std::vector<std::unique_ptr<Track>> store_;
  std::vector<Track*> free_;
  uint64_t epoch_ = 0;

  // Per-frame scratch, kept to avoid reallocations.
  LinearAssignment lap_;
  SparseAssignment sparse_;
  OverlapSweep sweep_;
  std::vector<std::pair<int, int>> pairs_;
  std::vector<CostEdge> edges_;
  std::vector<BoxF> boxes_a_, boxes_b_;
  std::vector<float> dist_;
  std::vector<double> cost_;
  std::vector<int> x_, y_;
};

}  // namespace vxfast::track
