#include "postprocess/task_pool.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vxfast::post {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

inline int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

// One 64-bit word holds the whole claim state, so a claim is one CAS that cannot mix two calls:
// generation (32 bits) | task count (16) | next unclaimed task (16).
constexpr uint64_t pack(uint32_t gen, uint32_t n, uint32_t next) {
  return (uint64_t(gen) << 32) | (uint64_t(n) << 16) | next;
}
constexpr uint32_t gen_of(uint64_t v) { return uint32_t(v >> 32); }
constexpr uint32_t n_of(uint64_t v) { return uint32_t(v >> 16) & 0xFFFF; }
constexpr uint32_t next_of(uint64_t v) { return uint32_t(v) & 0xFFFF; }

// How long a helper keeps polling after taking part in a call before it sleeps. Waking a sleeping
// helper cost the caller 30-40 us on the 2-vCPU VM this was tuned on whenever the other vCPU was
// busy (more than the split saves there); 1 ms covers the next stage of the same call and calls in
// a tight loop (stored outputs decoded back to back; 300 us left the helper asleep in 60% of the
// bench's conf 0.001 calls). When calls are sparse it costs at most 1 ms of one core per call (3%
// of a core at 30 calls a second), and nothing once the pool has backed off (below).
constexpr auto kSpin = std::chrono::microseconds(1000);

// When helpers ran nothing in kUselessCalls calls in a row (every other core busy: the scheduler
// wakes them on the caller's CPU, where they stand aside), the next kInlineCalls calls skip the
// wake-up (a futex call and two context switches, ~15 us on a loaded 2-core VM), then it probes again.
constexpr int kUselessCalls = 3;
constexpr int kInlineCalls = 32;

}  // namespace

struct TaskPool::State {
  std::atomic<uint64_t> claim{0};
  std::atomic<int> done{0};
  std::atomic<int> helper_done{0};
  std::atomic<int> job_helpers{0};
  std::atomic<int> caller_cpu{-1};
  std::atomic<int> sleepers{0};
  std::atomic<bool> stop{false};
  TaskPool::TaskFn fn = nullptr;
  void* ctx = nullptr;
  // Caller side only (under `busy`).
  uint32_t gen = 0;
  int useless_streak = 0;
  int inline_left = 0;
  // One call at a time. A flag, not a mutex: a task may call run() again on the caller's own thread
  // (a nested call, run inline), and try_lock on a mutex the thread already holds is undefined.
  std::atomic<bool> busy{false};
  std::vector<std::thread> threads;
  pid_t owner = getpid();
  std::atomic<int64_t> stat_calls{0}, stat_tasks{0}, stat_helper_tasks{0}, stat_inline{0}, stat_woken{0};
#if !defined(__linux__)
  std::mutex m;
  std::condition_variable cv;
#endif

  uint32_t* gen_word() {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return reinterpret_cast<uint32_t*>(&claim) + 1;
#else
    return reinterpret_cast<uint32_t*>(&claim);
#endif
  }
  // Sleeping on the generation half of `claim` (the high 32 bits on little-endian), so a publish
  // is the wake condition itself.
  void sleep_while(uint32_t seen) {
#if defined(__linux__)
    syscall(SYS_futex, gen_word(), FUTEX_WAIT_PRIVATE, seen, nullptr,
            nullptr, 0);
#else
    std::unique_lock<std::mutex> lk(m);
    cv.wait(lk, [&] { return gen_of(claim.load()) != seen || stop.load(); });
#endif
  }
  void wake_all() {
#if defined(__linux__)
    syscall(SYS_futex, gen_word(), FUTEX_WAKE_PRIVATE, INT32_MAX,
            nullptr, nullptr, 0);
#else
    { std::lock_guard<std::mutex> lk(m); }
    cv.notify_all();
#endif
  }

  // Claims and runs tasks of generation g until none are left. Returns false when a helper stood
  // aside instead.
  bool work(uint32_t g, bool helper) {
    uint64_t v = claim.load(std::memory_order_acquire);
    for (;;) {
      if (gen_of(v) != g || next_of(v) >= n_of(v)) return true;
      // A helper the scheduler put on the caller's CPU (the other cores busy) could only preempt
      // the caller; it leaves the tasks to it instead.
      if (helper && current_cpu() == caller_cpu.load(std::memory_order_relaxed) &&
          current_cpu() >= 0)
        return false;
      if (!claim.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
        continue;
      fn(ctx, static_cast<int>(next_of(v)));
      if (helper) helper_done.fetch_add(1, std::memory_order_relaxed);
      done.fetch_add(1, std::memory_order_release);
      v = claim.load(std::memory_order_acquire);
    }
  }

  void helper(int index) {
    uint32_t seen = 0;
    bool spin = false;  // only on a CPU of its own, after taking part in a call
    for (;;) {
      uint64_t v = claim.load(std::memory_order_acquire);
      if (gen_of(v) == seen) {
        if (spin) {
          const auto until = std::chrono::steady_clock::now() + kSpin;
          int k = 0;
          while (gen_of(v = claim.load(std::memory_order_acquire)) == seen && !stop.load()) {
            cpu_relax();
            if (++k % 64 == 0 && std::chrono::steady_clock::now() > until) break;
          }
        }
        if (gen_of(v) == seen) {
          sleepers.fetch_add(1);
          // seq_cst pairs with run(): a caller that read sleepers == 0 published before this load.
          while (gen_of(v = claim.load()) == seen && !stop.load()) sleep_while(seen);
          sleepers.fetch_sub(1);
        }
        if (stop.load()) return;
      }
      seen = gen_of(v);
      spin = index < job_helpers.load(std::memory_order_relaxed) && work(seen, true);
    }
  }
};

TaskPool::TaskPool(int helpers) : s_(new State) {
  for (int i = 0; i < helpers; ++i) s_->threads.emplace_back([this, i] { s_->helper(i); });
}

TaskPool::~TaskPool() {
  s_->stop.store(true);
  s_->claim.fetch_add(uint64_t(1) << 32);
  s_->wake_all();
  for (auto& t : s_->threads) t.join();
  delete s_;
}

int TaskPool::helpers() const { return static_cast<int>(s_->threads.size()); }

TaskPool::Stats TaskPool::stats() const {
  return {s_->stat_calls.load(), s_->stat_tasks.load(), s_->stat_helper_tasks.load(),
          s_->stat_inline.load(), s_->stat_woken.load()};
}

void TaskPool::run(int n_tasks, int helpers, TaskFn fn, void* ctx) {
  State& s = *s_;
  helpers = std::min(helpers, this->helpers());
  struct Busy {  // releases the pool on every return below
    std::atomic<bool>* flag = nullptr;
    ~Busy() {
      if (flag) flag->store(false, std::memory_order_release);
    }
  } busy;
  if (n_tasks > 1 && helpers > 0 && n_tasks <= 0xFFFF && !s.busy.exchange(true, std::memory_order_acquire))
    busy.flag = &s.busy;
  const bool shared = busy.flag != nullptr && getpid() == s.owner;
  if (shared && s.inline_left > 0) --s.inline_left;
  if (!shared || s.inline_left > 0) {
    if (shared) s.stat_inline.fetch_add(1, std::memory_order_relaxed);
    for (int t = 0; t < n_tasks; ++t) fn(ctx, t);
    return;
  }
  s.fn = fn;
  s.ctx = ctx;
  s.done.store(0, std::memory_order_relaxed);
  s.helper_done.store(0, std::memory_order_relaxed);
  s.job_helpers.store(helpers, std::memory_order_relaxed);
  s.caller_cpu.store(current_cpu(), std::memory_order_relaxed);
  const uint32_t g = ++s.gen == 0 ? ++s.gen : s.gen;  // 0 is the helpers' initial "seen"
  s.claim.store(pack(g, static_cast<uint32_t>(n_tasks), 0));
  if (s.sleepers.load() > 0) {
    s.wake_all();
    s.stat_woken.fetch_add(1, std::memory_order_relaxed);
  }
  s.work(g, false);
  // Only tasks a helper already claimed are left; they are short, so poll, yielding if it drags
  // (a helper preempted mid-task on a loaded machine).
  for (int k = 0; s.done.load(std::memory_order_acquire) < n_tasks; ++k) {
    if (k < 4096) cpu_relax();
    else std::this_thread::yield();
  }
  const int by_helpers = s.helper_done.load(std::memory_order_relaxed);
  s.stat_calls.fetch_add(1, std::memory_order_relaxed);
  s.stat_tasks.fetch_add(n_tasks, std::memory_order_relaxed);
  s.stat_helper_tasks.fetch_add(by_helpers, std::memory_order_relaxed);
  s.useless_streak = by_helpers ? 0 : s.useless_streak + 1;
  if (s.useless_streak >= kUselessCalls) {
    s.useless_streak = 0;
    s.inline_left = kInlineCalls + 1;  // the decrement above runs first
  }
}

namespace {
int usable_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
#endif
  return static_cast<int>(std::thread::hardware_concurrency());
}
}  // namespace

TaskPool& shared_task_pool() {
  // Leaked on purpose: destroying it at exit would join threads during interpreter shutdown.
  static TaskPool* pool = new TaskPool(std::clamp(usable_cpus() - 1, 0, 7));
  return *pool;
}

int resolve_threads(int requested, int64_t bytes) {
  if (requested == 1 || (requested <= 0 && bytes < (int64_t(1) << 20))) return 1;
  const int most = shared_task_pool().helpers() + 1;
  return requested > 0 ? std::min(requested, most) : most;
}

}  // namespace vxfast::post
