#pragma once
// Rectangular linear assignment with a per-pair cost limit, giving the same assignment as
// lap.lapjv(cost, extend_cost=True, cost_limit=limit): the R x C problem is embedded in an
// (R + C) square one whose padding costs limit / 2 (so leaving a row and a column unmatched costs
// `limit`) and solved by Jonker-Volgenant with lap's step order and tie-breaking (column reduction,
// two augmenting row reductions, shortest augmenting paths). The padded matrix is never built: its
// entries are computed from their block.
#include <array>
#include <cstdint>
#include <vector>

namespace vxfast::track {

class LinearAssignment {
 public:
  // cost: row-major R x C. On return row_to_col[i] is the column of row i or -1, col_to_row[j] the
  // row of column j or -1. Buffers are kept between calls.
  void solve(const double* cost, int rows, int cols, double limit, std::vector<int>& row_to_col,
             std::vector<int>& col_to_row);

  // After solve(): true when no other matching of the padded problem costs the same within `eps`
  // and differs in a (row, column) pair of the real block, i.e. the real pairs of the optimum are
  // unique (then any exact solver, lap included, returns them). False also when the final duals do
  // not certify optimality. O((R + C)^2).
  bool real_matching_unique(double eps) const;

 private:
  double at(int i, int j) const {
    if (i < rows_) return j < cols_ ? cost_[static_cast<int64_t>(i) * cols_ + j] : half_;
    return j < cols_ ? half_ : 0.0;
  }
  int column_reduction();
  int augmenting_row_reduction(int n_free);
  void augment(int n_free);
  int shortest_path(int start);

  // The two smallest (value, column) pairs, lexicographically, of a set of columns whose values
  // change one at a time: what lap's row scan finds (first minimum, then the first minimum of the
  // rest), kept for the padding blocks whose rows are all alike.
  struct Entry {
    double v;
    int j;
  };
  class Top2 {
   public:
    void build(int first, int count, double base, const std::vector<double>& v);
    void set(int col, double value);
    Entry best() const { return t_[1][0]; }
    Entry second() const { return t_[1][1]; }
    bool empty() const { return count_ == 0; }

   private:
    int first_ = 0, count_ = 0, size_ = 1;
    std::vector<std::array<Entry, 2>> t_;
  };
  // lap's two-smallest scan of row i over all columns: (j1, v1, j2, v2).
  void row_top2(int i, int& j1, double& v1, int& j2, double& v2);
  void set_dual(int j, double value);

  // For paths from padding rows: per column d = (padding-row cost) - v, keeping the minimum and the
  // highest free column attaining it. When such a column exists, lap's shortest path from any
  // padding row ends there at its first step without touching the duals.
  void build_pad_start();
  void update_pad_start(int j);
  std::vector<double> ps_min_;
  std::vector<int> ps_idx_;
  int ps_size_ = 1;

  Top2 real_half_, pad_half_, pad_zero_;  // half - v over real / padding columns, -v over padding
  const double* cost_ = nullptr;
  int rows_ = 0, cols_ = 0, n_ = 0;
  double half_ = 0;
  std::vector<int> x_, y_, free_, pred_, todo_;
  std::vector<double> v_, d_;
  std::vector<char> unique_;
};

}  // namespace vxfast::track
