#include "pipeline/batch_ring.h"

#include <stdexcept>

namespace vxfast {

BatchRing::BatchRing(std::unique_ptr<FrameSampler> sampler, int batch_size)
    : sampler_(std::move(sampler)), batch_(batch_size), frame_bytes_(sampler_->writer().bytes()) {
  if (batch_size < 1) throw std::invalid_argument("batch=" + std::to_string(batch_size) + " must be >= 1");
}

BatchRing::~BatchRing() { stop(); }

void BatchRing::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

int BatchRing::add_slot(uint8_t* data) {
  std::lock_guard<std::mutex> lock(mu_);
  BatchSlot s;
  s.data = data;
  s.metas.resize(batch_);
  slots_.push_back(std::move(s));
  int id = static_cast<int>(slots_.size()) - 1;
  free_.push_back(id);
  cv_.notify_all();
  return id;
}

void BatchRing::start() { worker_ = std::thread([this] { produce(); }); }

void BatchRing::produce() {
  try {
    for (;;) {
      int id;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !free_.empty(); });
        if (stop_) return;
        id = free_.front();
        free_.pop_front();
      }
      BatchSlot& s = slots_[id];  // only this thread touches a slot between free and ready
      s.count = 0;
      bool more = true;
      while (s.count < batch_) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) return;
        }
        FrameMeta m;
        uint8_t* dst = s.data + frame_bytes_ * static_cast<size_t>(s.count);
        if (!sampler_->next(dst, m)) {
          more = false;
          break;
        }
        if (m.repeat && s.count > 0) {
          std::copy(dst - frame_bytes_, dst, dst);  // the previous frame shown again
        } else if (m.repeat) {
          std::copy(last_frame_.begin(), last_frame_.end(), dst);  // ... across a batch boundary
        }
        if (s.count + 1 == batch_) last_frame_.assign(dst, dst + frame_bytes_);
        s.metas[s.count++] = m;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (s.count > 0) {
          ready_.push_back(id);
        } else {
          free_.push_back(id);
        }
        if (!more) done_ = true;
      }
      cv_.notify_all();
      if (!more) return;
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = std::current_exception();
    done_ = true;
    cv_.notify_all();
  }
}

int BatchRing::next_ready() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !ready_.empty() || done_ || stop_; });
  if (!ready_.empty()) {
    int id = ready_.front();
    ready_.pop_front();
    return id;
  }
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
  return -1;
}

void BatchRing::release(int slot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(slot);
  }
  cv_.notify_all();
}

}  // namespace vxfast
