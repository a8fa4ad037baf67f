#pragma once
// Bounds every blocking FFmpeg call of one demuxer (open, probe, read, close): FFmpeg's network
// and file protocols poll AVIOInterruptCB while they wait, so a deadline set before each call ends
// a connect to an unreachable host, a server that accepts and never sends and a stream that stalls
// mid-way. `abort` ends whatever call is in progress from another thread (Source::close()).
#include <atomic>
#include <chrono>
#include <cstdint>

namespace vxfast {

class IoDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // seconds <= 0: no deadline (only abort() interrupts).
  void arm(double seconds) {
    const int64_t now = now_ns();
    deadline_.store(seconds > 0 ? now + static_cast<int64_t>(seconds * 1e9) : INT64_MAX,
                    std::memory_order_relaxed);
  }
  // timed_out() stays true once fired: FFmpeg keeps an interrupted read's error in the AVIOContext
  // and may report it only on a later call. A new connection starts afresh.
  void reset_timeout() { fired_.store(false, std::memory_order_relaxed); }
  void abort() { aborted_.store(true, std::memory_order_release); }
  bool aborted() const { return aborted_.load(std::memory_order_acquire); }
  // True once a deadline interrupted a call (not an abort) since reset_timeout().
  bool timed_out() const { return fired_.load(std::memory_order_relaxed); }

  // AVIOInterruptCB.callback: opaque is the IoDeadline.
  static int callback(void* opaque) {
    auto* d = static_cast<IoDeadline*>(opaque);
    if (d->aborted()) return 1;
    if (now_ns() > d->deadline_.load(std::memory_order_relaxed)) {
      d->fired_.store(true, std::memory_order_relaxed);
      return 1;
    }
    return 0;
  }

  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }

 private:
  std::atomic<int64_t> deadline_{INT64_MAX};
  std::atomic<bool> fired_{false};
  std::atomic<bool> aborted_{false};
};

}  // namespace vxfast
