#pragma once
// Deadline-based batching over many LiveSources (like DeepStream's nvstreammux): a batch goes when
// it holds `batch` frames or `max_wait` after its first frame was decoded, whichever comes first,
// so a stalled or reconnecting source never holds the others back. Sources are polled round-robin,
// at most one frame per source per pass, so one fast source cannot starve the rest.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "sources/live_source.h"

namespace vxfast {

struct BatchItem {
  int source = -1;  // index into the batcher's sources
  LiveFrame frame;
};

class StreamBatcher {
 public:
  StreamBatcher(std::vector<std::shared_ptr<LiveSource>> sources, int batch, double max_wait_s);
  ~StreamBatcher();
  StreamBatcher(const StreamBatcher&) = delete;
  StreamBatcher& operator=(const StreamBatcher&) = delete;

  // Fills `out` (cleared first). True with >= 1 frame; false when every source is finished or
  // after timeout_s (< 0: no timeout) without any frame. One consumer thread.
  bool next(std::vector<BatchItem>& out, double timeout_s);
  bool all_finished() const;
  const std::vector<std::shared_ptr<LiveSource>>& sources() const { return sources_; }
  int batch() const { return batch_; }

 private:
  void poll(std::vector<BatchItem>& out);

  std::vector<std::shared_ptr<LiveSource>> sources_;
  int batch_;
  double max_wait_s_;
  size_t rr_ = 0;
  std::shared_ptr<std::mutex> mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::condition_variable> cv_ = std::make_shared<std::condition_variable>();
  std::shared_ptr<uint64_t> events_ = std::make_shared<uint64_t>(0);
};

}  // namespace vxfast
