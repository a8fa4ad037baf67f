// The batch ring (cpp/pipeline/batch_ring.*): frames in order across slots, backpressure when
// every slot is held, shutdown whatever the producer is doing, producer errors re-raised in the
// consumer, and no thread left once it is destroyed.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "decode/sample_spec.h"
#include "decode/video_reader.h"
#include "pipeline/batch_ring.h"
#include "test_support.h"

using vxfast::BatchRing;
using vxfast::FrameSampler;
using vxfast::ReaderOptions;
using vxfast::SampleSpec;
using vxfast::VideoSource;

namespace {

// 50 frames of 96x64, each different (a moving pattern).
std::string video() {
  return vxtest::make_video("ring.mp4", "-c:v libx264 -pix_fmt yuv420p -g 10 -bf 2");
}

// Plane copies, plus hooks: count calls, hold call number `gate_at` until opened, throw on call
// number `throw_at` (1-based).
class ScriptedWriter : public vxtest::PlaneWriter {
 public:
  using vxtest::PlaneWriter::PlaneWriter;
  int gate_at = -1;
  int throw_at = -1;
  std::atomic<int> calls{0};

  void write(const AVFrame* f, uint8_t* dst) override {
    const int call = ++calls;
    if (call == throw_at) throw std::runtime_error("scripted writer failure at call " + std::to_string(call));
    if (call == gate_at) {
      std::unique_lock<std::mutex> lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    }
    vxtest::PlaneWriter::write(f, dst);
  }
  void wait_entered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void open_gate() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};

struct Fixture {
  std::shared_ptr<const VideoSource> src;
  std::shared_ptr<ScriptedWriter> writer;
  std::vector<std::vector<uint8_t>> buffers;  // declared before the ring: it must outlive the producer
  std::unique_ptr<BatchRing> ring;

  // threads: FFmpeg decoder threads (their joining is part of what the thread counts check).
  Fixture(int batch, int slots, int threads = 2, const std::string& spec = "all") {
    ReaderOptions o;
    o.threads = threads;
    src = std::make_shared<const VideoSource>(video(), o);
    const auto& in = src->info();
    writer = std::make_shared<ScriptedWriter>(in.width, in.height, av_get_pix_fmt(in.pix_fmt.c_str()));
    auto sampler = std::make_unique<FrameSampler>(src, SampleSpec::parse(spec, -1, -1), writer);
    ring = std::make_unique<BatchRing>(std::move(sampler), batch);
    buffers.assign(slots, std::vector<uint8_t>(writer->bytes() * batch));
    for (auto& b : buffers) ring->add_slot(b.data());
  }
  int64_t frames() const { return src->info().frame_count; }
};

// The frames of one sequential decode, for content checks.
std::vector<std::vector<uint8_t>> reference_frames() {
  ReaderOptions o;
  o.threads = 1;
  auto src = std::make_shared<const VideoSource>(video(), o);
  const auto& in = src->info();
  auto w = std::make_shared<vxtest::PlaneWriter>(in.width, in.height, av_get_pix_fmt(in.pix_fmt.c_str()));
  FrameSampler s(src, SampleSpec::parse("all", -1, -1), w);
  std::vector<std::vector<uint8_t>> out;
  std::vector<uint8_t> buf(w->bytes());
  vxfast::FrameMeta m;
  while (s.next(buf.data(), m)) out.push_back(buf);
  return out;
}

}  // namespace

TEST(delivers_every_frame_in_order_across_slots) {
  const auto ref = reference_frames();
  const int before = vxtest::baseline_thread_count();
  {
    Fixture f(4, 3);
    f.ring->start();
    int64_t next = 0;
    for (int id; (id = f.ring->next_ready()) >= 0;) {
      const auto& s = f.ring->slot(id);
      REQUIRE(s.count >= 1 && s.count <= 4);
      for (int k = 0; k < s.count; ++k, ++next) {
        REQUIRE(next < static_cast<int64_t>(ref.size()));
        CHECK_EQ(s.metas[k].index, next);
        const uint8_t* px = s.data + f.ring->frame_bytes() * k;
        CHECK(std::equal(px, px + f.ring->frame_bytes(), ref[next].begin()));
      }
      f.ring->release(id);
    }
    CHECK_EQ(next, static_cast<int64_t>(ref.size()));
    CHECK_EQ(f.ring->next_ready(), -1);  // the end is sticky
    CHECK_EQ(f.ring->stats().delivered, next);
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(backpressure_producer_waits_for_a_released_slot) {
  Fixture f(2, 2, 1);
  f.ring->start();
  const int a = f.ring->next_ready();
  const int b = f.ring->next_ready();
  REQUIRE(a >= 0 && b >= 0 && a != b);
  // Both slots are held by the consumer: the producer has filled exactly them and must wait. Give
  // it time to (wrongly) write more; a correct ring writes nothing while no slot is free.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_EQ(f.writer->calls.load(), 4);
  CHECK_EQ(f.ring->slot(a).metas[1].index, 1);
  CHECK_EQ(f.ring->slot(b).metas[0].index, 2);
  // Releasing one slot lets exactly one more batch through, into that slot.
  f.ring->release(a);
  const int c = f.ring->next_ready();
  CHECK_EQ(c, a);
  CHECK_EQ(f.ring->slot(c).metas[0].index, 4);
  CHECK_EQ(f.ring->slot(c).metas[1].index, 5);
  CHECK(vxtest::wait_until([&] { return f.writer->calls.load() >= 6; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_EQ(f.writer->calls.load(), 6);
  // Then it resumes to the end once slots come back.
  f.ring->release(b);
  f.ring->release(c);
  int64_t seen = 6;
  for (int id; (id = f.ring->next_ready()) >= 0;) {
    seen += f.ring->slot(id).count;
    f.ring->release(id);
  }
  CHECK_EQ(seen, f.frames());
}

TEST(stop_while_producer_waits_for_a_slot) {
  const int before = vxtest::baseline_thread_count();
  {
    Fixture f(3, 2);
    f.ring->start();
    f.ring->next_ready();
    f.ring->next_ready();  // both slots held; the producer is parked waiting for one
    f.ring->stop();        // must return (joins the producer), slots still unreleased
    CHECK_EQ(f.ring->next_ready(), -1);  // a stopped ring reports the end instead of blocking
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(destroy_while_producer_fills_a_slot) {
  const int before = vxtest::baseline_thread_count();
  auto f = std::make_unique<Fixture>(8, 2);
  f->writer->gate_at = 3;  // the producer is inside the first batch, third frame
  f->ring->start();
  f->writer->wait_entered();
  // Open the gate a little after the destructor has asked the producer to stop, so the producer
  // resumes mid-batch with the stop already requested (either order must end without a hang).
  std::thread opener([w = f->writer] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    w->open_gate();
  });
  auto writer = f->writer;
  f.reset();  // ~BatchRing: stop + join, then the sampler and its decoder threads go
  opener.join();
  CHECK(writer->calls.load() < 8);  // stopped within the batch, not after filling it
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(destroy_before_start_and_after_the_end) {
  const int before = vxtest::baseline_thread_count();
  { Fixture f(4, 2); }  // never started
  {
    Fixture f(16, 2);
    f.ring->start();
    for (int id; (id = f.ring->next_ready()) >= 0;) f.ring->release(id);
  }  // producer already returned
  {
    Fixture f(4, 1);
    f.ring->start();
    CHECK(f.ring->next_ready() >= 0);  // consumer walks away holding a slot
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(producer_error_reaches_the_consumer_after_the_good_batches) {
  const int before = vxtest::baseline_thread_count();
  {
    Fixture f(4, 3);
    f.writer->throw_at = 7;  // second batch, third frame
    f.ring->start();
    const int first = f.ring->next_ready();
    REQUIRE(first >= 0);
    CHECK_EQ(f.ring->slot(first).count, 4);
    f.ring->release(first);
    CHECK_THROWS(f.ring->next_ready(), std::runtime_error, "scripted writer failure at call 7");
    // The error is reported once; afterwards the ring is at its end.
    CHECK_EQ(f.ring->next_ready(), -1);
  }
  CHECK(vxtest::wait_until([&] { return vxtest::native_thread_count() == before; }));
}

TEST(producer_error_on_the_first_frame) {
  Fixture f(4, 2);
  f.writer->throw_at = 1;
  f.ring->start();
  CHECK_THROWS(f.ring->next_ready(), std::runtime_error, "call 1");
}

TEST(invalid_batch_size_is_rejected) {
  ReaderOptions o;
  auto src = std::make_shared<const VideoSource>(video(), o);
  const auto& in = src->info();
  auto w = std::make_shared<vxtest::PlaneWriter>(in.width, in.height, av_get_pix_fmt(in.pix_fmt.c_str()));
  auto sampler = std::make_unique<FrameSampler>(src, SampleSpec::parse("all", -1, -1), w);
  CHECK_THROWS(BatchRing(std::move(sampler), 0), std::invalid_argument, "batch=0");
}

TEST(repeated_frames_across_a_batch_boundary) {
  // fps above the native rate repeats frames; a repeat that opens a batch copies the last frame of
  // the previous batch.
  const auto ref = reference_frames();
  Fixture f(3, 2, 1, "fps:50");
  f.ring->start();
  int64_t delivered = 0, repeats = 0;
  for (int id; (id = f.ring->next_ready()) >= 0;) {
    const auto& s = f.ring->slot(id);
    for (int k = 0; k < s.count; ++k, ++delivered) {
      const uint8_t* px = s.data + f.ring->frame_bytes() * k;
      const int64_t i = s.metas[k].index;
      REQUIRE(i >= 0 && i < static_cast<int64_t>(ref.size()));
      repeats += s.metas[k].repeat;
      CHECK(std::equal(px, px + f.ring->frame_bytes(), ref[i].begin()));
    }
    f.ring->release(id);
  }
  CHECK(repeats > 0);
  CHECK_EQ(delivered, 2 * f.frames());
}
