// The task pool (cpp/postprocess/task_pool.*): every task runs exactly once, the results do not
// depend on how many threads share them, concurrent and nested callers are safe, and destroying a
// pool (idle, asleep or still polling) leaves no thread behind.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "postprocess/task_pool.h"
#include "test_support.h"

using vxfast::post::TaskPool;

namespace {

// A task whose result depends only on its index.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::vector<uint64_t> run_mix(TaskPool& pool, int n, int helpers) {
  std::vector<uint64_t> out(n, 0);
  auto task = [&](int t) {
    uint64_t v = static_cast<uint64_t>(t);
    for (int r = 0; r < 50; ++r) v = mix(v);
    out[t] = v;
  };
  pool.run(n, helpers, task);
  return out;
}

}  // namespace

TEST(every_task_runs_exactly_once) {
  TaskPool pool(3);
  CHECK_EQ(pool.helpers(), 3);
  for (int n : {0, 1, 2, 3, 4, 7, 64, 1000, 0xFFFF, 0x10000 + 5}) {
    for (int helpers : {0, 1, 3, 8}) {
      std::vector<std::atomic<int>> runs(n);
      for (auto& r : runs) r.store(0);
      auto task = [&](int t) { runs[t].fetch_add(1, std::memory_order_relaxed); };
      pool.run(n, helpers, task);
      int wrong = 0;
      for (auto& r : runs) wrong += r.load() != 1;
      if (wrong) vxtest::fail(__FILE__, __LINE__, std::to_string(wrong) + " of " + std::to_string(n) +
                                                     " tasks not run once, helpers=" + std::to_string(helpers));
    }
  }
}

TEST(many_calls_in_a_row_each_complete) {
  // Back-to-back calls reuse helpers that are still polling from the previous call; a task of an
  // old call must never run in (or be counted for) a new one.
  TaskPool pool(2);
  for (int call = 0; call < 2000; ++call) {
    const int n = 1 + call % 37;
    std::vector<std::atomic<int>> runs(n);
    for (auto& r : runs) r.store(0);
    auto task = [&](int t) { runs[t].fetch_add(1 + call, std::memory_order_relaxed); };
    pool.run(n, 2, task);
    for (int t = 0; t < n; ++t) {
      if (runs[t].load() != 1 + call) {
        vxtest::fail(__FILE__, __LINE__, "call " + std::to_string(call) + " task " + std::to_string(t));
        return;
      }
    }
  }
  const auto st = pool.stats();
  CHECK(st.tasks <= 2000 * 37);
  CHECK(st.helper_tasks <= st.tasks);
}

TEST(results_do_not_depend_on_thread_count) {
  TaskPool none(0);
  const auto ref = run_mix(none, 4099, 0);
  for (int pool_helpers : {1, 2, 4}) {
    TaskPool pool(pool_helpers);
    for (int helpers = 0; helpers <= pool_helpers + 1; ++helpers) {
      CHECK(run_mix(pool, 4099, helpers) == ref);
    }
  }
}

TEST(concurrent_callers_each_get_their_own_results) {
  // Several threads share one pool: one call at a time gets the helpers, the others run inline.
  TaskPool pool(2);
  const auto ref = run_mix(pool, 257, 0);
  std::atomic<int> bad{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int k = 0; k < 200; ++k) {
        if (run_mix(pool, 257, 2) != ref) bad.fetch_add(1);
      }
    });
  }
  for (auto& t : callers) t.join();
  CHECK_EQ(bad.load(), 0);
}

TEST(nested_calls_from_inside_a_task) {
  // A task that itself calls run() (on the caller's thread or on a helper) gets its tasks run
  // inline instead of waiting for a pool that is busy with its own caller.
  TaskPool pool(2);
  const int outer = 16, inner = 33;
  std::vector<std::atomic<int>> runs(outer * inner);
  for (auto& r : runs) r.store(0);
  auto outer_task = [&](int o) {
    auto inner_task = [&](int i) { runs[o * inner + i].fetch_add(1); };
    pool.run(inner, 2, inner_task);
  };
  pool.run(outer, 2, outer_task);
  int wrong = 0;
  for (auto& r : runs) wrong += r.load() != 1;
  CHECK_EQ(wrong, 0);
}

TEST(destruction_leaves_no_thread) {
  const int before = vxtest::baseline_thread_count();
  { TaskPool idle(4); }  // helpers never used: parked since they started
  {
    TaskPool polling(3);
    run_mix(polling, 100, 3);  // destroyed at once, helpers possibly still polling for more work
  }
  {
    TaskPool asleep(3);
    run_mix(asleep, 100, 3);
    // Helpers poll for about a millisecond after a call, then sleep in the kernel.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
  {
    TaskPool pool(3);
    CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before + 3; }));
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(resolve_threads_respects_the_request_and_the_pool) {
  using vxfast::post::resolve_threads;
  using vxfast::post::shared_task_pool;
  const int most = shared_task_pool().helpers() + 1;
  CHECK_EQ(resolve_threads(1, int64_t(1) << 30), 1);
  CHECK_EQ(resolve_threads(0, 1000), 1);                 // small reads stay on the caller
  CHECK_EQ(resolve_threads(0, int64_t(8) << 20), most);  // large ones use the whole pool
  CHECK_EQ(resolve_threads(1000, int64_t(8) << 20), most);
  CHECK_EQ(resolve_threads(2, 10), std::min(2, most));
}
