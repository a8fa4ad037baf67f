#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "decode/decode_session.h"

namespace vxfast {

// Runs a DecodeSession on its own thread, up to `depth` frames ahead of the caller, so the caller's
// per-frame work (a letterbox, a colour conversion) overlaps the decode of the next frames instead
// of leaving FFmpeg's frame threads without packets. Frames cross as AVFrame references (no pixel
// copies). Delivers exactly what the session would, in the same order, with the same counters as
// of each delivered frame; errors thrown on the decode thread are rethrown by next(). One consumer
// thread at a time (the sampler's lock). Destruction stops and joins the thread.
class DecodeAhead : public FrameSource {
 public:
  DecodeAhead(std::unique_ptr<DecodeSession> session, int depth);
  ~DecodeAhead() override;
  DecodeAhead(const DecodeAhead&) = delete;
  DecodeAhead& operator=(const DecodeAhead&) = delete;

  bool next(DecodedFrame& out) override;
  void seek_to(int64_t idx) override;
  int64_t position() const override { return position_; }
  DecodeCounters counters() const override { return counters_; }
  void set_speculation_limit(int64_t last) override;

 private:
  struct Item {
    UniqueAVFrame frame = make_frame();
    DecodedFrame meta;
    bool end = false;
    std::exception_ptr error;
    int64_t position = 0;     // the session's position() right after this frame
    DecodeCounters counters;  // and its counters
  };
  void run();
  bool may_decode() const;  // worker's wait predicate; mu_ held

  std::unique_ptr<DecodeSession> session_;  // the worker's while it runs; the caller's while paused
  std::vector<Item> ring_;
  size_t head_ = 0, count_ = 0;
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable to_worker_, to_consumer_;
  bool stop_ = false;
  bool paused_ = false;
  bool worker_busy_ = false;   // inside a session call, lock released
  bool worker_ended_ = false;  // produced the end (or an error): idle until a seek
  bool consumer_waiting_ = false;
  int64_t limit_ = INT64_MAX;  // see set_speculation_limit; -1 after a seek until it is set again
  int64_t last_index_ = -1;    // display index of the last frame produced

  // Caller's side (only the consumer thread touches these).
  UniqueAVFrame current_ = make_frame();  // the frame last returned, valid until the next call
  bool consumer_ended_ = false;
  int64_t position_ = 0;
  DecodeCounters counters_;
};

}  // namespace vxfast
