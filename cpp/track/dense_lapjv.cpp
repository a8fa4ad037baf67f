#include "track/dense_lapjv.h"

#include "track/jv_row_reduction.h"

namespace vxfast::track {

namespace {
constexpr double kLarge = 1000000;  // lap's LARGE
}  // namespace

// Each column goes to its cheapest row (first on ties); a row that won several columns keeps the
// highest; rows that won exactly one move that column's dual by their second-best reduced cost.
int DenseLapjv::reduce_columns() {
  const int n = n_;
  for (int i = 0; i < n; ++i) {
    x_[i] = -1;
    v_[i] = kLarge;
    y_[i] = 0;
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (c(i, j) < v_[j]) {
        v_[j] = c(i, j);
        y_[j] = i;
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
  int n_free = 0;
  for (int i = 0; i < n; ++i) {
    if (x_[i] < 0) {
      free_[n_free++] = i;
    } else if (unique_[i]) {
      const int j = x_[i];
      double mn = kLarge;
      for (int j2 = 0; j2 < n; ++j2) {
        if (j2 == j) continue;
        const double r = c(i, j2) - v_[j2];
        if (r < mn) mn = r;
      }
      v_[j] -= mn;
    }
  }
  return n_free;
}

int DenseLapjv::augment_rows(int n_free) {
  const int n = n_;
  // lap's two-smallest scan of a row over the whole matrix.
  auto top2 = [&](int fi, int& j1, double& v1, int& j2, double& v2) {
    j1 = 0;
    j2 = -1;
    v1 = c(fi, 0) - v_[0];
    v2 = kLarge;
    for (int j = 1; j < n; ++j) {
      const double r = c(fi, j) - v_[j];
      if (r < v2) {
        if (r >= v1) {
          v2 = r;
          j2 = j;
        } else {
          v2 = v1;
          v1 = r;
          j2 = j1;
          j1 = j;
        }
      }
    }
  };
  return jv_augmenting_row_reduction(n, n_free, free_, x_, y_, v_, top2, [&](int j, double value) { v_[j] = value; });
}

// Dijkstra over reduced costs from row `start`; returns the free column reached and moves the
// duals of the settled columns.
int DenseLapjv::shortest_path(int start) {
  const int n = n_;
  for (int j = 0; j < n; ++j) {
    cols_[j] = j;
    pred_[j] = start;
    d_[j] = c(start, j) - v_[j];
  }
  int lo = 0, hi = 0, ready = 0, final_j = -1;
  while (final_j == -1) {
    if (lo == hi) {  // collect the columns at the minimum distance
      ready = lo;
      hi = lo + 1;
      double mind = d_[cols_[lo]];
      for (int k = hi; k < n; ++k) {
        const int j = cols_[k];
        if (d_[j] <= mind) {
          if (d_[j] < mind) {
            hi = lo;
            mind = d_[j];
          }
          cols_[k] = cols_[hi];
          cols_[hi++] = j;
        }
      }
      for (int k = lo; k < hi; ++k)
        if (y_[cols_[k]] < 0) final_j = cols_[k];
    }
    if (final_j != -1) break;
    while (lo != hi && final_j == -1) {  // scan one settled column
      const int js = cols_[lo++];
      const int i = y_[js];
      const double mind = d_[js];
      const double h = c(i, js) - v_[js] - mind;
      for (int k = hi; k < n; ++k) {
        const int j = cols_[k];
        const double r = c(i, j) - v_[j] - h;
        if (r < d_[j]) {
          d_[j] = r;
          pred_[j] = i;
          if (r == mind) {
            if (y_[j] < 0) {
              final_j = j;
              break;
            }
            cols_[k] = cols_[hi];
            cols_[hi++] = j;
          }
        }
      }
    }
  }
  const double mind = d_[cols_[ready]];  // the settled distance (lap reads it before the scan moved)
  for (int k = 0; k < ready; ++k) v_[cols_[k]] += d_[cols_[k]] - mind;
  return final_j;
}

void DenseLapjv::augment(int n_free) {
  for (int f = 0; f < n_free; ++f) {
    const int start = free_[f];
    int j = shortest_path(start), i = -1;
    while (i != start) {
      i = pred_[j];
      y_[j] = i;
      const int t = x_[i];
      x_[i] = j;
      j = t;
    }
  }
}

void DenseLapjv::solve(const double* cost, int rows, int cols, std::vector<int>& row_to_col) {
  row_to_col.assign(rows, -1);
  if (rows == 0 || cols == 0) return;
  n_ = rows > cols ? rows : cols;
  const int n = n_;
  a_.assign(static_cast<std::size_t>(n) * n, 0.0);  // lap's zero padding
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) a_[static_cast<std::size_t>(i) * n + j] = cost[static_cast<std::size_t>(i) * cols + j];
  v_.assign(n, 0.0);
  d_.assign(n, 0.0);
  x_.assign(n, -1);
  y_.assign(n, -1);
  free_.assign(n, 0);
  pred_.assign(n, 0);
  cols_.assign(n, 0);
  int n_free = reduce_columns();
  for (int pass = 0; pass < 2 && n_free > 0; ++pass) n_free = augment_rows(n_free);
  if (n_free > 0) augment(n_free);
  for (int i = 0; i < rows; ++i) row_to_col[i] = x_[i] < cols ? x_[i] : -1;
}

}  // namespace vxfast::track
