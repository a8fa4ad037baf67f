#include "sources/live_source.h"

#include <algorithm>
#include <chrono>

#include "common/errors.h"
#include "decode/stream_decoder.h"

namespace vxfast {

namespace {
constexpr size_t kLatencyWindow = 512;

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

const char* source_state_name(SourceState s) {
  switch (s) {
    case SourceState::Connecting: return "connecting";
    case SourceState::Live: return "live";
    case SourceState::Stalled: return "stalled";
    case SourceState::Reconnecting: return "reconnecting";
    case SourceState::Ended: return "ended";
    case SourceState::Failed: return "failed";
    case SourceState::Closed: return "closed";
  }
  return "unknown";
}

LiveSource::LiveSource(MediaInput input, LiveSourceOptions opts, WriterFactory writer)
    : input_(std::move(input)), opts_(std::move(opts)), make_writer_(std::move(writer)),
      pool_(std::make_shared<FramePool>(static_cast<size_t>(std::max(opts_.max_queue, 1)) + 4)) {
  if (opts_.name.empty()) opts_.name = input_.name();
  if (opts_.max_queue < 1) throw std::invalid_argument("max_queue must be >= 1");
  opts_.demux.deadline = deadline_;
  thread_ = std::thread([this] { run(); });
}

LiveSource::~LiveSource() { close(); }

void LiveSource::set_listener(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = std::move(fn);
}

void LiveSource::notify() {
  cv_.notify_all();
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (listener_) listener_();
}

void LiveSource::set_state(SourceState s) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ && s != SourceState::Closed) return;
    state_.store(s);
    stats_.state = s;
  }
  notify();
}

void LiveSource::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  deadline_->abort();  // ends an open/read blocked in FFmpeg
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    SourceState s = state_.load();
    if (s != SourceState::Ended && s != SourceState::Failed) state_.store(SourceState::Closed);
    stats_.state = state_.load();
  }
  notify();
}

bool LiveSource::wait_backoff(double seconds) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return closing_; });
  return !closing_;
}

void LiveSource::run() {
  std::mt19937_64 rng(opts_.seed ? opts_.seed : std::random_device{}());
  int64_t attempts = 0;
  for (;;) {
    std::string err;
    bool file_done = false;
    bool stalled = false;
    int64_t epoch_before;
    {
      std::lock_guard<std::mutex> lock(mu_);
      epoch_before = stats_.epoch;
    }
    try {
      file_done = connect_and_decode();
    } catch (const std::exception& e) {
      err = e.what();
      stalled = deadline_->timed_out();
    }
    bool connected = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) break;
      connected = stats_.epoch != epoch_before;
      if (!err.empty()) stats_.last_error = err;
      else if (!file_done) stats_.last_error = opts_.name + ": stream ended (EOF)";
      if (stalled && connected) ++stats_.stalls;
    }
    if (file_done) {
      set_state(SourceState::Ended);
      break;
    }
    if (connected) attempts = 0;  // the failure ends a connection that worked: count afresh
    ++attempts;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.attempts = attempts;
    }
    // A file that fails does not get better by reopening it.
    if (!opts_.live || opts_.backoff.exhausted(attempts)) {
      set_state(SourceState::Failed);
      break;
    }
    // "stalled" while waiting to reconnect after a stall, "reconnecting" after an error or EOF.
    set_state(stalled && connected ? SourceState::Stalled : SourceState::Reconnecting);
    if (!wait_backoff(opts_.backoff.delay(attempts, rng))) break;
    set_state(SourceState::Reconnecting);
  }
  notify();
}

bool LiveSource::connect_and_decode() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return false;
  }
  Demuxer dmx(input_, opts_.demux);
  StreamDecoder dec(dmx.stream(), opts_.decoder_threads, opts_.name);
  const AVCodecParameters* par = dmx.stream()->codecpar;
  const int rotation = opts_.apply_rotation ? stream_rotation_degrees(dmx.stream()) : 0;
  std::shared_ptr<FrameWriter> writer = make_writer_(par->width, par->height, rotation);
  const std::vector<ptrdiff_t> shape = writer->shape();
  const int out_w = (rotation == 90 || rotation == 270) ? par->height : par->width;
  const int out_h = (rotation == 90 || rotation == 270) ? par->width : par->height;
  const AVRational tb = dmx.stream()->time_base;
  int64_t epoch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    epoch = ++stats_.epoch;
    stats_.reconnects = epoch - 1;
  }
  set_state(SourceState::Live);

  UniqueAVPacket pkt = make_packet();
  UniqueAVFrame frame = make_frame();
  // A live stream joined mid-GOP: frames the decoder flags as damaged (missing references) before
  // the first clean one are not handed out. Not "wait for a keyframe": intra-refresh streams have none.
  bool clean_seen = false;
  auto drain = [&]() {
    for (;;) {
      int r = dec.receive(frame.get());
      if (r < 0) return r;
      if (!clean_seen && frame_is_corrupt(frame.get())) {
        av_frame_unref(frame.get());
        continue;
      }
      clean_seen = true;
      LiveFrame f;
      f.epoch = epoch;
      const int64_t ts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts;
      f.pts = ts == AV_NOPTS_VALUE ? 0 : static_cast<double>(ts) * tb.num / tb.den;
      f.data = pool_->get(writer->bytes());
      writer->write(frame.get(), f.data->data());
      av_frame_unref(frame.get());
      f.recv_time = wall_now();
      f.recv_ns = IoDeadline::now_ns();
      f.shape = shape;
      f.width = out_w;
      f.height = out_h;
      push(std::move(f));
    }
  };
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return false;
    }
    int err = dmx.read(pkt.get());  // throws on read_timeout (a stall) and on close()
    if (err == AVERROR_EOF || (err < 0 && !opts_.live)) {
      dec.send(nullptr);
      drain();
      return !opts_.live;
    }
    if (err < 0) throw VideoError(opts_.name + ": reading failed (FFmpeg: " + av_error_string(err) + ")");
    PacketRef unref(pkt.get());
    int s = dec.send(pkt.get());
    while (s == AVERROR(EAGAIN)) {
      drain();
      s = dec.send(pkt.get());
    }
    drain();
  }
}

void LiveSource::push(LiveFrame&& f) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closing_) return;
    ++stats_.frames_decoded;
    if (opts_.latest) {
      if (!queue_.empty()) {
        queue_.clear();
        ++stats_.frames_dropped;
      }
    } else if (static_cast<int>(queue_.size()) >= opts_.max_queue) {
      if (opts_.live) {
        queue_.pop_front();
        ++stats_.frames_dropped;
      } else {
        cv_.wait(lock, [this] { return closing_ || static_cast<int>(queue_.size()) < opts_.max_queue; });
        if (closing_) return;
      }
    }
    f.seq = next_seq_++;
    queue_.push_back(std::move(f));
    stats_.queued = static_cast<int64_t>(queue_.size());
    stats_.max_queued = std::max(stats_.max_queued, stats_.queued);
  }
  notify();
}

void LiveSource::record_delivery(const LiveFrame& f) {
  const double age = (IoDeadline::now_ns() - f.recv_ns) * 1e-9;
  ++stats_.frames_delivered;
  stats_.frame_age = age;
  stats_.queued = static_cast<int64_t>(queue_.size());
  if (latencies_.size() < kLatencyWindow) {
    latencies_.push_back(age);
  } else {
    latencies_[lat_pos_] = age;
    lat_pos_ = (lat_pos_ + 1) % kLatencyWindow;
  }
}

bool LiveSource::try_next(LiveFrame& out) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    record_delivery(out);
  }
  cv_.notify_all();  // room for a file's decode thread waiting under "queue"
  return true;
}

bool LiveSource::next(LiveFrame& out, double timeout_s) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [this] {
      SourceState s = state_.load();
      return !queue_.empty() || closing_ || s == SourceState::Ended || s == SourceState::Failed;
    };
    if (timeout_s < 0) {
      cv_.wait(lock, ready);
    } else {
      cv_.wait_for(lock, std::chrono::duration<double>(timeout_s), ready);
    }
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    record_delivery(out);
  }
  cv_.notify_all();
  return true;
}

bool LiveSource::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  SourceState s = state_.load();
  return queue_.empty() && (closing_ || s == SourceState::Ended || s == SourceState::Failed ||
                            s == SourceState::Closed);
}

std::string LiveSource::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.last_error;
}

SourceStats LiveSource::stats() const {
  std::vector<double> lat;
  SourceStats s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = stats_;
    s.state = state_.load();
    lat = latencies_;
  }
  if (!lat.empty()) {
    std::sort(lat.begin(), lat.end());
    auto q = [&](double p) { return lat[std::min(lat.size() - 1, static_cast<size_t>(p * (lat.size() - 1) + 0.5))]; };
    s.latency_p50 = q(0.5);
    s.latency_p95 = q(0.95);
  }
  return s;
}

}  // namespace vxfast
