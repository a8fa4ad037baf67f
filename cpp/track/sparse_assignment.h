#pragma once
// lap.lapjv(cost, extend_cost=True, cost_limit=limit)'s assignment when only a few pairs cost less
// than the limit. In the padded problem leaving a row and a column unmatched costs `limit`, so a
// matching's cost is const + sum over its pairs of (cost - limit): pairs above the limit are never
// in an optimum, and the pairs below it split into connected components that are optimised
// independently. Each component (more than one pair) is solved by the exact LinearAssignment and its
// optimum checked to be unique; a unique optimum is what lap returns too, whatever its tie-breaking.
// Where the optimum may not be unique (a pair within kTieEps of the limit, or another matching of a
// component as cheap within kTieEps) lap's step order decides, and solve() says so: the caller then
// solves the dense problem with LinearAssignment, which follows lap step by step.
#include <vector>

#include "track/linear_assignment.h"

namespace vxfast::track {

struct CostEdge {
  int row, col;
  double cost;
};

class SparseAssignment {
 public:
  static constexpr double kTieEps = 1e-9;

  // edges: each (row, col) pair at most once, in any order; pairs not listed must cost more than
  // limit + kTieEps. Returns false (outputs unspecified) when the result could depend on tie-breaking.
  bool solve(int rows, int cols, const std::vector<CostEdge>& edges, double limit, std::vector<int>& row_to_col,
             std::vector<int>& col_to_row);

 private:
  int find(int k);

  LinearAssignment lap_;
  std::vector<int> parent_, start_, fill_, rows_, cols_, local_row_, local_col_, x_, y_;
  std::vector<CostEdge> kept_, grouped_;
  std::vector<double> sub_;
};

}  // namespace vxfast::track
