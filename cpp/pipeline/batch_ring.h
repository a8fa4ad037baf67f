#pragma once
// A ring of preallocated batch slots filled by a producer thread (decode -> fused preprocess straight
// into the slot) and consumed by the Python thread. Backpressure: the producer waits for a free
// slot. Shutdown: the destructor stops and joins the producer, whatever state it is in. Errors in
// the producer are rethrown in the consumer.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <algorithm>
#include <vector>

#include "decode/video_reader.h"

namespace vxfast {

struct BatchSlot {
  uint8_t* data = nullptr;           // batch_size * frame_bytes, owned by the caller (a numpy array)
  int count = 0;                     // frames filled (< batch_size only for the last batch)
  std::vector<FrameMeta> metas;
};

class BatchRing {
 public:
  // The sampler and writer must outlive nothing: the ring owns the sampler.
  BatchRing(std::unique_ptr<FrameSampler> sampler, int batch_size);
  ~BatchRing();
  BatchRing(const BatchRing&) = delete;
  BatchRing& operator=(const BatchRing&) = delete;

  // Adds a slot over caller memory (batch_size * frame_bytes()); slots start free.
  int add_slot(uint8_t* data);
  void start();
  // Blocks until the next filled slot (in order); -1 at the end. Rethrows a producer error.
  int next_ready();
  // Hands a consumed slot back to the producer.
  void release(int slot);
  const BatchSlot& slot(int i) const { return slots_[i]; }
  size_t frame_bytes() const { return frame_bytes_; }
  int batch_size() const { return batch_; }
  SamplerStats stats() const { return sampler_->stats(); }
  void stop();

 private:
  void produce();

  std::unique_ptr<FrameSampler> sampler_;
  int batch_;
  size_t frame_bytes_;
  std::deque<BatchSlot> slots_;      // deque: references stay valid as slots are added
  std::deque<int> free_, ready_;
  bool done_ = false, stop_ = false;
  std::exception_ptr error_;
  std::vector<uint8_t> last_frame_;  // last frame of the previous batch, for repeats across batches
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread worker_;
};

}  // namespace vxfast
