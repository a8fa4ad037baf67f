#include "track/linear_assignment.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

#include "track/jv_row_reduction.h"

namespace vxfast::track {
namespace {
// One node of the padding rows' min tree from its two children. On a tie the right child's free
// column wins: lap takes the last free column among those of minimum d.
void merge_pad_node(std::vector<double>& mins, std::vector<int>& idx, int k) {
  const double a = mins[2 * k], b = mins[2 * k + 1];
  if (a < b) {
    mins[k] = a;
    idx[k] = idx[2 * k];
  } else if (b < a) {
    mins[k] = b;
    idx[k] = idx[2 * k + 1];
  } else {
    mins[k] = a;
    idx[k] = idx[2 * k + 1] >= 0 ? idx[2 * k + 1] : idx[2 * k];
  }
}
constexpr double kLarge = 1000000;  // lap's LARGE: the initial column minimum
}  // namespace

// Column reduction and reduction transfer: each column goes to its cheapest row (first on ties);
// rows that won several columns keep the highest one. Same result as lap's O(n^2) loops over the
// padded matrix, computed from the blocks: the padding is constant (limit / 2, 0), so only the
// real R x C block needs a scan.
int LinearAssignment::column_reduction() {
  const int n = n_, R = rows_, C = cols_;
  for (int i = 0; i < n; ++i) {
    x_[i] = -1;
    v_[i] = kLarge;
    y_[i] = 0;
  }
  // Real columns: real rows in order, then the first padding row (the others tie with it).
  for (int i = 0; i < R; ++i) {
    const double* row = cost_ + static_cast<int64_t>(i) * C;
    for (int j = 0; j < C; ++j)
      if (row[j] < v_[j]) {
        v_[j] = row[j];
        y_[j] = i;
      }
  }
  for (int j = 0; j < C; ++j)
    if (half_ < v_[j]) {
      v_[j] = half_;
      y_[j] = R;
    }
  // Padding columns: limit / 2 from the real rows (first wins), 0 from the padding rows.
  for (int j = C; j < n; ++j) {
    if (R > 0 && half_ < v_[j]) v_[j] = half_;
    if (0.0 < v_[j]) {
      v_[j] = 0.0;
      y_[j] = R;
    }
  }
  unique_.assign(n, 1);
  for (int j = n - 1; j >= 0; --j) {
    const int i = y_[j];
    if (x_[i] < 0) {
      x_[i] = j;
    } else {
      unique_[i] = 0;
      y_[j] = -1;
    }
  }
  // min over the padding columns j2 != skip of (base - v[j2]), in lap's arithmetic.
  auto pad_min = [&](double base, int skip, double mn) {
    for (int j2 = C; j2 < n; ++j2) {
      if (j2 == skip) continue;
      const double c = base - v_[j2];
      if (c < mn) mn = c;
    }
    return mn;
  };
  // The padding columns' duals change only when a unique row owns one; until then their minima
  // are computed once.
  bool pad_cached = false;
  double pad_half_min = kLarge, pad_zero_min = kLarge;
  int n_free = 0;
  for (int i = 0; i < n; ++i) {
    if (x_[i] < 0) {
      free_[n_free++] = i;
      continue;
    }
    if (!unique_[i]) continue;
    const int j = x_[i];
    const double base_real = i < R ? 0.0 : half_;  // padding rows cost limit / 2 on real columns
    const double base_pad = i < R ? half_ : 0.0;
    double mn = kLarge;
    if (i < R) {
      const double* row = cost_ + static_cast<int64_t>(i) * C;
      for (int j2 = 0; j2 < C; ++j2) {
        if (j2 == j) continue;
        const double c = row[j2] - v_[j2];
        if (c < mn) mn = c;
      }
    } else {
      for (int j2 = 0; j2 < C; ++j2) {
        if (j2 == j) continue;
        const double c = base_real - v_[j2];
        if (c < mn) mn = c;
      }
    }
    if (j >= C) {
      mn = pad_min(base_pad, j, mn);
    } else {
      if (!pad_cached) {
        pad_half_min = pad_min(half_, -1, kLarge);
        pad_zero_min = pad_min(0.0, -1, kLarge);
        pad_cached = true;
      }
      const double pm = i < R ? pad_half_min : pad_zero_min;
      if (pm < mn) mn = pm;
    }
    v_[j] -= mn;
    if (j >= C) pad_cached = false;
  }
  return n_free;
}

void LinearAssignment::Top2::build(int first, int count, double base, const std::vector<double>& v) {
  first_ = first;
  count_ = count;
  size_ = 1;
  while (size_ < count) size_ *= 2;
  const Entry none{std::numeric_limits<double>::infinity(), std::numeric_limits<int>::max()};
  t_.assign(static_cast<size_t>(2 * size_), {none, none});
  for (int k = 0; k < count; ++k) t_[size_ + k][0] = {base - v[first + k], first + k};
  for (int k = size_ - 1; k >= 1; --k) {
    const auto& a = t_[2 * k];
    const auto& b = t_[2 * k + 1];
    auto less = [](const Entry& x, const Entry& y) { return x.v < y.v || (x.v == y.v && x.j < y.j); };
    // Both children are sorted; the two smallest of the four.
    if (less(a[0], b[0])) {
      t_[k][0] = a[0];
      t_[k][1] = less(a[1], b[0]) ? a[1] : b[0];
    } else {
      t_[k][0] = b[0];
      t_[k][1] = less(a[0], b[1]) ? a[0] : b[1];
    }
  }
}

void LinearAssignment::Top2::set(int col, double value) {
  int k = size_ + (col - first_);
  t_[k][0] = {value, col};
  auto less = [](const Entry& x, const Entry& y) { return x.v < y.v || (x.v == y.v && x.j < y.j); };
  for (k /= 2; k >= 1; k /= 2) {
    const auto& a = t_[2 * k];
    const auto& b = t_[2 * k + 1];
    if (less(a[0], b[0])) {
      t_[k][0] = a[0];
      t_[k][1] = less(a[1], b[0]) ? a[1] : b[0];
    } else {
      t_[k][0] = b[0];
      t_[k][1] = less(a[0], b[1]) ? a[0] : b[1];
    }
  }
}

void LinearAssignment::set_dual(int j, double value) {
  v_[j] = value;
  if (j < cols_) {
    real_half_.set(j, half_ - value);
  } else {
    pad_half_.set(j, half_ - value);
    pad_zero_.set(j, 0.0 - value);
  }
}

void LinearAssignment::row_top2(int i, int& j1, double& v1, int& j2, double& v2) {
  auto less = [](const Entry& x, const Entry& y) { return x.v < y.v || (x.v == y.v && x.j < y.j); };
  Entry a{0, -1}, b{kLarge, -1};
  if (i < rows_) {
    // The real block row by lap's scan, then the padding columns from their tree.
    const double* row = cost_ + static_cast<int64_t>(i) * cols_;
    a = {row[0] - v_[0], 0};
    for (int j = 1; j < cols_; ++j) {
      const double c = row[j] - v_[j];
      if (c < b.v) {
        if (c >= a.v) {
          b = {c, j};
        } else {
          b = a;
          a = {c, j};
        }
      }
    }
  } else {
    a = real_half_.best();
    b = real_half_.second();
  }
  const Top2& pad = i < rows_ ? pad_half_ : pad_zero_;
  Entry cand[4] = {a, b, pad.best(), pad.second()};
  Entry first = cand[0];
  for (int k = 1; k < 4; ++k)
    if (cand[k].j >= 0 && less(cand[k], first)) first = cand[k];
  Entry second{kLarge, -1};
  for (int k = 0; k < 4; ++k)
    if (cand[k].j >= 0 && cand[k].j != first.j && cand[k].v < kLarge && (second.j < 0 || less(cand[k], second)))
      second = cand[k];
  j1 = first.j;
  v1 = first.v;
  j2 = second.j;
  v2 = second.j < 0 ? kLarge : second.v;
}

int LinearAssignment::augmenting_row_reduction(int n_free) {
  real_half_.build(0, cols_, half_, v_);
  pad_half_.build(cols_, rows_, half_, v_);
  pad_zero_.build(cols_, rows_, 0.0, v_);
  return jv_augmenting_row_reduction(
      n_, n_free, free_, x_, y_, v_,
      [this](int i, int& j1, double& v1, int& j2, double& v2) { row_top2(i, j1, v1, j2, v2); },
      [this](int j, double value) { set_dual(j, value); });
}

// Dijkstra-like search from a free row to the closest free column; updates the duals of the
// columns it settled and returns that column.
int LinearAssignment::shortest_path(int start) {
  const int n = n_;
  auto& cols = todo_;
  auto& d = d_;
  for (int j = 0; j < n; ++j) {
    cols[j] = j;
    pred_[j] = start;
    d[j] = at(start, j) - v_[j];
  }
  unsigned lo = 0, hi = 0, n_ready = 0;
  int final_j = -1;
  while (final_j == -1) {
    if (lo == hi) {
      n_ready = lo;
      // Collect the columns with the minimum d into cols[lo, hi).
      hi = lo + 1;
      double mind = d[cols[lo]];
      for (unsigned k = hi; k < static_cast<unsigned>(n); ++k) {
        const int j = cols[k];
        if (d[j] <= mind) {
          if (d[j] < mind) {
            hi = lo;
            mind = d[j];
          }
          cols[k] = cols[hi];
          cols[hi++] = j;
        }
      }
      for (unsigned k = lo; k < hi; ++k) {
        const int j = cols[k];
        if (y_[j] < 0) final_j = j;
      }
    }
    if (final_j == -1) {
      // Scan: relax the remaining columns through the rows of the settled ones. On reaching a free
      // column the scan window is left as it was before the scan (lap's behaviour: the dual
      // update below then uses the columns settled by the last find step).
      unsigned slo = lo, shi = hi;
      while (slo != shi && final_j == -1) {
        int j = cols[slo++];
        const int i = y_[j];
        const double mind = d[j];
        const double h = at(i, j) - v_[j] - mind;
        for (unsigned k = shi; k < static_cast<unsigned>(n); ++k) {
          j = cols[k];
          const double cred = at(i, j) - v_[j] - h;
          if (cred < d[j]) {
            d[j] = cred;
            pred_[j] = i;
            if (cred == mind) {
              if (y_[j] < 0) {
                final_j = j;
                break;
              }
              cols[k] = cols[shi];
              cols[shi++] = j;
            }
          }
        }
      }
      if (final_j == -1) {
        lo = slo;
        hi = shi;
      }
    }
  }
  const double mind = d[cols[lo]];
  for (unsigned k = 0; k < n_ready; ++k) {
    const int j = cols[k];
    v_[j] += d[j] - mind;
  }
  return final_j;
}

void LinearAssignment::build_pad_start() {
  ps_size_ = 1;
  while (ps_size_ < n_) ps_size_ *= 2;
  ps_min_.assign(static_cast<size_t>(2 * ps_size_), std::numeric_limits<double>::infinity());
  ps_idx_.assign(static_cast<size_t>(2 * ps_size_), -1);
  for (int j = 0; j < n_; ++j) {
    ps_min_[ps_size_ + j] = at(rows_, j) - v_[j];
    ps_idx_[ps_size_ + j] = y_[j] < 0 ? j : -1;
  }
  for (int k = ps_size_ - 1; k >= 1; --k) {
    merge_pad_node(ps_min_, ps_idx_, k);
  }
}

void LinearAssignment::update_pad_start(int j) {
  int k = ps_size_ + j;
  ps_min_[k] = at(rows_, j) - v_[j];
  ps_idx_[k] = y_[j] < 0 ? j : -1;
  for (k /= 2; k >= 1; k /= 2) {
    merge_pad_node(ps_min_, ps_idx_, k);
  }
}

void LinearAssignment::augment(int n_free) {
  // Padding rows all cost the same, so their first search step is one tree query: lap collects
  // the columns of minimum d in index order and takes the last free one.
  build_pad_start();
  for (int f = 0; f < n_free; ++f) {
    const int free_i = free_[f];
    if (free_i >= rows_ && ps_idx_[1] >= 0) {
      const int j = ps_idx_[1];
      y_[j] = free_i;
      x_[free_i] = j;
      update_pad_start(j);
      continue;
    }
    int j = shortest_path(free_i);
    int i = -1;
    int guard = 0;
    while (i != free_i && guard++ < n_) {
      i = pred_[j];
      y_[j] = i;
      std::swap(j, x_[i]);
    }
    build_pad_start();  // the search moved duals and the path moved columns
  }
}

// Complementary slackness: with u_i = min_j (c_ij - v_j), every optimal matching uses only tight
// pairs (c_ij - u_i - v_j = 0). Another optimum differing from ours in a real pair therefore gives a
// cycle alternating between tight unmatched pairs (row -> column) and our matched pairs (column ->
// row) through a real-block pair, i.e. a real pair whose row and column share a strongly connected
// component of that graph. Cycles through padding pairs only reshuffle the padding.
bool LinearAssignment::real_matching_unique(double eps) const {
  const int n = n_;
  if (rows_ == 0 || cols_ == 0) return true;
  std::vector<double> u(n);
  for (int i = 0; i < n; ++i) {
    double m = std::numeric_limits<double>::infinity();
    for (int j = 0; j < n; ++j) m = std::min(m, at(i, j) - v_[j]);
    u[i] = m;
    // The matched pair must be tight to rounding, far below eps, for the tight set to hold every
    // other optimum's pairs.
    if (!(at(i, x_[i]) - v_[x_[i]] - m <= eps * 1e-3)) return false;
  }
  auto tight = [&](int i, int j) { return at(i, j) - v_[j] - u[i] <= eps; };
  // Nodes: rows [0, n), columns [n, 2n). Tarjan's SCC, iterative.
  const int nodes = 2 * n;
  std::vector<int> index(nodes, -1), low(nodes, 0), comp(nodes, -1), stack, call_node, call_next;
  std::vector<char> on_stack(nodes, 0);
  int counter = 0, n_comp = 0;
  // Successor k of a node (k from 0): rows go to their tight unmatched columns, columns to their row.
  auto next_of = [&](int v, int& k) -> int {
    if (v >= n) return k++ == 0 ? y_[v - n] : -1;
    while (k < n) {
      const int j = k++;
      if (j != x_[v] && tight(v, j)) return n + j;
    }
    return -1;
  };
  for (int s = 0; s < nodes; ++s) {
    if (index[s] >= 0) continue;
    call_node.push_back(s);
    call_next.push_back(0);
    index[s] = low[s] = counter++;
    stack.push_back(s);
    on_stack[s] = 1;
    while (!call_node.empty()) {
      const int v = call_node.back();
      int k = call_next.back();
      const int w = next_of(v, k);
      call_next.back() = k;
      if (w >= 0) {
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = 1;
          call_node.push_back(w);
          call_next.push_back(0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        int w2;
        do {
          w2 = stack.back();
          stack.pop_back();
          on_stack[w2] = 0;
          comp[w2] = n_comp;
        } while (w2 != v);
        ++n_comp;
      }
      call_node.pop_back();
      call_next.pop_back();
      if (!call_node.empty()) low[call_node.back()] = std::min(low[call_node.back()], low[v]);
    }
  }
  for (int i = 0; i < rows_; ++i)
    for (int j = 0; j < cols_; ++j)
      if ((j == x_[i] || tight(i, j)) && comp[i] == comp[n + j]) return false;
  return true;
}

void LinearAssignment::solve(const double* cost, int rows, int cols, double limit,
                             std::vector<int>& row_to_col, std::vector<int>& col_to_row) {
  cost_ = cost;
  rows_ = rows;
  cols_ = cols;
  n_ = rows + cols;
  half_ = limit / 2.0;
  row_to_col.assign(rows, -1);
  col_to_row.assign(cols, -1);
  if (rows == 0 || cols == 0) return;
  const auto n = static_cast<std::size_t>(n_);
  x_.resize(n);
  y_.resize(n);
  free_.resize(n);
  pred_.resize(n);
  todo_.resize(n);
  v_.resize(n);
  d_.resize(n);
  int n_free = column_reduction();
  for (int pass = 0; pass < 2 && n_free > 0; ++pass) n_free = augmenting_row_reduction(n_free);
  if (n_free > 0) augment(n_free);
  for (int i = 0; i < rows; ++i) row_to_col[i] = x_[i] < cols ? x_[i] : -1;
  for (int j = 0; j < cols; ++j) col_to_row[j] = y_[j] < rows ? y_[j] : -1;
}

}  // namespace vxfast::track
