#pragma once
// Rectangular linear assignment with a per-pair cost limit, giving the same assignment as
// lap.lapjv(cost, extend_cost=True, cost_limit=limit): the R x C problem is embedded in an
// (R + C) square one whose padding costs limit / 2 (so leaving a row and a column unmatched costs
// `limit`) and solved by Jonker-Volgenant with lap's step order and tie-breaking (column reduction,
// two augmenting row reductions, shortest augmenting paths). The padded matrix is never built: its
// entries are computed from their block.
#include <cstdint>
#include <vector>

namespace vxfast::track {

class LinearAssignment {
 public:
  // cost: row-major R x C. On return row_to_col[i] is the column of row i or -1, col_to_row[j] the
  // row of column j or -1. Buffers are kept between calls.
  void solve(const double* cost, int rows, int cols, double limit, std::vector<int>& row_to_col,
             std::vector<int>& col_to_row);

 private:
  double at(int i, int j) const {
    if (i < rows_) return j < cols_ ? cost_[static_cast<int64_t>(i) * cols_ + j] : half_;
    return j < cols_ ? half_ : 0.0;
  }
  int column_reduction();
  int augmenting_row_reduction(int n_free);
  void augment(int n_free);
  int shortest_path(int start);

  const double* cost_ = nullptr;
  int rows_ = 0, cols_ = 0, n_ = 0;
  double half_ = 0;
  std::vector<int> x_, y_, free_, pred_, todo_;
  std::vector<double> v_, d_;
  std::vector<char> unique_;
};

}  // namespace vxfast::track
