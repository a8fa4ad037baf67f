// The trackers' native parts (cpp/track/): the overlap sweep finds exactly the overlapping pairs, the
// sparse solver agrees with the lap-exact dense one wherever it answers and declines ties, and the
// trackers keep IDs per object, per tracker, across thousands of boxes. (The Python tests compare the
// trackers with Ultralytics and the OC-SORT reference; these run under the sanitizers too.)
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "check.h"
#include "track/box_overlap.h"
#include "track/byte_tracker.h"
#include "track/linear_assignment.h"
#include "track/ocsort_tracker.h"
#include "track/sparse_assignment.h"

using namespace vxfast::track;

namespace {

std::vector<BoxF> random_boxes(std::mt19937& rng, int n, float extent) {
  // Coordinates on a coarse grid, so that shared edges and equal x1 (the sweep's ties) occur.
  std::uniform_int_distribution<int> pos(0, static_cast<int>(extent)), size(1, 12);
  std::vector<BoxF> out(n);
  for (auto& b : out) {
    const float x = static_cast<float>(pos(rng)), y = static_cast<float>(pos(rng));
    b = {x, y, x + static_cast<float>(size(rng)), y + static_cast<float>(size(rng))};
  }
  return out;
}

bool brute_overlap(const BoxF& p, const BoxF& q) {
  return !(p[2] <= q[0] || q[2] <= p[0] || p[3] <= q[1] || q[3] <= p[1]);
}

// Objects on a grid moving at constant speed; returns frames of [x1, y1, x2, y2, score, class] rows,
// each object's row order shuffled per frame, and the object of each row.
struct Sequence {
  std::vector<std::vector<float>> frames;
  std::vector<std::vector<int>> object;
};
Sequence moving_objects(int n, int frames, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> vel(0.f, 1.5f);
  Sequence s;
  const int side = static_cast<int>(std::ceil(std::sqrt(n)));
  std::vector<float> vx(n), vy(n);
  for (int k = 0; k < n; ++k) {
    vx[k] = vel(rng);
    vy[k] = vel(rng);
  }
  for (int f = 0; f < frames; ++f) {
    std::vector<int> order(n);
    for (int k = 0; k < n; ++k) order[k] = k;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<float> rows;
    for (int k : order) {
      const float x = 50.f + 120.f * static_cast<float>(k % side) + vx[k] * static_cast<float>(f);
      const float y = 50.f + 120.f * static_cast<float>(k / side) + vy[k] * static_cast<float>(f);
      rows.insert(rows.end(), {x, y, x + 40.f, y + 80.f, 0.9f, 0.f});
    }
    s.frames.push_back(rows);
    s.object.push_back(order);
  }
  return s;
}

// Runs a tracker over the sequence and checks that each object keeps one ID and no two objects share
// one; returns the (frame, row) -> id outputs for comparisons.
template <class Tracker>
std::vector<std::vector<float>> run_and_check_ids(Tracker& tracker, const Sequence& s) {
  std::vector<std::vector<float>> outs;
  std::vector<float> object_id(s.object[0].size(), -1.f);
  std::set<float> seen;
  for (size_t f = 0; f < s.frames.size(); ++f) {
    std::vector<float> out;
    tracker.update(DetectionsView{s.frames[f].data(), static_cast<int64_t>(s.frames[f].size() / 6)}, std::nullopt,
                   out);
    for (size_t r = 0; r + kOutputColumns <= out.size(); r += kOutputColumns) {
      const int obj = s.object[f][static_cast<size_t>(out[r + 7])];
      const float id = out[r + 4];
      if (object_id[obj] < 0) {
        CHECK(seen.insert(id).second);  // a new object gets a new ID
        object_id[obj] = id;
      }
      CHECK_EQ(object_id[obj], id);
    }
    outs.push_back(out);
  }
  return outs;
}

}  // namespace

TEST(overlap_sweep_finds_exactly_the_overlapping_pairs) {
  std::mt19937 rng(7);
  OverlapSweep sweep;
  std::vector<std::pair<int, int>> got;
  for (int round = 0; round < 200; ++round) {
    const int na = static_cast<int>(rng() % 60), nb = static_cast<int>(rng() % 60);
    const auto a = random_boxes(rng, na, 40.f + static_cast<float>(rng() % 200));
    const auto b = random_boxes(rng, nb, 40.f + static_cast<float>(rng() % 200));
    REQUIRE(sweep.pairs(a, b, got));
    std::sort(got.begin(), got.end());
    std::vector<std::pair<int, int>> want;
    for (int i = 0; i < na; ++i)
      for (int j = 0; j < nb; ++j)
        if (brute_overlap(a[i], b[j])) want.emplace_back(i, j);
    CHECK(got == want);
  }
  std::vector<BoxF> bad = {{0, 0, 1, 1}, {std::numeric_limits<float>::quiet_NaN(), 0, 1, 1}};
  CHECK(!sweep.pairs(bad, bad, got));
  CHECK(got.empty());
}

TEST(sparse_solver_agrees_with_the_dense_one_and_declines_ties) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  SparseAssignment sparse;
  LinearAssignment dense;
  int answered = 0;
  for (int round = 0; round < 300; ++round) {
    const int r = 1 + static_cast<int>(rng() % 30), c = 1 + static_cast<int>(rng() % 30);
    const double limit = 0.8;
    const bool tied = round % 3 == 0;  // costs on a coarse grid: many equal sums
    std::vector<double> cost(static_cast<size_t>(r) * c, 1.0);
    std::vector<CostEdge> edges;
    for (int i = 0; i < r; ++i)
      for (int j = 0; j < c; ++j)
        if (u(rng) < 0.15) {
          const double v = tied ? std::round(u(rng) * 3) / 4 : u(rng);
          cost[static_cast<size_t>(i) * c + j] = v;
          edges.push_back({i, j, v});
        }
    std::vector<int> sx, sy, dx, dy;
    dense.solve(cost.data(), r, c, limit, dx, dy);
    if (!sparse.solve(r, c, edges, limit, sx, sy)) continue;
    ++answered;
    CHECK(sx == dx);
    CHECK(sy == dy);
  }
  CHECK(answered > 150);
  // One row, two identical columns: two optima, so lap's tie-breaking decides, not the sparse solver.
  std::vector<int> x, y;
  CHECK(!sparse.solve(1, 2, {{0, 0, 0.25}, {0, 1, 0.25}}, 0.8, x, y));
  CHECK(!sparse.solve(1, 1, {{0, 0, 0.5}}, 0.5, x, y));  // as cheap as leaving both unmatched
  CHECK(sparse.solve(2, 2, {{0, 0, 0.25}, {0, 1, 0.3}, {1, 1, 0.5}}, 0.8, x, y));
  CHECK(x == std::vector<int>({0, 1}));
}

TEST(bytetrack_keeps_one_id_per_object_at_a_thousand_boxes) {
  const Sequence s = moving_objects(1000, 8, 3);
  ByteTracker a{ByteTrackParams{}}, b{ByteTrackParams{}};
  const auto outs_a = run_and_check_ids(a, s);
  CHECK_EQ(a.ids_issued(), 1000);
  // A second tracker in the same process starts its own counter and gives the same rows.
  const auto outs_b = run_and_check_ids(b, s);
  CHECK(outs_a == outs_b);
  a.reset();
  const auto again = run_and_check_ids(a, s);
  CHECK(again == outs_a);
  std::vector<float> out;
  CHECK_THROWS(a.update(DetectionsView{s.frames[0].data(), 1000}, 0.0, out), std::invalid_argument, "backwards");
}

TEST(ocsort_keeps_one_id_per_object) {
  const Sequence s = moving_objects(200, 8, 5);
  OcSortTracker a{OcSortParams{}}, b{OcSortParams{}};
  const auto outs_a = run_and_check_ids(a, s);
  CHECK_EQ(a.ids_issued(), 200);
  CHECK(outs_a == run_and_check_ids(b, s));
}
