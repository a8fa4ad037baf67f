// LiveSource's state machine and StreamBatcher, on in-memory input (no network): a file ends at EOF
// with every frame under "queue" (backpressure), a live input that fails is retried per Backoff and
// then fails for good, a connection that works starts a new epoch, close() interrupts a wait, the
// batcher's deadline sends a partial batch, and no thread outlives its source.
#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>

#include "check.h"
#include "decode/pixel_converter.h"
#include "sources/live_source.h"
#include "sources/stream_batcher.h"
#include "test_support.h"

using namespace vxfast;

namespace {

std::shared_ptr<std::vector<uint8_t>> read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::make_shared<std::vector<uint8_t>>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

MediaInput memory_input(const std::shared_ptr<std::vector<uint8_t>>& bytes) {
  return MediaInput{"", std::make_shared<MemoryInput>(bytes->data(), bytes->size(), bytes, "<memory>")};
}

WriterFactory gray() {
  return [](int w, int h, int rot) { return std::make_shared<PixelConverter>(PixelFormat::GRAY, w, h, rot); };
}

// A stream whose reads fail after `fail_after` bytes on every connection but the ones listed ok.
class FlakyStream : public RawStream {
 public:
  FlakyStream(std::shared_ptr<std::vector<uint8_t>> data, std::atomic<int>* opens) : data_(std::move(data)), opens_(opens) {}
  int64_t read(uint8_t* buf, int64_t n) override {
    throw std::runtime_error("connection reset");
  }
  bool seekable() const override { return true; }
  void seek(int64_t) override { opens_->fetch_add(1); }
  int64_t size() override { return static_cast<int64_t>(data_->size()); }

 private:
  std::shared_ptr<std::vector<uint8_t>> data_;
  std::atomic<int>* opens_;
};

std::string clip() {
  return vxtest::make_video("live.ts", "-c:v libx264 -g 10 -bf 0 -pix_fmt yuv420p -f mpegts");
}

}  // namespace

TEST(file_ends_at_eof_with_every_frame_under_queue) {
  const int before = vxtest::baseline_thread_count();
  {
    auto bytes = read_all(clip());
    LiveSourceOptions o;
    o.latest = false;
    o.max_queue = 2;
    o.live = false;
    LiveSource src(memory_input(bytes), o, gray());
    int64_t expect = 0;
    LiveFrame f;
    while (src.next(f, 10.0)) {
      CHECK_EQ(f.seq, expect);
      CHECK_EQ(f.epoch, 1);
      ++expect;
    }
    CHECK_EQ(expect, 50);
    CHECK(src.state() == SourceState::Ended);
    const SourceStats st = src.stats();
    CHECK_EQ(st.frames_dropped, 0);
    CHECK(st.max_queued <= 2);
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(live_input_reconnects_each_epoch_and_latest_drops) {
  auto bytes = read_all(clip());
  LiveSourceOptions o;
  o.latest = true;
  o.live = true;  // EOF of a live input: reconnect
  o.backoff = Backoff{0.001, 0.002, 2, 0, -1};
  LiveSource src(memory_input(bytes), o, gray());
  REQUIRE(vxtest::wait_until([&] { return src.stats().epoch >= 3; }, std::chrono::milliseconds(20000)));
  LiveFrame a, b;
  REQUIRE(src.next(a, 10.0));
  REQUIRE(src.next(b, 10.0));
  CHECK(b.seq > a.seq);
  CHECK(b.epoch >= a.epoch);
  const SourceStats st = src.stats();
  CHECK(st.reconnects == st.epoch - 1 || st.reconnects == st.epoch - 2);  // may be mid-connect
  CHECK(st.frames_dropped > 0);  // one slot: nobody read while epochs went by
  src.close();
  CHECK(src.state() == SourceState::Closed);
}

TEST(failing_input_is_retried_per_backoff_then_fails) {
  auto bytes = read_all(clip());
  std::atomic<int> opens{0};
  auto in = std::make_shared<StreamInput>(std::make_unique<FlakyStream>(bytes, &opens), "<flaky>");
  LiveSourceOptions o;
  o.live = true;
  o.backoff = Backoff{0.001, 0.001, 1, 0, 2};  // two reconnect attempts after the first failure
  LiveSource src(MediaInput{"", in}, o, gray());
  LiveFrame f;
  CHECK(!src.next(f, 10.0));
  CHECK(src.state() == SourceState::Failed);
  const SourceStats st = src.stats();
  CHECK_EQ(st.attempts, 3);
  CHECK_EQ(st.epoch, 0);
  CHECK(st.last_error.find("connection reset") != std::string::npos);
}

TEST(close_interrupts_a_long_backoff) {
  auto bytes = read_all(clip());
  std::atomic<int> opens{0};
  auto in = std::make_shared<StreamInput>(std::make_unique<FlakyStream>(bytes, &opens), "<flaky>");
  LiveSourceOptions o;
  o.backoff = Backoff{3600, 3600, 1, 0, -1};
  LiveSource src(MediaInput{"", in}, o, gray());
  REQUIRE(vxtest::wait_until([&] { return src.state() == SourceState::Reconnecting; }));
  const auto t0 = std::chrono::steady_clock::now();
  src.close();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
}

TEST(batcher_sends_a_partial_batch_at_its_deadline) {
  auto bytes = read_all(clip());
  LiveSourceOptions o;
  o.latest = false;
  o.max_queue = 64;
  o.live = false;
  auto good = std::make_shared<LiveSource>(memory_input(bytes), o, gray());
  std::atomic<int> opens{0};
  LiveSourceOptions bad = o;
  bad.live = true;
  bad.backoff = Backoff{3600, 3600, 1, 0, -1};
  auto broken = std::make_shared<LiveSource>(
      MediaInput{"", std::make_shared<StreamInput>(std::make_unique<FlakyStream>(bytes, &opens), "<flaky>")}, bad,
      gray());
  StreamBatcher batcher({good, broken}, 4, 0.02);
  std::vector<BatchItem> items;
  int64_t next_seq = 0;
  while (batcher.next(items, 10.0)) {
    CHECK(items.size() <= 4);
    for (const auto& it : items) {
      CHECK_EQ(it.source, 0);
      CHECK_EQ(it.frame.seq, next_seq);
      ++next_seq;
    }
    if (next_seq == 50) break;  // the broken source never ends on its own
  }
  CHECK_EQ(next_seq, 50);
  broken->close();
  CHECK(!batcher.next(items, 10.0));  // every source over: the end
}
