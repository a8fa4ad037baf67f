#include "track/sparse_assignment.h"

#include <algorithm>
#include <cmath>

namespace vxfast::track {

int SparseAssignment::find(int k) {
  while (parent_[k] != k) {
    parent_[k] = parent_[parent_[k]];
    k = parent_[k];
  }
  return k;
}

bool SparseAssignment::solve(int rows, int cols, const std::vector<CostEdge>& edges, double limit,
                             std::vector<int>& row_to_col, std::vector<int>& col_to_row) {
  row_to_col.assign(rows, -1);
  col_to_row.assign(cols, -1);
  kept_.clear();
  for (const CostEdge& e : edges) {
    if (std::isnan(e.cost) || std::fabs(e.cost - limit) <= kTieEps) return false;
    if (e.cost < limit) kept_.push_back(e);
  }
  // Components of the pairs below the limit: rows are nodes [0, rows), columns [rows, rows + cols).
  parent_.resize(static_cast<size_t>(rows) + cols);
  for (int k = 0; k < rows + cols; ++k) parent_[k] = k;
  for (const CostEdge& e : kept_) {
    const int a = find(e.row), b = find(rows + e.col);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }
  // Group the pairs by component root (counting sort).
  start_.assign(static_cast<size_t>(rows) + cols + 1, 0);
  for (const CostEdge& e : kept_) ++start_[find(e.row) + 1];
  for (int k = 0; k < rows + cols; ++k) start_[k + 1] += start_[k];
  fill_.assign(start_.begin(), start_.end() - 1);
  grouped_.resize(kept_.size());
  for (const CostEdge& e : kept_) grouped_[fill_[find(e.row)]++] = e;

  local_row_.assign(rows, -1);
  local_col_.assign(cols, -1);
  for (int root = 0; root < rows + cols; ++root) {
    const int b = start_[root], e = start_[root + 1];
    if (b == e) continue;
    if (e - b == 1) {  // a lone pair below the limit: matching it is strictly better than not
      const CostEdge& p = grouped_[b];
      row_to_col[p.row] = p.col;
      col_to_row[p.col] = p.row;
      continue;
    }
    // The component's rows and columns in their original order (lap's order within the block).
    rows_.clear();
    cols_.clear();
    for (int k = b; k < e; ++k) {
      rows_.push_back(grouped_[k].row);
      cols_.push_back(grouped_[k].col);
    }
    std::sort(rows_.begin(), rows_.end());
    rows_.erase(std::unique(rows_.begin(), rows_.end()), rows_.end());
    std::sort(cols_.begin(), cols_.end());
    cols_.erase(std::unique(cols_.begin(), cols_.end()), cols_.end());
    const int nr = static_cast<int>(rows_.size()), nc = static_cast<int>(cols_.size());
    for (int i = 0; i < nr; ++i) local_row_[rows_[i]] = i;
    for (int j = 0; j < nc; ++j) local_col_[cols_[j]] = j;
    // Pairs not below the limit get a cost above it: never in an optimum, whatever their value.
    sub_.assign(static_cast<size_t>(nr) * nc, limit + 1.0);
    for (int k = b; k < e; ++k)
      sub_[static_cast<size_t>(local_row_[grouped_[k].row]) * nc + local_col_[grouped_[k].col]] = grouped_[k].cost;
    lap_.solve(sub_.data(), nr, nc, limit, x_, y_);
    if (!lap_.real_matching_unique(kTieEps)) return false;
    for (int i = 0; i < nr; ++i)
      if (x_[i] >= 0) {
        row_to_col[rows_[i]] = cols_[x_[i]];
        col_to_row[cols_[x_[i]]] = rows_[i];
      }
  }
  return true;
}

}  // namespace vxfast::track
