#include "audio/parallel_decode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/errors.h"

namespace vxfast {

namespace {
double frame_seconds(const AVFrame* f, AVRational tb) {
  int64_t ts = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
  return ts == AV_NOPTS_VALUE ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(ts) * tb.num / tb.den;
}
void add(AudioStats& to, const AudioStats& d) {
  to.packets += d.packets;
  to.frames += d.frames;
  to.corrupt_packets += d.corrupt_packets;
}
}  // namespace

ParallelAacDecode::ParallelAacDecode(AVFormatContext* fmt, int stream_index, int threads,
                                     std::deque<UniqueAVPacket> history, std::shared_ptr<const ResamplePlan> plan)
    : fmt_(fmt),
      stream_(stream_index),
      st_(fmt->streams[stream_index]),
      tb_(fmt->streams[stream_index]->time_base),
      max_blocks_(static_cast<size_t>(2 * std::max(threads, 1))),
      history_(std::move(history)),
      plan_(std::move(plan)) {
  while (history_.size() > static_cast<size_t>(kPrerollPackets)) history_.pop_front();
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

ParallelAacDecode::~ParallelAacDecode() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

AVPacket* ParallelAacDecode::Block::packet_slot() {
  if (n_packets == packets.size()) packets.push_back(make_packet());
  flagged_before.resize(n_packets + 1);
  flagged_before[n_packets] = 0;
  return packets[n_packets++].get();
}

std::shared_ptr<ParallelAacDecode::Block> ParallelAacDecode::demux_block() {
  std::shared_ptr<Block> b;
  if (spare_.empty()) {
    b = std::make_shared<Block>();
  } else {
    b = std::move(spare_.back());
    spare_.pop_back();
  }
  for (size_t i = 0; i < b->n_packets; ++i) av_packet_unref(b->packets[i].get());  // kept for expand()
  b->n_packets = b->n_frames = 0;
  b->resampled = false;
  b->pts.clear();
  b->counted.clear();
  b->tail = AudioStats{};
  b->last = b->done = false;
  b->error.clear();
  for (const auto& h : history_) av_packet_ref(b->packet_slot(), h.get());
  b->preroll = static_cast<int>(b->n_packets);
  int run = 0, flagged = 0;
  AVPacket* pkt = read_pkt_.get();
  while (run < kBlockPackets) {
    if (av_read_frame(fmt_, pkt) < 0) {  // EOF or a truncated container: the sequential decode stops here too
      demux_done_ = true;
      b->last = true;
      break;
    }
    if (pkt->stream_index != stream_) {
      av_packet_unref(pkt);
      continue;
    }
    if (pkt->flags & AV_PKT_FLAG_CORRUPT) {
      ++flagged;
      av_packet_unref(pkt);
      continue;
    }
    if (history_.size() == static_cast<size_t>(kPrerollPackets)) {  // recycle the oldest
      history_.push_back(std::move(history_.front()));
      history_.pop_front();
      av_packet_unref(history_.back().get());
    } else {
      history_.push_back(make_packet());
    }
    av_packet_ref(history_.back().get(), pkt);
    av_packet_move_ref(b->packet_slot(), pkt);
    b->flagged_before[b->n_packets - 1] = flagged;
    flagged = 0;
    ++run;
  }
  b->demux_tail = AudioStats{};
  b->demux_tail.packets = b->demux_tail.corrupt_packets = flagged;  // the decode adds what it counts after the last frame
  b->tail = b->demux_tail;
  return b;
}

void ParallelAacDecode::refill() {
  while (!demux_done_ && inflight_.size() < max_blocks_) {
    auto b = demux_block();
    inflight_.push_back(b);
    {
      std::lock_guard<std::mutex> lk(mu_);
      todo_.push_back(std::move(b));
    }
    work_cv_.notify_one();
  }
}

void ParallelAacDecode::work() {
  UniqueAVCodecContext dec;  // one per worker, flushed between blocks: its frame pool is reused
  for (;;) {
    std::shared_ptr<Block> b;
    {
      std::unique_lock<std::mutex> lk(mu_);
      work_cv_.wait(lk, [&] { return stop_ || !todo_.empty(); });
      if (stop_) return;
      b = std::move(todo_.front());
      todo_.pop_front();
    }
    try {
      if (!dec) dec = open_decoder();
      else avcodec_flush_buffers(dec.get());
      decode(*b, dec.get(), plan_ != nullptr);
      if (plan_ && !b->resampled && b->n_frames == 0 && !b->counted.empty()) {
        // The block did not fit the plan (a gap, another format): frames after all.
        avcodec_flush_buffers(dec.get());
        decode(*b, dec.get(), false);
      }
    } catch (const std::exception& e) {
      b->error = e.what();
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      b->done = true;
    }
    done_cv_.notify_all();
  }
}

UniqueAVCodecContext ParallelAacDecode::open_decoder() const {
  const AVCodec* codec = avcodec_find_decoder(st_->codecpar->codec_id);
  UniqueAVCodecContext dec(codec ? avcodec_alloc_context3(codec) : nullptr);
  if (!dec || avcodec_parameters_to_context(dec.get(), st_->codecpar) < 0) {
    throw VideoError("cannot set up a parallel audio decoder");
  }
  dec->pkt_timebase = tb_;
  dec->thread_count = 1;
  int err = avcodec_open2(dec.get(), codec, nullptr);
  if (err < 0) throw VideoError("cannot open a parallel audio decoder (FFmpeg: " + av_error_string(err) + ")");
  return dec;
}

// The decoder may hold the state of an earlier block: the pre-roll replaces it (an AAC-LC frame's
// successor depends on that frame alone), which is why a block needs no fresh decoder.
// resample: place every frame (pre-roll too) on the plan's timeline and resample the run instead of
// keeping frames; b.resampled says whether that worked (else b holds no frames: decode again).
void ParallelAacDecode::decode(Block& b, AVCodecContext* dec, bool resample) {
  b.n_frames = 0;
  b.pts.clear();
  b.counted.clear();
  b.resampled = false;
  UniqueAVFrame f = make_frame();
  // Same counting as AudioSource::next/feed, for the kept packets only (the pre-roll packets were
  // counted in the block that owns them).
  AudioStats run;  // counted since the last frame kept
  bool ok = true, first = true;
  int64_t expected = 0;
  size_t kept = 0;
  auto receive = [&](bool keep) {
    for (;;) {
      int e = avcodec_receive_frame(dec, f.get());
      if (e == 0) {
        if (keep) {
          ++run.frames;
          if (frame_is_corrupt(f.get())) ++run.corrupt_packets;
        }
        if (f->nb_samples <= 0 || f->sample_rate <= 0) {
          av_frame_unref(f.get());
          continue;
        }
        if (resample) {
          if (ok) ok = place(b, f.get(), keep, expected, first);
          av_frame_unref(f.get());
          if (keep) {
            b.counted.push_back(run);
            run = AudioStats{};
            ++kept;
          }
          continue;
        }
        if (!keep) {
          av_frame_unref(f.get());
          continue;
        }
        b.counted.push_back(run);
        run = AudioStats{};
        b.pts.push_back(frame_seconds(f.get(), tb_));
        if (b.n_frames == b.frames.size()) b.frames.push_back(make_frame());
        av_frame_move_ref(b.frames[b.n_frames++].get(), f.get());
        continue;
      }
      if (e != AVERROR(EAGAIN) && e != AVERROR_EOF && keep) ++run.corrupt_packets;
      return;
    }
  };
  for (size_t i = 0; i < b.n_packets; ++i) {
    if (i % 32 == 0) {
      std::lock_guard<std::mutex> lk(mu_);
      if (stop_) return;
    }
    const bool keep = static_cast<int>(i) >= b.preroll;
    if (keep) {
      run.packets += 1 + b.flagged_before[i];
      run.corrupt_packets += b.flagged_before[i];
    }
    // With a plan the packets stay (unreferenced when the block is recycled): expand() and a
    // decode without resampling read them again.
    AVPacket* pkt = b.packets[i].get();
    const int err = avcodec_send_packet(dec, pkt);
    if (!plan_) av_packet_unref(pkt);
    if (err < 0) {
      if (keep) ++run.corrupt_packets;  // rejected: the cursor's timeline check fills the hole
      continue;
    }
    receive(keep);
  }
  if (b.last) {
    avcodec_send_packet(dec, nullptr);
    receive(true);
  }
  b.tail = b.demux_tail;
  b.tail.packets += run.packets;
  b.tail.frames += run.frames;
  b.tail.corrupt_packets += run.corrupt_packets;
  if (resample) {
    if (kept == 0) {
      b.counted.clear();  // nothing to place: an empty block of frames (counters in tail)
      return;
    }
    b.run.in_end = expected;
    b.resampled = ok && resample_run(*plan_, b.run);
  }
}

// Appends a decoded frame to the block's run if it continues it on the plan's timeline: the
// plan's settings, and its pts within the cursor's tolerance of where the run has got to.
bool ParallelAacDecode::place(Block& b, const AVFrame* f, bool keep, int64_t& expected, bool& first) {
  const ResamplePlan& p = *plan_;
  if (!same_audio_params(p.params.get(), f)) return false;
  const double pts = frame_seconds(f, tb_);
  if (std::isnan(pts)) return false;
  const int64_t fp = std::llround((pts - p.t0) * f->sample_rate);
  ResampledRun& r = b.run;
  if (first) {
    if (keep) return false;  // no pre-roll frame: nothing before the block to resample with
    first = false;
    r.plan = plan_.get();
    r.offset = offset_.load(std::memory_order_relaxed);
    expected = fp + r.offset;
    r.in_first = expected;
    r.in_start = -1;
    r.len = 0;
  } else if (std::llabs(fp - expected) > p.tolerance) {  // the cursor's rule: within it, frames abut
    return false;
  }
  if (keep && r.in_start < 0) {
    r.in_start = expected;
    r.jitter_min = r.jitter_max = fp - expected;
  }
  if (keep) {
    r.jitter_min = std::min(r.jitter_min, fp - expected);
    r.jitter_max = std::max(r.jitter_max, fp - expected);
  }
  if (!keep && r.in_start >= 0) return false;  // pre-roll after kept frames: not a block's shape
  const int64_t n = f->nb_samples;
  r.in.resize(static_cast<size_t>(p.out_channels));
  for (auto& c : r.in) {
    if (static_cast<int64_t>(c.size()) < r.len + n) c.resize(static_cast<size_t>(std::max<int64_t>(2 * c.size(), r.len + n)));
  }
  const float* planes[64];
  for (int c = 0; c < p.in_channels; ++c) planes[c] = reinterpret_cast<const float*>(f->extended_data[c]);
  if (!p.coef.empty()) {
    downmix(planes, p.in_channels, p.coef.data(), n, r.in[0].data() + r.len);
  } else {
    for (int c = 0; c < p.out_channels; ++c) std::memcpy(r.in[c].data() + r.len, planes[c], sizeof(float) * n);
  }
  r.len += n;
  expected += n;
  return true;
}

bool ParallelAacDecode::advance(AudioStats& stats) {
  if (cur_) {
    add(stats, cur_->tail);  // counted before the next frame, or at the end
    spare_.push_back(std::move(cur_));
  }
  refill();
  if (inflight_.empty()) return false;
  std::shared_ptr<Block> b = std::move(inflight_.front());
  inflight_.pop_front();
  refill();  // keep the workers fed while this block is handed out
  {
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [&] { return b->done; });
  }
  if (!b->error.empty()) throw VideoError(b->error);
  cur_ = std::move(b);
  cur_i_ = 0;
  return true;
}

const ResampledRun* ParallelAacDecode::next_run(AudioStats& stats) {
  if (cur_ && (cur_->resampled || cur_i_ < cur_->n_frames)) return cur_->resampled ? &cur_->run : nullptr;
  if (!advance(stats)) return nullptr;
  return cur_->resampled ? &cur_->run : nullptr;
}

void ParallelAacDecode::accept(AudioStats& stats) {
  if (!cur_ || !cur_->resampled) return;
  for (const auto& c : cur_->counted) add(stats, c);
  cur_->resampled = false;
  cur_->n_frames = 0;
  cur_i_ = 0;
}

void ParallelAacDecode::expand() {
  if (!cur_ || !cur_->resampled) return;
  if (!own_dec_) own_dec_ = open_decoder();
  else avcodec_flush_buffers(own_dec_.get());
  decode(*cur_, own_dec_.get(), false);
  cur_i_ = 0;
}

bool ParallelAacDecode::next(AVFrame* frame, double& pts, AudioStats& stats) {
  for (;;) {
    if (cur_ && cur_->resampled) expand();  // a caller that does not take runs gets frames
    if (cur_ && cur_i_ < cur_->n_frames) {
      av_frame_move_ref(frame, cur_->frames[cur_i_].get());
      pts = cur_->pts[cur_i_];
      add(stats, cur_->counted[cur_i_]);
      ++cur_i_;
      return true;
    }
    if (!advance(stats)) return false;
  }
}

}  // namespace vxfast
