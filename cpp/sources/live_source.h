#pragma once
// One live or file source decoded on its own thread (no GIL, no Python): connect with deadlines,
// decode, hand frames to a one-slot ("latest") or bounded ("queue") buffer, and on EOF (live),
// error or stall reconnect with backoff. Each successful (re)connection starts a new epoch.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "decode/demuxer.h"
#include "decode/frame_writer.h"
#include "sources/backoff.h"
#include "sources/frame_pool.h"

namespace vxfast {

enum class SourceState { Connecting, Live, Stalled, Reconnecting, Ended, Failed, Closed };
const char* source_state_name(SourceState s);

struct LiveFrame {
  int64_t seq = -1;         // strictly increasing per source, across reconnections
  int64_t epoch = 0;        // 1 for the first connection, +1 per reconnection
  double pts = 0;           // seconds on the stream's clock (restarts with the stream)
  double recv_time = 0;     // wall clock (Unix seconds) when the frame left the decoder
  int64_t recv_ns = 0;      // steady clock of the same instant (ages and latencies)
  FramePool::Buffer data;   // writer->bytes() bytes
  std::vector<ptrdiff_t> shape;
  int width = 0, height = 0;
};

struct SourceStats {
  SourceState state = SourceState::Connecting;
  int64_t frames_decoded = 0;
  int64_t frames_dropped = 0;    // overwritten (latest) or dropped oldest (queue, live)
  int64_t frames_delivered = 0;
  int64_t reconnects = 0;        // successful reconnections (epoch - 1)
  int64_t attempts = 0;          // failed connection attempts in a row
  int64_t stalls = 0;            // read_timeout expiries while live
  int64_t epoch = 0;
  int64_t queued = 0;
  int64_t max_queued = 0;        // high-water mark of the buffer
  std::string last_error;
  double frame_age = -1;         // seconds between the last delivered frame's decode and its delivery
  double latency_p50 = -1, latency_p95 = -1;  // same, over the last 512 deliveries
};

// Makes the writer for a stream of this coded size and rotation (called on each connection).
using WriterFactory = std::function<std::shared_ptr<FrameWriter>(int width, int height, int rotation)>;

struct LiveSourceOptions {
  std::string name;
  bool latest = true;            // policy "latest" (one slot) or "queue"
  int max_queue = 8;
  bool live = true;              // false: a file, ends at EOF, backpressure under "queue"
  DemuxOptions demux;            // open_timeout, read_timeout, FFmpeg options
  Backoff backoff;
  int decoder_threads = 1;
  bool apply_rotation = true;
  uint64_t seed = 0;             // jitter
};

class LiveSource {
 public:
  // Starts the decode thread at once. Thread-safe: one consumer calls next(); stats() and close()
  // from any thread.
  LiveSource(MediaInput input, LiveSourceOptions opts, WriterFactory writer);
  ~LiveSource();
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  // Waits up to timeout_s (< 0: forever) for a frame. True with a frame; false on timeout or when
  // the source is over (ended/failed/closed: check state()).
  bool next(LiveFrame& out, double timeout_s);
  // Takes a frame if one is ready (the batcher's poll).
  bool try_next(LiveFrame& out);
  // Over: ended, failed or closed, and nothing left to take.
  bool finished() const;
  SourceState state() const { return state_.load(); }
  SourceStats stats() const;
  std::string last_error() const;
  const std::string& name() const { return opts_.name; }
  // Ends the decode thread: interrupts any blocked FFmpeg call; returns once it has stopped.
  void close();

  // Called (no lock held) whenever a frame arrives or the source ends; the batcher waits on it.
  void set_listener(std::function<void()> fn);

 private:
  void run();
  bool connect_and_decode();  // true: clean EOF of a file
  void push(LiveFrame&& f);
  void set_state(SourceState s);
  void notify();
  bool wait_backoff(double seconds);
  void record_delivery(const LiveFrame& f);

  MediaInput input_;
  LiveSourceOptions opts_;
  WriterFactory make_writer_;
  std::shared_ptr<IoDeadline> deadline_ = std::make_shared<IoDeadline>();
  std::shared_ptr<FramePool> pool_;

  mutable std::mutex mu_;
  std::condition_variable cv_;      // frames in / space freed / closing
  std::deque<LiveFrame> queue_;
  std::atomic<SourceState> state_{SourceState::Connecting};
  bool closing_ = false;
  SourceStats stats_;
  std::vector<double> latencies_;   // ring of the last 512
  size_t lat_pos_ = 0;
  int64_t next_seq_ = 0;
  std::function<void()> listener_;
  std::mutex listener_mu_;
  std::thread thread_;
};

}  // namespace vxfast
