#include "decode/decode_session.h"

#include <cmath>

#include "common/errors.h"

namespace vxfast {

DecodeSession::DecodeSession(const MediaInput& input, std::shared_ptr<const FrameIndex> index,
                             int threads, bool keyframes_only, double approx_fps)
    : input_(input), path_(input.name()), index_(std::move(index)), threads_(threads), keyframes_only_(keyframes_only),
      approx_fps_(approx_fps > 0 ? approx_fps : 25.0) {
  register_error_counter(&errors_);
  try {
    reopen();
  } catch (...) {
    unregister_error_counter(&errors_);
    throw;
  }
}

DecodeSession::~DecodeSession() {
  dec_.reset();  // frame threads may still log while shutting down
  unregister_error_counter(&errors_);
}

void DecodeSession::reopen() {
  dmx_ = std::make_unique<Demuxer>(input_);
  dec_ = std::make_unique<StreamDecoder>(dmx_->stream(), threads_, path_);
  dec_->context()->opaque = &errors_;  // attributes the decoder's error log lines to this session
  dec_->set_keyframes_only(keyframes_only_);
  const AVStream* st = dmx_->stream();
  start_ts_ = st->start_time;
  pending_packet_ = false;
  eof_sent_ = false;
  need_anchor_ = true;
  wait_for_key_ = false;
  estimate_after_seek_ = false;
  next_index_ = 0;
  key_fifo_.clear();
  have_pts_ = false;
  seek_key_ = -1;
  first_after_seek_ = false;
  approx_await_key_ = false;
}

void DecodeSession::seek_to(int64_t idx) {
  ++counters_.seeks;
  have_pts_ = false;  // timestamps may go back: only frames after the seek are compared
  if (index_) {
    seek_to_key(index_->keyframe_at_or_before(idx), 0);
    return;
  }
  // Approximate mode: seek by time and recover indices from timestamps.
  const AVStream* st = dmx_->stream();
  double t = static_cast<double>(idx) / approx_fps_;
  int64_t ts = static_cast<int64_t>(t / av_q2d(st->time_base)) + (start_ts_ == AV_NOPTS_VALUE ? 0 : start_ts_);
  if (idx == 0 || !dmx_->seek(ts)) {
    reopen();
    return;
  }
  restart_decoder();
  estimate_after_seek_ = true;
  next_index_ = -1;
  approx_await_key_ = true;
  approx_target_ts_ = ts;
  approx_backoff_ = 0;
}

void DecodeSession::restart_decoder() {
  dec_->flush();
  pending_packet_ = false;
  eof_sent_ = false;
}

bool DecodeSession::keep_after_approx_seek(bool key) {
  if (!approx_await_key_) return true;
  if (!key) return false;  // mid-GOP: these frames lack their references
  const int64_t ts = pkt_->pts != AV_NOPTS_VALUE ? pkt_->pts : pkt_->dts;
  if (ts == AV_NOPTS_VALUE || ts <= approx_target_ts_) {
    approx_await_key_ = false;
    return true;
  }
  // The first keyframe after the seek is past the target: go back 2, 4, ... 64 s, then to the start.
  if (++approx_backoff_ > 6) {
    reopen();
    return false;
  }
  const double back_s = static_cast<double>(1 << approx_backoff_);
  const int64_t back = static_cast<int64_t>(back_s / av_q2d(dmx_->stream()->time_base));
  if (!dmx_->seek(approx_target_ts_ - back)) {
    reopen();
    return false;
  }
  restart_decoder();
  return false;
}

void DecodeSession::seek_to_key(size_t k, int attempt) {
  for (; k > 0 && attempt < 2; ++attempt) {
    const int64_t ts = attempt == 0 ? index_->key_seek_ts[k] : index_->key_dts[k];
    if (ts == AV_NOPTS_VALUE || (attempt == 1 && ts == index_->key_seek_ts[k]) || !dmx_->seek(ts)) continue;
    dec_->flush();
    pending_packet_ = false;
    eof_sent_ = false;
    need_anchor_ = true;
    key_fifo_.clear();
    next_index_ = index_->key_display[k];
    seek_key_ = index_->by_pts ? static_cast<int64_t>(k) : -1;
    seek_attempt_ = attempt;
    first_after_seek_ = true;
    return;
  }
  reopen();  // from the very start: always correct, and cheap next to decoding a GOP
}

bool DecodeSession::keep_after_seek(bool key) {
  if (seek_key_ < 0) return true;
  const size_t k = static_cast<size_t>(seek_key_);
  const int64_t kpts = index_->display_ts[static_cast<size_t>(index_->key_display[k])];
  const int64_t kdts = index_->key_dts[k];
  const bool first = first_after_seek_;
  first_after_seek_ = false;
  if (pkt_->pts == kpts) {  // the keyframe: decode from here
    seek_key_ = -1;
    return true;
  }
  if (first && pkt_->dts != AV_NOPTS_VALUE && kdts != AV_NOPTS_VALUE && pkt_->dts > kdts) {
    // Landed past the keyframe. MPEG-TS indexes every packet as a keyframe and seeks by dts, so
    // a keyframe's pts (> its dts with B-frames) lands a few packets after it: retry with its dts.
    seek_to_key(k, seek_attempt_ + 1);
    return false;
  }
  if (key && pkt_->pts != AV_NOPTS_VALUE && pkt_->pts > kpts) {
    seek_key_ = -1;  // the keyframe is unreadable (damaged): go on from the next one
    return true;
  }
  // Packets before the keyframe: their frames are not wanted and lack references.
  return false;
}

bool DecodeSession::feed_one_packet() {
  if (eof_sent_) return false;
  if (!pending_packet_) {
    for (;;) {
      int err = dmx_->read(pkt_.get());
      if (err < 0) {
        if (err != AVERROR_EOF) ++counters_.corrupt_packets;
        dec_->send(nullptr);  // drain the frames still inside the decoder
        eof_sent_ = true;
        return true;
      }
      bool key = (pkt_->flags & AV_PKT_FLAG_KEY) != 0;
      if (pkt_->size == 0 || (keyframes_only_ && !key)) {
        av_packet_unref(pkt_.get());
        continue;
      }
      // Packets an edit list cuts (AV_PKT_FLAG_DISCARD) still go to the decoder: the frames kept
      // after a cut reference them. The decoder drops their own frames (AV_FRAME_FLAG_DISCARD), as
      // FFmpeg and PyAV do, and the FrameIndex never lists them.
      if (!keep_after_seek(key) || !keep_after_approx_seek(key)) {
        av_packet_unref(pkt_.get());
        continue;
      }
      bool discard = (pkt_->flags & AV_PKT_FLAG_DISCARD) != 0;
      if (!discard && index_ && !index_->by_pts && (need_anchor_ || keyframes_only_)) {
        // Counting mode: display_ts holds the sorted dts, so a packet's dts rank is its decode
        // position, which for a keyframe of a closed GOP is also its display index.
        int64_t pos = pkt_->dts != AV_NOPTS_VALUE ? index_->lookup_ts(pkt_->dts) : -1;
        int64_t disp = key && pos >= 0 ? index_->keyframe_display_for_decode_pos(pos) : -1;
        if (need_anchor_) {
          if (!key && pos != 0) {  // landed mid-GOP: skip to a keyframe rather than emit garbage
            av_packet_unref(pkt_.get());
            continue;
          }
          if (disp >= 0) next_index_ = disp;
          else if (pos >= 0) next_index_ = pos;
          // Leading B-frames after a mid-stream keyframe (shown before it) lack a reference: wait
          // for the keyframe itself to come out and count from there.
          wait_for_key_ = pos > 0;
          need_anchor_ = false;
        }
        if (keyframes_only_) key_fifo_.push_back(disp >= 0 ? disp : next_index_);
      }
      break;
    }
  }
  int err = dec_->send(pkt_.get());
  if (err == AVERROR(EAGAIN)) {
    pending_packet_ = true;  // decoder full: drain a frame, then resend this packet
    return true;
  }
  pending_packet_ = false;
  if (err < 0) ++counters_.corrupt_packets;
  av_packet_unref(pkt_.get());
  return true;
}

int64_t DecodeSession::assign_index(const AVFrame* f) {
  int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
  if (index_) {
    if (index_->by_pts && ts != AV_NOPTS_VALUE) {
      int64_t i = index_->lookup_ts(ts);
      if (i >= 0) return i;
    }
    if (keyframes_only_ && !key_fifo_.empty()) {
      int64_t i = key_fifo_.front();
      key_fifo_.pop_front();
      return i;
    }
    return next_index_;
  }
  if (estimate_after_seek_ && ts != AV_NOPTS_VALUE) {
    estimate_after_seek_ = false;
    double t = (ts - (start_ts_ == AV_NOPTS_VALUE ? 0 : start_ts_)) * av_q2d(dmx_->stream()->time_base);
    return static_cast<int64_t>(std::llround(t * approx_fps_));
  }
  return next_index_ < 0 ? 0 : next_index_;
}

bool DecodeSession::next(DecodedFrame& out) {
  for (;;) {
    int err = dec_->receive(frame_.get());
    if (err == 0) {
      ++counters_.decoded_frames;
      if (wait_for_key_) {
        if (!frame_is_key(frame_.get())) continue;
        wait_for_key_ = false;
      }
      if (frame_is_corrupt(frame_.get())) ++counters_.corrupt_frames;
      int64_t i = assign_index(frame_.get());
      next_index_ = i + 1;
      out.frame = frame_.get();
      out.index = i;
      out.keyframe = frame_is_key(frame_.get());
      if (index_ && i < index_->frame_count()) {
        out.pts = index_->pts_sec[i];
      } else {
        // On the stream's clock, like FrameIndex::pts_sec.
        int64_t ts = frame_->best_effort_timestamp;
        AVRational tb = dmx_->stream()->time_base;
        double t = ts == AV_NOPTS_VALUE ? last_pts_ + 1.0 / approx_fps_
                                        : static_cast<double>(ts) * tb.num / tb.den;
        if (have_pts_ && t <= last_pts_) t = last_pts_ + 1.0 / approx_fps_;
        have_pts_ = true;
        out.pts = t;
      }
      last_pts_ = out.pts;
      return true;
    }
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) {
      ++counters_.corrupt_frames;  // a frame the decoder gave up on; keep going
      if (eof_sent_) return false;
    }
    if (!feed_one_packet()) return false;
  }
}

}  // namespace vxfast
