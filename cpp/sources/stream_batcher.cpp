#include "sources/stream_batcher.h"

#include <chrono>
#include <stdexcept>

namespace vxfast {

StreamBatcher::StreamBatcher(std::vector<std::shared_ptr<LiveSource>> sources, int batch, double max_wait_s)
    : sources_(std::move(sources)), batch_(batch), max_wait_s_(max_wait_s) {
  if (sources_.empty()) throw std::invalid_argument("sources must not be empty");
  if (batch_ < 1) throw std::invalid_argument("batch must be >= 1");
  if (max_wait_s_ < 0) throw std::invalid_argument("max_wait_ms must be >= 0");
  // The listener holds the batcher's wait state by shared_ptr: a source outliving the batcher
  // (Python keeps it) still calls a valid target.
  auto mu = mu_;
  auto cv = cv_;
  auto ev = events_;
  for (auto& s : sources_) {
    s->set_listener([mu, cv, ev] {
      {
        std::lock_guard<std::mutex> lock(*mu);
        ++*ev;
      }
      cv->notify_all();
    });
  }
}

StreamBatcher::~StreamBatcher() {
  for (auto& s : sources_) s->set_listener(nullptr);
}

bool StreamBatcher::all_finished() const {
  for (const auto& s : sources_) {
    if (!s->finished()) return false;
  }
  return true;
}

void StreamBatcher::poll(std::vector<BatchItem>& out) {
  const size_t n = sources_.size();
  bool took = true;
  while (took && static_cast<int>(out.size()) < batch_) {
    took = false;
    for (size_t k = 0; k < n && static_cast<int>(out.size()) < batch_; ++k) {
      const size_t i = (rr_ + k) % n;
      BatchItem item;
      if (sources_[i]->try_next(item.frame)) {
        item.source = static_cast<int>(i);
        out.push_back(std::move(item));
        took = true;
      }
    }
    rr_ = (rr_ + 1) % n;  // the next pass starts one source later
  }
}

bool StreamBatcher::next(std::vector<BatchItem>& out, double timeout_s) {
  using Clock = std::chrono::steady_clock;
  out.clear();
  const auto give_up = timeout_s < 0 ? Clock::time_point::max()
                                     : Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(timeout_s));
  for (;;) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(*mu_);
      seen = *events_;
    }
    poll(out);
    if (static_cast<int>(out.size()) >= batch_) return true;
    Clock::time_point until = give_up;
    if (!out.empty()) {
      // The batch's deadline counts from its first frame's decode, not from when we took it.
      int64_t first_ns = out.front().frame.recv_ns;
      for (const auto& it : out) first_ns = std::min(first_ns, it.frame.recv_ns);
      const int64_t due_ns = first_ns + static_cast<int64_t>(max_wait_s_ * 1e9);
      const int64_t now_ns = IoDeadline::now_ns();
      if (now_ns >= due_ns) return true;
      until = std::min(until, Clock::now() + std::chrono::nanoseconds(due_ns - now_ns));
    } else if (all_finished()) {
      return false;
    }
    if (Clock::now() >= give_up) return !out.empty();
    std::unique_lock<std::mutex> lock(*mu_);
    cv_->wait_until(lock, until, [&] { return *events_ != seen; });
    if (*events_ == seen && Clock::now() >= until) {
      lock.unlock();
      poll(out);
      if (!out.empty() || Clock::now() >= give_up) return !out.empty();
    }
  }
}

}  // namespace vxfast
