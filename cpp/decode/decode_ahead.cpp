#include "decode/decode_ahead.h"

#include <new>

namespace vxfast {

DecodeAhead::DecodeAhead(std::unique_ptr<DecodeSession> session, int depth)
    : session_(std::move(session)), ring_(depth < 1 ? 1 : depth) {
  position_ = session_->position();
  counters_ = session_->counters();
  for (Item& it : ring_) {
    if (!it.frame) throw std::bad_alloc();
  }
  if (!current_) throw std::bad_alloc();
}

DecodeAhead::~DecodeAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  to_worker_.notify_all();
  if (worker_.joinable()) worker_.join();  // at most one frame's decode away
}

bool DecodeAhead::may_decode() const {
  // Past the speculation limit only when the caller is actually waiting for a frame.
  return !paused_ && !worker_ended_ && count_ < ring_.size() && (last_index_ < limit_ || consumer_waiting_);
}

void DecodeAhead::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    to_worker_.wait(lock, [&] { return stop_ || may_decode(); });
    if (stop_) return;
    Item& it = ring_[(head_ + count_) % ring_.size()];
    worker_busy_ = true;
    lock.unlock();
    // The slot past count_ is the worker's alone: neither next() nor seek_to() reads it.
    DecodedFrame d;
    bool ok = false;
    it.error = nullptr;
    try {
      ok = session_->next(d);
      if (ok && av_frame_ref(it.frame.get(), d.frame) < 0) throw std::bad_alloc();
    } catch (...) {
      ok = false;
      it.error = std::current_exception();
    }
    it.meta = d;
    it.end = !ok;
    it.position = session_->position();
    it.counters = session_->counters();
    lock.lock();
    worker_busy_ = false;
    ++count_;
    consumer_waiting_ = false;  // served: what follows is speculative again
    if (ok) last_index_ = d.index;
    else worker_ended_ = true;
    to_consumer_.notify_all();
  }
}

bool DecodeAhead::next(DecodedFrame& out) {
  if (consumer_ended_) return false;
  std::unique_lock<std::mutex> lock(mu_);
  if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  if (count_ == 0) {
    consumer_waiting_ = true;
    to_worker_.notify_one();
    to_consumer_.wait(lock, [&] { return count_ > 0; });
  }
  Item& it = ring_[head_];
  position_ = it.position;
  counters_ = it.counters;
  bool ok = !it.end;
  std::exception_ptr error = std::move(it.error);
  it.error = nullptr;
  if (ok) {
    av_frame_unref(current_.get());
    av_frame_move_ref(current_.get(), it.frame.get());
    out = it.meta;
    out.frame = current_.get();
  } else {
    consumer_ended_ = true;
  }
  head_ = (head_ + 1) % ring_.size();
  --count_;
  lock.unlock();
  to_worker_.notify_one();
  if (error) std::rethrow_exception(error);
  return ok;
}

void DecodeAhead::seek_to(int64_t idx) {
  std::unique_lock<std::mutex> lock(mu_);
  paused_ = true;
  to_consumer_.wait(lock, [&] { return !worker_busy_; });
  for (; count_ > 0; --count_) {  // speculative frames from before the seek
    Item& it = ring_[head_];
    av_frame_unref(it.frame.get());
    it.error = nullptr;
    head_ = (head_ + 1) % ring_.size();
  }
  worker_ended_ = false;
  last_index_ = -1;
  limit_ = -1;  // nothing speculative until the caller says how far the new position is wanted
  consumer_ended_ = false;
  lock.unlock();
  // The worker is parked: the session is ours until paused_ is cleared.
  struct Resume {
    DecodeAhead* self;
    ~Resume() {
      {
        std::lock_guard<std::mutex> l(self->mu_);
        self->paused_ = false;
      }
      self->to_worker_.notify_one();
    }
  } resume{this};
  session_->seek_to(idx);
  position_ = session_->position();
  counters_ = session_->counters();
}

void DecodeAhead::set_speculation_limit(int64_t last) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = last;
  }
  to_worker_.notify_one();
}

}  // namespace vxfast
