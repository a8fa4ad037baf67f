#include "track/byte_tracker.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace vxfast::track {

enum class TrackState { New, Tracked, Lost, Removed };

struct ByteTracker::Track {
  int64_t id = 0;
  KalmanState kf;
  bool has_mean = false;
  std::array<float, 4> tlwh{};  // the detection's box, float32 as the reference keeps it
  TrackState state = TrackState::New;
  bool activated = false;
  float score = 0, cls = 0;
  int64_t idx = 0;
  Ticks frame_tick = 0, start_tick = 0;
  int tracklet_len = 0;
  uint64_t epoch = 0;  // last frame it was seen alive

  BoxF box() const {
    if (!has_mean) return {tlwh[0], tlwh[1], tlwh[2] + tlwh[0], tlwh[3] + tlwh[1]};
    const auto& m = kf.mean;
    const double w = m[2] * m[3], h = m[3];
    const double l = m[0] - w / 2, t = m[1] - h / 2;
    return {static_cast<float>(l), static_cast<float>(t), static_cast<float>(w + l), static_cast<float>(h + t)};
  }
  std::array<double, 4> xyah() const {
    const float x = tlwh[0] + tlwh[2] / 2.f, y = tlwh[1] + tlwh[3] / 2.f, a = tlwh[2] / tlwh[3];
    return {x, y, a, tlwh[3]};
  }
};

namespace {
constexpr size_t kRemovedMemory = 1000;  // the reference trims its removed list to this many

Ticks to_ticks(double frames) { return std::llround(frames * static_cast<double>(kTicksPerFrame)); }
}  // namespace

ByteTracker::ByteTracker(const ByteTrackParams& p) : p_(p) {
  if (!(p.frame_rate > 0) || !std::isfinite(p.frame_rate))
    throw std::invalid_argument("frame_rate must be a positive number");
  if (p.track_buffer < 0) throw std::invalid_argument("track_buffer must be >= 0");
  const int64_t frames = p.scale_buffer_by_frame_rate
                             ? static_cast<int64_t>(p.frame_rate / 30.0 * p.track_buffer)
                             : static_cast<int64_t>(p.track_buffer);
  max_lost_ticks_ = frames * kTicksPerFrame;
}

ByteTracker::~ByteTracker() = default;

ByteTracker::Track* ByteTracker::alloc() {
  if (free_.empty()) {
    store_.push_back(std::make_unique<Track>());
    return store_.back().get();
  }
  Track* t = free_.back();
  free_.pop_back();
  *t = Track{};
  return t;
}

void ByteTracker::reset() {
  tracked_.clear();
  lost_.clear();
  removed_ids_.clear();
  removed_count_.clear();
  free_.clear();
  for (auto& t : store_) free_.push_back(t.get());
  frame_count_ = 0;
  now_ = 0;
  next_id_ = 0;
}

void ByteTracker::track_update(Track& t, const Track& det) {
  t.frame_tick = now_;
  t.tracklet_len += 1;
  kalman_update(t.kf, det.xyah());
  t.state = TrackState::Tracked;
  t.activated = true;
  t.score = det.score;
  t.cls = det.cls;
  t.idx = det.idx;
}

void ByteTracker::track_reactivate(Track& t, const Track& det) {
  kalman_update(t.kf, det.xyah());
  t.tracklet_len = 0;
  t.state = TrackState::Tracked;
  t.activated = true;
  t.frame_tick = now_;
  t.score = det.score;
  t.cls = det.cls;
  t.idx = det.idx;
}

void ByteTracker::associate(const std::vector<Track*>& rows, const std::vector<Track*>& cols, bool fuse,
                            double limit, std::vector<std::pair<int, int>>& matches, std::vector<int>& u_rows,
                            std::vector<int>& u_cols) {
  matches.clear();
  u_rows.clear();
  u_cols.clear();
  const int nr = static_cast<int>(rows.size()), nc = static_cast<int>(cols.size());
  if (nr == 0 || nc == 0) {
    for (int i = 0; i < nr; ++i) u_rows.push_back(i);
    for (int j = 0; j < nc; ++j) u_cols.push_back(j);
    return;
  }
  boxes_a_.resize(nr);
  boxes_b_.resize(nc);
  for (int i = 0; i < nr; ++i) boxes_a_[i] = rows[i]->box();
  for (int j = 0; j < nc; ++j) boxes_b_[j] = cols[j]->box();
  // Boxes that do not overlap cost 1 (fused or not); below a limit under 1 only overlapping pairs
  // can match, so the sparse solver sees just those. It declines ties, which the dense one settles.
  bool solved = false;
  if (limit < 1.0 - SparseAssignment::kTieEps && sweep_.pairs(boxes_a_, boxes_b_, pairs_)) {
    edges_.clear();
    for (auto [i, j] : pairs_) {
      float c = 1.f - box_iou(boxes_a_[i], boxes_b_[j]);
      if (fuse) c = 1.f - (1.f - c) * cols[j]->score;
      if (c <= limit + SparseAssignment::kTieEps) edges_.push_back({i, j, static_cast<double>(c)});
    }
    solved = sparse_.solve(nr, nc, edges_, limit, x_, y_);
  }
  if (!solved) {
    iou_distance(boxes_a_, boxes_b_, dist_);
    cost_.resize(dist_.size());
    for (int i = 0; i < nr; ++i)
      for (int j = 0; j < nc; ++j) {
        float c = dist_[static_cast<size_t>(i) * nc + j];
        if (fuse) c = 1.f - (1.f - c) * cols[j]->score;
        cost_[static_cast<size_t>(i) * nc + j] = c;
      }
    lap_.solve(cost_.data(), nr, nc, limit, x_, y_);
  }
  for (int i = 0; i < nr; ++i) {
    if (x_[i] >= 0)
      matches.emplace_back(i, x_[i]);
    else
      u_rows.push_back(i);
  }
  for (int j = 0; j < nc; ++j)
    if (y_[j] < 0) u_cols.push_back(j);
}

void ByteTracker::update(const DetectionsView& dets, std::optional<double> t, std::vector<float>& out) {
  validate_detections(dets);
  Ticks now;
  if (t) {
    if (!std::isfinite(*t)) throw std::invalid_argument("t must be finite");
    now = to_ticks(*t * p_.frame_rate);
    if (frame_count_ > 0 && now < now_)
      throw std::invalid_argument("t goes backwards: " + std::to_string(*t) + " s is before the previous frame");
  } else {
    now = frame_count_ == 0 ? kTicksPerFrame : now_ + kTicksPerFrame;
  }
  now_ = now;
  ++frame_count_;
  ++epoch_;

  // Detections become candidate tracks (the reference's STrack per detection).
  std::vector<Track*> high, low, frame_dets;
  const float hi = static_cast<float>(p_.track_high_thresh), lo = static_cast<float>(p_.track_low_thresh);
  for (int64_t i = 0; i < dets.n; ++i) {
    const float* r = dets.row(i);
    const float cx = (r[0] + r[2]) / 2.f, cy = (r[1] + r[3]) / 2.f, w = r[2] - r[0], h = r[3] - r[1];
    if (!(w > 0.f && h > 0.f)) continue;  // degenerate boxes cannot be tracked (aspect = w / h)
    const float s = r[4];
    const bool is_high = p_.high_thresh_inclusive ? s >= hi : s > hi;
    const bool is_low = s > lo && s < hi;
    if (!is_high && !is_low) continue;
    Track* d = alloc();
    d->tlwh = {static_cast<float>(static_cast<double>(cx) - static_cast<double>(w) / 2),
               static_cast<float>(static_cast<double>(cy) - static_cast<double>(h) / 2), w, h};
    d->score = s;
    d->cls = r[5];
    d->idx = i;
    frame_dets.push_back(d);
    (is_high ? high : low).push_back(d);
  }

  std::vector<Track*> activated, refind, lost, removed, unconfirmed, pool;
  for (Track* tr : tracked_) (tr->activated ? pool : unconfirmed).push_back(tr);
  pool.insert(pool.end(), lost_.begin(), lost_.end());
  for (Track* tr : pool) kalman_predict(tr->kf, tr->state != TrackState::Tracked);

  auto apply = [&](Track* tr, const Track* det) {
    if (tr->state == TrackState::Tracked) {
      track_update(*tr, *det);
      activated.push_back(tr);
    } else {
      track_reactivate(*tr, *det);
      refind.push_back(tr);
    }
  };

  std::vector<std::pair<int, int>> matches;
  std::vector<int> u_track, u_det, u_unused;
  associate(pool, high, p_.fuse_score, p_.match_thresh, matches, u_track, u_det);
  for (auto [i, j] : matches) apply(pool[i], high[j]);

  // Second stage: low-score boxes against the tracks still unmatched and currently tracked.
  std::vector<Track*> r_tracked;
  for (int i : u_track)
    if (pool[i]->state == TrackState::Tracked) r_tracked.push_back(pool[i]);
  std::vector<int> u_second;
  associate(r_tracked, low, false, 0.5, matches, u_second, u_unused);
  for (auto [i, j] : matches) apply(r_tracked[i], low[j]);
  for (int i : u_second) {
    r_tracked[i]->state = TrackState::Lost;
    lost.push_back(r_tracked[i]);
  }

  // Unconfirmed tracks (one frame old) against the high boxes left.
  std::vector<Track*> rest;
  for (int j : u_det) rest.push_back(high[j]);
  std::vector<int> u_unconf, u_new;
  associate(unconfirmed, rest, p_.fuse_score, 0.7, matches, u_unconf, u_new);
  for (auto [i, j] : matches) {
    track_update(*unconfirmed[i], *rest[j]);
    activated.push_back(unconfirmed[i]);
  }
  for (int i : u_unconf) {
    unconfirmed[i]->state = TrackState::Removed;
    removed.push_back(unconfirmed[i]);
  }

  const float new_thresh = static_cast<float>(p_.new_track_thresh);
  for (int j : u_new) {
    Track* d = rest[j];
    if (d->score < new_thresh) continue;
    d->id = ++next_id_;
    d->kf = kalman_initiate(d->xyah());
    d->has_mean = true;
    d->tracklet_len = 0;
    d->state = TrackState::Tracked;
    d->activated = frame_count_ == 1;
    d->frame_tick = d->start_tick = now_;
    activated.push_back(d);
  }

  for (Track* tr : lost_)
    if (now_ - tr->frame_tick > max_lost_ticks_) {
      tr->state = TrackState::Removed;
      removed.push_back(tr);
    }

  std::vector<Track*> old_tracked = tracked_, old_lost = lost_;
  merge(activated, refind, lost, removed);

  for (Track* tr : tracked_) tr->epoch = epoch_;
  for (Track* tr : lost_) tr->epoch = epoch_;
  for (auto* list : {&old_tracked, &old_lost, &frame_dets})
    for (Track* tr : *list)
      if (tr->epoch != epoch_) {
        tr->epoch = epoch_;  // released once even if listed twice
        free_.push_back(tr);
      }

  out.clear();
  for (Track* tr : tracked_) {
    if (!tr->activated) continue;
    const BoxF b = tr->box();
    out.insert(out.end(), {b[0], b[1], b[2], b[3], static_cast<float>(tr->id), tr->score, tr->cls,
                           static_cast<float>(tr->idx)});
  }
}

void ByteTracker::merge(std::vector<Track*>& activated, std::vector<Track*>& refind, std::vector<Track*>& lost,
                        std::vector<Track*>& removed) {
  std::vector<Track*> tracked;
  std::unordered_set<int64_t> ids;
  for (Track* tr : tracked_)
    if (tr->state == TrackState::Tracked) {
      tracked.push_back(tr);
      ids.insert(tr->id);
    }
  for (auto* list : {&activated, &refind})
    for (Track* tr : *list)
      if (ids.insert(tr->id).second) tracked.push_back(tr);

  std::vector<Track*> lost_pool;
  for (Track* tr : lost_)
    if (!ids.count(tr->id)) lost_pool.push_back(tr);
  lost_pool.insert(lost_pool.end(), lost.begin(), lost.end());
  std::vector<Track*> kept;
  for (Track* tr : lost_pool)
    if (!removed_count_.count(tr->id)) kept.push_back(tr);
  lost_pool.swap(kept);

  // Duplicates: a tracked and a lost track with IoU > 0.85; the younger one goes.
  std::vector<char> drop_a(tracked.size(), 0), drop_b(lost_pool.size(), 0);
  if (!tracked.empty() && !lost_pool.empty()) {
    boxes_a_.resize(tracked.size());
    boxes_b_.resize(lost_pool.size());
    for (size_t i = 0; i < tracked.size(); ++i) boxes_a_[i] = tracked[i]->box();
    for (size_t j = 0; j < lost_pool.size(); ++j) boxes_b_[j] = lost_pool[j]->box();
    // Only overlapping boxes can have IoU > 0.85; with a non-finite box, every pair is a candidate.
    if (!sweep_.pairs(boxes_a_, boxes_b_, pairs_))
      for (int i = 0; i < static_cast<int>(tracked.size()); ++i)
        for (int j = 0; j < static_cast<int>(lost_pool.size()); ++j) pairs_.emplace_back(i, j);
    const float dup = 0.15f;
    for (auto [i, j] : pairs_) {
      const BoxF &p = boxes_a_[i], &q = boxes_b_[j];
      const bool apart = p[2] <= q[0] || q[2] <= p[0] || p[3] <= q[1] || q[3] <= p[1];
      if (apart || !(1.f - box_iou(p, q) < dup)) continue;
      const Ticks tp = tracked[i]->frame_tick - tracked[i]->start_tick;
      const Ticks tq = lost_pool[j]->frame_tick - lost_pool[j]->start_tick;
      if (tp > tq)
        drop_b[j] = 1;
      else
        drop_a[i] = 1;
    }
  }
  tracked_.clear();
  for (size_t i = 0; i < tracked.size(); ++i)
    if (!drop_a[i]) tracked_.push_back(tracked[i]);
  lost_.clear();
  for (size_t j = 0; j < lost_pool.size(); ++j)
    if (!drop_b[j]) lost_.push_back(lost_pool[j]);

  for (Track* tr : removed) {
    removed_ids_.push_back(tr->id);
    ++removed_count_[tr->id];
  }
  while (removed_ids_.size() > kRemovedMemory) {
    const int64_t id = removed_ids_.front();
    removed_ids_.pop_front();
    if (--removed_count_[id] == 0) removed_count_.erase(id);
  }
}

}  // namespace vxfast::track
