#pragma once
// Jonker-Volgenant's augmenting row reduction with lap's step order, shared by the two solvers
// (LinearAssignment: implicit cost_limit padding; DenseLapjv: zero padding). They differ only in how
// a row's two smallest reduced costs are found and in what else must follow a column dual's change.
#include <vector>

namespace vxfast::track {

// One pass over the n_free rows in free[]: each takes its cheapest column (lowering that column's
// dual by the gap to its second best, or, when the dual cannot drop, taking the second column) and
// the row it displaces is retried at once (dual lowered) or queued for the next pass. lap bounds the
// immediate retries by rr_cnt < current * n. Returns the number of rows left free (in free[]).
//   top2(i, j1, v1, j2, v2): row i's smallest reduced cost v1 at j1 and the next v2 at j2 (j2 = -1,
//   v2 = lap's LARGE if none), ties as lap's left-to-right scan breaks them.
//   set_dual(j, value): v[j] = value, plus the caller's bookkeeping.
template <class Top2, class SetDual>
int jv_augmenting_row_reduction(int n, int n_free, std::vector<int>& free, std::vector<int>& x, std::vector<int>& y,
                                const std::vector<double>& v, Top2&& top2, SetDual&& set_dual) {
  long long current = 0, rr_cnt = 0;
  int new_free = 0;
  while (current < n_free) {
    ++rr_cnt;
    const int free_i = free[current++];
    int j1, j2;
    double v1, v2;
    top2(free_i, j1, v1, j2, v2);
    int i0 = y[j1];
    const double v1_new = v[j1] - (v2 - v1);
    const bool v1_lowers = v1_new < v[j1];
    if (rr_cnt < current * n) {
      if (v1_lowers) {
        set_dual(j1, v1_new);
      } else if (i0 >= 0 && j2 >= 0) {
        j1 = j2;
        i0 = y[j2];
      }
      if (i0 >= 0) {
        if (v1_lowers)
          free[--current] = i0;
        else
          free[new_free++] = i0;
      }
    } else if (i0 >= 0) {
      free[new_free++] = i0;
    }
    x[free_i] = j1;
    y[j1] = free_i;
  }
  return new_free;
}

}  // namespace vxfast::track
