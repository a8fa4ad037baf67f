#pragma once
// A few persistent helper threads that share one call's independent tasks with the calling thread.
// Used to split the YOLO class scan (a memory-bound read of 2.7 MB for a YOLOv8n output) over cores:
// one core's L3 read bandwidth is the single-thread floor (docs/performance-history.md, "Postprocessing").
//
// Why persistent: starting a std::thread costs tens of microseconds, about a third of the whole scan.
// Why the caller works too and tasks are claimed one at a time: a helper that wakes late (a loaded
// machine, an idle vCPU to wake) only leaves more tasks to the caller; nothing waits for a thread to
// be scheduled except a task it already claimed. The result never depends on who ran which task.
//
// The process-wide pool (shared_task_pool) is created on first use, thread-safely, and never
// destroyed (its helpers are parked in a condition variable at exit). One call uses it at a time;
// a concurrent caller (another Python thread, GIL released) runs its tasks on its own thread
// instead of waiting. A forked child never uses its parent's pool (the helpers are not there).
// A helper that the scheduler wakes on the caller's own CPU (all other cores busy, e.g. inference
// running) stands aside rather than preempt the caller, and after a few such calls the caller stops
// waking helpers for a while (see task_pool.cpp).
#include <cstdint>

namespace vxfast::post {

class TaskPool {
 public:
  // fn(ctx, task) for task in [0, n_tasks); tasks must be independent.
  using TaskFn = void (*)(void* ctx, int task);

  explicit TaskPool(int helpers);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Runs every task, on the caller and on up to `helpers` helper threads; returns when all are
  // done. Tasks must not throw. With helpers == 0, or the pool busy with another call, or in a
  // forked child, the caller runs them all in order.
  void run(int n_tasks, int helpers, TaskFn fn, void* ctx);
  int helpers() const;

  // Counters since creation, for benchmarks: calls shared with helpers, their tasks, the tasks
  // helpers ran, calls run inline because helpers had been of no use (see task_pool.cpp), and
  // shared calls that had to wake a sleeping helper (a futex call; the rest found one polling).
  struct Stats {
    int64_t calls, tasks, helper_tasks, inline_calls, woken;
  };
  Stats stats() const;

  template <class F>
  void run(int n_tasks, int helpers, F& f) {
    run(n_tasks, helpers, [](void* c, int t) { (*static_cast<F*>(c))(t); }, &f);
  }

 private:
  struct State;
  State* s_;
};

// The process-wide pool: hardware threads - 1 helpers, at most 7 (memory-bound work gains nothing
// from more). Created on first call.
TaskPool& shared_task_pool();

// Threads to use for `bytes` of score reads: `requested` > 0 is taken as is (capped at the pool's
// helpers + 1); 0 = auto: 1 below ~1 MB (the hand-off costs more than it saves), else all.
int resolve_threads(int requested, int64_t bytes);

}  // namespace vxfast::post
