#include "track/ocsort_tracker.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <stdexcept>
#include <string>

namespace vxfast::track {

namespace {
constexpr int64_t kTicks = 1000000;  // a frame in millionths, so ages compare exactly
constexpr double kPi = 3.14159265358979323846;

using Box4 = std::array<double, 4>;

Vec4d box_to_z(const double* b) {
  const double w = b[2] - b[0], h = b[3] - b[1];
  return {b[0] + w / 2.0, b[1] + h / 2.0, w * h, w / (h + 1e-6)};
}

Box4 x_to_box(const std::array<double, 7>& x) {
  const double w = std::sqrt(x[2] * x[3]), h = x[2] / w;
  return {x[0] - w / 2.0, x[1] - h / 2.0, x[0] + w / 2.0, x[1] + h / 2.0};
}

double iou(const double* a, const double* b) {
  const double w = std::max(0.0, std::min(a[2], b[2]) - std::max(a[0], b[0]));
  const double h = std::max(0.0, std::min(a[3], b[3]) - std::max(a[1], b[1]));
  const double inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

// Unit (dy, dx) from the centre of a to the centre of b.
std::array<double, 2> direction(const double* a, const double* b) {
  const double ax = (a[0] + a[2]) / 2.0, ay = (a[1] + a[3]) / 2.0;
  const double bx = (b[0] + b[2]) / 2.0, by = (b[1] + b[3]) / 2.0;
  const double dy = by - ay, dx = bx - ax;
  const double n = std::sqrt(dy * dy + dx * dx) + 1e-6;
  return {dy / n, dx / n};
}

double sum5(const double* b) { return b[0] + b[1] + b[2] + b[3] + b[4]; }

// numpy.setdiff1d: sorted unique values of `a` not in `used`.
void set_diff(std::vector<int>& a, const std::vector<int>& used) {
  std::vector<int> out;
  for (int v : a)
    if (std::find(used.begin(), used.end(), v) == used.end()) out.push_back(v);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  a.swap(out);
}
}  // namespace

struct OcSortTracker::Track {
  int64_t id = 0;
  KalmanXysr kf;
  int64_t time_since_update = 0, hits = 0, hit_streak = 0, age = 0;
  int64_t last_tick = 0;
  double last_obs[5] = {-1, -1, -1, -1, -1};  // the reference's placeholder until observed
  bool has_velocity = false;
  std::array<double, 2> velocity{};
  std::deque<std::pair<int64_t, std::array<double, 5>>> obs;  // (age, box) of recent observations
  Det det{};  // the last matched detection (score, class, row of the output)

  const double* k_previous(int delta_t) const {
    if (obs.empty()) return nullptr;
    for (int d = delta_t; d >= 1; --d)
      for (const auto& o : obs)
        if (o.first == age - d) return o.second.data();
    return obs.back().second.data();
  }
};

OcSortTracker::OcSortTracker(const OcSortParams& p) : p_(p) {
  if (!(p.frame_rate > 0) || !std::isfinite(p.frame_rate))
    throw std::invalid_argument("frame_rate must be a positive number");
  if (p.max_age < 0) throw std::invalid_argument("max_age must be >= 0");
  if (p.min_hits < 0) throw std::invalid_argument("min_hits must be >= 0");
  if (p.delta_t < 1) throw std::invalid_argument("delta_t must be >= 1");
}

OcSortTracker::~OcSortTracker() = default;

void OcSortTracker::reset() {
  tracks_.clear();
  frame_count_ = next_id_ = now_ = 0;
  stats_ = {};
}

void OcSortTracker::track_update(Track& t, const Det& d) {
  if (sum5(t.last_obs) >= 0) {
    const double* prev = t.last_obs;
    for (int dt = p_.delta_t; dt >= 1; --dt) {
      const auto it = std::find_if(t.obs.begin(), t.obs.end(), [&](const auto& o) { return o.first == t.age - dt; });
      if (it != t.obs.end()) {
        prev = it->second.data();
        break;
      }
    }
    t.velocity = direction(prev, d.box);
    t.has_velocity = true;
  }
  std::copy(d.box, d.box + 5, t.last_obs);
  t.obs.push_back({t.age, {d.box[0], d.box[1], d.box[2], d.box[3], d.box[4]}});
  while (t.obs.size() > 1 && t.obs.front().first < t.age - p_.delta_t) t.obs.pop_front();
  t.det = d;
  t.time_since_update = 0;
  t.last_tick = now_;
  ++t.hits;
  ++t.hit_streak;
  if (t.kf.observe(box_to_z(d.box))) ++stats_.oru;
}

void OcSortTracker::lap_pairs(const std::vector<double>& cost, int rows, int cols,
                              std::vector<std::pair<int, int>>& pairs) {
  pairs.clear();
  lap_.solve(cost.data(), rows, cols, x_);
  for (int i = 0; i < rows; ++i)
    if (x_[i] >= 0) pairs.emplace_back(i, x_[i]);
}

bool OcSortTracker::rescue(const std::vector<const Det*>& rows, const std::vector<Box4>& boxes,
                           std::vector<int>& row_ids, std::vector<int>& cand, int64_t& counter) {
  const int nr = static_cast<int>(rows.size()), nc = static_cast<int>(cand.size());
  iou_.resize(static_cast<size_t>(nr) * nc);
  double best = -1.0;
  for (int i = 0; i < nr; ++i)
    for (int j = 0; j < nc; ++j) {
      const double v = iou(rows[i]->box, boxes[j].data());
      iou_[static_cast<size_t>(i) * nc + j] = v;
      best = std::max(best, v);
    }
  if (!(best > p_.iou_threshold)) return false;
  cost_.resize(iou_.size());
  for (size_t k = 0; k < iou_.size(); ++k) cost_[k] = -iou_[k];
  std::vector<std::pair<int, int>> pairs;
  lap_pairs(cost_, nr, nc, pairs);
  std::vector<int> used_r, used_c;
  for (const auto& [r, c] : pairs) {
    if (iou_[static_cast<size_t>(r) * nc + c] < p_.iou_threshold) continue;
    track_update(*tracks_[cand[c]], *rows[r]);
    used_r.push_back(row_ids[r]);
    used_c.push_back(cand[c]);
  }
  counter += static_cast<int64_t>(used_c.size());
  set_diff(row_ids, used_r);
  set_diff(cand, used_c);
  return true;
}

void OcSortTracker::update(const DetectionsView& in, std::optional<double> t, std::vector<float>& out) {
  validate_detections(in);
  int64_t now;
  if (t) {
    if (!std::isfinite(*t)) throw std::invalid_argument("t must be finite");
    now = std::llround(*t * p_.frame_rate * static_cast<double>(kTicks));
    if (frame_count_ > 0 && now < now_)
      throw std::invalid_argument("t goes backwards: " + std::to_string(*t) + " s is before the previous frame");
  } else {
    now = frame_count_ == 0 ? kTicks : now_ + kTicks;
  }
  now_ = now;
  ++frame_count_;
  out.clear();

  std::vector<Det> all;
  all.reserve(static_cast<size_t>(in.n));
  for (int64_t i = 0; i < in.n; ++i) {
    const float* r = in.row(i);
    if (!(r[2] - r[0] > 0.f && r[3] - r[1] > 0.f)) continue;  // degenerate boxes cannot be tracked
    all.push_back({{r[0], r[1], r[2], r[3], r[4]}, r[5], i});
  }
  std::vector<const Det*> dets, second;
  for (const Det& d : all) {
    if (d.box[4] > p_.det_thresh) dets.push_back(&d);
    else if (d.box[4] > p_.low_thresh && d.box[4] < p_.det_thresh) second.push_back(&d);
  }

  // Predictions; tracks whose prediction is not finite are dropped, as the reference does.
  std::vector<Box4> pred;
  pred.reserve(tracks_.size());
  {
    size_t keep = 0;
    for (size_t i = 0; i < tracks_.size(); ++i) {
      Track& tr = *tracks_[i];
      if (tr.kf.x[6] + tr.kf.x[2] <= 0) tr.kf.x[6] *= 0.0;
      tr.kf.predict();
      ++tr.age;
      if (tr.time_since_update > 0) tr.hit_streak = 0;
      ++tr.time_since_update;
      const Box4 b = x_to_box(tr.kf.x);
      if (std::isnan(b[0]) || std::isnan(b[1]) || std::isnan(b[2]) || std::isnan(b[3])) continue;
      pred.push_back(b);
      tracks_[keep++] = std::move(tracks_[i]);
    }
    tracks_.resize(keep);
  }
  const int nt = static_cast<int>(tracks_.size()), nd = static_cast<int>(dets.size());
  std::vector<Box4> last(nt);
  for (int j = 0; j < nt; ++j) std::copy(tracks_[j]->last_obs, tracks_[j]->last_obs + 4, last[j].begin());

  // First round: IoU + momentum (OCM) against the predictions.
  std::vector<int> u_d, u_t;
  std::vector<std::pair<int, int>> pairs;
  if (nt > 0 && nd > 0) {
    iou_.resize(static_cast<size_t>(nd) * nt);
    cost_.resize(iou_.size());
    std::vector<int> row_hits(nd, 0), col_hits(nt, 0);
    for (int j = 0; j < nt; ++j) {
      const Track& tr = *tracks_[j];
      const double* prev = tr.k_previous(p_.delta_t);
      const bool valid = prev != nullptr;
      const double pcx = valid ? (prev[0] + prev[2]) / 2.0 : -1.0, pcy = valid ? (prev[1] + prev[3]) / 2.0 : -1.0;
      const double vy = tr.has_velocity ? tr.velocity[0] : 0.0, vx = tr.has_velocity ? tr.velocity[1] : 0.0;
      for (int i = 0; i < nd; ++i) {
        const double* b = dets[i]->box;
        double angle_cost = 0.0;
        if (valid) {
          double dx = (b[0] + b[2]) / 2.0 - pcx, dy = (b[1] + b[3]) / 2.0 - pcy;
          const double n = std::sqrt(dx * dx + dy * dy) + 1e-6;
          dx /= n;
          dy /= n;
          const double c = std::clamp(vx * dx + vy * dy, -1.0, 1.0);
          const double angle = (kPi / 2.0 - std::fabs(std::acos(c))) / kPi;
          angle_cost = angle * p_.inertia * b[4];
        }
        const double v = iou(b, pred[j].data());
        iou_[static_cast<size_t>(i) * nt + j] = v;
        cost_[static_cast<size_t>(i) * nt + j] = -(v + angle_cost);
        if (v > p_.iou_threshold) {
          ++row_hits[i];
          ++col_hits[j];
        }
      }
    }
    const int max_r = *std::max_element(row_hits.begin(), row_hits.end());
    const int max_c = *std::max_element(col_hits.begin(), col_hits.end());
    if (max_r == 1 && max_c == 1) {
      for (int i = 0; i < nd; ++i)
        for (int j = 0; j < nt; ++j)
          if (iou_[static_cast<size_t>(i) * nt + j] > p_.iou_threshold) pairs.emplace_back(i, j);
    } else {
      lap_pairs(cost_, nd, nt, pairs);
    }
  }
  if (pairs.empty()) {
    u_d.resize(nd);
    std::iota(u_d.begin(), u_d.end(), 0);
    u_t.resize(nt);
    std::iota(u_t.begin(), u_t.end(), 0);
  } else {
    std::vector<char> d_used(nd, 0), t_used(nt, 0);
    for (const auto& [i, j] : pairs) d_used[i] = t_used[j] = 1;
    for (int i = 0; i < nd; ++i)
      if (!d_used[i]) u_d.push_back(i);
    for (int j = 0; j < nt; ++j)
      if (!t_used[j]) u_t.push_back(j);
    for (const auto& [i, j] : pairs)
      if (iou_[static_cast<size_t>(i) * nt + j] < p_.iou_threshold) {
        u_d.push_back(i);
        u_t.push_back(j);
      }
    for (const auto& [i, j] : pairs)
      if (!(iou_[static_cast<size_t>(i) * nt + j] < p_.iou_threshold)) track_update(*tracks_[j], *dets[i]);
  }

  // BYTE round: low-score boxes against the unmatched tracks' predictions.
  if (p_.use_byte && !second.empty() && !u_t.empty()) {
    std::vector<Box4> boxes;
    for (int j : u_t) boxes.push_back(pred[j]);
    std::vector<int> ids(second.size());
    std::iota(ids.begin(), ids.end(), 0);
    rescue(second, boxes, ids, u_t, stats_.byte);
  }
  // OCR: unmatched detections against the unmatched tracks' last observations.
  if (!u_d.empty() && !u_t.empty()) {
    std::vector<Box4> boxes;
    for (int j : u_t) boxes.push_back(last[j]);
    std::vector<const Det*> rows;
    for (int i : u_d) rows.push_back(dets[i]);
    rescue(rows, boxes, u_d, u_t, stats_.ocr);
  }

  for (int j : u_t) tracks_[j]->kf.miss();
  for (int i : u_d) {
    auto tr = std::make_unique<Track>();
    tr->id = ++next_id_;
    tr->kf.init(box_to_z(dets[i]->box));
    tr->det = *dets[i];
    tr->last_tick = now_;
    tracks_.push_back(std::move(tr));
  }

  const int64_t max_age_ticks = static_cast<int64_t>(p_.max_age) * kTicks;
  for (size_t k = tracks_.size(); k-- > 0;) {
    Track& tr = *tracks_[k];
    if (tr.time_since_update < 1 && (tr.hit_streak >= p_.min_hits || frame_count_ <= p_.min_hits)) {
      double b[4];
      if (sum5(tr.last_obs) < 0) {
        const Box4 s = x_to_box(tr.kf.x);
        std::copy(s.begin(), s.end(), b);
      } else {
        std::copy(tr.last_obs, tr.last_obs + 4, b);
      }
      const float row[kOutputColumns] = {static_cast<float>(b[0]),       static_cast<float>(b[1]),
                                         static_cast<float>(b[2]),       static_cast<float>(b[3]),
                                         static_cast<float>(tr.id),      static_cast<float>(tr.det.box[4]),
                                         tr.det.cls,                     static_cast<float>(tr.det.row)};
      out.insert(out.end(), row, row + kOutputColumns);
    }
    if (now_ - tr.last_tick > max_age_ticks) tracks_.erase(tracks_.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

}  // namespace vxfast::track
