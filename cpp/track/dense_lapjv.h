#pragma once
// Jonker-Volgenant on a dense square matrix with lap's step order and tie-breaking (column
// reduction and reduction transfer, two augmenting row reductions, shortest augmenting paths):
// the assignment lap.lapjv(cost) returns. OC-SORT calls lap without cost_limit, where lap pads a
// rectangular matrix with zeros to max(R, C) squares (LinearAssignment covers the cost_limit case,
// whose padding differs and so breaks ties differently).
#include <cstddef>
#include <vector>

namespace vxfast::track {

class DenseLapjv {
 public:
  // cost: row-major R x C, solved as lap.lapjv(cost, extend_cost=True). row_to_col[i] is the column
  // of row i or -1 (only R > C leaves rows unmatched).
  void solve(const double* cost, int rows, int cols, std::vector<int>& row_to_col);

 private:
  double c(int i, int j) const { return a_[static_cast<std::size_t>(i) * n_ + j]; }
  int reduce_columns();
  int augment_rows(int n_free);
  int shortest_path(int start);
  void augment(int n_free);

  int n_ = 0;
  std::vector<double> a_, v_, d_;
  std::vector<int> x_, y_, free_, pred_, cols_;
  std::vector<char> unique_;
};

}  // namespace vxfast::track
