#include "decode/frame_sampler.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "common/errors.h"

namespace vxfast {

// The caller chooses (ReaderOptions::sequential_threads; Python passes the count from
// vxfast.config.heuristics): 0 is FFmpeg's own choice here as everywhere.
std::unique_ptr<DecodeSession> FrameSampler::open_session(bool keyframes_only) const {
  return src_->new_session(keyframes_only, src_->options().sequential_threads);
}

FrameSampler::FrameSampler(std::shared_ptr<const VideoSource> src, const SampleSpec& spec,
                           std::shared_ptr<FrameWriter> writer)
    : src_(std::move(src)), spec_(spec), writer_(std::move(writer)),
      cursor_(src_, [this] { return open_session(false); }) {
  using K = SampleSpec::Kind;
  const auto& idx = src_->index();
  if (spec_.kind == K::Keyframes) {
    planned_ = false;
  } else if (idx) {
    planned_ = true;
    targets_ = plan_targets(spec_, *idx);
  } else if (spec_.kind == K::All || spec_.kind == K::Every) {
    planned_ = false;
  } else {
    // Approximate mode: plan on the header's estimates; frames are matched by timestamp.
    planned_ = true;
    FrameIndex est;
    const VideoInfo& in = src_->info();
    int64_t n = in.frame_count > 0 ? in.frame_count : 1;
    double fps = in.fps > 0 ? in.fps : 25;
    est.display_ts.resize(n);
    est.pts_sec.resize(n);
    for (int64_t i = 0; i < n; ++i) { est.display_ts[i] = i; est.pts_sec[i] = in.start_time + i / fps; }
    targets_ = plan_targets(spec_, est);
  }
}

DecodeCounters FrameSampler::counters() const {
  return session_ ? session_->counters() : cursor_.counters();
}

SamplerStats FrameSampler::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SamplerStats s;
  s.decode = counters();
  s.missing_frames = missing_;
  s.delivered = delivered_;
  return s;
}

bool FrameSampler::next(uint8_t* dst, FrameMeta& meta) {
  std::lock_guard<std::mutex> lock(mu_);
  bool ok = planned_ ? next_planned(dst, meta) : next_streamed(dst, meta);
  if (!ok && delivered_ == 0 && (session_ || cursor_.started())) {
    const DecodeCounters c = counters();
    if (c.corrupt_packets + c.corrupt_frames + c.decoder_errors + missing_ > 0 && c.decoded_frames == 0) {
      throw VideoError(src_->path() + ": no frame could be decoded (" +
                       std::to_string(c.corrupt_packets) + " corrupt packets)");
    }
  }
  return ok;
}

bool FrameSampler::next_planned(uint8_t* dst, FrameMeta& meta) {
  while (pos_ < targets_.size()) {
    int64_t t = targets_[pos_];
    if (pos_ > 0 && targets_[pos_ - 1] == t && last_.index == t) {
      ++pos_;
      meta = last_;
      meta.repeat = true;
      ++delivered_;
      return true;
    }
    DecodedFrame d;
    FrameCursor::Landed landed = cursor_.decode_to(t, d);
    if (landed == FrameCursor::Landed::End) {
      missing_ += static_cast<int64_t>(targets_.size() - pos_);
      pos_ = targets_.size();
      return false;
    }
    if (landed == FrameCursor::Landed::Later) {
      // t never came out of the decoder (damaged): count it, and deliver d if it is planned.
      while (pos_ < targets_.size() && targets_[pos_] < d.index) { ++missing_; ++pos_; }
      if (pos_ == targets_.size() || targets_[pos_] != d.index) continue;
    }
    writer_->write(d.frame, dst);
    meta = FrameMeta{d.index, d.pts, d.keyframe, false};
    last_ = meta;
    ++pos_;
    ++delivered_;
    return true;
  }
  return false;
}

bool FrameSampler::next_streamed(uint8_t* dst, FrameMeta& meta) {
  using K = SampleSpec::Kind;
  const FrameIndex* idx = src_->index().get();
  if (!session_) {
    session_ = open_session(spec_.kind == K::Keyframes);
    if (spec_.start >= 0) {
      const VideoInfo& in = src_->info();
      int64_t i = idx ? idx->first_at_or_after(spec_.start)
                      : static_cast<int64_t>(std::floor((spec_.start - in.start_time) * in.fps));
      if (i > 0) session_->seek_to(i);
    }
  }
  DecodedFrame d;
  while (session_->next(d)) {
    if (spec_.end >= 0 && d.pts >= spec_.end - 1e-9) return false;
    if (spec_.start >= 0 && d.pts < spec_.start - 1e-9) continue;
    if (first_index_ < 0) first_index_ = d.index;
    if (spec_.kind == K::Every && (d.index - first_index_) % static_cast<int64_t>(spec_.value) != 0) continue;
    writer_->write(d.frame, dst);
    meta = FrameMeta{d.index, d.pts, d.keyframe, false};
    last_ = meta;
    ++delivered_;
    return true;
  }
  return false;
}

}  // namespace vxfast
