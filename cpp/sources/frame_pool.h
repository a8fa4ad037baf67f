#pragma once
// Reusable frame buffers: a buffer handed out returns to the pool when its last holder (the queue,
// a batch, a numpy array on the Python side) lets go, so a steady stream allocates nothing.
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace vxfast {

class FramePool : public std::enable_shared_from_this<FramePool> {
 public:
  using Buffer = std::shared_ptr<std::vector<uint8_t>>;
  explicit FramePool(size_t keep = 16) : keep_(keep) {}

  // A buffer of exactly `bytes` bytes (contents undefined). Thread-safe.
  Buffer get(size_t bytes) {
    std::unique_ptr<std::vector<uint8_t>> b;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!free_.empty() && !b) {
        b = std::move(free_.back());
        free_.pop_back();
        if (b->size() != bytes) b.reset();  // the stream changed size on reconnect
      }
    }
    if (!b) b = std::make_unique<std::vector<uint8_t>>(bytes);
    std::weak_ptr<FramePool> home = weak_from_this();
    return Buffer(b.release(), [home](std::vector<uint8_t>* p) {
      if (auto pool = home.lock()) {
        std::lock_guard<std::mutex> lock(pool->mu_);
        if (pool->free_.size() < pool->keep_) {
          pool->free_.emplace_back(p);
          return;
        }
      }
      delete p;
    });
  }

 private:
  std::mutex mu_;
  size_t keep_;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> free_;
};

}  // namespace vxfast
